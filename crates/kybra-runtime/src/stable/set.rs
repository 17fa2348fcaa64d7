//! `StableBTreeSet`'s functions of `_kybra_ic` (`stable_set_*`): add, remove, contains,
//! ranges, pops and clear over the set's encoded elements, so every listing follows the
//! order of iteration.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::store::{label, open_of, Data, Mem, Open, Store};
use ic_stable_structures::BTreeMap;

pub(super) fn set(o: &Open) -> &RefCell<BTreeMap<Vec<u8>, (), Mem>> {
    match &o.data {
        Data::Set(s) => s,
        _ => unreachable!("open_of checked the kind"),
    }
}

fn open(py: Python<'_>, memory_id: i64) -> PyResult<(Rc<Store>, Rc<Open>)> {
    open_of(py, memory_id, "StableBTreeSet")
}

/// Adds `element`; whether it was new. Nothing is written for a refused element.
#[pyfunction]
fn stable_set_insert(py: Python<'_>, memory_id: i64, element: &Bound<'_, PyAny>) -> PyResult<bool> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, element)?;
    store.check_size(py, &o, &k, true)?;
    let new = set(&o).borrow_mut().insert(k, ()).is_none();
    Ok(new)
}

/// Removes `element`; whether it was there.
#[pyfunction]
fn stable_set_remove(py: Python<'_>, memory_id: i64, element: &Bound<'_, PyAny>) -> PyResult<bool> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, element)?;
    let was = set(&o).borrow_mut().remove(&k).is_some();
    Ok(was)
}

#[pyfunction]
fn stable_set_contains(
    py: Python<'_>,
    memory_id: i64,
    element: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, element)?;
    let found = set(&o).borrow().contains_key(&k);
    Ok(found)
}

pub(super) fn elements<'py>(
    py: Python<'py>,
    store: &Store,
    o: &Open,
    raw: Vec<Vec<u8>>,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for k in raw {
        out.append(store.decode_key(py, o, &k)?)?;
    }
    Ok(out)
}

/// Removes every element.
#[pyfunction]
fn stable_set_clear(py: Python<'_>, memory_id: i64) -> PyResult<()> {
    let (_, o) = open(py, memory_id)?;
    set(&o).borrow_mut().clear_new();
    Ok(())
}

/// The elements of `op` ("union", "intersection", "difference",
/// "symmetric_difference") of the set at `memory_id` and the one at `other`, in order.
/// The sets must have the same element type (`TypeError` otherwise).
#[pyfunction]
fn stable_set_combine<'py>(
    py: Python<'py>,
    memory_id: i64,
    other: i64,
    op: &str,
) -> PyResult<Bound<'py, PyList>> {
    let (store, a) = open(py, memory_id)?;
    let (_, b) = open(py, other)?;
    if store.schema.show(a.key_t) != store.schema.show(b.key_t) {
        return Err(PyTypeError::new_err(format!(
            "{}.{op}: {} holds {}, not {} — the sets must have the same element type",
            label(&a.decl),
            label(&b.decl),
            store.schema.show(b.key_t),
            store.schema.show(a.key_t)
        )));
    }
    let (keep_a, keep_b, keep_both) = match op {
        "union" => (true, true, true),
        "intersection" => (false, false, true),
        "difference" => (true, false, false),
        "symmetric_difference" => (true, true, false),
        _ => return Err(PyValueError::new_err(format!("no set operation {op:?}"))),
    };
    let raw = {
        let (sa, sb) = (set(&a).borrow(), set(&b).borrow());
        let (mut ia, mut ib) = (sa.keys().peekable(), sb.keys().peekable());
        let mut out = Vec::new();
        loop {
            let next = match (ia.peek(), ib.peek()) {
                (None, None) => break,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some(x), Some(y)) => x.cmp(y),
            };
            match next {
                Ordering::Less => out.extend(ia.next().filter(|_| keep_a)),
                Ordering::Greater => out.extend(ib.next().filter(|_| keep_b)),
                Ordering::Equal => {
                    ib.next();
                    out.extend(ia.next().filter(|_| keep_both));
                }
            }
        }
        out
    };
    elements(py, &store, &a, raw)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable_set_insert, m)?)?;
    m.add_function(wrap_pyfunction!(stable_set_remove, m)?)?;
    m.add_function(wrap_pyfunction!(stable_set_contains, m)?)?;
    m.add_function(wrap_pyfunction!(stable_set_clear, m)?)?;
    m.add_function(wrap_pyfunction!(stable_set_combine, m)?)?;
    Ok(())
}
