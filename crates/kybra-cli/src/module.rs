//! Canister modules that Kybra did not compile (custom, rust, assets canisters): gzip or
//! raw, and their metadata (`icp:public NAME` / `icp:private NAME` custom sections).
//!
//! Promises: works on the module's section framing only (the code is never re-encoded), so
//! a module keeps every byte except the custom sections it is told to set; setting a section
//! replaces any section of the same name (public or private) and appends it at the end.

use std::io::Read;

/// What is wrong with a module.
#[derive(Debug, thiserror::Error)]
pub enum ModuleError {
    #[error("not a WebAssembly module (it starts with neither `\\0asm` nor the gzip magic bytes)")]
    NotWasm,
    #[error("the module is cut short or malformed at byte {0}")]
    Truncated(usize),
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

fn leb(bytes: &[u8], at: &mut usize) -> Result<usize, ModuleError> {
    let start = *at;
    let mut value: u64 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes.get(*at).ok_or(ModuleError::Truncated(start))?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return usize::try_from(value).map_err(|_| ModuleError::Truncated(start));
        }
    }
    Err(ModuleError::Truncated(start))
}

fn push_leb(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A section of a module: its id, the custom section's name (if custom) and its byte range.
struct Section<'a> {
    name: Option<&'a [u8]>,
    bytes: &'a [u8],
}

fn sections(wasm: &[u8]) -> Result<Vec<Section<'_>>, ModuleError> {
    if !wasm.starts_with(WASM_MAGIC) || wasm.len() < 8 {
        return Err(ModuleError::NotWasm);
    }
    let mut out = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        let id = wasm[at];
        at += 1;
        let size = leb(wasm, &mut at)?;
        let body = at;
        let end = body
            .checked_add(size)
            .filter(|end| *end <= wasm.len())
            .ok_or(ModuleError::Truncated(start))?;
        let name = if id == 0 {
            let mut p = body;
            let len = leb(wasm, &mut p)?;
            Some(wasm.get(p..p + len).ok_or(ModuleError::Truncated(p))?)
        } else {
            None
        };
        out.push(Section {
            name,
            bytes: &wasm[start..end],
        });
        at = end;
    }
    Ok(out)
}

/// The content of the custom section `icp:public NAME` or `icp:private NAME`, if any.
pub fn metadata(wasm: &[u8], name: &str) -> Result<Option<Vec<u8>>, ModuleError> {
    let wanted = [format!("icp:public {name}"), format!("icp:private {name}")];
    for section in sections(wasm)? {
        if let Some(found) = section.name {
            if wanted.iter().any(|w| w.as_bytes() == found) {
                // The content follows the id, the size and the name.
                let mut at = 1;
                leb(section.bytes, &mut at)?;
                let len = leb(section.bytes, &mut at)?;
                return Ok(Some(section.bytes[at + len..].to_vec()));
            }
        }
    }
    Ok(None)
}

/// `wasm` with each `(name, public, content)` set as metadata `icp:public|private name`.
pub fn with_metadata(
    wasm: &[u8],
    entries: &[(String, bool, Vec<u8>)],
) -> Result<Vec<u8>, ModuleError> {
    let replaced: Vec<[String; 2]> = entries
        .iter()
        .map(|(name, _, _)| [format!("icp:public {name}"), format!("icp:private {name}")])
        .collect();
    let mut out = wasm[..8].to_vec();
    for section in sections(wasm)? {
        let drop = section
            .name
            .is_some_and(|n| replaced.iter().flatten().any(|r| r.as_bytes() == n));
        if !drop {
            out.extend_from_slice(section.bytes);
        }
    }
    for (name, public, content) in entries {
        let visibility = if *public { "public" } else { "private" };
        let full = format!("icp:{visibility} {name}");
        let mut body = Vec::new();
        push_leb(&mut body, full.len());
        body.extend_from_slice(full.as_bytes());
        body.extend_from_slice(content);
        out.push(0);
        push_leb(&mut out, body.len());
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
            Err(ModuleError::Truncated(8))
        ));
    }
}
