//! What the Rust test suites share, so no suite keeps its own copy:
//! - [`canisters`]: the repository's Rust test canisters (`tests/canisters/*`), built once;
//! - [`assets`]: the runtime assets (`template.wasm`, `stdlib.json`, `stdlib.bin`), found in
//!   `$KYBRA_ASSETS_DIR` (default `build/assets`); a suite that needs them and cannot find
//!   them skips with a notice, unless `KYBRA_REQUIRE_ASSETS=1` (the test command sets it):
//!   then it fails and says what to run;
//! - [`principals`]: the callers the suites use.

pub mod assets;
pub mod canisters;
pub mod principals;

pub use canisters::{
    build, project_dir, rust_bitcoin, rust_caller, rust_hello, rust_mgmt, target_dir, TARGET,
};
