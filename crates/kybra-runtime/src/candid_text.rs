//! `ic.candid_encode(text) -> bytes` and `ic.candid_decode(bytes) -> str`: Candid text
//! values (`'(1, "a", record { x = 2 })'`) to the binary format and back, with the
//! reference implementation (`candid_parser` / `candid`), as dfx prints them.
//!
//! Promises: a text that does not parse, or bytes that are not Candid, raise `ValueError`
//! with the parser's or decoder's message; decoding is bounded (decoding and skipping
//! quotas) so hostile bytes end in a `ValueError`, not in an exhausted instruction limit.

use candid::de::DecoderConfig;
use candid::IDLArgs;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Work allowed per byte of input when decoding (the decoder's cost units).
const QUOTA_PER_BYTE: usize = 2_000;

/// Encodes a Candid text value, e.g. `'(1, "a")'`.
#[pyfunction]
pub fn candid_encode<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyBytes>> {
    let args = candid_parser::parse_idl_args(text).map_err(|e| {
        PyValueError::new_err(format!(
            "candid_encode: {text:?} is not a Candid value: {e}"
        ))
    })?;
    let bytes = args.to_bytes().map_err(|e| {
        PyValueError::new_err(format!("candid_encode: cannot encode {text:?}: {e}"))
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// Decodes Candid bytes to text, e.g. `(1 : nat, "a")`.
#[pyfunction]
pub fn candid_decode(bytes: &[u8]) -> PyResult<String> {
    let quota = bytes
        .len()
        .saturating_add(64)
        .saturating_mul(QUOTA_PER_BYTE);
    let mut config = DecoderConfig::new();
    config
        .set_decoding_quota(quota)
        .set_skipping_quota(quota)
        .set_full_error_message(false);
    let args = IDLArgs::from_bytes_with_config(bytes, &config).map_err(|e| {
        PyValueError::new_err(format!("candid_decode: the bytes are not Candid: {e}"))
    })?;
    Ok(args.to_string())
}
