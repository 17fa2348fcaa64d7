//! `StableBTreeMap`'s functions of `_kybra_ic` (`stable_map_*`): get, insert, remove,
//! listing and pops over the map's encoded keys, so every listing follows the order of
//! iteration (its ranges are `stable_slice`, in [`super::slice`]).

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::store::{open_of, Data, Mem, Open, Store};
use ic_stable_structures::BTreeMap;

pub(super) fn map(o: &Open) -> &std::cell::RefCell<BTreeMap<Vec<u8>, Vec<u8>, Mem>> {
    match &o.data {
        Data::Map(m) => m,
        _ => unreachable!("open_of checked the kind"),
    }
}

fn open(py: Python<'_>, memory_id: i64) -> PyResult<(std::rc::Rc<Store>, std::rc::Rc<Open>)> {
    open_of(py, memory_id, "StableBTreeMap")
}

#[pyfunction]
fn stable_map_contains_key(
    py: Python<'_>,
    memory_id: i64,
    key: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, key)?;
    let found = map(&o).borrow().contains_key(&k);
    Ok(found)
}

#[pyfunction]
fn stable_map_get<'py>(
    py: Python<'py>,
    memory_id: i64,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, key)?;
    let v = map(&o).borrow().get(&k);
    store.decode_opt(py, &o, v)
}

#[pyfunction]
fn stable_map_insert<'py>(
    py: Python<'py>,
    memory_id: i64,
    key: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, key)?;
    let v = store.encode(py, &o, o.value_t, &o.value_header, value, "value")?;
    store.check_size(py, &o, &k, true)?;
    store.check_size(py, &o, &v, false)?;
    let previous = map(&o).borrow_mut().insert(k, v);
    store.decode_opt(py, &o, previous)
}

#[pyfunction]
fn stable_map_remove<'py>(
    py: Python<'py>,
    memory_id: i64,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, key)?;
    let previous = map(&o).borrow_mut().remove(&k);
    store.decode_opt(py, &o, previous)
}

/// What to list of each entry.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Part {
    Keys,
    Values,
    Items,
}

/// Each raw entry's part as Python objects (the raw entries are copied out of the map
/// first, so no borrow of it is held while Python objects are built).
pub(super) fn build<'py>(
    py: Python<'py>,
    store: &Store,
    o: &Open,
    raw: Vec<(Vec<u8>, Vec<u8>)>,
    part: Part,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (k, v) in raw {
        let item = match part {
            Part::Keys => store.decode_key(py, o, &k)?,
            Part::Values => store.decode_value(py, o, &v)?,
            Part::Items => {
                let key = store.decode_key(py, o, &k)?;
                let value = store.decode_value(py, o, &v)?;
                PyTuple::new(py, [key, value])?.into_any()
            }
        };
        out.append(item)?;
    }
    Ok(out)
}

/// Every entry's part, in key order.
fn list<'py>(py: Python<'py>, memory_id: i64, part: Part) -> PyResult<Bound<'py, PyList>> {
    let (store, o) = open(py, memory_id)?;
    let raw: Vec<(Vec<u8>, Vec<u8>)> = {
        let map = map(&o).borrow();
        match part {
            Part::Keys => map.keys().map(|k| (k, Vec::new())).collect(),
            Part::Values => map.values().map(|v| (Vec::new(), v)).collect(),
            Part::Items => map.iter().map(|e| e.into_pair()).collect(),
        }
    };
    build(py, &store, &o, raw, part)
}

#[pyfunction]
fn stable_map_keys<'py>(py: Python<'py>, memory_id: i64) -> PyResult<Bound<'py, PyList>> {
    list(py, memory_id, Part::Keys)
}

#[pyfunction]
fn stable_map_values<'py>(py: Python<'py>, memory_id: i64) -> PyResult<Bound<'py, PyList>> {
    list(py, memory_id, Part::Values)
}

#[pyfunction]
fn stable_map_items<'py>(py: Python<'py>, memory_id: i64) -> PyResult<Bound<'py, PyList>> {
    list(py, memory_id, Part::Items)
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable_map_contains_key, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_get, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_insert, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_remove, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_keys, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_values, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_items, m)?)?;
    Ok(())
}
