//! `StableMinHeap`'s functions of `_kybra_ic` (`stable_heap_*`): push, pop, peek, pages
//! in order, clear. Promises: elements come out smallest first, in the order of the key
//! encoding (as a StableBTreeMap's keys), equal elements in the order they were pushed;
//! each push and pop costs O(log n).

use std::cell::RefCell;
use std::ops::Bound as B;
use std::rc::Rc;

use kybra_codec::key::{heap_entry, heap_key, heap_prefix};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};

use super::store::{label, open_of, Data, Mem, Open, Store};
use ic_stable_structures::BTreeMap;

fn heap(o: &Open) -> &RefCell<BTreeMap<Vec<u8>, (), Mem>> {
    match &o.data {
        Data::Heap(h) => h,
        _ => unreachable!("open_of checked the kind"),
    }
}

fn open(py: Python<'_>, memory_id: i64) -> PyResult<(Rc<Store>, Rc<Open>)> {
    open_of(py, memory_id, "StableMinHeap")
}

/// The element of a stored entry.
fn element<'py>(
    py: Python<'py>,
    store: &Store,
    o: &Open,
    entry: &[u8],
) -> PyResult<Bound<'py, PyAny>> {
    let (key, _) = heap_key(entry).ok_or_else(|| {
        PyValueError::new_err(format!(
            "{}: a stored entry is damaged ({} bytes)",
            label(&o.decl),
            entry.len()
        ))
    })?;
    store.decode_key(py, o, &key)
}

/// Adds `element`.
#[pyfunction]
fn stable_heap_push(py: Python<'_>, memory_id: i64, element: &Bound<'_, PyAny>) -> PyResult<()> {
    let (store, o) = open(py, memory_id)?;
    let k = store.encode_key(py, &o, element)?;
    store.check_size(py, &o, &k, true)?;
    let mut heap = heap(&o).borrow_mut();
    let prefix = heap_prefix(&k);
    let mut last = prefix.clone();
    last.extend_from_slice(&[0xFF; 8]);
    let n = match heap.range(prefix..=last).next_back() {
        Some(e) => heap_key(e.key()).map_or(0, |(_, n)| n.saturating_add(1)),
        None => 0,
    };
    heap.insert(heap_entry(&k, n), ());
    Ok(())
}

/// Removes and returns the smallest element (`peek`: only returns it); `None` when empty.
fn first<'py>(
    py: Python<'py>,
    memory_id: i64,
    remove: bool,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let (store, o) = open(py, memory_id)?;
    let entry = if remove {
        heap(&o).borrow_mut().pop_first().map(|(k, ())| k)
    } else {
        heap(&o).borrow().first_key_value().map(|(k, ())| k)
    };
    entry.map(|e| element(py, &store, &o, &e)).transpose()
}

#[pyfunction]
fn stable_heap_pop<'py>(py: Python<'py>, memory_id: i64) -> PyResult<Option<Bound<'py, PyAny>>> {
    first(py, memory_id, true)
}

#[pyfunction]
fn stable_heap_peek<'py>(py: Python<'py>, memory_id: i64) -> PyResult<Option<Bound<'py, PyAny>>> {
    first(py, memory_id, false)
}

/// At most `limit` elements in order, after the entry `after` (an opaque cursor: `None`
/// from the start); returns them and the cursor of the last one.
#[pyfunction]
fn stable_heap_page<'py>(
    py: Python<'py>,
    memory_id: i64,
    after: Option<Vec<u8>>,
    limit: u64,
) -> PyResult<(Bound<'py, PyList>, Option<Bound<'py, PyBytes>>)> {
    let (store, o) = open(py, memory_id)?;
    let lo = after.map_or(B::Unbounded, B::Excluded);
    let entries: Vec<Vec<u8>> = heap(&o)
        .borrow()
        .range((lo, B::Unbounded))
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|e| e.key().clone())
        .collect();
    let out = PyList::empty(py);
    for e in &entries {
        out.append(element(py, &store, &o, e)?)?;
    }
    Ok((out, entries.last().map(|e| PyBytes::new(py, e))))
}

/// Removes every element.
#[pyfunction]
fn stable_heap_clear(py: Python<'_>, memory_id: i64) -> PyResult<()> {
    let (_, o) = open(py, memory_id)?;
    heap(&o).borrow_mut().clear_new();
    Ok(())
}

pub(super) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable_heap_push, m)?)?;
    m.add_function(wrap_pyfunction!(stable_heap_pop, m)?)?;
    m.add_function(wrap_pyfunction!(stable_heap_peek, m)?)?;
    m.add_function(wrap_pyfunction!(stable_heap_page, m)?)?;
    m.add_function(wrap_pyfunction!(stable_heap_clear, m)?)?;
    Ok(())
}
