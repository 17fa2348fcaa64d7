//! The runtime assets the set-up builds (`runtime/build-assets.sh`): where they are and
//! whether a suite may run without them.
//!
//! Promises: [`dir`] is `$KYBRA_ASSETS_DIR`, else the repository's `build/assets`;
//! [`read`] returns the three files, or — when one is missing — panics if
//! `KYBRA_REQUIRE_ASSETS=1` (so the test command never passes having tested nothing), else
//! prints `SKIPPED: ...` with what to run and returns `None`.

use std::path::{Path, PathBuf};

/// The runtime assets, read.
pub struct Assets {
    pub template: Vec<u8>,
    pub stdlib_index: Vec<u8>,
    pub stdlib_code: Vec<u8>,
}

/// Where the assets are: `$KYBRA_ASSETS_DIR`, else `build/assets` in the repository.
pub fn dir() -> PathBuf {
    std::env::var_os("KYBRA_ASSETS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../build/assets"))
}

/// Whether a missing asset fails the test instead of skipping it (`KYBRA_REQUIRE_ASSETS=1`).
pub fn required() -> bool {
    std::env::var_os("KYBRA_REQUIRE_ASSETS").is_some_and(|v| v == "1")
}

/// The asset `name` (e.g. `template.wasm`), or `None` after saying why the test skips (or a
/// panic, when assets are required).
pub fn file(name: &str) -> Option<Vec<u8>> {
    let path = dir().join(name);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => missing(&format!("{} ({e})", path.display())),
    }
}

/// All three assets, or `None` as [`file`] says.
pub fn read() -> Option<Assets> {
    Some(Assets {
        template: file("template.wasm")?,
        stdlib_index: file("stdlib.json")?,
        stdlib_code: file("stdlib.bin")?,
    })
}

fn missing<T>(what: &str) -> Option<T> {
    let fix = "run `bash scripts/setup.sh` (or `bash runtime/build-assets.sh`), or point KYBRA_ASSETS_DIR at them";
    if required() {
        panic!("the runtime asset {what} is missing and KYBRA_REQUIRE_ASSETS=1: {fix}");
    }
    println!("SKIPPED: the runtime asset {what} is missing: {fix}");
    None
}
