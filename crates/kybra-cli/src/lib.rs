//! The `kybra` command line as a library: project files, local network bookkeeping,
//! Candid arguments, and one module per command. `main.rs` only parses arguments.

pub mod asset_sync;
pub mod assets;
pub mod candid_args;
pub mod commands;
pub mod identity;
pub mod local;
pub mod module;
pub mod network;
pub mod project;
pub mod python_env;
pub mod system_canisters;
pub mod wallet;
