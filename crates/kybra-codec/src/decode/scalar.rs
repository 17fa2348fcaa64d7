//! Scalars of a message: numbers of any size, text, principals and references.

use num_bigint::{BigInt, BigUint};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes};

use super::{bad, Decoder, Fail};
use crate::types::{self as ty, T};

impl<'a, 'py> Decoder<'a, 'py> {
    pub(super) fn reference(&mut self, what: &str) -> Result<(), Fail> {
        match self.r.byte(what)? {
            1 => Ok(()),
            0 => Err(bad(format!(
                "{what} is opaque; only public references are supported"
            ))),
            b => Err(bad(format!("{what} starts with byte {b:#04x}, not 0 or 1"))),
        }
    }

    pub(super) fn principal_bytes(&mut self) -> Result<&'a [u8], Fail> {
        self.reference("a principal")?;
        let len = self.r.leb("a principal's length")?;
        if len > 29 {
            return Err(bad(format!(
                "a principal of {len} bytes: at most 29 are allowed"
            )));
        }
        Ok(self.r.take(len as usize, "a principal")?)
    }

    pub(super) fn principal(&mut self) -> Result<Bound<'py, PyAny>, Fail> {
        let bytes = self.principal_bytes()?;
        let class = self.classes.principal.as_ref().ok_or_else(|| {
            Fail::Python(pyo3::exceptions::PyImportError::new_err(
                "kybra: principals need the `kybra` package: import it",
            ))
        })?;
        Ok(class.call1((PyBytes::new(self.py, bytes),))?)
    }

    pub(super) fn text(&self, bytes: &[u8]) -> Result<Bound<'py, PyAny>, Fail> {
        // SAFETY: CPython copies and validates the bytes; a NULL result is an error.
        let obj = unsafe {
            ffi::PyUnicode_DecodeUTF8(
                bytes.as_ptr().cast(),
                bytes.len() as ffi::Py_ssize_t,
                c"strict".as_ptr(),
            )
        };
        if obj.is_null() {
            let _ = PyErr::take(self.py);
            return Err(bad("a text is not valid UTF-8"));
        }
        // SAFETY: a new, non-NULL reference.
        Ok(unsafe { Bound::from_owned_ptr(self.py, obj) })
    }

    /// A primitive value of schema type `s` from wire type `w`; an empty message in the
    /// error means "the types differ" (the caller names them).
    pub(super) fn prim(&mut self, w: T, s: T) -> Result<Bound<'py, PyAny>, Fail> {
        let py = self.py;
        let differ = || Fail::Reject {
            arg: None,
            path: Vec::new(),
            message: String::new(),
        };
        if w != s && !(w == ty::NAT && s == ty::INT) {
            return Err(differ());
        }
        macro_rules! le {
            ($t:ty, $what:expr) => {
                <$t>::from_le_bytes(self.r.fixed($what)?)
                    .into_pyobject(py)?
                    .into_any()
            };
        }
        Ok(match w {
            ty::NULL => self.none(),
            ty::BOOL => match self.r.byte("a bool")? {
                0 => PyBool::new(py, false).to_owned().into_any(),
                1 => PyBool::new(py, true).to_owned().into_any(),
                b => return Err(bad(format!("a bool is byte {b:#04x}, not 0 or 1"))),
            },
            ty::NAT | ty::INT => {
                let bytes = self.r.leb_bytes("a number")?;
                big(py, bytes, w == ty::INT)?
            }
            ty::NAT8 => le!(u8, "a nat8"),
            ty::NAT16 => le!(u16, "a nat16"),
            ty::NAT32 => le!(u32, "a nat32"),
            ty::NAT64 => le!(u64, "a nat64"),
            ty::INT8 => le!(i8, "an int8"),
            ty::INT16 => le!(i16, "an int16"),
            ty::INT32 => le!(i32, "an int32"),
            ty::INT64 => le!(i64, "an int64"),
            ty::FLOAT32 => (f32::from_le_bytes(self.r.fixed("a float32")?) as f64)
                .into_pyobject(py)?
                .into_any(),
            ty::FLOAT64 => f64::from_le_bytes(self.r.fixed("a float64")?)
                .into_pyobject(py)?
                .into_any(),
            ty::TEXT => {
                let bytes = self.r.sized("a text")?;
                self.text(bytes)?
            }
            ty::PRINCIPAL => self.principal()?,
            _ => return Err(differ()),
        })
    }
}

/// A LEB128 (`signed`: SLEB128) number of any size as a Python int.
fn big<'py>(py: Python<'py>, leb: &[u8], signed: bool) -> PyResult<Bound<'py, PyAny>> {
    if leb.len() <= 9 {
        let mut v: u64 = 0;
        for (i, b) in leb.iter().enumerate() {
            v |= u64::from(b & 0x7f) << (7 * i);
        }
        let bits = 7 * leb.len() as u32;
        if !signed {
            return Ok(v.into_pyobject(py)?.into_any());
        }
        let negative = leb.last().is_some_and(|b| b & 0x40 != 0);
        let v = if negative {
            (v | (u64::MAX << bits)) as i64
        } else {
            v as i64
        };
        return Ok(v.into_pyobject(py)?.into_any());
    }
    // Pack the 7-bit groups into little-endian bytes.
    let mut bytes = vec![0u8; (leb.len() * 7).div_ceil(8) + 1];
    for (i, b) in leb.iter().enumerate() {
        let v = u64::from(b & 0x7f);
        let bit = 7 * i;
        let word = v << (bit % 8);
        for k in 0..2 {
            if let Some(slot) = bytes.get_mut(bit / 8 + k) {
                *slot |= (word >> (8 * k)) as u8;
            }
        }
    }
    if signed && leb.last().is_some_and(|b| b & 0x40 != 0) {
        // Sign-extend from the last group's top bit.
        let total = 7 * leb.len();
        for bit in total..bytes.len() * 8 {
            bytes[bit / 8] |= 1 << (bit % 8);
        }
        return Ok(BigInt::from_signed_bytes_le(&bytes)
            .into_pyobject(py)?
            .into_any());
    }
    Ok(BigUint::from_bytes_le(&bytes).into_pyobject(py)?.into_any())
}
