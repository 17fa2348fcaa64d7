//! Gzip of a module assembled from pieces, reusing deflate data compressed once per
//! template.
//!
//! A gzip member holds one deflate stream. Each piece is compressed on its own and ends
//! with a full flush (a byte-aligned, non-final block after which nothing refers back), so
//! the compressed pieces can be laid end to end, closed by one empty final block; the
//! CRC-32 of the whole is combined from the pieces' CRCs. The fixed pieces of a template
//! are compressed when the template is prepared ([`Chunks`]); a build compresses only what
//! it adds.
//!
//! Promises: [`gzip`] decompresses, with any gzip reader, to the concatenation of the
//! pieces; its bytes are the same whether a piece came from [`Chunks`] or was compressed
//! now (same function, same level), so a missing chunk only costs time. (Where chunks
//! are stored, and how a stale table is refused: [`super::template`].)

use std::collections::HashMap;
use std::ops::Range;

use flate2::{Compress, Compression, FlushCompress, Status};

/// The deflate data and CRC of one byte range of a template.
#[derive(Clone, Debug)]
pub struct Chunk<'a> {
    pub crc: u32,
    pub deflate: std::borrow::Cow<'a, [u8]>,
}

/// Precompressed ranges of one template, by range.
#[derive(Default, Debug)]
pub struct Chunks<'a> {
    pub by_range: HashMap<(usize, usize), Chunk<'a>>,
}

/// A piece of the output: bytes of the template, or bytes of this build.
pub enum Piece<'a> {
    Template(Range<usize>),
    Owned(Vec<u8>),
    Borrowed(&'a [u8]),
}

/// Compresses `data` as deflate blocks at `level`, ending with a full flush.
pub fn deflate_piece(data: &[u8], level: u32) -> Vec<u8> {
    let mut c = Compress::new(Compression::new(level), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    loop {
        let consumed = c.total_in() as usize;
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(4096));
        }
        let status = c
            .compress_vec(&data[consumed..], &mut out, FlushCompress::Full)
            .expect("deflate cannot fail on a vector with room");
        let done = c.total_in() as usize == data.len() && out.len() < out.capacity();
        if done || matches!(status, Status::StreamEnd) {
            return out;
        }
    }
}

/// CRC-32 of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(data);
    h.finalize()
}

/// The gzip member of `pieces` (template pieces read from `template`).
pub fn gzip(pieces: &[Piece], template: &[u8], chunks: &Chunks, level: u32) -> Vec<u8> {
    // Header: no name, no time; XFL 2 = best compression; OS 255 = unknown (as flate2).
    let mut out = vec![
        0x1f,
        0x8b,
        8,
        0,
        0,
        0,
        0,
        0,
        if level >= 9 { 2 } else { 0 },
        255,
    ];
    let mut crc = crc32fast::Hasher::new();
    let mut total: u64 = 0;
    for piece in pieces {
        let data: &[u8] = match piece {
            Piece::Template(r) => &template[r.clone()],
            Piece::Owned(v) => v,
            Piece::Borrowed(b) => b,
        };
        if data.is_empty() {
            continue;
        }
        let cached = match piece {
            Piece::Template(r) => chunks.by_range.get(&(r.start, r.end)),
            _ => None,
        };
        let piece_crc = match cached {
            Some(chunk) => {
                out.extend_from_slice(&chunk.deflate);
                chunk.crc
            }
            None => {
                out.extend_from_slice(&deflate_piece(data, level));
                crc32(data)
            }
        };
        crc.combine(&crc32fast::Hasher::new_with_initial_len(
            piece_crc,
            data.len() as u64,
        ));
        total += data.len() as u64;
    }
    // An empty final block with fixed Huffman codes: BFINAL=1, BTYPE=01, end-of-block.
    out.extend_from_slice(&[0x03, 0x00]);
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(gz: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn pieces_compress_to_one_member_with_or_without_chunks() {
        let template: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let ranges = [0..1000, 1000..150_000, 150_000..200_000];
        let chunks = Chunks {
            by_range: ranges
                .iter()
                .map(|r| {
                    let data = &template[r.clone()];
                    let chunk = Chunk {
                        crc: crc32(data),
                        deflate: deflate_piece(data, 9).into(),
                    };
                    ((r.start, r.end), chunk)
                })
                .collect(),
        };
        let pieces = [
            Piece::Template(0..1000),
            Piece::Owned(b"a build's own bytes".to_vec()),
            Piece::Template(1000..150_000),
            Piece::Borrowed(b""),
            Piece::Template(150_000..200_000),
            Piece::Owned(vec![42; 70_000]),
        ];
        let fast = gzip(&pieces, &template, &chunks, 9);
        let slow = gzip(&pieces, &template, &Chunks::default(), 9);
        assert_eq!(fast, slow, "chunks only save time");
        let mut expected = template[..1000].to_vec();
        expected.extend_from_slice(b"a build's own bytes");
        expected.extend_from_slice(&template[1000..]);
        expected.extend_from_slice(&[42; 70_000]);
        assert_eq!(gunzip(&fast), expected);
    }
}
