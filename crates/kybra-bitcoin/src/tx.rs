//! Bitcoin transactions in their consensus encoding: parsing (legacy and segwit, BIP 144),
//! serialisation, txids (sha256d of the encoding without witnesses, stored in Bitcoin's
//! internal byte order), weight and virtual size (BIP 141).
//!
//! Promises: [`Transaction::parse`] accepts exactly one complete transaction — trailing
//! bytes, truncation, oversized counts, a segwit marker with an empty witness section, or
//! no inputs/outputs are errors that say where the encoding went wrong.

use sha2::{Digest, Sha256};

/// sha256(sha256(data)).
pub fn sha256d(data: &[u8]) -> [u8; 32] {
    Sha256::digest(Sha256::digest(data)).into()
}

/// A transaction output being spent: txid (internal byte order) and output index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutPoint {
    pub txid: [u8; 32],
    pub vout: u32,
}

impl OutPoint {
    /// The coinbase's "previous output": all zeros, index 0xffffffff.
    pub const NULL: OutPoint = OutPoint {
        txid: [0; 32],
        vout: u32::MAX,
    };
}

impl std::fmt::Display for OutPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", display_hex(&self.txid), self.vout)
    }
}

/// A hash as Bitcoin displays it: hex of the bytes in reverse order.
pub fn display_hex(hash: &[u8; 32]) -> String {
    let mut b = *hash;
    b.reverse();
    hex::encode(b)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxIn {
    pub previous_output: OutPoint,
    pub script_sig: Vec<u8>,
    pub sequence: u32,
    pub witness: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxOut {
    pub value: u64,
    pub script_pubkey: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub version: i32,
    pub input: Vec<TxIn>,
    pub output: Vec<TxOut>,
    pub lock_time: u32,
}

/// Appends Bitcoin's CompactSize encoding of `n`.
pub fn write_compact(out: &mut Vec<u8>, n: u64) {
    match n {
        0..=0xfc => out.push(n as u8),
        0xfd..=0xffff => {
            out.push(0xfd);
            out.extend_from_slice(&(n as u16).to_le_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(0xfe);
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        _ => {
            out.push(0xff);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
}

/// Appends `bytes` with its CompactSize length.
pub fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_compact(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A cursor over an encoding being parsed (transactions here, the saved chain in
/// [`crate::saved`]).
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }
    pub(crate) fn is_done(&self) -> bool {
        self.pos == self.data.len()
    }
    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if self.data.len() - self.pos < n {
            return Err(format!(
                "the data ends at byte {} while reading {what} ({n} bytes needed)",
                self.data.len()
            ));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4, what)?.try_into().expect("4 bytes"),
        ))
    }
    pub(crate) fn u64(&mut self, what: &str) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8, what)?.try_into().expect("8 bytes"),
        ))
    }
    pub(crate) fn compact(&mut self, what: &str) -> Result<u64, String> {
        let first = self.take(1, what)?[0];
        let (n, min) = match first {
            0xfd => (
                u16::from_le_bytes(self.take(2, what)?.try_into().expect("2")) as u64,
                0xfd,
            ),
            0xfe => (
                u32::from_le_bytes(self.take(4, what)?.try_into().expect("4")) as u64,
                0x1_0000,
            ),
            0xff => (self.u64(what)?, 0x1_0000_0000),
            n => return Ok(n as u64),
        };
        if n < min {
            return Err(format!(
                "non-canonical length encoding of {what} at byte {}",
                self.pos
            ));
        }
        Ok(n)
    }
    /// A count of items of at least `item_size` bytes each, checked against the bytes left.
    pub(crate) fn count(&mut self, what: &str, item_size: usize) -> Result<usize, String> {
        let n = self.compact(what)?;
        let left = (self.data.len() - self.pos) as u64;
        if n.saturating_mul(item_size as u64) > left {
            return Err(format!(
                "{what} is {n}, more than the {left} bytes left can hold"
            ));
        }
        Ok(n as usize)
    }
    pub(crate) fn bytes(&mut self, what: &str) -> Result<Vec<u8>, String> {
        let n = self.count(what, 1)?;
        Ok(self.take(n, what)?.to_vec())
    }
}

impl Transaction {
    /// Parses one complete transaction (see the module documentation).
    pub fn parse(data: &[u8]) -> Result<Transaction, String> {
        let mut r = Reader { data, pos: 0 };
        let version = r.u32("the version")? as i32;
        let mut n_in = r.count("the input count", 41)?;
        let segwit = n_in == 0;
        if segwit {
            let flag = r.take(1, "the segwit flag")?[0];
            if flag != 1 {
                return Err(format!("unknown segwit flag {flag} (expected 1)"));
            }
            n_in = r.count("the input count", 41)?;
        }
        let mut input = Vec::with_capacity(n_in);
        for i in 0..n_in {
            let txid: [u8; 32] = r
                .take(32, &format!("input {i}'s txid"))?
                .try_into()
                .expect("32");
            let vout = r.u32(&format!("input {i}'s output index"))?;
            let script_sig = r.bytes(&format!("input {i}'s scriptSig"))?;
            let sequence = r.u32(&format!("input {i}'s sequence"))?;
            input.push(TxIn {
                previous_output: OutPoint { txid, vout },
                script_sig,
                sequence,
                witness: Vec::new(),
            });
        }
        let n_out = r.count("the output count", 9)?;
        let mut output = Vec::with_capacity(n_out);
        for o in 0..n_out {
            let value = r.u64(&format!("output {o}'s value"))?;
            let script_pubkey = r.bytes(&format!("output {o}'s script"))?;
            output.push(TxOut {
                value,
                script_pubkey,
            });
        }
        if segwit {
            for (i, txin) in input.iter_mut().enumerate() {
                let items = r.count(&format!("input {i}'s witness item count"), 1)?;
                txin.witness = (0..items)
                    .map(|k| r.bytes(&format!("input {i}'s witness item {k}")))
                    .collect::<Result<_, _>>()?;
            }
            if input.iter().all(|i| i.witness.is_empty()) {
                return Err("the segwit marker is set but every witness is empty".into());
            }
        }
        let lock_time = r.u32("the lock time")?;
        if r.pos != data.len() {
            return Err(format!(
                "{} bytes follow the transaction's end at byte {}",
                data.len() - r.pos,
                r.pos
            ));
        }
        if input.is_empty() || output.is_empty() {
            return Err("a transaction needs at least one input and one output".into());
        }
        Ok(Transaction {
            version,
            input,
            output,
            lock_time,
        })
    }

    fn has_witness(&self) -> bool {
        self.input.iter().any(|i| !i.witness.is_empty())
    }

    /// The consensus encoding; with `witness` false, the legacy one (what the txid hashes).
    pub fn serialize(&self, witness: bool) -> Vec<u8> {
        let witness = witness && self.has_witness();
        let mut out = Vec::new();
        out.extend_from_slice(&self.version.to_le_bytes());
        if witness {
            out.extend_from_slice(&[0, 1]);
        }
        write_compact(&mut out, self.input.len() as u64);
        for i in &self.input {
            out.extend_from_slice(&i.previous_output.txid);
            out.extend_from_slice(&i.previous_output.vout.to_le_bytes());
            write_bytes(&mut out, &i.script_sig);
            out.extend_from_slice(&i.sequence.to_le_bytes());
        }
        write_compact(&mut out, self.output.len() as u64);
        for o in &self.output {
            out.extend_from_slice(&o.value.to_le_bytes());
            write_bytes(&mut out, &o.script_pubkey);
        }
        if witness {
            for i in &self.input {
                write_compact(&mut out, i.witness.len() as u64);
                for item in &i.witness {
                    write_bytes(&mut out, item);
                }
            }
        }
        out.extend_from_slice(&self.lock_time.to_le_bytes());
        out
    }

    /// The txid, in internal byte order.
    pub fn txid(&self) -> [u8; 32] {
        sha256d(&self.serialize(false))
    }

    /// Virtual size: weight / 4, rounded up (weight = 3 × base size + total size).
    pub fn vsize(&self) -> u64 {
        let weight = 3 * self.serialize(false).len() + self.serialize(true).len();
        weight.div_ceil(4) as u64
    }

    pub fn is_coinbase(&self) -> bool {
        self.input.len() == 1 && self.input[0].previous_output == OutPoint::NULL
    }
}
