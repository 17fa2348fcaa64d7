//! The runtime assets embedded at compile time (see `build.rs`): the template module and
//! the bundled standard library, so building a canister needs no toolchain.

/// `template.wasm`: the runtime module the compiler fills in.
pub static TEMPLATE: &[u8] = include_bytes!(env!("KYBRA_ASSET_TEMPLATE"));
/// `stdlib.json`: the index of bundled Python modules.
pub static STDLIB_INDEX: &[u8] = include_bytes!(env!("KYBRA_ASSET_STDLIB_INDEX"));
/// `stdlib.bin`: their code objects.
pub static STDLIB_CODE: &[u8] = include_bytes!(env!("KYBRA_ASSET_STDLIB_CODE"));
