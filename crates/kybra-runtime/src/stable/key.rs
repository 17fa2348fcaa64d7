//! StableBTreeMap keys as Python values: checks a Python value against the key type and
//! turns it into the codec's [`KeyValue`] (the byte layout, its table and its pinned bytes
//! are `kybra_codec::key`), and turns stored keys back into Python values.
//!
//! Promises: encoding checks the value against the type with the same error text as the
//! codec; a stored key that does not decode raises `ValueError` naming it damaged.

use num_bigint::{BigInt, BigUint};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyFloat, PyInt, PyString};

pub use kybra_codec::key::KeyCodec;
use kybra_codec::key::{self, KeyValue};

fn is_int(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>()
}

/// The key value of `obj` for `codec` (not `Candid`); `Err(detail)` when it is not a value
/// of the type ("" for a wrong Python type).
fn value(codec: KeyCodec, obj: &Bound<'_, PyAny>) -> Result<KeyValue, &'static str> {
    let int = |obj: &Bound<'_, PyAny>| if is_int(obj) { Ok(()) } else { Err("") };
    Ok(match codec {
        KeyCodec::Text => {
            let s = obj.cast::<PyString>().map_err(|_| "")?;
            KeyValue::Text(s.to_str().map_err(|_| "not valid UTF-8")?.to_string())
        }
        KeyCodec::Blob => {
            if let Ok(b) = obj.cast::<PyBytes>() {
                KeyValue::Blob(b.as_bytes().to_vec())
            } else if let Ok(b) = obj.cast::<PyByteArray>() {
                KeyValue::Blob(b.to_vec())
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
            KeyValue::Principal(b.as_bytes().to_vec())
        }
        KeyCodec::Nat(_) => {
            int(obj)?;
            KeyValue::Nat(obj.extract().map_err(|_| "out of range")?)
        }
        KeyCodec::Int(_) => {
            int(obj)?;
            KeyValue::Int(obj.extract().map_err(|_| "out of range")?)
        }
        KeyCodec::BigNat => {
            int(obj)?;
            KeyValue::BigNat(obj.extract::<BigUint>().map_err(|_| "negative")?)
        }
        KeyCodec::BigInt => {
            int(obj)?;
            KeyValue::BigInt(obj.extract::<BigInt>().map_err(|_| "")?)
        }
        KeyCodec::Bool => KeyValue::Bool(obj.cast::<PyBool>().map_err(|_| "")?.is_true()),
        KeyCodec::Float32 | KeyCodec::Float64 => {
            if !(obj.is_instance_of::<PyFloat>() || is_int(obj)) {
                return Err("");
            }
            KeyValue::Float(obj.extract().map_err(|_| "out of range")?)
        }
        KeyCodec::Null => {
            if !obj.is_none() {
                return Err("");
            }
            KeyValue::Null
        }
        KeyCodec::Candid => unreachable!("Candid keys are encoded by the codec"),
    })
}

/// The bytes of `obj` as a key of `codec` (not `Candid`); `Err(detail)` when it is not
/// a value of the type ("" for a wrong Python type).
pub fn encode(codec: KeyCodec, obj: &Bound<'_, PyAny>) -> Result<Vec<u8>, &'static str> {
    key::encode(codec, &value(codec, obj)?)
}

/// The Python value of stored key `bytes` (not `Candid`); `principal` builds principals.
pub fn decode<'py>(
    py: Python<'py>,
    codec: KeyCodec,
    bytes: &[u8],
    principal: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = key::decode(codec, bytes).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!(
            "kybra: a stored StableBTreeMap key is damaged ({} bytes)",
            bytes.len()
        ))
    })?;
    Ok(match value {
        KeyValue::Text(s) => PyString::new(py, &s).into_any(),
        KeyValue::Blob(b) => PyBytes::new(py, &b).into_any(),
        KeyValue::Principal(b) => {
            let class = principal.ok_or_else(|| {
                pyo3::exceptions::PyImportError::new_err(
                    "kybra: principals need the `kybra` package",
                )
            })?;
            class.call1((PyBytes::new(py, &b),))?
        }
        KeyValue::Nat(v) => v.into_pyobject(py)?.into_any(),
        KeyValue::Int(v) => v.into_pyobject(py)?.into_any(),
        KeyValue::BigNat(v) => v.into_pyobject(py)?.into_any(),
        KeyValue::BigInt(v) => v.into_pyobject(py)?.into_any(),
        KeyValue::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
        KeyValue::Float(f) => PyFloat::new(py, f).into_any(),
        KeyValue::Null => py.None().into_bound(py),
    })
}
