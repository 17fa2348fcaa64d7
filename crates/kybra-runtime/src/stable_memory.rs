//! The raw stable memory API of `_kybra_ic` (wrapped by `kybra.ic.stable_*` /
//! `stable64_*` in `python/kybra/_stable.py`): size and growth in 64 KiB pages, reads and
//! writes at byte offsets.
//!
//! Promises: reading or writing beyond the current size raises `IndexError` naming the
//! call, the range and the size (nothing is written, nothing traps); growing returns the
//! book's `{"Ok": old_pages}` or `{"Err": {"OutOfMemory": None}}` (also when the growth
//! would pass `max_pages`, the 4 GiB limit of the 32-bit API). While the canister has
//! stable structures open or a stable file system (they live in this same memory),
//! writing and growing raise `RuntimeError` instead of corrupting them.

use pyo3::exceptions::{PyIndexError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// Bytes per stable memory page.
pub const PAGE: u64 = 65536;

fn size_bytes() -> u64 {
    ic_cdk::stable::stable_size() * PAGE
}

/// Fails when `[offset, offset + length)` is not inside stable memory.
fn check_range(api: &str, offset: u64, length: u64) -> PyResult<()> {
    let size = size_bytes();
    match offset.checked_add(length) {
        Some(end) if end <= size => Ok(()),
        _ => Err(PyIndexError::new_err(format!(
            "{api}(offset={offset}, length {length}): beyond the end of stable memory ({size} bytes = {} pages) — grow it first with ic.stable_grow / ic.stable64_grow",
            size / PAGE
        ))),
    }
}

/// Fails while stable structures own stable memory.
fn check_writable(api: &str) -> PyResult<()> {
    match crate::stable::open_memory_ids() {
        ids if ids.is_empty() => Ok(()),
        ids => Err(PyRuntimeError::new_err(format!(
            "{api}: this canister keeps stable structures or its stable file system (memory ids {ids:?}) in stable memory, and writing it directly would corrupt them — store the data in a StableBTreeMap, another stable structure or a file instead"
        ))),
    }
}

/// The size of stable memory in pages.
#[pyfunction]
fn stable64_size() -> u64 {
    ic_cdk::stable::stable_size()
}

/// Grows stable memory by `new_pages` unless that passes `max_pages`; the book's result.
#[pyfunction]
fn stable64_grow<'py>(
    py: Python<'py>,
    new_pages: u64,
    max_pages: u64,
    api: &str,
) -> PyResult<Bound<'py, PyDict>> {
    check_writable(api)?;
    let result = PyDict::new(py);
    let old = ic_cdk::stable::stable_size();
    let grown = match old.checked_add(new_pages) {
        Some(total) if total <= max_pages => ic_cdk::stable::stable_grow(new_pages).ok(),
        _ => None,
    };
    match grown {
        Some(previous) => result.set_item("Ok", previous)?,
        None => {
            let err = PyDict::new(py);
            err.set_item("OutOfMemory", py.None())?;
            result.set_item("Err", err)?;
        }
    }
    Ok(result)
}

/// `length` bytes from `offset`.
#[pyfunction]
fn stable64_read<'py>(
    py: Python<'py>,
    offset: u64,
    length: u64,
    api: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    check_range(api, offset, length)?;
    PyBytes::new_with(py, length as usize, |buf| {
        ic_cdk::stable::stable_read(offset, buf);
        Ok(())
    })
}

/// Writes `buf` at `offset`.
#[pyfunction]
fn stable64_write(offset: u64, buf: &[u8], api: &str) -> PyResult<()> {
    check_writable(api)?;
    check_range(api, offset, buf.len() as u64)?;
    ic_cdk::stable::stable_write(offset, buf);
    Ok(())
}

/// The whole stable memory.
#[pyfunction]
fn stable_bytes(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
    let size = size_bytes();
    PyBytes::new_with(py, size as usize, |buf| {
        ic_cdk::stable::stable_read(0, buf);
        Ok(())
    })
}

/// Adds the functions to `_kybra_ic`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable64_size, m)?)?;
    m.add_function(wrap_pyfunction!(stable64_grow, m)?)?;
    m.add_function(wrap_pyfunction!(stable64_read, m)?)?;
    m.add_function(wrap_pyfunction!(stable64_write, m)?)?;
    m.add_function(wrap_pyfunction!(stable_bytes, m)?)?;
    Ok(())
}
