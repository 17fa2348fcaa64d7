//! `StableBTreeMap` (`python/kybra/_stable.py`) on `ic-stable-structures`: one
//! `MemoryManager` over the canister's stable memory, one `BTreeMap<bytes, bytes>` per
//! declared memory id, opened when the module-level declaration runs (at install and
//! after every upgrade, from the payload's `stable_maps`).
//!
//! Promises:
//! - keys are stored in the order-preserving encoding of [`key`]; values as Candid (the
//!   `DIDL` header and the value, as the methods' replies), decoded with Candid subtyping,
//!   so a value type may evolve compatibly (e.g. gain `opt` fields) across upgrades;
//! - `insert` refuses (`KeyTooLargeError` / `ValueTooLargeError`, nothing written) a key or
//!   value whose encoding is longer than the declared maximum; the unbounded form has none;
//! - a key or value that is not of the declared type raises `TypeError` naming the map,
//!   the path, what was expected and what was given; nothing traps;
//! - the memory manager takes all of stable memory: opening refuses (RuntimeError) memory
//!   that holds something else (data written with `ic.stable_write`), instead of wiping it,
//!   and [`open_memory_ids`] tells the raw API to refuse writes while maps are open;
//! - ranges, paging and `pop_first`/`pop_last` work on the stored (encoded) keys, so they
//!   follow the same order as iteration; a range whose start lies after its end is empty;
//! - Kybra stores nothing of its own in the manager: memory ids 0..=254 are all the user's.

mod key;

use std::cell::RefCell;
use std::collections::BTreeMap as StdMap;
use std::rc::Rc;

use ic_stable_structures::memory_manager::{MemoryId, MemoryManager, VirtualMemory};
use ic_stable_structures::{BTreeMap, DefaultMemoryImpl};
use kybra_interface::{Method, MethodKind, Param, Payload, StableMap};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::decode::{decode_args, Classes, Fail};
use crate::encode::encode_reply;
use crate::schema::Schema;
use crate::types::{Entry, NAT8, T};
use key::KeyCodec;

type Mem = VirtualMemory<DefaultMemoryImpl>;

struct OpenMap {
    decl: StableMap,
    map: RefCell<BTreeMap<Vec<u8>, Vec<u8>, Mem>>,
    key_t: T,
    value_t: T,
    codec: KeyCodec,
    key_header: Vec<u8>,
    value_header: Vec<u8>,
}

struct Store {
    manager: MemoryManager<DefaultMemoryImpl>,
    decls: Vec<StableMap>,
    schema: Schema,
    /// Per declaration: (key type, value type).
    types: Vec<(T, T)>,
    principal: Option<Py<PyAny>>,
    service: Option<Py<PyAny>>,
    maps: RefCell<StdMap<u8, Rc<OpenMap>>>,
}

thread_local! {
    static STORE: RefCell<Option<Rc<Store>>> = const { RefCell::new(None) };
}

/// The memory ids of the maps open in this instance (empty: stable memory is free).
pub fn open_memory_ids() -> Vec<u8> {
    STORE.with_borrow(|s| {
        s.as_ref()
            .map(|s| s.maps.borrow().keys().copied().collect())
            .unwrap_or_default()
    })
}

fn name(id: u8) -> String {
    format!("StableBTreeMap(memory_id={id})")
}

/// The store, created on first use from the payload's declarations.
fn store(py: Python<'_>) -> PyResult<Rc<Store>> {
    if let Some(s) = STORE.with_borrow(|s| s.clone()) {
        return Ok(s);
    }
    let payload = crate::payload::read();
    let decls = payload.stable_maps.clone();
    let size = ic_cdk::stable::stable_size();
    if size > 0 {
        let mut magic = [0u8; 3];
        ic_cdk::stable::stable_read(0, &mut magic);
        if &magic != b"MGR" {
            return Err(PyRuntimeError::new_err(format!(
                "kybra: stable memory ({size} pages) holds data that is not a StableBTreeMap store (written with ic.stable_write?); \
                 opening a StableBTreeMap would overwrite it — keep raw stable memory and StableBTreeMaps in different canisters"
            )));
        }
    }
    let methods = decls
        .iter()
        .map(|d| Method {
            name: name(d.memory_id),
            module: String::new(),
            function: String::new(),
            kind: MethodKind::Query,
            params: vec![
                Param {
                    name: "key".into(),
                    ty: d.key.clone(),
                },
                Param {
                    name: "value".into(),
                    ty: d.value.clone(),
                },
            ],
            returns: Vec::new(),
            guard: None,
            manual_reply: false,
        })
        .collect();
    // Only the types the maps use: the module declaring the first map is still being
    // imported, so a class defined further down (a `Service` called through) is not there yet.
    let used = payload.reachable_types(decls.iter().flat_map(|d| [&d.key, &d.value]));
    let types = payload
        .types
        .iter()
        .filter(|t| used.contains(&t.name))
        .cloned()
        .collect();
    let types_payload = Payload {
        methods,
        types,
        modules: Vec::new(),
        stable_maps: Vec::new(),
        site_packages: Vec::new(),
        ..payload
    };
    let (schema, sigs) = Schema::build(py, &types_payload)
        .map_err(|e| PyTypeError::new_err(format!("kybra: {e}")))?;
    let types = sigs.iter().map(|(p, _)| (p[0], p[1])).collect();
    let principal = py
        .import("kybra.principal")
        .and_then(|m| m.getattr("Principal"))
        .ok()
        .map(Bound::unbind);
    let service = py
        .import("kybra")
        .and_then(|m| m.getattr("Service"))
        .ok()
        .map(Bound::unbind);
    let store = Rc::new(Store {
        manager: MemoryManager::init(DefaultMemoryImpl::default()),
        decls,
        schema,
        types,
        principal,
        service,
        maps: RefCell::new(StdMap::new()),
    });
    STORE.with_borrow_mut(|s| *s = Some(store.clone()));
    Ok(store)
}

impl Store {
    fn classes<'py>(&self, py: Python<'py>) -> Classes<'py> {
        Classes {
            principal: self.principal.as_ref().map(|c| c.bind(py).clone()),
            service: self.service.as_ref().map(|c| c.bind(py).clone()),
        }
    }

    fn map(&self, id: i64) -> PyResult<Rc<OpenMap>> {
        u8::try_from(id).ok().and_then(|id| self.maps.borrow().get(&id).cloned()).ok_or_else(|| {
            PyValueError::new_err(format!(
                "StableBTreeMap(memory_id={id}) is not open — declare it at module level (`m = StableBTreeMap[K, V](memory_id={id}, ...)`)"
            ))
        })
    }

    fn encode_key(&self, py: Python<'_>, m: &OpenMap, obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
        if let KeyCodec::Candid = m.codec {
            return self.encode(py, m, m.key_t, &m.key_header, obj, "key");
        }
        key::encode(m.codec, obj).map_err(|detail| {
            let found = obj
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            let repr = obj.repr().map(|r| r.to_string()).unwrap_or_default();
            let repr: String = repr.chars().take(40).collect();
            let detail = if detail.is_empty() {
                String::new()
            } else {
                format!(" ({detail})")
            };
            PyTypeError::new_err(format!(
                "{}: the key must be a {}, got {found} {repr}{detail}",
                name(m.decl.memory_id),
                self.schema.show(m.key_t)
            ))
        })
    }

    fn encode(
        &self,
        py: Python<'_>,
        m: &OpenMap,
        t: T,
        header: &[u8],
        obj: &Bound<'_, PyAny>,
        what: &str,
    ) -> PyResult<Vec<u8>> {
        encode_reply(&self.schema, &self.classes(py), &[t], header, obj).map_err(|e| {
            PyTypeError::new_err(format!(
                "{}: the {what} is not of the map's {what} type: {}: expected {}, got {}",
                name(m.decl.memory_id),
                e.location(what),
                e.expected,
                e.found
            ))
        })
    }

    fn decode<'py>(
        &self,
        py: Python<'py>,
        m: &OpenMap,
        t: T,
        bytes: &[u8],
        what: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        match decode_args(py, &self.schema, &self.classes(py), &[t], bytes) {
            Ok(mut v) => Ok(v.remove(0)),
            Err(Fail::Python(e)) => Err(e),
            Err(Fail::Reject { path, message, .. }) => Err(PyValueError::new_err(format!(
                "{}: a stored {what} does not fit the declared {what} type {} (was the type changed incompatibly?): {what}{}: {message}",
                name(m.decl.memory_id),
                self.schema.show(t),
                path.concat()
            ))),
        }
    }

    fn decode_key<'py>(
        &self,
        py: Python<'py>,
        m: &OpenMap,
        bytes: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        match m.codec {
            KeyCodec::Candid => self.decode(py, m, m.key_t, bytes, "key"),
            codec => key::decode(
                py,
                codec,
                bytes,
                self.principal.as_ref().map(|p| p.bind(py)),
            ),
        }
    }

    fn decode_opt<'py>(
        &self,
        py: Python<'py>,
        m: &OpenMap,
        bytes: Option<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match bytes {
            Some(b) => self.decode(py, m, m.value_t, &b, "value"),
            None => Ok(py.None().into_bound(py)),
        }
    }
}

fn too_large(py: Python<'_>, class: &str, id: u8, given: usize, max: u32) -> PyErr {
    match py
        .import("kybra._stable")
        .and_then(|m| m.getattr(class))
        .and_then(|c| c.call1((id, given, max)))
    {
        Ok(e) => PyErr::from_value(e),
        Err(e) => e,
    }
}

/// Opens the map declared with `memory_id` (again: a no-op); the sizes must be the
/// declaration's.
#[pyfunction]
fn stable_map_open(
    py: Python<'_>,
    memory_id: i64,
    max_key_size: Option<u32>,
    max_value_size: Option<u32>,
) -> PyResult<()> {
    let store = store(py)?;
    let Some(index) = store
        .decls
        .iter()
        .position(|d| i64::from(d.memory_id) == memory_id)
    else {
        let ids: Vec<u8> = store.decls.iter().map(|d| d.memory_id).collect();
        return Err(PyValueError::new_err(format!(
            "StableBTreeMap(memory_id={memory_id}) was not declared at module level with literal numbers (the compiler found memory ids {ids:?}) \
             — write `name = StableBTreeMap[K, V](memory_id={memory_id}, max_key_size=..., max_value_size=...)` at the top level of a module"
        )));
    };
    let decl = &store.decls[index];
    if (decl.max_key_size, decl.max_value_size) != (max_key_size, max_value_size) {
        return Err(PyValueError::new_err(format!(
            "{}: max_key_size={max_key_size:?}, max_value_size={max_value_size:?} differ from its declaration (max_key_size={:?}, max_value_size={:?}) \
             — each memory id has one StableBTreeMap",
            name(decl.memory_id),
            decl.max_key_size,
            decl.max_value_size
        )));
    }
    if store.maps.borrow().contains_key(&decl.memory_id) {
        return Ok(());
    }
    let (key_t, value_t) = store.types[index];
    let is_blob = matches!(store.schema.table.entry(key_t), Some(Entry::Vec(t)) if *t == NAT8);
    let mut key_header = Vec::new();
    store.schema.table.write_header(&[key_t], &mut key_header);
    let mut value_header = Vec::new();
    store
        .schema
        .table
        .write_header(&[value_t], &mut value_header);
    let map = BTreeMap::init(store.manager.get(MemoryId::new(decl.memory_id)));
    let open = OpenMap {
        decl: decl.clone(),
        map: RefCell::new(map),
        key_t,
        value_t,
        codec: KeyCodec::of(key_t, is_blob),
        key_header,
        value_header,
    };
    store
        .maps
        .borrow_mut()
        .insert(decl.memory_id, Rc::new(open));
    Ok(())
}

#[pyfunction]
fn stable_map_contains_key(
    py: Python<'_>,
    memory_id: i64,
    key: &Bound<'_, PyAny>,
) -> PyResult<bool> {
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let k = store.encode_key(py, &m, key)?;
    let found = m.map.borrow().contains_key(&k);
    Ok(found)
}

#[pyfunction]
fn stable_map_get<'py>(
    py: Python<'py>,
    memory_id: i64,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let k = store.encode_key(py, &m, key)?;
    let v = m.map.borrow().get(&k);
    store.decode_opt(py, &m, v)
}

#[pyfunction]
fn stable_map_insert<'py>(
    py: Python<'py>,
    memory_id: i64,
    key: &Bound<'py, PyAny>,
    value: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let k = store.encode_key(py, &m, key)?;
    let v = store.encode(py, &m, m.value_t, &m.value_header, value, "value")?;
    let id = m.decl.memory_id;
    if let Some(max) = m.decl.max_key_size.filter(|max| k.len() > *max as usize) {
        return Err(too_large(py, "KeyTooLargeError", id, k.len(), max));
    }
    if let Some(max) = m.decl.max_value_size.filter(|max| v.len() > *max as usize) {
        return Err(too_large(py, "ValueTooLargeError", id, v.len(), max));
    }
    let previous = m.map.borrow_mut().insert(k, v);
    store.decode_opt(py, &m, previous)
}

#[pyfunction]
fn stable_map_remove<'py>(
    py: Python<'py>,
    memory_id: i64,
    key: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let k = store.encode_key(py, &m, key)?;
    let previous = m.map.borrow_mut().remove(&k);
    store.decode_opt(py, &m, previous)
}

#[pyfunction]
fn stable_map_len(py: Python<'_>, memory_id: i64) -> PyResult<u64> {
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let len = m.map.borrow().len();
    Ok(len)
}

/// What to list of each entry.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Keys,
    Values,
    Items,
}

/// Each raw entry's part as Python objects (the raw entries are copied out of the map
/// first, so no borrow of it is held while Python objects are built).
fn build<'py>(
    py: Python<'py>,
    store: &Store,
    m: &OpenMap,
    raw: Vec<(Vec<u8>, Vec<u8>)>,
    part: Part,
) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (k, v) in raw {
        let item = match part {
            Part::Keys => store.decode_key(py, m, &k)?,
            Part::Values => store.decode(py, m, m.value_t, &v, "value")?,
            Part::Items => {
                let key = store.decode_key(py, m, &k)?;
                let value = store.decode(py, m, m.value_t, &v, "value")?;
                PyTuple::new(py, [key, value])?.into_any()
            }
        };
        out.append(item)?;
    }
    Ok(out)
}

/// Every entry's part, in key order.
fn list<'py>(py: Python<'py>, memory_id: i64, part: Part) -> PyResult<Bound<'py, PyList>> {
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let raw: Vec<(Vec<u8>, Vec<u8>)> = {
        let map = m.map.borrow();
        match part {
            Part::Keys => map.keys().map(|k| (k, Vec::new())).collect(),
            Part::Values => map.values().map(|v| (Vec::new(), v)).collect(),
            Part::Items => map.iter().map(|e| e.into_pair()).collect(),
        }
    };
    build(py, &store, &m, raw, part)
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

/// The (key, value) pairs whose keys lie between `start` and `end` (`None`: open; each
/// bound's key itself is in when its `*_inclusive` is set), in key order or reversed, at
/// most `limit` of them. Bounds are keys of the map's type (else `TypeError`); a range
/// whose start lies after its end is empty.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn stable_map_slice<'py>(
    py: Python<'py>,
    memory_id: i64,
    start: Option<Bound<'py, PyAny>>,
    start_inclusive: bool,
    end: Option<Bound<'py, PyAny>>,
    end_inclusive: bool,
    reverse: bool,
    limit: Option<u64>,
) -> PyResult<Bound<'py, PyList>> {
    use std::ops::Bound as B;
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let bound = |key: Option<Bound<'py, PyAny>>, inclusive: bool| -> PyResult<B<Vec<u8>>> {
        Ok(match key {
            None => B::Unbounded,
            Some(k) if inclusive => B::Included(store.encode_key(py, &m, &k)?),
            Some(k) => B::Excluded(store.encode_key(py, &m, &k)?),
        })
    };
    let (lo, hi) = (bound(start, start_inclusive)?, bound(end, end_inclusive)?);
    let empty = match (&lo, &hi) {
        (B::Included(a), B::Included(b)) => a > b,
        (B::Included(a) | B::Excluded(a), B::Included(b) | B::Excluded(b)) => a >= b,
        _ => false,
    };
    let limit = usize::try_from(limit.unwrap_or(u64::MAX)).unwrap_or(usize::MAX);
    let raw: Vec<(Vec<u8>, Vec<u8>)> = if empty || limit == 0 {
        Vec::new()
    } else {
        let map = m.map.borrow();
        let range = map.range((lo, hi));
        if reverse {
            range.rev().take(limit).map(|e| e.into_pair()).collect()
        } else {
            range.take(limit).map(|e| e.into_pair()).collect()
        }
    };
    build(py, &store, &m, raw, Part::Items)
}

/// Removes the entry with the smallest key (`last`: the largest); returns it as
/// (key, value), or `None` when the map is empty.
#[pyfunction]
fn stable_map_pop<'py>(
    py: Python<'py>,
    memory_id: i64,
    last: bool,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let store = store(py)?;
    let m = store.map(memory_id)?;
    let popped = {
        let mut map = m.map.borrow_mut();
        if last {
            map.pop_last()
        } else {
            map.pop_first()
        }
    };
    match popped {
        None => Ok(None),
        Some(entry) => Ok(Some(
            build(py, &store, &m, vec![entry], Part::Items)?.get_item(0)?,
        )),
    }
}

/// Adds the functions to `_kybra_ic`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(stable_map_open, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_contains_key, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_get, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_insert, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_remove, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_len, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_keys, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_values, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_items, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_slice, m)?)?;
    m.add_function(wrap_pyfunction!(stable_map_pop, m)?)?;
    Ok(())
}
