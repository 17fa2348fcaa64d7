//! The repository's Rust test canisters, built on demand for tests and benchmarks.
//!
//! Promises: each canister is built with cargo (release, `wasm32-unknown-unknown`) at most
//! once per process, into one fixed folder under the cargo target directory
//! (`$CARGO_TARGET_DIR/<name>`, else the repository's `target/<name>`), so every test
//! suite and the benchmark share one build. A failed build panics with what to do.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The wasm target the test canisters are built for.
pub const TARGET: &str = "wasm32-unknown-unknown";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The cargo project of the test canister `name` (`tests/canisters/<name>`).
pub fn project_dir(name: &str) -> PathBuf {
    repo_root().join("tests/canisters").join(name)
}

/// The target folder the test canister `name` is built into.
pub fn target_dir(name: &str) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target"))
        .join(name)
}

/// Builds the test canister `name` (a no-op when cargo finds it up to date) and returns
/// the path of its module.
pub fn build(name: &str) -> PathBuf {
    let target = target_dir(name);
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--release", "--target", TARGET, "--target-dir"])
        .arg(&target)
        .current_dir(project_dir(name))
        .status()
        .unwrap_or_else(|e| panic!("cannot run cargo to build tests/canisters/{name}: {e}"));
    assert!(
        status.success(),
        "building tests/canisters/{name} failed (is the target installed? `rustup target add {TARGET}`)"
    );
    target
        .join(TARGET)
        .join("release")
        .join(format!("{name}.wasm"))
}

/// Reads the module of test canister `name`, building it at most once per process.
fn built(name: &'static str, cell: &'static OnceLock<Vec<u8>>) -> &'static [u8] {
    cell.get_or_init(|| {
        let path = build(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
    })
}

/// The Rust hello world (`tests/canisters/rust_hello`), built once per process.
pub fn rust_hello() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    built("rust_hello", &WASM)
}

/// The inter-canister test canister (`tests/canisters/rust_caller`: calls, cycles,
/// composite queries, `raw_rand`, ic-cdk-timers, a heartbeat), built once per process.
pub fn rust_caller() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    built("rust_caller", &WASM)
}

/// The management canister test canister (`tests/canisters/rust_mgmt`: calls `aaaaa-aa`
/// with raw arguments and cycles — threshold ECDSA, outgoing HTTP — and serves HTTP
/// transform queries), built once per process.
pub fn rust_mgmt() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    built("rust_mgmt", &WASM)
}

/// The bitcoin test canister (`tests/canisters/rust_bitcoin`: calls the management
/// canister's four bitcoin methods on regtest with given cycles), built once per process.
pub fn rust_bitcoin() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    built("rust_bitcoin", &WASM)
}
