//! Section 1, "Build": how long building the book's hello world takes and what it
//! produces, beside the Rust `ic-cdk` baseline. Times the installed `kybra build` as a
//! user runs it (first build, again unchanged, after a one-line change), the in-process
//! `kybra_compiler::build` with its stage timings, and cargo on the Rust baseline.
//! Promises: nothing in the repository is modified (the project is copied to a
//! temporary folder); figures are measured in this run, except the Azle column, which
//! is labelled as quoted from the notes.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use kybra_compiler::Canister;

use crate::env::{self, AssetFiles};
use crate::payload::{self, PayloadMix};
use crate::rust_baseline::{self, RustBuildTimes};
use crate::table::{self, bytes, dash, int, millis, secs, Table};
use crate::targets::Targets;
use crate::wasm_info::WasmInfo;

/// The dfx.json name of the book's hello world canister.
const HELLO_NAME: &str = "kybra_hello_world";
/// In-process builds to take the median of.
const IN_PROCESS_RUNS: usize = 3;

pub struct BuildOptions {
    /// Time cargo on a one-line change of the Rust baseline (costs one release build).
    pub rust_edit: bool,
}

/// Wall times of the installed CLI.
struct CliTimes {
    first: Duration,
    no_change: Duration,
    one_line_change: Duration,
    /// The module the CLI wrote on its first build.
    wasm: Vec<u8>,
}

/// Runs the section; returns its markdown and the in-process hello world build.
pub fn run(
    assets: &AssetFiles,
    rust_wasm: &[u8],
    options: &BuildOptions,
    targets: &mut Targets,
) -> Result<(String, Canister)> {
    let example = env::repo_root().join("examples/hello_world");
    let main_py = example.join("src/main.py");
    let mut builds = Vec::new();
    for _ in 0..IN_PROCESS_RUNS {
        let started = Instant::now();
        // The inputs `kybra build` gives a project that is not deployed anywhere.
        let env = vec![("DFX_NETWORK".to_string(), "local".to_string())];
        let c = kybra_compiler::build_with_env(&main_py, &example, &assets.assets(), env).map_err(
            |e| {
                anyhow::anyhow!(
                    "kybra_compiler::build of {} failed:\n{e}",
                    main_py.display()
                )
            },
        )?;
        builds.push((started.elapsed(), c));
    }
    builds.sort_by_key(|(t, _)| *t);
    let (in_process, canister) = builds.swap_remove(IN_PROCESS_RUNS / 2);

    // Module size when the canister imports the standard library (`examples/stdlib`).
    let stdlib_example = env::repo_root().join("examples/stdlib");
    let stdlib = kybra_compiler::build(
        &stdlib_example.join("src/main.py"),
        &stdlib_example,
        &assets.assets(),
    )
    .map_err(|e| anyhow::anyhow!("kybra_compiler::build of examples/stdlib failed:\n{e}"))?;
    let cli = time_cli(&example)?;
    let rust_times = if options.rust_edit {
        Some(rust_baseline::time_one_line_change()?)
    } else {
        None
    };

    let py = WasmInfo::of(&canister.wasm, Some(&canister.wasm_gz))?;
    let rs = WasmInfo::of(rust_wasm, None)?;
    let cargo = rust_times
        .as_ref()
        .map(|r| format!("Rust: {} (cargo, one-line change)", secs(r.one_line_change)))
        .unwrap_or_else(|| "Rust: cargo not timed (--no-cargo-edit)".into());
    targets.record(
        "build",
        secs(cli.no_change),
        cargo,
        cli.no_change.as_secs_f64() <= 0.3,
    );
    targets.record(
        "module",
        bytes(py.gzip_bytes),
        format!("Rust: {}", bytes(rs.gzip_bytes)),
        py.gzip_bytes <= 3 << 19,
    );
    let mix = payload::mix(&main_py, &example, assets)?;
    let figures = Figures {
        in_process,
        cli: &cli,
        rust: rust_times.as_ref(),
        py: &py,
        rs: &rs,
        mix: &mix,
        stdlib: &stdlib,
    };
    Ok((render(&canister, &figures), canister))
}

/// Everything measured besides the canister itself.
struct Figures<'a> {
    in_process: Duration,
    cli: &'a CliTimes,
    rust: Option<&'a RustBuildTimes>,
    py: &'a WasmInfo,
    rs: &'a WasmInfo,
    mix: &'a PayloadMix,
    stdlib: &'a Canister,
}

fn render(c: &Canister, f: &Figures) -> String {
    let Figures {
        in_process,
        cli,
        rust,
        py,
        rs,
        mix,
        stdlib,
    } = *f;
    let mut t = Table::new(&[
        "figure",
        "Kybra (Python hello world)",
        "Rust ic-cdk hello world (baseline)",
        "Azle 0.33 hello world (from notes, not measured)",
    ]);
    let rust_time = |f: fn(&RustBuildTimes) -> Duration| {
        rust.map(|r| format!("{} (cargo)", secs(f(r))))
            .unwrap_or_else(dash)
    };
    t.row(vec![
        "build, first (wall)".into(),
        format!("{} (`kybra build`)", secs(cli.first)),
        "— (dependencies cached)".into(),
        "3.0 s (`azle build`)".into(),
    ]);
    t.row(vec![
        "build again, no change (wall)".into(),
        secs(cli.no_change),
        rust_time(|r| r.no_change),
        dash(),
    ]);
    t.row(vec![
        "build after a one-line change (wall)".into(),
        secs(cli.one_line_change),
        rust_time(|r| r.one_line_change),
        dash(),
    ]);
    let s = &c.timings;
    t.row(vec![
        format!("in-process `kybra_compiler::build` (median of {IN_PROCESS_RUNS})"),
        millis(in_process),
        dash(),
        dash(),
    ]);
    for (stage, d) in [
        ("analyse", s.analyse),
        ("candid", s.candid),
        ("wasm", s.wasm),
        ("gzip", s.gzip),
    ] {
        t.row(vec![format!("  stage: {stage}"), millis(d), dash(), dash()]);
    }
    t.row(vec![
        "module, raw".into(),
        bytes(py.raw_bytes),
        bytes(rs.raw_bytes),
        "3.47 MB".into(),
    ]);
    t.row(vec![
        format!("module, gzip (level {})", kybra_compiler::GZIP_LEVEL),
        bytes(py.gzip_bytes),
        bytes(rs.gzip_bytes),
        "1.14 MB".into(),
    ]);
    t.row(vec![
        "module raw / gzip, `examples/stdlib` (imports json, re, typing, ...)".into(),
        format!(
            "{} / {} ({} bundled modules)",
            bytes(stdlib.wasm.len()),
            bytes(stdlib.wasm_gz.len()),
            stdlib.modules - stdlib.user_modules
        ),
        dash(),
        dash(),
    ]);
    t.row(vec![
        "functions defined".into(),
        int(py.functions as u64),
        int(rs.functions as u64),
        dash(),
    ]);
    t.row(vec![
        "code section".into(),
        bytes(py.code_section_bytes),
        bytes(rs.code_section_bytes),
        dash(),
    ]);
    t.row(vec![
        "imports".into(),
        int(py.imports as u64),
        int(rs.imports as u64),
        dash(),
    ]);
    t.row(vec![
        "Python modules (user + bundled)".into(),
        format!("{} + {}", c.user_modules, c.modules - c.user_modules),
        dash(),
        dash(),
    ]);
    t.row(vec![
        "payload (Candid-encoded modules + method table)".into(),
        bytes(c.payload_bytes),
        dash(),
        dash(),
    ]);
    t.row(vec![
        "  of which user source / bundled bytecode".into(),
        format!(
            "{} / {}",
            bytes(mix.source_bytes),
            bytes(mix.bytecode_bytes)
        ),
        dash(),
        dash(),
    ]);
    let largest: Vec<String> = mix
        .largest
        .iter()
        .map(|(m, b)| format!("{m} {}", int(*b as u64)))
        .collect();
    t.row(vec![
        "  largest bundled modules (bytes)".into(),
        largest.join(", "),
        dash(),
        dash(),
    ]);
    let same = if cli.wasm == c.wasm {
        "yes"
    } else {
        "NO: the CLI embeds other assets than $KYBRA_ASSETS_DIR (rebuild it: `bash scripts/setup.sh`)"
    };
    t.row(vec![
        "`kybra build` module identical to the in-process one (same inputs: `DFX_NETWORK=local`)"
            .into(),
        same.into(),
        dash(),
        dash(),
    ]);
    let mut out = String::from("## 1. Build: the book's hello world\n\n");
    out.push_str(&t.render());
    out.push_str(&format!(
        "\nWall times on this machine (shared cores: expect noise). Kybra builds are the installed CLI run as a subprocess \
         on a copy of `examples/hello_world`; cargo builds are `cargo build --release --target wasm32-unknown-unknown` \
         of a copy of `tests/canisters/rust_hello` (LTO, opt-level 3) with its dependencies already compiled. \
         Kybra/Rust gzip ratio: {}.\n",
        table::ratio(py.gzip_bytes as f64, rs.gzip_bytes as f64)
    ));
    out
}

/// Copies the example to a temporary folder and times `kybra build` there three times.
fn time_cli(example: &Path) -> Result<CliTimes> {
    let bin = env::kybra_bin()?;
    let dir = tempfile::Builder::new()
        .prefix("kybra-bench-hello-")
        .tempdir()?;
    copy_dir(example, dir.path())?;
    // A previous build output must not make the first build cheaper.
    let _ = std::fs::remove_dir_all(dir.path().join(".kybra"));
    let first = kybra_build(&bin, dir.path())?;
    let wasm_path = dir
        .path()
        .join(format!(".kybra/{HELLO_NAME}/{HELLO_NAME}.wasm"));
    let wasm = std::fs::read(&wasm_path).with_context(|| {
        format!(
            "`kybra build` succeeded but did not write {}",
            wasm_path.display()
        )
    })?;
    let no_change = kybra_build(&bin, dir.path())?;
    let main_py = dir.path().join("src/main.py");
    let mut source = std::fs::read_to_string(&main_py)?;
    source.push_str("\n_bench_edit: int = 1\n");
    std::fs::write(&main_py, source)?;
    let one_line_change = kybra_build(&bin, dir.path())?;
    Ok(CliTimes {
        first,
        no_change,
        one_line_change,
        wasm,
    })
}

fn kybra_build(bin: &Path, project: &Path) -> Result<Duration> {
    let started = Instant::now();
    let out = Command::new(bin)
        .arg("build")
        .current_dir(project)
        .output()
        .with_context(|| format!("cannot run {}", bin.display()))?;
    let took = started.elapsed();
    if !out.status.success() {
        bail!(
            "`{} build` in {} failed:\n{}{}",
            bin.display(),
            project.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(took)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}
