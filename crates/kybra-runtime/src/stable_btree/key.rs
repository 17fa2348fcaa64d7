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
//! encoding checks the value against the type with the same error text as the codec.

use num_bigint::{BigInt, BigUint, Sign};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyString};

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

fn is_int(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>()
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

/// The bytes of `obj` as a key of `codec` (not `Candid`); `Err(detail)` when it is not
/// a value of the type ("" for a wrong Python type).
pub fn encode(codec: KeyCodec, obj: &Bound<'_, PyAny>) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::new();
    match codec {
        KeyCodec::Text => {
            let s = obj.cast::<PyString>().map_err(|_| "")?;
            out.extend_from_slice(s.to_str().map_err(|_| "not valid UTF-8")?.as_bytes());
        }
        KeyCodec::Blob => {
            if let Ok(b) = obj.cast::<PyBytes>() {
                out.extend_from_slice(b.as_bytes());
            } else if let Ok(b) = obj.cast::<PyByteArray>() {
                out = b.to_vec();
            } else {
                return Err("");
            }
        }
        KeyCodec::Principal => {
            let b = obj
                .getattr("bytes")
                .map_err(|_| "expected a kybra.Principal")?;
            let b = b
                .cast::<PyBytes>()
                .map_err(|_| "expected a kybra.Principal")?;
            out.extend_from_slice(b.as_bytes());
        }
        KeyCodec::Nat(n) => {
            if !is_int(obj) {
                return Err("");
            }
            let v: u64 = obj.extract().map_err(|_| "out of range")?;
            if n < 8 && v >> (8 * n) != 0 {
                return Err("out of range");
            }
            out.extend_from_slice(&v.to_be_bytes()[8 - n..]);
        }
        KeyCodec::Int(n) => {
            if !is_int(obj) {
                return Err("");
            }
            let v: i64 = obj.extract().map_err(|_| "out of range")?;
            let bits = 8 * n as u32;
            if n < 8 && (v < -(1i64 << (bits - 1)) || v >= 1i64 << (bits - 1)) {
                return Err("out of range");
            }
            let flipped = (v as u64) ^ (1u64 << (bits - 1));
            out.extend_from_slice(&flipped.to_be_bytes()[8 - n..]);
        }
        KeyCodec::BigNat => {
            if !is_int(obj) {
                return Err("");
            }
            let v: BigUint = obj.extract().map_err(|_| "negative")?;
            nat_bytes(&v, &mut out);
        }
        KeyCodec::BigInt => {
            if !is_int(obj) {
                return Err("");
            }
            let v: BigInt = obj.extract().map_err(|_| "")?;
            match v.sign() {
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
            }
        }
        KeyCodec::Bool => out.push(u8::from(obj.cast::<PyBool>().map_err(|_| "")?.is_true())),
        KeyCodec::Float32 | KeyCodec::Float64 => {
            if !(obj.is_instance_of::<PyFloat>() || is_int(obj)) {
                return Err("");
            }
            let f: f64 = obj.extract().map_err(|_| "out of range")?;
            let width = if matches!(codec, KeyCodec::Float32) {
                4
            } else {
                8
            };
            out.extend_from_slice(&float_bits(f, width).to_be_bytes()[8 - width..]);
        }
        KeyCodec::Null => {
            if !obj.is_none() {
                return Err("");
            }
        }
        KeyCodec::Candid => unreachable!("Candid keys are encoded by the codec"),
    }
    Ok(out)
}

/// The Python value of stored key `bytes` (not `Candid`); `principal` builds principals.
pub fn decode<'py>(
    py: Python<'py>,
    codec: KeyCodec,
    bytes: &[u8],
    principal: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let corrupt = || {
        pyo3::exceptions::PyValueError::new_err(format!(
            "kybra: a stored StableBTreeMap key is damaged ({} bytes)",
            bytes.len()
        ))
    };
    Ok(match codec {
        KeyCodec::Text => {
            PyString::new(py, std::str::from_utf8(bytes).map_err(|_| corrupt())?).into_any()
        }
        KeyCodec::Blob => PyBytes::new(py, bytes).into_any(),
        KeyCodec::Principal => {
            let class = principal.ok_or_else(|| {
                pyo3::exceptions::PyImportError::new_err(
                    "kybra: principals need the `kybra` package",
                )
            })?;
            class.call1((PyBytes::new(py, bytes),))?
        }
        KeyCodec::Nat(_) => {
            let mut be = [0u8; 8];
            be[8 - bytes.len()..].copy_from_slice(bytes);
            u64::from_be_bytes(be).into_pyobject(py)?.into_any()
        }
        KeyCodec::Int(n) => {
            let mut be = [0u8; 8];
            be[8 - n..].copy_from_slice(bytes);
            let raw = u64::from_be_bytes(be) ^ (1u64 << (8 * n - 1));
            let shift = 64 - 8 * n as u32;
            (((raw << shift) as i64) >> shift)
                .into_pyobject(py)?
                .into_any()
        }
        KeyCodec::BigNat => read_nat(bytes)
            .ok_or_else(corrupt)?
            .0
            .into_pyobject(py)?
            .into_any(),
        KeyCodec::BigInt => match bytes.first() {
            Some(1) => 0u8.into_pyobject(py)?.into_any(),
            Some(2) => BigInt::from(read_nat(&bytes[1..]).ok_or_else(corrupt)?.0)
                .into_pyobject(py)?
                .into_any(),
            Some(0) => {
                let inverted: Vec<u8> = bytes[1..].iter().map(|b| !b).collect();
                (-BigInt::from(read_nat(&inverted).ok_or_else(corrupt)?.0))
                    .into_pyobject(py)?
                    .into_any()
            }
            _ => return Err(corrupt()),
        },
        KeyCodec::Bool => PyBool::new(py, bytes.first() == Some(&1))
            .to_owned()
            .into_any(),
        KeyCodec::Float32 | KeyCodec::Float64 => {
            let mut be = [0u8; 8];
            be[8 - bytes.len()..].copy_from_slice(bytes);
            PyFloat::new(py, bits_float(u64::from_be_bytes(be), bytes.len())).into_any()
        }
        KeyCodec::Null => py.None().into_bound(py),
        KeyCodec::Candid => unreachable!("Candid keys are decoded by the codec"),
    })
}
