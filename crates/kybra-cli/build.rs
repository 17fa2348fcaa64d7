//! Build script: locates the assets that the `kybra` binary embeds — the runtime
//! (`template.wasm`, `stdlib.json`, `stdlib.bin`), so the installed binary needs no Rust or C
//! toolchain, the asset canister (`assetstorage.wasm.gz`, `assetstorage.did`), the cycles wallet
//! (`wallet.wasm.gz`) and
//! `@dfinity/agent` as a browser module (`dfinity-agent.js`, for `kybra new --frontend`).
//!
//! Promise: the crate only builds when all seven assets exist, in `$KYBRA_ASSETS_DIR` or
//! by default `<repository>/build/assets`; it rebuilds when any of them changes.

use std::path::PathBuf;

const ASSETS: [(&str, &str); 7] = [
    ("KYBRA_ASSET_TEMPLATE", "template.wasm"),
    ("KYBRA_ASSET_STDLIB_INDEX", "stdlib.json"),
    ("KYBRA_ASSET_STDLIB_CODE", "stdlib.bin"),
    ("KYBRA_ASSET_ASSETSTORAGE_WASM", "assetstorage.wasm.gz"),
    ("KYBRA_ASSET_ASSETSTORAGE_DID", "assetstorage.did"),
    ("KYBRA_ASSET_WALLET_WASM", "wallet.wasm.gz"),
    ("KYBRA_ASSET_DFINITY_AGENT", "dfinity-agent.js"),
];

fn main() {
    println!("cargo:rerun-if-env-changed=KYBRA_ASSETS_DIR");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = match std::env::var_os("KYBRA_ASSETS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest_dir.join("../../build/assets"),
    };
    let mut missing = Vec::new();
    for (env, file) in ASSETS {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        match path.canonicalize() {
            Ok(path) if path.is_file() => {
                println!("cargo:rustc-env={env}={}", path.display());
            }
            _ => missing.push(path.display().to_string()),
        }
    }
    if !missing.is_empty() {
        panic!(
            "\n\nThe kybra binary embeds the runtime assets, and these are missing:\n  {}\n\
             run `bash scripts/setup.sh` first (runtime/build-assets.sh builds the runtime's, \
             scripts/build-canisters.sh the asset and wallet canisters, \
             scripts/build-candid-ui.sh dfinity-agent.js), or point KYBRA_ASSETS_DIR at a \
             directory holding them.\n\n",
            missing.join("\n  ")
        );
    }
}
