//! Checks the real `template.wasm` produced by `runtime/build-assets.sh`: it must import
//! only `ic0.*` and the two payload functions, and export the contract's functions.
//! Skipped (with a message) when the asset has not been built on this machine.

use std::path::PathBuf;

/// The built template, or `None` (a failure when `KYBRA_REQUIRE_ASSETS=1`).
fn asset() -> Option<(PathBuf, Vec<u8>)> {
    let bytes = kybra_test_support::assets::file("template.wasm")?;
    Some((
        kybra_test_support::assets::dir().join("template.wasm"),
        bytes,
    ))
}

#[test]
fn built_template_keeps_the_contract() {
    let Some((path, bytes)) = asset() else {
        return;
    };
    let module = ic_wasm::utils::parse_wasm(&bytes, false).unwrap();
    let bad: Vec<String> = module
        .imports
        .iter()
        .filter(|i| {
            !(i.module == "ic0"
                || (i.module == "kybra" && (i.name == "payload_size" || i.name == "payload_copy")))
        })
        .map(|i| format!("{}.{}", i.module, i.name))
        .collect();
    assert!(bad.is_empty(), "{} imports {bad:?}", path.display());
    for name in kybra_template::KEPT_EXPORTS {
        assert!(
            module.exports.iter().any(|e| e.name == name),
            "{} lacks export {name}",
            path.display()
        );
    }
    // IC limits: at most 50,000 functions and a code section under 10 MiB.
    assert!(module.funcs.iter().count() < 50_000);
    assert!(
        bytes.len() < 10 * 1024 * 1024,
        "template is {} bytes",
        bytes.len()
    );
}
