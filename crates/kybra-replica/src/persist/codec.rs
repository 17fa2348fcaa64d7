//! The byte encoding of checkpoints and journal records: little-endian integers,
//! length-prefixed byte strings, and frames (`len: u64, crc32: u32, payload`) whose
//! checksum tells a complete record from a torn or corrupted one.

use candid::Principal;

/// Appends values to a buffer.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u128(&mut self, v: u128) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn bool(&mut self, v: bool) {
        self.u8(v as u8);
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.buf.extend_from_slice(v);
    }
    pub fn principal(&mut self, p: &Principal) {
        self.bytes(p.as_slice());
    }
    /// A count of items that follow.
    pub fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
}

/// Why bytes could not be decoded.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Corrupt(pub String);

/// Reads values written by [`Writer`].
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn is_done(&self) -> bool {
        self.pos == self.buf.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Corrupt> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| Corrupt(format!("{n} bytes expected at offset {}", self.pos)))?;
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Corrupt> {
        Ok(self.take(N)?.try_into().expect("length checked"))
    }

    pub fn u8(&mut self) -> Result<u8, Corrupt> {
        Ok(self.take(1)?[0])
    }
    pub fn u64(&mut self) -> Result<u64, Corrupt> {
        Ok(u64::from_le_bytes(self.array()?))
    }
    pub fn u128(&mut self) -> Result<u128, Corrupt> {
        Ok(u128::from_le_bytes(self.array()?))
    }
    pub fn bool(&mut self) -> Result<bool, Corrupt> {
        Ok(self.u8()? != 0)
    }
    pub fn bytes(&mut self) -> Result<&'a [u8], Corrupt> {
        let n = self.len()?;
        self.take(n)
    }
    pub fn hash(&mut self) -> Result<[u8; 32], Corrupt> {
        self.array()
    }
    pub fn principal(&mut self) -> Result<Principal, Corrupt> {
        Principal::try_from_slice(self.bytes()?)
            .map_err(|e| Corrupt(format!("invalid principal: {e}")))
    }
    pub fn len(&mut self) -> Result<usize, Corrupt> {
        let n = self.u64()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= self.buf.len() - self.pos)
            .ok_or_else(|| Corrupt(format!("length {n} runs past the end")))
    }
}

/// `len: u64, crc32: u32` before each framed payload.
pub const FRAME_HEADER: usize = 12;

/// Frames `payload`: its length and checksum, then the payload.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER + payload.len());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The payload of the frame at the start of `bytes` and the frame's total size, or `None`
/// if the frame is incomplete or its checksum does not match (a torn write).
pub fn unframe(bytes: &[u8]) -> Option<(&[u8], usize)> {
    let header = bytes.get(..FRAME_HEADER)?;
    let len = usize::try_from(u64::from_le_bytes(header[..8].try_into().ok()?)).ok()?;
    let crc = u32::from_le_bytes(header[8..].try_into().ok()?);
    let payload = bytes.get(FRAME_HEADER..FRAME_HEADER.checked_add(len)?)?;
    (crc32fast::hash(payload) == crc).then_some((payload, FRAME_HEADER + len))
}
