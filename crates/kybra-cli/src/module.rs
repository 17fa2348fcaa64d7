//! Canister modules that Kybra did not compile (custom, rust, assets canisters): gzip or
//! raw, and their metadata (`icp:public NAME` / `icp:private NAME` custom sections).
//!
//! Promises: works on the module's section framing only (the code is never re-encoded), so
//! a module keeps every byte except the custom sections it is told to set; setting a section
//! replaces any section of the same name (public or private) and appends it at the end.

use std::io::Read;

use kybra_compiler::wasm::binary::{self, Section};

/// What is wrong with a module.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    #[error("not a WebAssembly module (it starts with neither `\\0asm` nor the gzip magic bytes)")]
    NotWasm,
    #[error("the module is malformed: {0}")]
    Malformed(String),
    #[error("cannot gunzip it: {0}")]
    Gzip(std::io::Error),
}

const WASM_MAGIC: &[u8] = b"\0asm";

/// Whether `bytes` are gzip-compressed.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The raw module: `bytes` decompressed when gzip'd, checked to be wasm.
pub fn raw(bytes: &[u8]) -> Result<Vec<u8>, ModuleError> {
    let wasm = if is_gzip(bytes) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(ModuleError::Gzip)?;
        out
    } else {
        bytes.to_vec()
    };
    if !wasm.starts_with(WASM_MAGIC) {
        return Err(ModuleError::NotWasm);
    }
    Ok(wasm)
}

/// The module's sections (the compiler's reader of the section framing).
fn sections(wasm: &[u8]) -> Result<Vec<Section>, ModuleError> {
    if !wasm.starts_with(WASM_MAGIC) {
        return Err(ModuleError::NotWasm);
    }
    binary::sections(wasm).map_err(ModuleError::Malformed)
}

/// Whether `section` is the metadata `icp:public NAME` or `icp:private NAME` of one of `names`.
fn is_metadata_of<'a>(section: &Section, mut names: impl Iterator<Item = &'a str>) -> bool {
    let Some(found) = section.name.as_deref() else {
        return false;
    };
    let Some(rest) = found
        .strip_prefix("icp:public ")
        .or_else(|| found.strip_prefix("icp:private "))
    else {
        return false;
    };
    names.any(|n| n == rest)
}

/// The content of the custom section `icp:public NAME` or `icp:private NAME`, if any.
pub fn metadata(wasm: &[u8], name: &str) -> Result<Option<Vec<u8>>, ModuleError> {
    for section in sections(wasm)? {
        if is_metadata_of(&section, std::iter::once(name)) {
            // The content follows the section's name.
            let mut at = section.content.start;
            let len = binary::read_u32(wasm, &mut at).map_err(ModuleError::Malformed)?;
            return Ok(Some(wasm[at + len as usize..section.content.end].to_vec()));
        }
    }
    Ok(None)
}

/// `wasm` with each `(name, public, content)` set as metadata `icp:public|private name`.
pub fn with_metadata(
    wasm: &[u8],
    entries: &[(String, bool, Vec<u8>)],
) -> Result<Vec<u8>, ModuleError> {
    let sections = sections(wasm)?;
    let mut out = wasm[..8].to_vec();
    for section in sections {
        if !is_metadata_of(&section, entries.iter().map(|(name, _, _)| name.as_str())) {
            out.extend_from_slice(&wasm[section.whole]);
        }
    }
    for (name, public, content) in entries {
        let visibility = if *public { "public" } else { "private" };
        let mut body = Vec::new();
        binary::write_name(&mut body, &format!("icp:{visibility} {name}"));
        body.extend_from_slice(content);
        out.extend(binary::section_header(binary::CUSTOM, body.len()));
        out.extend_from_slice(&body);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty module with one custom section `icp:public candid:service`.
    fn module() -> Vec<u8> {
        with_metadata(
            b"\0asm\x01\0\0\0",
            &[("candid:service".into(), true, b"service : {}".to_vec())],
        )
        .unwrap()
    }

    #[test]
    fn sets_replaces_and_reads_metadata() {
        let wasm = module();
        assert_eq!(
            metadata(&wasm, "candid:service").unwrap().as_deref(),
            Some(&b"service : {}"[..])
        );
        let long = "x".repeat(300);
        let changed = with_metadata(
            &wasm,
            &[
                ("candid:service".into(), false, long.clone().into_bytes()),
                ("other".into(), true, b"o".to_vec()),
            ],
        )
        .unwrap();
        assert_eq!(
            metadata(&changed, "candid:service").unwrap(),
            Some(long.into_bytes())
        );
        assert_eq!(metadata(&changed, "other").unwrap(), Some(b"o".to_vec()));
        assert_eq!(metadata(&changed, "missing").unwrap(), None);
        // One section per name: the public one was replaced by the private one.
        assert_eq!(sections(&changed).unwrap().len(), 2);
    }

    #[test]
    fn gzip_and_errors() {
        let wasm = module();
        let gz = kybra_compiler::gzip(&wasm, 6);
        assert!(is_gzip(&gz));
        assert_eq!(raw(&gz).unwrap(), wasm);
        assert_eq!(raw(&wasm).unwrap(), wasm);
        assert!(matches!(raw(b"hello"), Err(ModuleError::NotWasm)));
        let mut cut = wasm.clone();
        cut.truncate(cut.len() - 3);
        assert!(matches!(
            metadata(&cut, "candid:service"),
            Err(ModuleError::Malformed(_))
        ));
    }
}
