//! Reading Candid messages: a bounds-checked byte [`Reader`] (LEB128, little-endian
//! numbers) and the message header — magic, type table, argument types ([`Header`]).
//!
//! Promises: nothing here panics or allocates more than the input can justify, whatever
//! the bytes: every count is checked against the bytes left before anything is reserved,
//! every type index against the table, field ids must be strictly increasing, and each
//! problem is an `Err(String)` saying what is wrong and where (byte offset).

use crate::types::{
    Entry, FuncSig, Table, OP_FUNC, OP_OPT, OP_RECORD, OP_SERVICE, OP_VARIANT, OP_VEC, T,
};

/// A cursor over the message bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// Bytes not read yet.
    #[inline]
    pub fn left(&self) -> usize {
        self.bytes.len() - self.pos
    }

    fn eof(&self, what: &str) -> String {
        format!(
            "the message ends (at byte {}) in the middle of {what}",
            self.bytes.len()
        )
    }

    #[inline]
    pub fn byte(&mut self, what: &str) -> Result<u8, String> {
        let b = *self.bytes.get(self.pos).ok_or_else(|| self.eof(what))?;
        self.pos += 1;
        Ok(b)
    }

    #[inline]
    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if n > self.left() {
            return Err(format!(
                "{what} declares {n} bytes at byte {} but only {} are left",
                self.pos,
                self.left()
            ));
        }
        let s = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    #[inline]
    pub fn fixed<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        let s = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Unsigned LEB128 that must fit 64 bits.
    #[inline]
    pub fn leb(&mut self, what: &str) -> Result<u64, String> {
        let start = self.pos;
        let mut v: u64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte(what)?;
            if shift == 63 && b > 1 || shift > 63 {
                return Err(format!("{what} at byte {start}: number too large"));
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift += 7;
        }
    }

    /// A LEB128 length followed by that many bytes (a blob, a text, a name).
    pub fn sized(&mut self, what: &str) -> Result<&'a [u8], String> {
        let at = self.pos;
        let n = self.leb(what)?;
        if n > self.left() as u64 {
            return Err(format!(
                "{what} declares {n} bytes at byte {at} but only {} are left",
                self.left()
            ));
        }
        self.take(n as usize, what)
    }

    /// A LEB128 length or count, at most the bytes left times `per_byte` (a count of
    /// things that each take at least one byte may pass 1).
    pub fn count(&mut self, what: &str) -> Result<usize, String> {
        let at = self.pos;
        let n = self.leb(what)?;
        if n > self.left() as u64 {
            return Err(format!(
                "{what} at byte {at} declares {n} items but only {} bytes are left",
                self.left()
            ));
        }
        Ok(n as usize)
    }

    /// Signed LEB128 that must fit 64 bits.
    pub fn sleb(&mut self, what: &str) -> Result<i64, String> {
        let start = self.pos;
        let mut v: i64 = 0;
        let mut shift = 0u32;
        loop {
            let b = self.byte(what)?;
            if shift > 63 {
                return Err(format!("{what} at byte {start}: number too large"));
            }
            v |= i64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    v |= -1i64 << shift;
                }
                return Ok(v);
            }
        }
    }

    /// The bytes of one LEB128 number of any size (for `nat` / `int`).
    pub fn leb_bytes(&mut self, what: &str) -> Result<&'a [u8], String> {
        let start = self.pos;
        while self.byte(what)? & 0x80 != 0 {}
        Ok(&self.bytes[start..self.pos])
    }
}

/// The decoded header of a message.
pub struct Header {
    pub table: Table,
    pub args: Vec<T>,
}

/// Type-table entries of a message at most (the IC's own limit on type tables is of
/// this order; a message this big in types is an attack, not an argument).
const MAX_ENTRIES: usize = 10_000;

/// Reads `DIDL`, the type table and the argument types.
pub fn header(r: &mut Reader<'_>) -> Result<Header, String> {
    let magic = r.bytes.get(..4).unwrap_or(r.bytes);
    if magic != b"DIDL" {
        let shown: Vec<String> = r.bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        return Err(format!(
            "it does not start with the Candid magic `DIDL` (got {} bytes: {}{})",
            r.bytes.len(),
            shown.join(" "),
            if r.bytes.len() > 8 { " …" } else { "" }
        ));
    }
    r.pos = 4;
    let n = r.count("the type table length")?;
    if n > MAX_ENTRIES {
        return Err(format!(
            "the type table has {n} entries, more than the {MAX_ENTRIES} allowed"
        ));
    }
    let mut entries = Vec::with_capacity(n);
    let ty = |r: &mut Reader<'_>| -> Result<T, String> {
        let at = r.pos;
        let v = r.sleb("a type")?;
        let t = T(i32::try_from(v).map_err(|_| format!("type {v} at byte {at} is out of range"))?);
        if t.is_prim() && !t.is_known_prim() || !t.is_prim() && t.0 as usize >= n {
            return Err(format!(
                "byte {at}: {v} is not a type (table has {n} entries)"
            ));
        }
        Ok(t)
    };
    for _ in 0..n {
        let at = r.pos;
        let op = r.sleb("a type table entry")?;
        let entry = match op as i32 {
            OP_OPT => Entry::Opt(ty(r)?),
            OP_VEC => Entry::Vec(ty(r)?),
            OP_RECORD | OP_VARIANT => {
                let count = r.count("a record or variant's field count")?;
                let mut fields = Vec::with_capacity(count);
                for _ in 0..count {
                    let id = r.leb("a field id")?;
                    let id = u32::try_from(id)
                        .map_err(|_| format!("field id {id} at byte {at} is not 32-bit"))?;
                    if fields.last().is_some_and(|(prev, _)| *prev >= id) {
                        return Err(format!("the fields of the type at byte {at} are not in increasing order of their ids"));
                    }
                    fields.push((id, ty(r)?));
                }
                if op as i32 == OP_RECORD {
                    Entry::Record(fields)
                } else {
                    Entry::Variant(fields)
                }
            }
            OP_FUNC => {
                let mut lists = [Vec::new(), Vec::new()];
                for list in &mut lists {
                    let count = r.count("a function's argument count")?;
                    for _ in 0..count {
                        list.push(ty(r)?);
                    }
                }
                let count = r.count("a function's annotations")?;
                let modes = r.take(count, "a function's annotations")?.to_vec();
                if modes.iter().any(|m| !(1..=3).contains(m)) || modes.len() > 1 {
                    return Err(format!(
                        "the function type at byte {at} has invalid annotations {modes:?}"
                    ));
                }
                let [args, rets] = lists;
                Entry::Func(FuncSig { args, rets, modes })
            }
            OP_SERVICE => {
                let count = r.count("a service's method count")?;
                let mut methods: Vec<(String, T)> = Vec::with_capacity(count);
                for _ in 0..count {
                    let len = r.count("a method name")?;
                    let name = std::str::from_utf8(r.take(len, "a method name")?)
                        .map_err(|_| {
                            format!("a method name in the type at byte {at} is not UTF-8")
                        })?
                        .to_string();
                    if methods.last().is_some_and(|(prev, _)| *prev >= name) {
                        return Err(format!(
                            "the methods of the service type at byte {at} are not sorted"
                        ));
                    }
                    methods.push((name, ty(r)?));
                }
                Entry::Service(methods)
            }
            _ => return Err(format!("byte {at}: {op} is not a composite type opcode")),
        };
        entries.push(entry);
    }
    let table = Table { entries };
    // A service's methods must be functions; anything else loops or lies.
    for e in &table.entries {
        if let Entry::Service(ms) = e {
            if ms
                .iter()
                .any(|(_, t)| !matches!(table.entry(*t), Some(Entry::Func(_))))
            {
                return Err(
                    "a service type in the type table has a method that is not a function type"
                        .into(),
                );
            }
        }
    }
    // An entry that only refers to itself through opt/vec chains of other entries is
    // fine (recursive types); an entry that is its own element with nothing in between
    // is too (`type T = vec T` has finite values). Nothing more to check here.
    let count = r.count("the argument count")?;
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        args.push(ty(r)?);
    }
    Ok(Header { table, args })
}
