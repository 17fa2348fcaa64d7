//! Build script: locates the Candid web UI's bundled browser script (`candid-ui.js`, built
//! by `scripts/build-candid-ui.sh`) that kybra-http embeds and serves at `/_/candid/ui.js`.
//!
//! Promise: never fails the build. `KYBRA_CANDID_UI_JS` names the bundle in
//! `$KYBRA_ASSETS_DIR` (default `<repository>/build/assets`) when it exists, else an empty
//! file in `OUT_DIR`, which the server answers with a page saying how to build the UI.

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=KYBRA_ASSETS_DIR");
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let dir = match std::env::var_os("KYBRA_ASSETS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => manifest_dir.join("../../build/assets"),
    };
    let bundle = dir.join("candid-ui.js");
    println!("cargo:rerun-if-changed={}", bundle.display());
    let path = match bundle.canonicalize() {
        Ok(path) if path.is_file() => path,
        _ => {
            let empty = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo"))
                .join("candid-ui-missing.js");
            std::fs::write(&empty, b"").expect("OUT_DIR is writable");
            println!(
                "cargo:warning=the Candid UI bundle {} is missing: /_/candid will say so; run scripts/build-candid-ui.sh and rebuild",
                bundle.display()
            );
            empty
        }
    };
    println!("cargo:rustc-env=KYBRA_CANDID_UI_JS={}", path.display());
}
