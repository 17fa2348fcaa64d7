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
    // IC limits: at most 50,000 functions and a code section under 10 MiB. (The file is
    // larger: it also carries the gzip chunks of its fixed parts, in a custom section.)
    assert!(module.funcs.iter().count() < 50_000);
    let code = section_size(&bytes, 10);
    assert!(
        code < 10 * 1024 * 1024,
        "the template's code section is {code} bytes"
    );
}

/// The size of the wasm section with id `id` (0 when absent).
fn section_size(wasm: &[u8], id: u8) -> usize {
    let leb = |at: &mut usize| {
        let (mut value, mut shift) = (0usize, 0);
        loop {
            let byte = wasm[*at];
            *at += 1;
            value |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return value;
            }
            shift += 7;
        }
    };
    let mut at = 8;
    while at < wasm.len() {
        let section = wasm[at];
        at += 1;
        let size = leb(&mut at);
        if section == id {
            return size;
        }
        at += size;
    }
    0
}
