//! `StableLog`'s functions of `_kybra_ic` (`stable_log_*`): append (returning the new
//! entry's index), get and slices. Promises: entries are never changed or removed; an
//! append that cannot grow stable memory raises `MemoryError` and writes nothing.

use std::rc::Rc;

use pyo3::exceptions::PyMemoryError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::store::{label, open_of, Data, Mem, Open, Store};
use ic_stable_structures::Log;

fn log(o: &Open) -> &Log<Vec<u8>, Mem, Mem> {
    match &o.data {
        Data::Log(l) => l,
        _ => unreachable!("open_of checked the kind"),
    }
}

fn open(py: Python<'_>, memory_id: i64) -> PyResult<(Rc<Store>, Rc<Open>)> {
    open_of(py, memory_id, "StableLog")
}

/// Appends `entry`; its index.
#[pyfunction]
fn stable_log_append(py: Python<'_>, memory_id: i64, entry: &Bound<'_, PyAny>) -> PyResult<u64> {
    let (store, o) = open(py, memory_id)?;
    let v = store.encode_value(py, &o, entry)?;
    log(&o).append(&v).map_err(|e| {
        PyMemoryError::new_err(format!(
            "{}: the entry could not be appended: {e:?}",
            label(&o.decl)
        ))
    })
}

/// The entry at `index`; `None` past the end.
#[pyfunction]
fn stable_log_get<'py>(py: Python<'py>, memory_id: i64, index: u64) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let v = log(&o).get(index);
    store.decode_opt(py, &o, v)
}

/// The entries at `start..stop` (clamped to the log), in order.
#[pyfunction]
fn stable_log_slice<'py>(
    py: Python<'py>,
    memory_id: i64,
    start: u64,
    stop: u64,
) -> PyResult<Bound<'py, PyList>> {
    let (store, o) = open(py, memory_id)?;
    let log = log(&o);
    let raw: Vec<Vec<u8>> = (start..stop.min(log.len()))
        .filter_map(|i| log.get(i))
        .collect();
    store.values(py, &o, raw)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable_log_append, m)?)?;
    m.add_function(wrap_pyfunction!(stable_log_get, m)?)?;
    m.add_function(wrap_pyfunction!(stable_log_slice, m)?)?;
    Ok(())
}
