//! A prepared template, read: where its sections are, which of its functions and data
//! segment the assembler fills in, and its precompressed chunks.
//!
//! A prepared template ([`super::prepare`]) defines `kybra.payload_size` and
//! `kybra.payload_copy` itself, exported as [`SIZE_EXPORT`] / [`COPY_EXPORT`]: each
//! holds the payload's length as an `i32.const` written in exactly five bytes
//! ([`PLACEHOLDER`]), and the copy reads the last data segment, an empty passive one.
//! Its last section may be the custom section [`PREPARED_SECTION`]: what was computed
//! once about everything before it — the code's IC checks ([`TrustedBodies`]) and the gzip
//! chunks of the ranges every build copies — valid only for exactly those bytes (their
//! length and CRC-32 are in it; a mismatch makes the table be ignored, never misused).
//!
//! Promises: [`Template::read`] accepts only a template of that shape and says what is
//! wrong otherwise; reading it looks at section headers, the export, function, code and
//! data section framing and two function bodies — never at the rest of the code.

use std::ops::Range;

use super::binary::{self, read_u32, Section, CODE, DATA, EXPORT, FUNCTION};
use super::gzip::{crc32, deflate_piece, Chunk, Chunks};
use crate::validate::TrustedBodies;
use kybra_interface::DISPATCH_EXPORT;

/// Exports through which a prepared template shows its payload accessors.
pub const SIZE_EXPORT: &str = "kybra:payload_size";
pub const COPY_EXPORT: &str = "kybra:payload_copy";
/// The custom section holding what was computed when the template was prepared.
pub const PREPARED_SECTION: &str = "kybra:prepared";
const MAGIC: &[u8; 8] = b"KYBRAPR1";
/// The payload length's stand-in: `i32.const 0x7fffffff`, five bytes of LEB128.
pub const PLACEHOLDER: [u8; 6] = [0x41, 0xff, 0xff, 0xff, 0xff, 0x07];

/// An export of the template.
#[derive(Clone, Debug)]
pub struct Export {
    pub name: String,
    pub kind: u8,
    pub index: u32,
}

pub struct Template<'a> {
    /// The template without its chunk section.
    pub bytes: &'a [u8],
    pub sections: Vec<Section>,
    pub imported_functions: u32,
    pub defined_functions: u32,
    /// The function index of `kybra_dispatch`.
    pub dispatch: u32,
    /// The function section's entries (after its count).
    pub function_entries: Range<usize>,
    pub exports: Vec<Export>,
    /// The code section's bodies (after its count).
    pub code_bodies: Range<usize>,
    /// Offsets of the two five-byte length immediates, in order.
    pub length_holes: [usize; 2],
    pub data_segments: u32,
    /// The data section's segments before the placeholder segment (after the count).
    pub data_before_placeholder: Range<usize>,
    /// The type index of `() -> ()`.
    pub void_type: u32,
    pub chunks: Chunks<'a>,
    /// The template's function bodies, checked once when it was prepared.
    pub trusted: Option<TrustedBodies>,
}

fn err(msg: impl Into<String>) -> String {
    msg.into()
}

impl<'a> Template<'a> {
    /// Reads a prepared template; `level` is the gzip level its chunks must be for.
    pub fn read(wasm: &'a [u8], level: u32) -> Result<Template<'a>, String> {
        let mut sections = binary::sections(wasm)?;
        let mut prepared: &[u8] = &[];
        let mut bytes = wasm;
        if let Some(last) = sections.last() {
            if last.name.as_deref() == Some(PREPARED_SECTION) {
                let mut p = last.content.start;
                let n = read_u32(wasm, &mut p)? as usize;
                prepared = &wasm[p + n..last.content.end];
                bytes = &wasm[..last.whole.start];
                sections.pop();
            }
        }
        let find = |id: u8| sections.iter().find(|s| s.id == id).cloned();
        let imported_functions = count_imported_functions(bytes, &sections)?;
        let exports = match find(EXPORT) {
            Some(export) => read_exports(bytes, export.content.clone())?,
            None => Vec::new(),
        };
        let dispatch = exports
            .iter()
            .find(|e| e.name == DISPATCH_EXPORT && e.kind == 0)
            .ok_or_else(|| format!("it does not export a function `{DISPATCH_EXPORT}`"))?
            .index;
        let function = find(FUNCTION).ok_or("it has no function section")?;
        let code = find(CODE).ok_or("it has no code section")?;
        let data = find(DATA).ok_or("it has no data section")?;

        let mut p = function.content.start;
        let defined_functions = read_u32(bytes, &mut p)?;
        let function_entries = p..function.content.end;
        check_entries(bytes, function_entries.clone(), defined_functions)?;
        let void_type = find_void_type(bytes, &sections)?;

        let mut p = code.content.start;
        let bodies = read_u32(bytes, &mut p)?;
        if bodies != defined_functions {
            return Err(err("its code and function sections disagree"));
        }
        let code_bodies = p..code.content.end;
        let body = |export_name: &str| -> Result<Range<usize>, String> {
            let e = exports
                .iter()
                .find(|e| e.name == export_name && e.kind == 0)
                .ok_or_else(|| {
                    format!("it does not export `{export_name}`: is it a prepared template?")
                })?;
            let k = e
                .index
                .checked_sub(imported_functions)
                .ok_or_else(|| format!("`{export_name}` is an imported function"))?;
            nth_body(bytes, code_bodies.clone(), k)
        };
        let mut length_holes = [0; 2];
        for (hole, name) in length_holes.iter_mut().zip([SIZE_EXPORT, COPY_EXPORT]) {
            let range = body(name)?;
            let found: Vec<usize> = bytes[range.clone()]
                .windows(PLACEHOLDER.len())
                .enumerate()
                .filter(|(_, w)| *w == PLACEHOLDER)
                .map(|(i, _)| range.start + i + 1)
                .collect();
            *hole = match found.as_slice() {
                [one] => *one,
                _ => {
                    return Err(format!(
                        "`{name}` does not hold exactly one length placeholder"
                    ))
                }
            };
        }

        let (data_segments, data_before_placeholder) = read_data(bytes, data.content.clone())?;
        let (trusted, chunks) = match decode_prepared(prepared, bytes, level) {
            Some((trusted, chunks)) if trusted.count == defined_functions => {
                (Some(trusted), chunks)
            }
            _ => (None, Chunks::default()),
        };
        Ok(Template {
            bytes,
            chunks,
            trusted,
            sections,
            imported_functions,
            dispatch,
            defined_functions,
            function_entries,
            exports,
            code_bodies,
            length_holes,
            data_segments,
            data_before_placeholder,
            void_type,
        })
    }
}

/// Checks that `count` LEB128 numbers fill `range` exactly.
fn check_entries(bytes: &[u8], range: Range<usize>, count: u32) -> Result<(), String> {
    let mut p = range.start;
    for _ in 0..count {
        read_u32(bytes, &mut p)?;
    }
    if p != range.end {
        return Err(err("the function section's entries do not fill it"));
    }
    Ok(())
}

/// The number of imported functions; an error naming every import not from `ic0`.
fn count_imported_functions(bytes: &[u8], sections: &[Section]) -> Result<u32, String> {
    let Some(imports) = sections.iter().find(|s| s.id == 2) else {
        return Ok(0);
    };
    let reader = wasmparser::ImportSectionReader::new(reader_of(bytes, imports))
        .map_err(|e| e.to_string())?;
    let (mut n, mut foreign) = (0, Vec::new());
    for import in reader {
        let import = import.map_err(|e| e.to_string())?;
        if import.module != "ic0" {
            foreign.push(format!("{}.{}", import.module, import.name));
        }
        if matches!(import.ty, wasmparser::TypeRef::Func(_)) {
            n += 1;
        }
    }
    if !foreign.is_empty() {
        return Err(format!(
            "the canister would import {} — a canister may import only `ic0` (check the template's imports)",
            foreign.join(", ")
        ));
    }
    Ok(n)
}

fn read_exports(bytes: &[u8], content: Range<usize>) -> Result<Vec<Export>, String> {
    let mut p = content.start;
    let count = read_u32(bytes, &mut p)?;
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let n = read_u32(bytes, &mut p)? as usize;
        let name = std::str::from_utf8(
            bytes
                .get(p..p + n)
                .ok_or("an export name runs past the end")?,
        )
        .map_err(|_| err("an export name is not UTF-8"))?
        .to_string();
        p += n;
        let kind = *bytes.get(p).ok_or("an export runs past the end")?;
        p += 1;
        let index = read_u32(bytes, &mut p)?;
        out.push(Export { name, kind, index });
    }
    Ok(out)
}

fn find_void_type(bytes: &[u8], sections: &[Section]) -> Result<u32, String> {
    let types = sections
        .iter()
        .find(|s| s.id == 1)
        .ok_or("it has no type section")?;
    let reader =
        wasmparser::TypeSectionReader::new(reader_of(bytes, types)).map_err(|e| e.to_string())?;
    let mut index = 0;
    for group in reader {
        for ty in group.map_err(|e| e.to_string())?.into_types() {
            if let wasmparser::CompositeType::Func(f) = &ty.composite_type {
                if f.params().is_empty() && f.results().is_empty() {
                    return Ok(index);
                }
            }
            index += 1;
        }
    }
    Err(err("it has no `() -> ()` function type"))
}

/// The byte range of the `k`-th function body (size prefix included).
fn nth_body(bytes: &[u8], bodies: Range<usize>, k: u32) -> Result<Range<usize>, String> {
    let mut p = bodies.start;
    for i in 0..=k {
        let start = p;
        let len = read_u32(bytes, &mut p)? as usize;
        p += len;
        if p > bodies.end {
            return Err(err("a function body runs past the code section"));
        }
        if i == k {
            return Ok(start..p);
        }
    }
    unreachable!()
}

/// The segment count and the range of every segment but the last, which must be an empty
/// passive segment.
fn read_data(bytes: &[u8], content: Range<usize>) -> Result<(u32, Range<usize>), String> {
    let reader = wasmparser::DataSectionReader::new(wasmparser::BinaryReader::new(
        &bytes[content.clone()],
        content.start,
        crate::ic_rules::ic_features(),
    ))
    .map_err(|e| e.to_string())?;
    let count = reader.count();
    let first = reader.original_position();
    let mut last = None;
    for segment in reader {
        let segment = segment.map_err(|e| e.to_string())?;
        last = Some((segment.range.clone(), segment.kind, segment.data.len()));
    }
    match last {
        Some((range, wasmparser::DataKind::Passive, 0)) if range.end == content.end => {
            Ok((count, first..range.start))
        }
        _ => Err(err(
            "its last data segment is not the empty passive payload placeholder",
        )),
    }
}

/// A reader of `section`'s content, at its offset in the module.
fn reader_of<'b>(bytes: &'b [u8], section: &Section) -> wasmparser::BinaryReader<'b> {
    wasmparser::BinaryReader::new(
        &bytes[section.content.clone()],
        section.content.start,
        crate::ic_rules::ic_features(),
    )
}

/// The content of [`PREPARED_SECTION`] for `template`: its length and CRC, the gzip level,
/// `trusted`, then each range's CRC and deflate data.
pub fn encode_prepared(
    template: &[u8],
    trusted: TrustedBodies,
    ranges: &[Range<usize>],
    level: u32,
) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&(template.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32(template).to_le_bytes());
    out.extend_from_slice(&level.to_le_bytes());
    out.extend_from_slice(&trusted.count.to_le_bytes());
    out.extend_from_slice(&(trusted.largest_instructions as u64).to_le_bytes());
    out.extend_from_slice(&trusted.largest_complexity.to_le_bytes());
    out.extend_from_slice(&(ranges.len() as u32).to_le_bytes());
    for r in ranges {
        let data = &template[r.clone()];
        let deflate = deflate_piece(data, level);
        out.extend_from_slice(&(r.start as u64).to_le_bytes());
        out.extend_from_slice(&(r.end as u64).to_le_bytes());
        out.extend_from_slice(&crc32(data).to_le_bytes());
        out.extend_from_slice(&(deflate.len() as u64).to_le_bytes());
        out.extend_from_slice(&deflate);
    }
    out
}

/// Reads [`encode_prepared`]'s output if it is for exactly `template` at `level`.
fn decode_prepared<'a>(
    bytes: &'a [u8],
    template: &[u8],
    level: u32,
) -> Option<(TrustedBodies, Chunks<'a>)> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(8)? != MAGIC
        || r.u64()? != template.len() as u64
        || r.u32()? != crc32(template)
        || r.u32()? != level
    {
        return None;
    }
    let trusted = TrustedBodies {
        count: r.u32()?,
        largest_instructions: r.u64()? as usize,
        largest_complexity: r.u64()?,
    };
    let count = r.u32()?;
    let mut by_range = std::collections::HashMap::new();
    for _ in 0..count {
        let (start, end, crc) = (r.u64()? as usize, r.u64()? as usize, r.u32()?);
        let len = r.u64()? as usize;
        let deflate = std::borrow::Cow::Borrowed(r.take(len)?);
        by_range.insert((start, end), Chunk { crc, deflate });
    }
    (r.pos == bytes.len()).then_some((trusted, Chunks { by_range }))
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let out = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(out)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prepared_table_is_read_only_for_its_own_bytes_and_level() {
        let template: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
        let trusted = TrustedBodies {
            count: 7,
            largest_instructions: 11,
            largest_complexity: 13,
        };
        let table = encode_prepared(&template, trusted, &[0..10, 10..50_000], 9);
        let (read, chunks) = decode_prepared(&table, &template, 9).expect("its own table");
        assert_eq!(read, trusted);
        assert_eq!(chunks.by_range.len(), 2);
        let mut other = template.clone();
        other[5] ^= 1;
        assert!(decode_prepared(&table, &other, 9).is_none(), "other bytes");
        assert!(
            decode_prepared(&table, &template, 6).is_none(),
            "another level"
        );
        assert!(
            decode_prepared(&table[..table.len() - 1], &template, 9).is_none(),
            "torn"
        );
    }
}
