//! Byte-level mutations of Candid messages for the decoder fuzz run, and a parser of the
//! message header (magic, type table, argument types) so type tables can be swapped.
//! Promises: deterministic for a given [`Rng`] state; each mutation says what it did.
use super::gen::Rng;

/// Appends `n` as unsigned LEB128.
pub fn leb128(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb(b: &[u8], pos: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*pos)?;
        *pos += 1;
        n |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
}

fn read_sleb(b: &[u8], pos: &mut usize) -> Option<i64> {
    let (mut n, mut shift) = (0i64, 0);
    loop {
        let byte = *b.get(*pos)?;
        *pos += 1;
        n |= i64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(if shift < 64 && byte & 0x40 != 0 {
                n | (-1 << shift)
            } else {
                n
            });
        }
        if shift >= 63 {
            return None;
        }
    }
}

/// Where the values start: the length of magic + type table + argument types.
pub fn header_len(b: &[u8]) -> Option<usize> {
    if !b.starts_with(b"DIDL") {
        return None;
    }
    let mut p = 4;
    for _ in 0..read_leb(b, &mut p)? {
        match read_sleb(b, &mut p)? {
            -18 | -19 => {
                read_sleb(b, &mut p)?;
            }
            -20 | -21 => {
                for _ in 0..read_leb(b, &mut p)? {
                    read_leb(b, &mut p)?;
                    read_sleb(b, &mut p)?;
                }
            }
            -22 => {
                for _ in 0..2 {
                    for _ in 0..read_leb(b, &mut p)? {
                        read_sleb(b, &mut p)?;
                    }
                }
                p += read_leb(b, &mut p)? as usize;
            }
            -23 => {
                for _ in 0..read_leb(b, &mut p)? {
                    p += read_leb(b, &mut p)? as usize;
                    read_sleb(b, &mut p)?;
                }
            }
            _ => return None,
        }
    }
    for _ in 0..read_leb(b, &mut p)? {
        read_sleb(b, &mut p)?;
    }
    (p <= b.len()).then_some(p)
}

/// Huge or overlong lengths: 2^31, 2^32, 2^63, u64::MAX, and a 10-byte overlong zero.
fn huge(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(5) {
        0 => leb128(&mut out, 1 << 31),
        1 => leb128(&mut out, 1 << 32),
        2 => leb128(&mut out, 1 << 63),
        3 => leb128(&mut out, u64::MAX),
        _ => out.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]),
    }
    out
}

/// One to three mutations of `valid`; `other` is a valid message of another type, for
/// splicing. Returns the input and what was done to it.
pub fn mutate(rng: &mut Rng, valid: &[u8], other: &[u8]) -> (Vec<u8>, String) {
    let mut b = valid.to_vec();
    let mut how = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let at = |rng: &mut Rng, b: &[u8]| rng.below(b.len() + 1);
        match rng.below(10) {
            0 if !b.is_empty() => {
                let p = rng.below(b.len());
                b[p] ^= 1 << rng.below(8);
                how.push(format!("flip bit at {p}"));
            }
            1 if !b.is_empty() => {
                let p = rng.below(b.len());
                b[p] = *rng.pick(&[0x00, 0x01, 0x7f, 0x80, 0xff, 0x6c, 0x6d, 0x6e, 0x71]);
                how.push(format!("set byte {p}"));
            }
            2 => {
                let p = at(rng, &b);
                b.truncate(p);
                how.push(format!("truncate to {p}"));
            }
            3 => {
                let n = 1 + rng.below(16);
                b.extend(rng.bytes(n));
                how.push(format!("append {n} bytes"));
            }
            4 => {
                let (p, q) = (at(rng, &b), rng.below(other.len() + 1));
                b = [&b[..p], &other[q..]].concat();
                how.push(format!("splice at {p} with other[{q}..]"));
            }
            5 => {
                let p = at(rng, &b);
                let end = (p + rng.below(2)).min(b.len());
                b.splice(p..end, huge(rng));
                how.push(format!("huge LEB128 at {p}"));
            }
            6 => {
                let p = at(rng, &b);
                let n = 1 + rng.below(4);
                b.splice(p..p, rng.bytes(n));
                how.push(format!("insert {n} bytes at {p}"));
            }
            7 if !b.is_empty() => {
                let p = rng.below(b.len());
                let end = (p + 1 + rng.below(8)).min(b.len());
                b.drain(p..end);
                how.push(format!("delete {p}..{end}"));
            }
            8 => match (header_len(&b), header_len(other)) {
                (Some(hb), Some(ho)) => {
                    b = [&other[..ho], &b[hb..]].concat();
                    how.push("swap the type table for another type's".into());
                }
                _ => how.push("(no header to swap)".into()),
            },
            _ => {
                if let Some(h) = header_len(&b) {
                    let p = 4 + rng.below(h.saturating_sub(4).max(1));
                    let end = (p + 1).min(b.len());
                    b.splice(p..end, huge(rng));
                    how.push(format!("huge LEB128 in the type table at {p}"));
                }
            }
        }
    }
    (b, how.join(", "))
}

/// `0a1b…`, cut after 1,000 bytes.
pub fn hex(b: &[u8]) -> String {
    let s: String = b.iter().take(1000).map(|x| format!("{x:02x}")).collect();
    if b.len() > 1000 {
        format!("{s}… ({} bytes)", b.len())
    } else {
        s
    }
}
