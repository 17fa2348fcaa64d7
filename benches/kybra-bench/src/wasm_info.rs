//! Static facts about a wasm module for the report: size raw and gzipped (the
//! compiler's level), functions defined, imports. Promises: the module is parsed, not
//! guessed; an invalid module is an error.

use anyhow::{Context, Result};
use wasmparser::{Parser, Payload};

pub struct WasmInfo {
    pub raw_bytes: usize,
    pub gzip_bytes: usize,
    /// Functions defined by the module (not imported).
    pub functions: u32,
    pub imports: u32,
    pub code_section_bytes: usize,
}

impl WasmInfo {
    /// `gzip` is the module's gzip (as shipped) if already at hand; otherwise it is
    /// compressed here at the compiler's level, so both columns compare alike.
    pub fn of(wasm: &[u8], gzip: Option<&[u8]>) -> Result<Self> {
        let mut info = WasmInfo {
            raw_bytes: wasm.len(),
            gzip_bytes: match gzip {
                Some(g) => g.len(),
                None => kybra_compiler::gzip(wasm, kybra_compiler::GZIP_LEVEL).len(),
            },
            functions: 0,
            imports: 0,
            code_section_bytes: 0,
        };
        for payload in Parser::new(0).parse_all(wasm) {
            match payload.context("the module is not valid wasm")? {
                Payload::ImportSection(s) => {
                    for group in s {
                        let group = group.context("bad import section")?;
                        info.imports += match group {
                            wasmparser::Imports::Single(..) => 1,
                            wasmparser::Imports::Compact1 { items, .. } => items.count(),
                            wasmparser::Imports::Compact2 { names, .. } => names.count(),
                        };
                    }
                }
                Payload::CodeSectionStart { count, size, .. } => {
                    info.functions = count;
                    info.code_section_bytes = size as usize;
                }
                _ => {}
            }
        }
        Ok(info)
    }
}
