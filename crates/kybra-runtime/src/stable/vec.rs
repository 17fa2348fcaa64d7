//! `StableVec`'s functions of `_kybra_ic` (`stable_vec_*`): push, pop, get, set and
//! slices. Promises: the elements are the map's entries 0..len, dense; `set` past the end
//! raises `IndexError` and writes nothing (negative indices are the Python class's job).

use std::cell::RefCell;
use std::rc::Rc;

use pyo3::exceptions::PyIndexError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::store::{label, open_of, Data, Mem, Open, Store};
use ic_stable_structures::BTreeMap;

fn vec(o: &Open) -> &RefCell<BTreeMap<u64, Vec<u8>, Mem>> {
    match &o.data {
        Data::Vec(v) => v,
        _ => unreachable!("open_of checked the kind"),
    }
}

fn open(py: Python<'_>, memory_id: i64) -> PyResult<(Rc<Store>, Rc<Open>)> {
    open_of(py, memory_id, "StableVec")
}

/// Appends `element`.
#[pyfunction]
fn stable_vec_push(py: Python<'_>, memory_id: i64, element: &Bound<'_, PyAny>) -> PyResult<()> {
    let (store, o) = open(py, memory_id)?;
    let v = store.encode_value(py, &o, element)?;
    let mut vec = vec(&o).borrow_mut();
    let len = vec.len();
    vec.insert(len, v);
    Ok(())
}

/// Removes and returns the last element; `None` when empty.
#[pyfunction]
fn stable_vec_pop<'py>(py: Python<'py>, memory_id: i64) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let popped = vec(&o).borrow_mut().pop_last().map(|(_, v)| v);
    store.decode_opt(py, &o, popped)
}

/// The element at `index`; `None` past the end.
#[pyfunction]
fn stable_vec_get<'py>(py: Python<'py>, memory_id: i64, index: u64) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let v = vec(&o).borrow().get(&index);
    store.decode_opt(py, &o, v)
}

/// Replaces the element at `index` (`IndexError` past the end).
#[pyfunction]
fn stable_vec_set(
    py: Python<'_>,
    memory_id: i64,
    index: u64,
    element: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let (store, o) = open(py, memory_id)?;
    let len = vec(&o).borrow().len();
    if index >= len {
        return Err(PyIndexError::new_err(format!(
            "{}: index {index} is out of range (the vec has {len} elements)",
            label(&o.decl)
        )));
    }
    let v = store.encode_value(py, &o, element)?;
    vec(&o).borrow_mut().insert(index, v);
    Ok(())
}

/// The elements at `start..stop` (clamped to the vec), in order.
#[pyfunction]
fn stable_vec_slice<'py>(
    py: Python<'py>,
    memory_id: i64,
    start: u64,
    stop: u64,
) -> PyResult<Bound<'py, PyList>> {
    let (store, o) = open(py, memory_id)?;
    let raw: Vec<Vec<u8>> = if start >= stop {
        Vec::new()
    } else {
        vec(&o)
            .borrow()
            .range(start..stop)
            .map(|e| e.value())
            .collect()
    };
    store.values(py, &o, raw)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable_vec_push, m)?)?;
    m.add_function(wrap_pyfunction!(stable_vec_pop, m)?)?;
    m.add_function(wrap_pyfunction!(stable_vec_get, m)?)?;
    m.add_function(wrap_pyfunction!(stable_vec_set, m)?)?;
    m.add_function(wrap_pyfunction!(stable_vec_slice, m)?)?;
    Ok(())
}
