//! What a canister module says about its interface: the Kybra payload the compiler put in
//! a passive data segment (docs/architecture.md, "Compiler → runtime: the payload"), and
//! the `candid:service` metadata any canister may carry.
//!
//! Promises: [`payload`] finds the payload of a module built by `kybra build` (the one
//! passive data segment that decodes as a [`Payload`]) or says there is none; both
//! functions accept the module gzipped or not, and never panic on bad bytes.

use std::io::Read;

use kybra_interface::Payload;
use wasmparser::{DataKind, Parser, Payload as Section};

/// The module bytes, gunzipped if they are gzipped.
fn plain(module: &[u8]) -> Result<Vec<u8>, String> {
    if !module.starts_with(&[0x1f, 0x8b]) {
        return Ok(module.to_vec());
    }
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(module)
        .read_to_end(&mut out)
        .map_err(|e| format!("the module looks gzipped but does not gunzip: {e}"))?;
    Ok(out)
}

/// The Kybra payload of a module built by `kybra build`.
pub fn payload(module: &[u8]) -> Result<Payload, String> {
    let module = plain(module)?;
    for section in Parser::new(0).parse_all(&module) {
        let section = section.map_err(|e| format!("not a valid wasm module: {e}"))?;
        if let Section::DataSection(reader) = section {
            for data in reader {
                let data = data.map_err(|e| format!("not a valid wasm module: {e}"))?;
                if matches!(data.kind, DataKind::Passive) && data.data.starts_with(b"DIDL") {
                    if let Ok(p) = Payload::decode(data.data) {
                        return Ok(p);
                    }
                }
            }
        }
    }
    Err("the module has no Kybra payload: it was not built by `kybra build` (pass its .did as `candid=`)".into())
}

/// The text of the module's `candid:service` metadata (public or private), if any.
pub fn candid_service(module: &[u8]) -> Result<Option<String>, String> {
    let module = plain(module)?;
    for section in Parser::new(0).parse_all(&module) {
        let section = section.map_err(|e| format!("not a valid wasm module: {e}"))?;
        if let Section::CustomSection(c) = section {
            if matches!(
                c.name(),
                "icp:public candid:service" | "icp:private candid:service"
            ) {
                return String::from_utf8(c.data().to_vec())
                    .map(Some)
                    .map_err(|_| "the candid:service metadata is not UTF-8".to_string());
            }
        }
    }
    Ok(None)
}
