//! The asset canister: dfx's certified asset storage (`ic-certified-assets`), whose state
//! (assets, permissions, batches) survives upgrades in stable memory.
//!
//! Promises: the interface of `ic-certified-assets` 0.3.0 exactly (its `assets.did`, which
//! the build attaches as `candid:service` metadata); the installer gets the `Commit`
//! permission (so `kybra deploy` can upload); an init argument `opt AssetCanisterArgs` may
//! grant further permissions, as dfx's frontend canister accepts.

use ic_certified_assets::types::AssetCanisterArgs;
use ic_certified_assets::StableState;

#[ic_cdk::init]
fn init(args: Option<AssetCanisterArgs>) {
    ic_certified_assets::init(args);
}

#[ic_cdk::pre_upgrade]
fn pre_upgrade() {
    let state = ic_certified_assets::pre_upgrade();
    ic_cdk::storage::stable_save((state,))
        .unwrap_or_else(|e| ic_cdk::trap(format!("cannot save the assets to stable memory: {e}")));
}

#[ic_cdk::post_upgrade]
fn post_upgrade(args: Option<AssetCanisterArgs>) {
    let (state,): (StableState,) = ic_cdk::storage::stable_restore()
        .unwrap_or_else(|e| ic_cdk::trap(format!("cannot read the assets from stable memory: {e}")));
    ic_certified_assets::post_upgrade(state, args);
}

ic_certified_assets::export_canister_methods!();
