//! Prepares a runtime template for fast assembly, once per template (at set-up, by
//! `kybra-template`; or in process for a template that was not prepared).
//!
//! The template's imports `kybra.payload_size` / `kybra.payload_copy` become functions of
//! its own (so no build has to renumber functions): the size returns the length
//! placeholder and the copy runs `memory.init` from a new, empty, last passive data
//! segment, which each build replaces with its payload. Both are exported under
//! [`SIZE_EXPORT`] / [`COPY_EXPORT`] (each build removes those exports). Then the code is
//! checked against the IC's rules once (so builds need not check it again), every range
//! that the assembler copies unchanged from the template is compressed once, and both are
//! appended as the custom section [`PREPARED_SECTION`].
//!
//! Promises: [`prepare`] is idempotent (a prepared template gets its chunks made again);
//! the prepared template's chunk ranges are exactly the template pieces of every
//! assembly, whatever the payload and methods.

use kybra_interface::{PAYLOAD_COPY_IMPORT, PAYLOAD_IMPORT_MODULE, PAYLOAD_SIZE_IMPORT};
use walrus::{DataKind, ModuleConfig, ValType};

use super::binary::{self, write_name, CUSTOM};
use super::gzip::Piece;
use super::template::{encode_prepared, Template, COPY_EXPORT, PREPARED_SECTION, SIZE_EXPORT};
use super::{pieces, Build};

const PLACEHOLDER_VALUE: i32 = 0x7fff_ffff;

/// The template with its payload accessors defined, its payload segment in place and what
/// was computed once (code checks, gzip chunks at `level`) appended.
pub fn prepare(template: &[u8], level: u32) -> Result<Vec<u8>, String> {
    let linked = if is_prepared(template) {
        strip_chunks(template)?
    } else {
        prelink(template)?
    };
    let read = Template::read(&linked, level)?;
    let ranges: Vec<_> = pieces(&read, &Build::probe())?
        .into_iter()
        .filter_map(|p| match p {
            Piece::Template(r) if !r.is_empty() => Some(r),
            _ => None,
        })
        .collect();
    let trusted = crate::validate::template_code(&linked)?;
    let table = encode_prepared(&linked, trusted, &ranges, level);
    let mut content = Vec::with_capacity(table.len() + 32);
    write_name(&mut content, PREPARED_SECTION);
    content.extend_from_slice(&table);
    let mut out = linked;
    out.extend_from_slice(&binary::section_header(CUSTOM, content.len()));
    out.extend_from_slice(&content);
    Ok(out)
}

/// True if the template defines its payload accessors already.
pub fn is_prepared(template: &[u8]) -> bool {
    wasmparser::Parser::new(0)
        .parse_all(template)
        .any(|p| match p {
            Ok(wasmparser::Payload::ExportSection(r)) => {
                r.into_iter().flatten().any(|e| e.name == SIZE_EXPORT)
            }
            _ => false,
        })
}

/// The template without its chunk table.
pub fn strip_chunks(template: &[u8]) -> Result<Vec<u8>, String> {
    let sections = binary::sections(template)?;
    Ok(match sections.last() {
        Some(s) if s.name.as_deref() == Some(PREPARED_SECTION) => {
            template[..s.whole.start].to_vec()
        }
        _ => template.to_vec(),
    })
}

/// Defines the payload accessors and the placeholder segment (the slow step: a walrus
/// round trip of the whole module).
pub fn prelink(template: &[u8]) -> Result<Vec<u8>, String> {
    let mut module = ModuleConfig::new()
        .generate_producers_section(false)
        .generate_name_section(false)
        .parse(template)
        .map_err(|e| format!("not a valid wasm module: {e:#}"))?;
    let memory = match module.memories.iter().collect::<Vec<_>>().as_slice() {
        [m] => m.id(),
        [] => return Err("it has no linear memory".into()),
        _ => return Err("it has more than one linear memory".into()),
    };
    let import = |module: &walrus::Module, name: &str, params: &[ValType], results: &[ValType]| {
        let fid = module
            .imports
            .get_func(PAYLOAD_IMPORT_MODULE, name)
            .map_err(|_| format!("it does not import `{PAYLOAD_IMPORT_MODULE}.{name}`"))?;
        let ty = module.types.get(module.funcs.get(fid).ty());
        if ty.params() != params || ty.results() != results {
            return Err(format!(
                "`{PAYLOAD_IMPORT_MODULE}.{name}` has type {:?} -> {:?}, expected {params:?} -> {results:?}",
                ty.params(),
                ty.results()
            ));
        }
        Ok(fid)
    };
    let size_fn = import(&module, PAYLOAD_SIZE_IMPORT, &[], &[ValType::I32])?;
    let copy_fn = import(&module, PAYLOAD_COPY_IMPORT, &[ValType::I32], &[])?;
    let data = module.data.add(DataKind::Passive, Vec::new());
    let size_local = module
        .replace_imported_func(size_fn, |(body, _)| {
            body.i32_const(PLACEHOLDER_VALUE);
        })
        .map_err(|e| format!("{e:#}"))?;
    let copy_local = module
        .replace_imported_func(copy_fn, |(body, args)| {
            body.local_get(args[0])
                .i32_const(0)
                .i32_const(PLACEHOLDER_VALUE)
                .memory_init(memory, data);
        })
        .map_err(|e| format!("{e:#}"))?;
    module.exports.add(SIZE_EXPORT, size_local);
    module.exports.add(COPY_EXPORT, copy_local);
    Ok(module.emit_wasm())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_placeholder_is_the_five_byte_immediate_the_reader_looks_for() {
        let mut out = Vec::new();
        binary::write_i32(&mut out, PLACEHOLDER_VALUE);
        assert_eq!(out, super::super::template::PLACEHOLDER[1..]);
    }
}
