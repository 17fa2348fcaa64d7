//! Section 7, "Packages": the cost of PyPI packages — the e2e test's canister
//! (`tests/e2e/projects/packages`: python-dateutil, tzdata, attrs, PyYAML, simplejson,
//! Jinja2 + MarkupSafe, boltons, toolz, more-itertools, ecdsa, idna, certifi, imported at
//! install) beside the book's hello world: in-process build time (median of three), module
//! size raw and gzipped, the payload's package files, install instructions, and the first
//! and second call of a query that uses a package (`templates`: Jinja2 reading a template
//! file) beside `get_message`. The packages come from a virtual environment this section
//! makes once, from the pinned `requirements.txt`, in `$KYBRA_CACHE/bench/` (keyed by that
//! file's hash). Promises: every reply is checked before any figure is printed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::canisters::Bench;
use crate::env::{self, AssetFiles};
use crate::table::{bytes, int, ratio, secs, Table};

/// The pinned packages and the project that imports them.
fn project() -> PathBuf {
    env::repo_root().join("tests/e2e/projects/packages")
}

/// A virtual environment with the project's requirements, made once per requirements hash.
fn venv() -> Result<Vec<PathBuf>> {
    let requirements = std::fs::read(project().join("requirements.txt"))?;
    let key = hex(&Sha256::digest(&requirements))[..16].to_string();
    let cache = std::env::var_os("KYBRA_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cache/kybra")
        });
    let dir = cache.join("bench").join(format!("packages-venv-{key}"));
    let python = dir.join("bin/python");
    let done = dir.join(".complete");
    if !done.is_file() {
        let _ = std::fs::remove_dir_all(&dir);
        let pip = env::repo_root().join(".venv/bin/python");
        run(Command::new("python3")
            .args(["-m", "venv", "--without-pip"])
            .arg(&dir))?;
        run(Command::new(&pip)
            .args(["-m", "pip", "--python"])
            .arg(&python)
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(project().join("requirements.txt"))
            .arg(project().join("assets_package")))?;
        std::fs::write(&done, b"")?;
    }
    let out = Command::new(&python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ])
        .output()?;
    Ok(vec![PathBuf::from(String::from_utf8(out.stdout)?.trim())])
}

fn run(cmd: &mut Command) -> Result<()> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed ({status}): the packages section needs python3 and PyPI");
    }
    Ok(())
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Median in-process build time of three, and the last build.
fn build(
    main: &Path,
    root: &Path,
    site: &[PathBuf],
    assets: &AssetFiles,
) -> Result<(Duration, kybra_compiler::Canister)> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let started = Instant::now();
        let c = kybra_compiler::build_in(main, root, site, &assets.assets())
            .map_err(|e| anyhow!("building {} failed:\n{e}", root.display()))?;
        times.push(started.elapsed());
        last = Some(c);
    }
    times.sort();
    Ok((times[1], last.expect("three builds")))
}

struct Figures {
    build: Duration,
    raw: usize,
    gz: usize,
    install: u64,
    first: u64,
    again: u64,
}

/// Runs the section and returns its markdown.
pub fn run_section(bench: &Bench, assets: &AssetFiles) -> Result<String> {
    let site = venv()?;
    let hello_root = env::repo_root().join("examples/hello_world");
    let (hello_time, hello) = build(&hello_root.join("src/main.py"), &hello_root, &site, assets)?;
    let (pkg_time, pkg) = build(&project().join("src/main.py"), &project(), &site, assets)?;

    let (hid, hinstall) = bench.create_and_install("the hello world", &hello.wasm)?;
    let get = candid::encode_args(())?;
    let mut hcalls = Vec::new();
    for _ in 0..2 {
        let (reply, n) = bench.query(hid, "get_message", &get)?;
        if candid::decode_one::<String>(&reply)? != "" {
            bail!("the hello world's get_message did not return \"\"");
        }
        hcalls.push(n);
    }
    let (pid, pinstall) = bench.create_and_install("the packages canister", &pkg.wasm)?;
    let arg = candid::encode_args(("Ada", vec!["a".to_string()]))?;
    let mut pcalls = Vec::new();
    for _ in 0..2 {
        let (reply, n) = bench.query(pid, "templates", &arg)?;
        let json: String = candid::decode_one(&reply)?;
        if !json.contains("<p>Hello Ada!</p>") {
            bail!("templates(\"Ada\", [\"a\"]) answered {json}");
        }
        pcalls.push(n);
    }
    let hello = Figures {
        build: hello_time,
        raw: hello.wasm.len(),
        gz: hello.wasm_gz.len(),
        install: hinstall,
        first: hcalls[0],
        again: hcalls[1],
    };
    let packages = Figures {
        build: pkg_time,
        raw: pkg.wasm.len(),
        gz: pkg.wasm_gz.len(),
        install: pinstall,
        first: pcalls[0],
        again: pcalls[1],
    };
    let mut t = Table::new(&[
        "",
        "packages canister",
        "hello world (baseline)",
        "packages / hello",
    ]);
    let f = |a: f64, b: f64| ratio(a, b);
    t.row(vec![
        "in-process build (median of 3)".into(),
        secs(packages.build),
        secs(hello.build),
        f(packages.build.as_secs_f64(), hello.build.as_secs_f64()),
    ]);
    t.row(vec![
        "module raw".into(),
        bytes(packages.raw),
        bytes(hello.raw),
        f(packages.raw as f64, hello.raw as f64),
    ]);
    t.row(vec![
        "module gzip".into(),
        bytes(packages.gz),
        bytes(hello.gz),
        f(packages.gz as f64, hello.gz as f64),
    ]);
    t.row(vec![
        "install (instructions)".into(),
        int(packages.install),
        int(hello.install),
        f(packages.install as f64, hello.install as f64),
    ]);
    t.row(vec![
        "query, first call (`templates` / `get_message`)".into(),
        int(packages.first),
        int(hello.first),
        f(packages.first as f64, hello.first as f64),
    ]);
    t.row(vec![
        "query, again".into(),
        int(packages.again),
        int(hello.again),
        f(packages.again as f64, hello.again as f64),
    ]);
    let files: usize = pkg
        .packages
        .iter()
        .map(|p| p.modules.len() + p.data_files.len())
        .sum();
    let code: usize = pkg.packages.iter().map(|p| p.code_bytes).sum();
    let data: usize = pkg.packages.iter().map(|p| p.data_bytes).sum();
    Ok(format!(
        "## 7. Packages\n\n{} packages imported at install ({} modules and data files: {} of source, {} of data), from a venv in $KYBRA_CACHE/bench.\n\n{}",
        pkg.packages.len(),
        files,
        bytes(code),
        bytes(data),
        t.render()
    ))
}
