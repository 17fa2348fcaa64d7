//! `StableCell`'s functions of `_kybra_ic` (`stable_cell_*`): get and set. Promises: the
//! cell always holds a value of its type (the declaration's `initial` until the first
//! `set`); a refused value (wrong type, too large) leaves the old one.

use std::cell::RefCell;
use std::rc::Rc;

use pyo3::prelude::*;

use super::store::{open_of, Data, Mem, Open, Store};
use ic_stable_structures::Cell;

fn cell(o: &Open) -> &RefCell<Cell<Vec<u8>, Mem>> {
    match &o.data {
        Data::Cell(c) => c,
        _ => unreachable!("open_of checked the kind"),
    }
}

fn open(py: Python<'_>, memory_id: i64) -> PyResult<(Rc<Store>, Rc<Open>)> {
    open_of(py, memory_id, "StableCell")
}

/// The cell's value.
#[pyfunction]
fn stable_cell_get<'py>(py: Python<'py>, memory_id: i64) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let v = cell(&o).borrow().get().clone();
    store.decode_value(py, &o, &v)
}

/// Sets the cell's value; the previous one.
#[pyfunction]
fn stable_cell_set<'py>(
    py: Python<'py>,
    memory_id: i64,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let v = store.encode_value(py, &o, value)?;
    let old = cell(&o).borrow_mut().set(v);
    store.decode_value(py, &o, &old)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable_cell_get, m)?)?;
    m.add_function(wrap_pyfunction!(stable_cell_set, m)?)?;
    Ok(())
}
