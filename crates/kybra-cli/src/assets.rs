//! The assets embedded at compile time (see `build.rs`): the template module and the
//! bundled standard library, so building a canister needs no toolchain, and the asset
//! canister (`canisters/assets`) with its interface, for dfx.json's `assets` canisters, and
//! the cycles wallet (`canisters/wallet`) that `kybra identity deploy-wallet` installs.

/// `template.wasm`: the runtime module the compiler fills in.
pub static TEMPLATE: &[u8] = include_bytes!(env!("KYBRA_ASSET_TEMPLATE"));
/// `stdlib.json`: the index of bundled Python modules.
pub static STDLIB_INDEX: &[u8] = include_bytes!(env!("KYBRA_ASSET_STDLIB_INDEX"));
/// `stdlib.bin`: their code objects.
pub static STDLIB_CODE: &[u8] = include_bytes!(env!("KYBRA_ASSET_STDLIB_CODE"));
/// `assetstorage.wasm.gz`: the asset canister (ic-certified-assets), with `candid:service`.
pub static ASSET_CANISTER: &[u8] = include_bytes!(env!("KYBRA_ASSET_ASSETSTORAGE_WASM"));
/// `assetstorage.did`: its Candid interface.
pub static ASSET_CANISTER_DID: &str = include_str!(env!("KYBRA_ASSET_ASSETSTORAGE_DID"));
/// `wallet.wasm.gz`: the cycles wallet (`canisters/wallet`), with `candid:service`.
pub static WALLET_CANISTER: &[u8] = include_bytes!(env!("KYBRA_ASSET_WALLET_WASM"));
/// `dfinity-agent.js`: `@dfinity/agent` as one browser ES module (for `kybra new --frontend`).
pub static DFINITY_AGENT_JS: &str = include_str!(env!("KYBRA_ASSET_DFINITY_AGENT"));
