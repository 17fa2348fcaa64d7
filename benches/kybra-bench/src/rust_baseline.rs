//! The Rust baseline: the book's hello world with `ic-cdk` (`tests/canisters/rust_hello`),
//! built with cargo for `wasm32-unknown-unknown`. Promises: [`module`] returns the same
//! module the replica's tests use (same target folder, so usually a no-op build);
//! [`time_one_line_change`] times cargo on a private copy, never touching the original.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::env;

use kybra_test_support::TARGET;

/// Where the baseline lives and builds to: `kybra-test-support` owns both, so the
/// benchmark and the test suites share one build.
const NAME: &str = "rust_hello";

fn source_dir() -> PathBuf {
    kybra_test_support::project_dir(NAME)
}

fn cargo_build(project: &Path, target_dir: &Path) -> Result<Duration> {
    let started = Instant::now();
    let out = Command::new(env::cargo())
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            TARGET,
            "--target-dir",
        ])
        .arg(target_dir)
        .current_dir(project)
        .output()
        .with_context(|| format!("cannot run cargo in {}", project.display()))?;
    let took = started.elapsed();
    if !out.status.success() {
        bail!(
            "building the Rust baseline in {} failed (is the target installed? `rustup target add {TARGET}`):\n{}",
            project.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(took)
}

/// The Rust hello world module, built like the replica's tests build it.
pub fn module() -> Result<Vec<u8>> {
    let target_dir = kybra_test_support::target_dir(NAME);
    cargo_build(&source_dir(), &target_dir)?;
    let path = target_dir.join(TARGET).join("release/rust_hello.wasm");
    std::fs::read(&path).with_context(|| format!("cargo did not produce {}", path.display()))
}

/// cargo's wall time for the baseline, as a developer edits it.
pub struct RustBuildTimes {
    /// A build after changing one line of `src/lib.rs`.
    pub one_line_change: Duration,
    /// A build right after, with nothing changed.
    pub no_change: Duration,
}

/// Times cargo on a copy of the baseline at a fixed place under the target folder
/// (renamed `rust_hello_bench`, sharing the baseline's compiled dependencies): each run
/// changes one line of `src/lib.rs` (a line `pub fn bench_edit() -> u64 { N }` with a fresh N), builds, then
/// builds again unchanged. The very first run compiles the dependencies untimed.
pub fn time_one_line_change() -> Result<RustBuildTimes> {
    let src = source_dir();
    let target_dir = kybra_test_support::target_dir(NAME);
    let copy = env::cargo_target_dir().join("kybra-bench/rust_hello_bench");
    std::fs::create_dir_all(copy.join("src"))
        .with_context(|| format!("cannot create {}", copy.display()))?;
    let manifest = std::fs::read_to_string(src.join("Cargo.toml"))?.replacen(
        "name = \"rust_hello\"",
        "name = \"rust_hello_bench\"",
        1,
    );
    write_if_changed(&copy.join("Cargo.toml"), &manifest)?;
    let lock = copy.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(src.join("Cargo.lock"), &lock)?;
    }
    let lib = std::fs::read_to_string(src.join("src/lib.rs"))?;
    let lib_path = copy.join("src/lib.rs");
    if !target_dir
        .join(TARGET)
        .join("release/rust_hello_bench.wasm")
        .exists()
    {
        // First run: dependencies and the crate itself, untimed.
        write_if_changed(&lib_path, &lib)?;
        cargo_build(&copy, &target_dir)?;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let edited = format!("{lib}\npub fn bench_edit() -> u64 {{ {} }}\n", nanos as u64);
    std::fs::write(&lib_path, edited)?;
    let one_line_change = cargo_build(&copy, &target_dir)?;
    let no_change = cargo_build(&copy, &target_dir)?;
    Ok(RustBuildTimes {
        one_line_change,
        no_change,
    })
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
