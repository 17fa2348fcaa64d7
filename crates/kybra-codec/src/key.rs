//! The byte encoding of StableBTreeMap keys. The map orders keys by their bytes, so for
//! the key types whose natural order users expect the encoding preserves that order:
//!
//! | key type | bytes | order |
//! |---|---|---|
//! | `text` | UTF-8 | by code point (Python's `str` order) |
//! | `blob` | the bytes | bytewise (Python's `bytes` order) |
//! | `principal` | its raw bytes | bytewise (`kybra.Principal`'s order) |
//! | `nat8`..`nat64` | big-endian | numeric |
//! | `int8`..`int64` | big-endian, sign bit flipped | numeric |
//! | `nat` | length byte (`0xFF` + u32 for 255 bytes and more), big-endian magnitude | numeric |
//! | `int` | `00` + complement of the `nat` form of −n / `01` for 0 / `02` + `nat` form | numeric |
//! | `bool` | `00` / `01` | False first |
//! | `float32` / `float64` | IEEE bits, sign-folded; NaN is all zeros; −0.0 is 0.0 | numeric, NaN first |
//! | `null` | nothing | one key |
//! | anything else | its Candid encoding (`DIDL` header + value) | by those bytes |
//!
//! Promises: `decode(encode(v)) == v` for every value of the key type (up to −0.0 → 0.0);
//! for the ordered types, `a < b` exactly when `encode(a) < encode(b)` (tests below: the
//! bytes of each row are pinned, and the order is checked on random values). This module
//! is plain Rust (no Python): the runtime's `stable_btree::key` converts Python values.

use num_bigint::{BigInt, BigUint, Sign};

use crate::types::{self as ty, T};

/// How a key type is laid out as bytes.
#[derive(Clone, Copy, Debug)]
pub enum KeyCodec {
    Text,
    Blob,
    Principal,
    /// Unsigned, this many bytes.
    Nat(usize),
    /// Signed, this many bytes.
    Int(usize),
    BigNat,
    BigInt,
    Bool,
    Float32,
    Float64,
    Null,
    /// Candid-encoded (the caller does it).
    Candid,
}

impl KeyCodec {
    /// The codec of (resolved) key type `t`; `blob` is `vec nat8` in the table.
    pub fn of(t: T, is_blob: bool) -> KeyCodec {
        match t {
            _ if is_blob => KeyCodec::Blob,
            ty::TEXT => KeyCodec::Text,
            ty::PRINCIPAL => KeyCodec::Principal,
            ty::NAT8 => KeyCodec::Nat(1),
            ty::NAT16 => KeyCodec::Nat(2),
            ty::NAT32 => KeyCodec::Nat(4),
            ty::NAT64 => KeyCodec::Nat(8),
            ty::INT8 => KeyCodec::Int(1),
            ty::INT16 => KeyCodec::Int(2),
            ty::INT32 => KeyCodec::Int(4),
            ty::INT64 => KeyCodec::Int(8),
            ty::NAT => KeyCodec::BigNat,
            ty::INT => KeyCodec::BigInt,
            ty::BOOL => KeyCodec::Bool,
            ty::FLOAT32 => KeyCodec::Float32,
            ty::FLOAT64 => KeyCodec::Float64,
            ty::NULL => KeyCodec::Null,
            _ => KeyCodec::Candid,
        }
    }
}

/// A key value, as the codec sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyValue {
    Text(String),
    Blob(Vec<u8>),
    /// The principal's raw bytes.
    Principal(Vec<u8>),
    /// `nat8`..`nat64`.
    Nat(u64),
    /// `int8`..`int64`.
    Int(i64),
    BigNat(BigUint),
    BigInt(BigInt),
    Bool(bool),
    Float(f64),
    Null,
}

/// `nat` form: length prefix, then the big-endian magnitude (nothing for 0).
fn nat_bytes(v: &BigUint, out: &mut Vec<u8>) {
    let bytes = if v.bits() == 0 {
        Vec::new()
    } else {
        v.to_bytes_be()
    };
    if bytes.len() < 255 {
        out.push(bytes.len() as u8);
    } else {
        out.push(0xFF);
        out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
    }
    out.extend_from_slice(&bytes);
}

fn read_nat(bytes: &[u8]) -> Option<(BigUint, usize)> {
    let (len, start) = match *bytes.first()? {
        0xFF => (
            u32::from_be_bytes(bytes.get(1..5)?.try_into().ok()?) as usize,
            5,
        ),
        n => (n as usize, 1),
    };
    Some((
        BigUint::from_bytes_be(bytes.get(start..start + len)?),
        start + len,
    ))
}

fn float_bits(f: f64, width: usize) -> u64 {
    let f = if f == 0.0 { 0.0 } else { f };
    if f.is_nan() {
        return 0;
    }
    let (bits, sign) = if width == 4 {
        (u64::from((f as f32).to_bits()), 1u64 << 31)
    } else {
        (f.to_bits(), 1u64 << 63)
    };
    let mask = if width == 4 {
        u64::from(u32::MAX)
    } else {
        u64::MAX
    };
    if bits & sign != 0 {
        !bits & mask
    } else {
        bits | sign
    }
}

fn bits_float(bits: u64, width: usize) -> f64 {
    if bits == 0 {
        return f64::NAN;
    }
    let sign = if width == 4 { 1u64 << 31 } else { 1u64 << 63 };
    let mask = if width == 4 {
        u64::from(u32::MAX)
    } else {
        u64::MAX
    };
    let raw = if bits & sign != 0 {
        bits & !sign
    } else {
        !bits & mask
    };
    if width == 4 {
        f64::from(f32::from_bits(raw as u32))
    } else {
        f64::from_bits(raw)
    }
}

/// The bytes of `value` as a key of `codec` (not `Candid`); `Err(detail)` when it is not a
/// value of the type ("" for a value of another kind, else what is wrong with it).
pub fn encode(codec: KeyCodec, value: &KeyValue) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::new();
    match (codec, value) {
        (KeyCodec::Text, KeyValue::Text(s)) => out.extend_from_slice(s.as_bytes()),
        (KeyCodec::Blob, KeyValue::Blob(b)) | (KeyCodec::Principal, KeyValue::Principal(b)) => {
            out.extend_from_slice(b)
        }
        (KeyCodec::Nat(n), KeyValue::Nat(v)) => {
            if n < 8 && v >> (8 * n) != 0 {
                return Err("out of range");
            }
            out.extend_from_slice(&v.to_be_bytes()[8 - n..]);
        }
        (KeyCodec::Int(n), KeyValue::Int(v)) => {
            let bits = 8 * n as u32;
            if n < 8 && (*v < -(1i64 << (bits - 1)) || *v >= 1i64 << (bits - 1)) {
                return Err("out of range");
            }
            let flipped = (*v as u64) ^ (1u64 << (bits - 1));
            out.extend_from_slice(&flipped.to_be_bytes()[8 - n..]);
        }
        (KeyCodec::BigNat, KeyValue::BigNat(v)) => nat_bytes(v, &mut out),
        (KeyCodec::BigInt, KeyValue::BigInt(v)) => match v.sign() {
            Sign::NoSign => out.push(1),
            Sign::Plus => {
                out.push(2);
                nat_bytes(v.magnitude(), &mut out);
            }
            Sign::Minus => {
                out.push(0);
                let mut mag = Vec::new();
                nat_bytes(v.magnitude(), &mut mag);
                out.extend(mag.iter().map(|b| !b));
            }
        },
        (KeyCodec::Bool, KeyValue::Bool(b)) => out.push(u8::from(*b)),
        (KeyCodec::Float32, KeyValue::Float(f)) => {
            out.extend_from_slice(&float_bits(*f, 4).to_be_bytes()[4..])
        }
        (KeyCodec::Float64, KeyValue::Float(f)) => {
            out.extend_from_slice(&float_bits(*f, 8).to_be_bytes())
        }
        (KeyCodec::Null, KeyValue::Null) => {}
        (KeyCodec::Candid, _) => unreachable!("Candid keys are encoded by the codec"),
        _ => return Err(""),
    }
    Ok(out)
}

/// The value of stored key `bytes` (not `Candid`), or `None` if they are not a key of
/// `codec` (a damaged store).
pub fn decode(codec: KeyCodec, bytes: &[u8]) -> Option<KeyValue> {
    let fixed = |n: usize| -> Option<u64> {
        if bytes.len() != n {
            return None;
        }
        let mut be = [0u8; 8];
        be[8 - n..].copy_from_slice(bytes);
        Some(u64::from_be_bytes(be))
    };
    Some(match codec {
        KeyCodec::Text => KeyValue::Text(String::from_utf8(bytes.to_vec()).ok()?),
        KeyCodec::Blob => KeyValue::Blob(bytes.to_vec()),
        KeyCodec::Principal => KeyValue::Principal(bytes.to_vec()),
        KeyCodec::Nat(n) => KeyValue::Nat(fixed(n)?),
        KeyCodec::Int(n) => {
            let raw = fixed(n)? ^ (1u64 << (8 * n - 1));
            let shift = 64 - 8 * n as u32;
            KeyValue::Int(((raw << shift) as i64) >> shift)
        }
        KeyCodec::BigNat => KeyValue::BigNat(read_nat(bytes)?.0),
        KeyCodec::BigInt => match bytes.first()? {
            1 => KeyValue::BigInt(BigInt::from(0u8)),
            2 => KeyValue::BigInt(BigInt::from(read_nat(&bytes[1..])?.0)),
            0 => {
                let inverted: Vec<u8> = bytes[1..].iter().map(|b| !b).collect();
                KeyValue::BigInt(-BigInt::from(read_nat(&inverted)?.0))
            }
            _ => return None,
        },
        KeyCodec::Bool => KeyValue::Bool(bytes.first() == Some(&1)),
        KeyCodec::Float32 => KeyValue::Float(bits_float(fixed(4)?, 4)),
        KeyCodec::Float64 => KeyValue::Float(bits_float(fixed(8)?, 8)),
        KeyCodec::Null => KeyValue::Null,
        KeyCodec::Candid => unreachable!("Candid keys are decoded by the codec"),
    })
}

/// The prefix of every min-heap entry of `key` (the bytes of [`encode`]): the key made
/// prefix-free, each `00` byte written `00 01` and `00 00` appended, which keeps the order
/// of keys. No such prefix is a proper prefix of another.
pub fn heap_prefix(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + 10);
    for &b in key {
        out.push(b);
        if b == 0 {
            out.push(1);
        }
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// A min-heap entry: [`heap_prefix`] of `key`, then `n` big-endian (8 bytes). Entries
/// order by key, then by `n`: a heap numbers equal keys in the order they were pushed.
pub fn heap_entry(key: &[u8], n: u64) -> Vec<u8> {
    let mut out = heap_prefix(key);
    out.extend_from_slice(&n.to_be_bytes());
    out
}

/// The key and number of a min-heap entry; `None` when it is not one.
pub fn heap_key(entry: &[u8]) -> Option<(Vec<u8>, u64)> {
    let split = entry.len().checked_sub(8)?;
    let (prefix, n) = entry.split_at(split);
    let body = prefix.strip_suffix(&[0, 0])?;
    let mut key = Vec::with_capacity(body.len());
    let mut bytes = body.iter();
    while let Some(&b) = bytes.next() {
        key.push(b);
        if b == 0 && bytes.next() != Some(&1) {
            return None;
        }
    }
    Some((key, u64::from_be_bytes(n.try_into().ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn bytes(codec: KeyCodec, v: KeyValue) -> Vec<u8> {
        let out = encode(codec, &v).unwrap();
        let back = decode(codec, &out).unwrap();
        match (&v, &back) {
            (KeyValue::Float(a), KeyValue::Float(b)) if a.is_nan() => assert!(b.is_nan()),
            (KeyValue::Float(a), KeyValue::Float(b)) => assert_eq!(a + 0.0, *b),
            _ => assert_eq!(back, v),
        }
        out
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// One pinned example (or more) per row of the module's table: stored keys are users'
    /// data, so these bytes never change.
    #[test]
    fn each_row_of_the_table_has_pinned_bytes() {
        use KeyCodec as C;
        use KeyValue as V;
        let big = |s: &str| V::BigNat(s.parse().unwrap());
        let int = |s: &str| V::BigInt(s.parse().unwrap());
        let rows: Vec<(C, V, &str)> = vec![
            (C::Text, V::Text("aé".into()), "61c3a9"),
            (C::Blob, V::Blob(vec![0, 255]), "00ff"),
            (C::Principal, V::Principal(vec![4, 1, 1]), "040101"),
            (C::Nat(1), V::Nat(5), "05"),
            (C::Nat(2), V::Nat(258), "0102"),
            (C::Nat(4), V::Nat(1), "00000001"),
            (C::Nat(8), V::Nat(u64::MAX), "ffffffffffffffff"),
            (C::Int(1), V::Int(-1), "7f"),
            (C::Int(1), V::Int(0), "80"),
            (C::Int(2), V::Int(-2), "7ffe"),
            (C::Int(4), V::Int(1), "80000001"),
            (C::Int(8), V::Int(i64::MIN), "0000000000000000"),
            (C::BigNat, big("0"), "00"),
            (C::BigNat, big("255"), "01ff"),
            (C::BigNat, big("65536"), "03010000"),
            (C::BigInt, int("0"), "01"),
            (C::BigInt, int("5"), "020105"),
            (C::BigInt, int("-5"), "00fefa"),
            (C::Bool, V::Bool(false), "00"),
            (C::Bool, V::Bool(true), "01"),
            (C::Float32, V::Float(1.0), "bf800000"),
            (C::Float64, V::Float(1.0), "bff0000000000000"),
            (C::Float64, V::Float(-1.0), "400fffffffffffff"),
            (C::Float64, V::Float(0.0), "8000000000000000"),
            (C::Float64, V::Float(f64::NAN), "0000000000000000"),
            (C::Null, V::Null, ""),
        ];
        for (codec, value, want) in rows {
            let what = format!("{codec:?} {value:?}");
            assert_eq!(bytes(codec, value), hex(want), "{what}");
        }
        // -0.0 is stored as 0.0; a `nat` of 255 bytes or more takes the long length form.
        assert_eq!(bytes(C::Float64, V::Float(-0.0)), hex("8000000000000000"));
        let mut long = hex("ff000000ff");
        long.extend(std::iter::repeat_n(0xff, 255));
        let max255 = (BigUint::from(1u8) << (8 * 255)) - 1u8;
        assert_eq!(bytes(C::BigNat, V::BigNat(max255)), long);
    }

    #[test]
    fn values_out_of_the_types_range_are_refused() {
        assert_eq!(
            encode(KeyCodec::Nat(1), &KeyValue::Nat(256)),
            Err("out of range")
        );
        assert_eq!(
            encode(KeyCodec::Int(2), &KeyValue::Int(1 << 15)),
            Err("out of range")
        );
        assert_eq!(encode(KeyCodec::Text, &KeyValue::Nat(1)), Err(""));
        assert_eq!(decode(KeyCodec::Nat(4), &[1, 2]), None);
        assert_eq!(decode(KeyCodec::Text, &[0xff]), None);
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// A random value of an ordered key type, and how two of them compare as Python does.
    fn random(rng: &mut Rng, codec: KeyCodec) -> KeyValue {
        let small = |rng: &mut Rng| rng.next() >> rng.below(64);
        match codec {
            KeyCodec::Text => KeyValue::Text(
                (0..rng.below(6))
                    .map(|_| {
                        let pick = [0x41, 0x7f, 0xe9, 0x4e2d, 0x1f600][rng.below(5) as usize];
                        char::from_u32(pick + rng.below(3) as u32).unwrap()
                    })
                    .collect(),
            ),
            KeyCodec::Blob => KeyValue::Blob((0..rng.below(5)).map(|_| rng.next() as u8).collect()),
            KeyCodec::Nat(n) => KeyValue::Nat(small(rng) >> (64 - 8 * n as u32)),
            KeyCodec::Int(n) => KeyValue::Int((small(rng) as i64) >> (64 - 8 * n as u32)),
            KeyCodec::BigNat => {
                let words: Vec<u32> = (0..rng.below(4)).map(|_| small(rng) as u32).collect();
                KeyValue::BigNat(BigUint::new(words) >> rng.below(40))
            }
            KeyCodec::BigInt => {
                let words: Vec<u32> = (0..rng.below(4)).map(|_| small(rng) as u32).collect();
                let mag = BigInt::from(BigUint::new(words) >> rng.below(40));
                KeyValue::BigInt(if rng.below(2) == 0 { -mag } else { mag })
            }
            KeyCodec::Bool => KeyValue::Bool(rng.below(2) == 1),
            KeyCodec::Float32 | KeyCodec::Float64 => {
                let f = match rng.below(8) {
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => f64::INFINITY,
                    3 => f64::NEG_INFINITY,
                    _ => (rng.next() as i64 as f64) / (1u64 << rng.below(64)) as f64,
                };
                KeyValue::Float(if matches!(codec, KeyCodec::Float32) {
                    f as f32 as f64
                } else {
                    f
                })
            }
            _ => unreachable!("not an ordered key type"),
        }
    }

    fn order(a: &KeyValue, b: &KeyValue) -> Ordering {
        match (a, b) {
            (KeyValue::Text(a), KeyValue::Text(b)) => a.chars().cmp(b.chars()),
            (KeyValue::Blob(a), KeyValue::Blob(b)) => a.cmp(b),
            (KeyValue::Nat(a), KeyValue::Nat(b)) => a.cmp(b),
            (KeyValue::Int(a), KeyValue::Int(b)) => a.cmp(b),
            (KeyValue::BigNat(a), KeyValue::BigNat(b)) => a.cmp(b),
            (KeyValue::BigInt(a), KeyValue::BigInt(b)) => a.cmp(b),
            (KeyValue::Bool(a), KeyValue::Bool(b)) => a.cmp(b),
            // NaN first; -0.0 equals 0.0.
            (KeyValue::Float(a), KeyValue::Float(b)) => match (a.is_nan(), b.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                _ => a.partial_cmp(b).unwrap(),
            },
            _ => unreachable!(),
        }
    }

    #[test]
    fn keys_sort_as_their_values_do() {
        let mut rng = Rng(0x6b65_7973);
        let codecs = [
            KeyCodec::Text,
            KeyCodec::Blob,
            KeyCodec::Nat(1),
            KeyCodec::Nat(2),
            KeyCodec::Nat(4),
            KeyCodec::Nat(8),
            KeyCodec::Int(1),
            KeyCodec::Int(2),
            KeyCodec::Int(4),
            KeyCodec::Int(8),
            KeyCodec::BigNat,
            KeyCodec::BigInt,
            KeyCodec::Bool,
            KeyCodec::Float32,
            KeyCodec::Float64,
        ];
        for codec in codecs {
            for _ in 0..3000 {
                let (a, b) = (random(&mut rng, codec), random(&mut rng, codec));
                let (ea, eb) = (encode(codec, &a).unwrap(), encode(codec, &b).unwrap());
                assert_eq!(ea.cmp(&eb), order(&a, &b), "{codec:?}: {a:?} vs {b:?}");
            }
        }
    }

    /// Heap entries: pinned bytes, the round trip, and the order (by key, then number),
    /// including keys that are prefixes of others and keys holding zero bytes.
    #[test]
    fn heap_entries_order_by_key_then_number() {
        assert_eq!(
            heap_entry(b"ab", 1),
            hex("61620000" /* key */)
                .into_iter()
                .chain(1u64.to_be_bytes())
                .collect::<Vec<_>>()
        );
        assert_eq!(
            heap_entry(&[0, 5], 0),
            hex("0001050000")
                .into_iter()
                .chain([0; 8])
                .collect::<Vec<_>>()
        );
        let keys: [&[u8]; 7] = [b"", &[0], &[0, 0], &[0, 1], b"a", b"a\0", b"ab"];
        let mut entries = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            for n in [0u64, 1, 255, 256, u64::MAX] {
                let e = heap_entry(k, n);
                assert_eq!(heap_key(&e), Some((k.to_vec(), n)));
                entries.push((i, n, e));
            }
        }
        for (i, n, a) in &entries {
            for (j, m, b) in &entries {
                assert_eq!(a.cmp(b), (keys[*i], n).cmp(&(keys[*j], m)), "{a:?} {b:?}");
            }
        }
        assert_eq!(heap_key(&[1, 2, 3]), None);
        assert_eq!(heap_key(&hex("0002000000000000000000000000")), None);
    }
}
