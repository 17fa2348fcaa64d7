//! What maps and sets share in `_kybra_ic`: `stable_slice`, the entries of a
//! `StableBTreeMap` (as (key, value) pairs) or the elements of a `StableBTreeSet` between
//! two bounds, in order or reversed, at most a limit of them (what their `range`, paging,
//! `first` and `last` read); and `stable_pop`, their `pop_first`/`pop_last`.
//!
//! Promises: bounds are keys (elements) of the structure's type (else `TypeError`); a bound
//! that is `None` is open; a range whose start lies after its end is empty; the entries are
//! copied out before any Python object is built, so no borrow of the structure is held.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::map::{build, map, Part};
use super::set::{elements, set};
use super::store::{bounds, label, store, take, Data};

/// The entries (map) or elements (set) of the structure at `memory_id` whose keys lie
/// between `start` and `end` (each bound's key itself is in when its `*_inclusive` is
/// set), in key order or reversed (`reverse`), at most `limit` of them.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(super) fn stable_slice<'py>(
    py: Python<'py>,
    memory_id: i64,
    start: Option<Bound<'py, PyAny>>,
    start_inclusive: bool,
    end: Option<Bound<'py, PyAny>>,
    end_inclusive: bool,
    reverse: bool,
    limit: Option<u64>,
) -> PyResult<Bound<'py, PyList>> {
    let store = store(py)?;
    let o = store.get(memory_id)?;
    let range = bounds(
        py,
        &store,
        &o,
        (start, start_inclusive),
        (end, end_inclusive),
    )?
    .filter(|_| limit != Some(0));
    match &o.data {
        Data::Map(_) => {
            let raw = match range {
                None => Vec::new(),
                Some(r) => take(
                    map(&o).borrow().range(r).map(|e| e.into_pair()),
                    reverse,
                    limit,
                ),
            };
            build(py, &store, &o, raw, Part::Items)
        }
        Data::Set(_) => {
            let raw = match range {
                None => Vec::new(),
                Some(r) => take(
                    set(&o).borrow().range(r).map(|e| e.key().clone()),
                    reverse,
                    limit,
                ),
            };
            elements(py, &store, &o, raw)
        }
        _ => Err(PyTypeError::new_err(format!(
            "{} has no key order to take a range of",
            label(&o.decl)
        ))),
    }
}

/// Removes the entry (map: a (key, value) pair) or element (set) with the smallest key
/// (`last`: the largest) and returns it; `None` when the structure is empty.
#[pyfunction]
pub(super) fn stable_pop<'py>(
    py: Python<'py>,
    memory_id: i64,
    last: bool,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let store = store(py)?;
    let o = store.get(memory_id)?;
    match &o.data {
        Data::Map(_) => {
            let popped = {
                let mut m = map(&o).borrow_mut();
                if last {
                    m.pop_last()
                } else {
                    m.pop_first()
                }
            };
            popped
                .map(|entry| build(py, &store, &o, vec![entry], Part::Items)?.get_item(0))
                .transpose()
        }
        Data::Set(_) => {
            let popped = {
                let mut s = set(&o).borrow_mut();
                if last {
                    s.pop_last()
                } else {
                    s.pop_first()
                }
            };
            popped
                .map(|(k, ())| store.decode_key(py, &o, &k))
                .transpose()
        }
        _ => Err(PyTypeError::new_err(format!(
            "{} has no key order to pop from",
            label(&o.decl)
        ))),
    }
}
