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

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*), so the properties run on the same
    /// inputs every time.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Self {
            Rng(seed | 1)
        }
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        pub fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        pub fn bytes(&mut self, max: u64) -> Vec<u8> {
            let n = self.below(max + 1);
            (0..n).map(|_| self.next() as u8).collect()
        }
    }

    #[derive(Debug, PartialEq)]
    enum V {
        U8(u8),
        U64(u64),
        U128(u128),
        Bool(bool),
        Bytes(Vec<u8>),
        Principal(Principal),
        Len(usize),
    }

    #[test]
    fn every_sequence_of_values_reads_back_as_written() {
        let mut rng = Rng::new(0x6b79_6272_6131);
        for _ in 0..500 {
            let values: Vec<V> = (0..rng.below(40))
                .map(|_| match rng.below(7) {
                    0 => V::U8(rng.next() as u8),
                    1 => V::U64(rng.next()),
                    2 => V::U128(((rng.next() as u128) << 64) | rng.next() as u128),
                    3 => V::Bool(rng.below(2) == 1),
                    4 => V::Bytes(rng.bytes(300)),
                    5 => V::Principal(Principal::from_slice(&rng.bytes(29))),
                    _ => V::Len(rng.below(1000) as usize),
                })
                .collect();
            let mut w = Writer::default();
            // A count is read back only while it fits in what follows: write those last.
            for v in &values {
                match v {
                    V::U8(x) => w.u8(*x),
                    V::U64(x) => w.u64(*x),
                    V::U128(x) => w.u128(*x),
                    V::Bool(x) => w.bool(*x),
                    V::Bytes(x) => w.bytes(x),
                    V::Principal(p) => w.principal(p),
                    V::Len(n) => w.len(*n),
                }
            }
            let mut r = Reader::new(&w.buf);
            for v in &values {
                let back = match v {
                    V::U8(_) => V::U8(r.u8().unwrap()),
                    V::U64(_) => V::U64(r.u64().unwrap()),
                    V::U128(_) => V::U128(r.u128().unwrap()),
                    V::Bool(_) => V::Bool(r.bool().unwrap()),
                    V::Bytes(_) => V::Bytes(r.bytes().unwrap().to_vec()),
                    V::Principal(_) => V::Principal(r.principal().unwrap()),
                    // A count that runs past the end is refused; compare the raw number.
                    V::Len(_) => V::Len(r.u64().unwrap() as usize),
                };
                assert_eq!(&back, v);
            }
            assert!(r.is_done());
            // Any strict prefix runs out somewhere, with an error, never a panic.
            if !w.buf.is_empty() {
                let cut = rng.below(w.buf.len() as u64) as usize;
                let mut r = Reader::new(&w.buf[..cut]);
                let ok = values.iter().all(|v| match v {
                    V::U8(_) => r.u8().is_ok(),
                    V::U64(_) | V::Len(_) => r.u64().is_ok(),
                    V::U128(_) => r.u128().is_ok(),
                    V::Bool(_) => r.bool().is_ok(),
                    V::Bytes(_) => r.bytes().is_ok(),
                    V::Principal(_) => r.principal().is_ok(),
                });
                assert!(
                    !ok,
                    "a prefix of {cut} of {} bytes read completely",
                    w.buf.len()
                );
            }
        }
    }

    #[test]
    fn a_frame_is_read_only_whole_and_unchanged() {
        let mut rng = Rng::new(0x6672_616d_6573);
        for _ in 0..300 {
            let payload = rng.bytes(200);
            let framed = frame(&payload);
            assert_eq!(unframe(&framed), Some((&payload[..], framed.len())));
            // What follows a frame does not matter.
            let mut longer = framed.clone();
            longer.extend(rng.bytes(20));
            assert_eq!(unframe(&longer), Some((&payload[..], framed.len())));
            // A torn frame (any strict prefix) is refused.
            for cut in 0..framed.len() {
                assert_eq!(unframe(&framed[..cut]), None, "prefix {cut}");
            }
            // So is any frame with one bit flipped anywhere.
            let at = rng.below(framed.len() as u64) as usize;
            let mut bad = framed.clone();
            bad[at] ^= 1 << rng.below(8);
            assert_eq!(unframe(&bad), None, "bit flipped in byte {at}");
        }
    }
}
