//! Build script: locates the runtime assets (`template.wasm`, `stdlib.json`, `stdlib.bin`)
//! that the `kybra` binary embeds, so the installed binary needs no Rust or C toolchain.
//!
//! Promise: the crate only builds when all three assets exist, in `$KYBRA_ASSETS_DIR` or
//! by default `<repository>/build/assets`; it rebuilds when any of them changes.

use std::path::PathBuf;

const ASSETS: [(&str, &str); 3] = [
    ("KYBRA_ASSET_TEMPLATE", "template.wasm"),
    ("KYBRA_ASSET_STDLIB_INDEX", "stdlib.json"),
    ("KYBRA_ASSET_STDLIB_CODE", "stdlib.bin"),
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
             run `bash runtime/build-assets.sh` first (or point KYBRA_ASSETS_DIR at a \
             directory holding template.wasm, stdlib.json and stdlib.bin).\n\n",
            missing.join("\n  ")
        );
    }
}
