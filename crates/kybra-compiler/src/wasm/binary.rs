//! The few pieces of the wasm binary format the assembler writes by hand: LEB128 numbers
//! and the framing of sections (id, size, content).
//!
//! Promises: [`sections`] walks a module's sections without interpreting their content
//! and reports each one's exact byte range, whatever LEB width the size was written with;
//! the writers emit minimal LEB128, except [`padded_i32`], whose fixed width lets the
//! assembler overwrite a constant in place.

use std::ops::Range;

/// One section of a module, as it sits in the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub id: u8,
    /// From the id byte to the end of the content.
    pub whole: Range<usize>,
    /// The content (after the size).
    pub content: Range<usize>,
    /// A custom section's name (id 0).
    pub name: Option<String>,
}

pub const CUSTOM: u8 = 0;
pub const FUNCTION: u8 = 3;
pub const EXPORT: u8 = 7;
pub const CODE: u8 = 10;
pub const DATA: u8 = 11;

/// Reads an unsigned LEB128 u32 at `*pos`, advancing it.
pub fn read_u32(bytes: &[u8], pos: &mut usize) -> Result<u32, String> {
    let mut value: u64 = 0;
    for shift in (0..35).step_by(7) {
        let byte = *bytes
            .get(*pos)
            .ok_or_else(|| format!("a number at byte {pos} runs past the end"))?;
        *pos += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return u32::try_from(value)
                .map_err(|_| format!("a number before byte {pos} exceeds u32"));
        }
    }
    Err(format!("a number before byte {pos} is longer than 5 bytes"))
}

/// Appends `value` as minimal unsigned LEB128.
pub fn write_u32(out: &mut Vec<u8>, mut value: u32) {
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

/// Appends `value` as minimal signed LEB128 (the immediate of `i32.const`).
pub fn write_i32(out: &mut Vec<u8>, mut value: i32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// `value` as signed LEB128 in exactly five bytes (valid for every i32).
pub fn padded_i32(value: i32) -> [u8; 5] {
    let v = value as u32;
    let mut out = [0u8; 5];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = ((v >> (7 * i)) & 0x7f) as u8 | if i < 4 { 0x80 } else { 0 };
    }
    // The last byte carries bits 28..31 and the sign extension of bit 31.
    if value < 0 {
        out[4] |= 0x70;
    }
    out
}

/// Appends a name: its length, then its UTF-8 bytes.
pub fn write_name(out: &mut Vec<u8>, name: &str) {
    write_u32(out, name.len() as u32);
    out.extend_from_slice(name.as_bytes());
}

/// A section's id and size, for content of `len` bytes.
pub fn section_header(id: u8, len: usize) -> Vec<u8> {
    let mut out = vec![id];
    write_u32(&mut out, len as u32);
    out
}

/// Every section of `wasm`, in order; checks the magic number and version.
pub fn sections(wasm: &[u8]) -> Result<Vec<Section>, String> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0") {
        return Err("it does not start with the wasm magic number and version 1".into());
    }
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < wasm.len() {
        let start = pos;
        let id = wasm[pos];
        pos += 1;
        let len = read_u32(wasm, &mut pos)? as usize;
        let content = pos..pos + len;
        if content.end > wasm.len() {
            return Err(format!("section {id} at byte {start} runs past the end"));
        }
        let name = if id == CUSTOM {
            let mut p = content.start;
            let n = read_u32(wasm, &mut p)? as usize;
            let raw = wasm
                .get(p..p + n)
                .ok_or("a custom section's name runs past its end")?;
            Some(String::from_utf8_lossy(raw).into_owned())
        } else {
            None
        };
        out.push(Section {
            id,
            whole: start..content.end,
            content: content.clone(),
            name,
        });
        pos = content.end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leb_round_trips_and_padding_keeps_the_value() {
        for v in [0u32, 1, 127, 128, 300, 624_485, u32::MAX] {
            let mut out = Vec::new();
            write_u32(&mut out, v);
            let mut pos = 0;
            assert_eq!(read_u32(&out, &mut pos).unwrap(), v);
            assert_eq!(pos, out.len());
        }
        for v in [
            0i32,
            1,
            63,
            64,
            -1,
            -64,
            -65,
            123_456_789,
            i32::MAX,
            i32::MIN,
        ] {
            let padded = padded_i32(v);
            let mut minimal = Vec::new();
            write_i32(&mut minimal, v);
            assert_eq!(decode_i32(&padded), v, "padded {v}");
            assert_eq!(decode_i32(&minimal), v, "minimal {v}");
        }
    }

    fn decode_i32(bytes: &[u8]) -> i32 {
        let (mut value, mut shift) = (0i64, 0);
        for &b in bytes {
            value |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if b & 0x40 != 0 {
                    value |= -1i64 << shift;
                }
                break;
            }
        }
        value as i32
    }

    #[test]
    fn sections_are_framed_exactly() {
        let wasm = wat::parse_str(r#"(module (func (export "f")) (@custom "x" "abc"))"#).unwrap();
        let s = sections(&wasm).unwrap();
        assert_eq!(s.first().unwrap().whole.start, 8);
        assert_eq!(s.last().unwrap().whole.end, wasm.len());
        assert!(s.iter().any(|s| s.name.as_deref() == Some("x")));
        assert!(sections(b"not wasm").is_err());
    }
}
