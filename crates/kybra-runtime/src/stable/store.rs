//! The store under every stable structure: the memory manager, the declarations and
//! their Candid types, the open structures by memory id, and what every kind shares
//! (opening with the magic-bytes check, encoding and decoding keys, values and elements,
//! the size limits, the bounds of ranges).
//!
//! Promises: see the parent module; the structures' Python functions are its siblings.

use std::cell::RefCell;
use std::collections::BTreeMap as StdMap;
use std::ops::Bound as B;
use std::rc::Rc;

use ic_stable_structures::{BTreeMap, Cell, Log, Memory};
use kybra_interface::{
    Method, MethodKind, Param, Payload, StableKind, StableStructure, Type as Declared,
};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::key::{self, KeyCodec};
use crate::decode::{decode_args, Classes, Fail};
use crate::encode::encode_reply;
use crate::schema::Schema;
use crate::types::{Entry, NAT8, T};

pub(super) use super::manager::Mem;

/// The data of one open structure.
pub(super) enum Data {
    Map(RefCell<BTreeMap<Vec<u8>, Vec<u8>, Mem>>),
    /// `BTreeSet`'s own layout (a `BTreeMap<K, ()>`), used as a map for reverse ranges.
    Set(RefCell<BTreeMap<Vec<u8>, (), Mem>>),
    Vec(RefCell<BTreeMap<u64, Vec<u8>, Mem>>),
    Log(Log<Vec<u8>, Mem, Mem>),
    Cell(RefCell<Cell<Vec<u8>, Mem>>),
    Heap(RefCell<BTreeMap<Vec<u8>, (), Mem>>),
}

/// One open structure: its declaration, its types and headers, its data.
pub(super) struct Open {
    pub(super) decl: StableStructure,
    pub(super) data: Data,
    /// The map's key type; the element type of the others.
    pub(super) key_t: T,
    /// The map's value type (the others: `key_t`).
    pub(super) value_t: T,
    /// How keys (map), elements (set, heap) are laid out; `Candid` for the others.
    pub(super) codec: KeyCodec,
    pub(super) key_header: Vec<u8>,
    pub(super) value_header: Vec<u8>,
}

pub(super) struct Store {
    pub(super) decls: Vec<StableStructure>,
    pub(super) schema: Schema,
    /// Per declaration: (key or element type, value type or the same).
    pub(super) types: Vec<(T, T)>,
    pub(super) principal: Option<Py<PyAny>>,
    pub(super) service: Option<Py<PyAny>>,
    pub(super) open: RefCell<StdMap<u8, Rc<Open>>>,
}

thread_local! {
    static STORE: RefCell<Option<Rc<Store>>> = const { RefCell::new(None) };
}

/// The memory ids of the structures open in this instance and of a stable file system
/// (empty: stable memory is free).
pub fn open_memory_ids() -> Vec<u8> {
    let mut ids: Vec<u8> = STORE.with_borrow(|s| {
        s.as_ref()
            .map(|s| {
                s.open
                    .borrow()
                    .values()
                    .flat_map(|o| o.decl.memory_ids())
                    .collect()
            })
            .unwrap_or_default()
    });
    ids.extend(crate::files::memory_ids());
    ids
}

/// The class name of a kind, as Python spells it.
pub(super) fn class(kind: StableKind) -> &'static str {
    match kind {
        StableKind::BTreeMap => "StableBTreeMap",
        StableKind::BTreeSet => "StableBTreeSet",
        StableKind::Vec => "StableVec",
        StableKind::Log { .. } => "StableLog",
        StableKind::Cell => "StableCell",
        StableKind::MinHeap => "StableMinHeap",
    }
}

/// How messages name a structure: `StableVec(memory_id=3)`.
pub(super) fn label(decl: &StableStructure) -> String {
    match decl.kind {
        StableKind::Log { data_memory_id } => format!(
            "StableLog(index_memory_id={}, data_memory_id={data_memory_id})",
            decl.memory_id
        ),
        kind => format!("{}(memory_id={})", class(kind), decl.memory_id),
    }
}

/// The store, created on first use from the payload's declarations.
pub(super) fn store(py: Python<'_>) -> PyResult<Rc<Store>> {
    if let Some(s) = STORE.with_borrow(|s| s.clone()) {
        return Ok(s);
    }
    let payload = crate::payload::read();
    let decls = payload.stable_structures.clone();
    // One pseudo-method per declaration, whose parameters are its types, builds the schema.
    let param = |ty: &Declared| Param {
        name: String::new(),
        ty: ty.clone(),
    };
    let methods = decls
        .iter()
        .map(|d| Method {
            name: label(d),
            module: String::new(),
            function: String::new(),
            kind: MethodKind::Query,
            params: vec![param(&d.key), param(d.value.as_ref().unwrap_or(&d.key))],
            returns: Vec::new(),
            guard: None,
            manual_reply: false,
        })
        .collect();
    // Only the types the structures use: the module declaring the first one is still being
    // imported, so a class defined further down (a `Service` called through) is not there yet.
    let used = payload.reachable_types(
        decls
            .iter()
            .flat_map(|d| std::iter::once(&d.key).chain(d.value.as_ref())),
    );
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
        stable_structures: Vec::new(),
        site_packages: Vec::new(),
        ..payload
    };
    let (schema, sigs) = Schema::build(py, &types_payload)
        .map_err(|e| PyTypeError::new_err(format!("kybra: {e}")))?;
    let types = sigs.iter().map(|(p, _)| (p[0], p[1])).collect();
    let import = |module: &str, name: &str| {
        py.import(module)
            .and_then(|m| m.getattr(name))
            .ok()
            .map(Bound::unbind)
    };
    let store = Rc::new(Store {
        decls,
        schema,
        types,
        principal: import("kybra.principal", "Principal"),
        service: import("kybra", "Service"),
        open: RefCell::new(StdMap::new()),
    });
    STORE.with_borrow_mut(|s| *s = Some(store.clone()));
    Ok(store)
}

impl Store {
    pub(super) fn classes<'py>(&self, py: Python<'py>) -> Classes<'py> {
        Classes {
            principal: self.principal.as_ref().map(|c| c.bind(py).clone()),
            service: self.service.as_ref().map(|c| c.bind(py).clone()),
        }
    }

    /// The open structure at `id`.
    pub(super) fn get(&self, id: i64) -> PyResult<Rc<Open>> {
        u8::try_from(id).ok().and_then(|id| self.open.borrow().get(&id).cloned()).ok_or_else(|| {
            PyValueError::new_err(format!(
                "the stable structure with memory id {id} is not open — declare it at module level (e.g. `m = StableBTreeMap[K, V](memory_id={id})`)"
            ))
        })
    }

    /// The virtual memory `id`, checked to be empty or to hold `magic` (what the
    /// structure of `decl` keeps there).
    pub(super) fn memory(&self, decl: &StableStructure, id: u8, magic: &[u8; 3]) -> PyResult<Mem> {
        let memory =
            super::manager::memory("a stable structure", id).map_err(PyRuntimeError::new_err)?;
        if memory.size() > 0 {
            let mut found = [0u8; 3];
            memory.read(0, &mut found);
            if &found != magic {
                let holds = match &found {
                    b"BTR" => "a StableBTreeMap, StableBTreeSet, StableVec or StableMinHeap",
                    b"SCL" => "a StableCell",
                    b"GLI" | b"GLD" => "a StableLog",
                    _ => "data of another kind",
                };
                return Err(PyRuntimeError::new_err(format!(
                    "{}: memory id {id} already holds {holds} — was the declaration changed? \
                     Opening it as a {} would destroy that data; give the new structure a memory id of its own",
                    label(decl),
                    class(decl.kind)
                )));
            }
        }
        Ok(memory)
    }

    /// The bytes of a map key or a set/heap element (`key`), or of a value/element
    /// stored as Candid.
    pub(super) fn encode_key(
        &self,
        py: Python<'_>,
        o: &Open,
        obj: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<u8>> {
        if let KeyCodec::Candid = o.codec {
            return self.encode(py, o, o.key_t, &o.key_header, obj, what_key(o));
        }
        key::encode(o.codec, obj).map_err(|detail| {
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
                "{}: the {} must be a {}, got {found} {repr}{detail}",
                label(&o.decl),
                what_key(o),
                self.schema.show(o.key_t)
            ))
        })
    }

    /// The Candid of `obj`, a value of `t` (`what`: "value", "element").
    pub(super) fn encode(
        &self,
        py: Python<'_>,
        o: &Open,
        t: T,
        header: &[u8],
        obj: &Bound<'_, PyAny>,
        what: &str,
    ) -> PyResult<Vec<u8>> {
        encode_reply(&self.schema, &self.classes(py), &[t], header, obj).map_err(|e| {
            PyTypeError::new_err(format!(
                "{}: the {what} is not of the declared {what} type: {}: expected {}, got {}",
                label(&o.decl),
                e.location(what),
                e.expected,
                e.found
            ))
        })
    }

    /// The value/element `obj` as stored: Candid of the value type, checked against the
    /// declared maximum.
    pub(super) fn encode_value(
        &self,
        py: Python<'_>,
        o: &Open,
        obj: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<u8>> {
        let v = self.encode(py, o, o.value_t, &o.value_header, obj, what_value(o))?;
        self.check_size(py, o, &v, false)?;
        Ok(v)
    }

    /// Refuses `bytes` longer than the declared maximum of keys/elements (`key`) or values.
    pub(super) fn check_size(
        &self,
        py: Python<'_>,
        o: &Open,
        bytes: &[u8],
        key: bool,
    ) -> PyResult<()> {
        let map = o.decl.kind == StableKind::BTreeMap;
        let (max, error) = match (map, key) {
            (true, true) => (o.decl.max_key_size, "KeyTooLargeError"),
            (true, false) => (o.decl.max_value_size, "ValueTooLargeError"),
            (false, _) => (o.decl.max_key_size, "ElementTooLargeError"),
        };
        match max.filter(|max| bytes.len() > *max as usize) {
            None => Ok(()),
            Some(max) => Err(
                match py
                    .import("kybra._stable")
                    .and_then(|m| m.getattr(error))
                    .and_then(|c| c.call1((label(&o.decl), bytes.len(), max)))
                {
                    Ok(e) => PyErr::from_value(e),
                    Err(e) => e,
                },
            ),
        }
    }

    pub(super) fn decode<'py>(
        &self,
        py: Python<'py>,
        o: &Open,
        t: T,
        bytes: &[u8],
        what: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        match decode_args(py, &self.schema, &self.classes(py), &[t], bytes) {
            Ok(mut v) => Ok(v.remove(0)),
            Err(Fail::Python(e)) => Err(e),
            Err(Fail::Reject { path, message, .. }) => Err(PyValueError::new_err(format!(
                "{}: a stored {what} does not fit the declared {what} type {} (was the type changed incompatibly?): {what}{}: {message}",
                label(&o.decl),
                self.schema.show(t),
                path.concat()
            ))),
        }
    }

    pub(super) fn decode_key<'py>(
        &self,
        py: Python<'py>,
        o: &Open,
        bytes: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        match o.codec {
            KeyCodec::Candid => self.decode(py, o, o.key_t, bytes, what_key(o)),
            codec => key::decode(
                py,
                codec,
                bytes,
                self.principal.as_ref().map(|p| p.bind(py)),
            ),
        }
    }

    pub(super) fn decode_value<'py>(
        &self,
        py: Python<'py>,
        o: &Open,
        bytes: &[u8],
    ) -> PyResult<Bound<'py, PyAny>> {
        self.decode(py, o, o.value_t, bytes, what_value(o))
    }

    /// `None`, or the stored value/element decoded.
    pub(super) fn decode_opt<'py>(
        &self,
        py: Python<'py>,
        o: &Open,
        bytes: Option<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match bytes {
            Some(b) => self.decode_value(py, o, &b),
            None => Ok(py.None().into_bound(py)),
        }
    }

    /// Each stored value/element decoded, in order.
    pub(super) fn values<'py>(
        &self,
        py: Python<'py>,
        o: &Open,
        raw: Vec<Vec<u8>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for v in raw {
            out.append(self.decode_value(py, o, &v)?)?;
        }
        Ok(out)
    }
}

pub(super) fn what_key(o: &Open) -> &'static str {
    if o.decl.kind == StableKind::BTreeMap {
        "key"
    } else {
        "element"
    }
}

pub(super) fn what_value(o: &Open) -> &'static str {
    if o.decl.kind == StableKind::BTreeMap {
        "value"
    } else {
        "element"
    }
}

/// The store and the open structure at `memory_id`, checked to be of `kind`'s class.
pub(super) fn open_of(
    py: Python<'_>,
    memory_id: i64,
    kind: &str,
) -> PyResult<(Rc<Store>, Rc<Open>)> {
    let store = store(py)?;
    let o = store.get(memory_id)?;
    if class(o.decl.kind) != kind {
        return Err(PyTypeError::new_err(format!(
            "memory id {memory_id} holds {}, not a {kind}",
            label(&o.decl)
        )));
    }
    Ok((store, o))
}

/// Opens the structure declared with `memory_id` (again: a no-op). `kind` is its class
/// name and the sizes are the declaration's (checked against the compiler's reading);
/// `initial` is a cell's value until its first `set`.
#[pyfunction]
#[pyo3(signature = (kind, memory_id, max_key_size, max_value_size, initial=None))]
pub(super) fn stable_open(
    py: Python<'_>,
    kind: &str,
    memory_id: i64,
    max_key_size: Option<u32>,
    max_value_size: Option<u32>,
    initial: Option<Bound<'_, PyAny>>,
) -> PyResult<()> {
    let store = store(py)?;
    let Some(index) = store
        .decls
        .iter()
        .position(|d| i64::from(d.memory_id) == memory_id && class(d.kind) == kind)
    else {
        let ids: Vec<String> = store.decls.iter().map(label).collect();
        return Err(PyValueError::new_err(format!(
            "{kind}(memory_id={memory_id}) was not declared at module level with literal numbers (the compiler found {ids:?}) \
             — write `name = {kind}[...](memory_id={memory_id}, ...)` at the top level of a module"
        )));
    };
    let decl = &store.decls[index];
    if (decl.max_key_size, decl.max_value_size) != (max_key_size, max_value_size) {
        return Err(PyValueError::new_err(format!(
            "{}: its sizes ({max_key_size:?}, {max_value_size:?}) differ from its declaration ({:?}, {:?}) \
             — each memory id has one stable structure",
            label(decl),
            decl.max_key_size,
            decl.max_value_size
        )));
    }
    if store.open.borrow().contains_key(&decl.memory_id) {
        return Ok(());
    }
    let (key_t, value_t) = store.types[index];
    let is_blob = matches!(store.schema.table.entry(key_t), Some(Entry::Vec(t)) if *t == NAT8);
    let header = |t: T| {
        let mut h = Vec::new();
        store.schema.table.write_header(&[t], &mut h);
        h
    };
    let codec = match decl.kind {
        StableKind::BTreeMap | StableKind::BTreeSet | StableKind::MinHeap => {
            KeyCodec::of(key_t, is_blob)
        }
        _ => KeyCodec::Candid,
    };
    let mem = |id: u8, magic: &[u8; 3]| store.memory(decl, id, magic);
    let data = match decl.kind {
        StableKind::BTreeMap => {
            Data::Map(RefCell::new(BTreeMap::init(mem(decl.memory_id, b"BTR")?)))
        }
        StableKind::BTreeSet => {
            Data::Set(RefCell::new(BTreeMap::init(mem(decl.memory_id, b"BTR")?)))
        }
        StableKind::Vec => Data::Vec(RefCell::new(BTreeMap::init(mem(decl.memory_id, b"BTR")?))),
        StableKind::MinHeap => {
            Data::Heap(RefCell::new(BTreeMap::init(mem(decl.memory_id, b"BTR")?)))
        }
        StableKind::Log { data_memory_id } => Data::Log(Log::init(
            mem(decl.memory_id, b"GLI")?,
            mem(data_memory_id, b"GLD")?,
        )),
        StableKind::Cell => Data::Cell(RefCell::new(Cell::init(
            mem(decl.memory_id, b"SCL")?,
            Vec::new(),
        ))),
    };
    let open = Rc::new(Open {
        decl: decl.clone(),
        data,
        key_t,
        value_t,
        codec,
        key_header: header(key_t),
        value_header: header(value_t),
    });
    if let Data::Cell(cell) = &open.data {
        // A new cell holds no value yet (empty bytes): the declaration's `initial` is written
        // (`None` too: the initial value of an `Opt` cell).
        if cell.borrow().get().is_empty() {
            let initial = initial.unwrap_or_else(|| py.None().into_bound(py));
            let bytes = store.encode_value(py, &open, &initial)?;
            cell.borrow_mut().set(bytes);
        }
    }
    store.open.borrow_mut().insert(decl.memory_id, open);
    Ok(())
}

/// The number of entries or elements of the structure at `memory_id`.
#[pyfunction]
pub(super) fn stable_len(py: Python<'_>, memory_id: i64) -> PyResult<u64> {
    let store = store(py)?;
    let o = store.get(memory_id)?;
    Ok(match &o.data {
        Data::Map(m) => m.borrow().len(),
        Data::Set(s) | Data::Heap(s) => s.borrow().len(),
        Data::Vec(v) => v.borrow().len(),
        Data::Log(l) => l.len(),
        Data::Cell(_) => 1,
    })
}

/// A range of encoded keys.
pub(super) type Range = (B<Vec<u8>>, B<Vec<u8>>);

/// The bounds of a range over encoded keys (`None`: open; each bound's key itself is in
/// when its `inclusive` is set); `None` when the range is empty (start after end).
pub(super) fn bounds<'py>(
    py: Python<'py>,
    store: &Store,
    o: &Open,
    (start, start_inclusive): (Option<Bound<'py, PyAny>>, bool),
    (end, end_inclusive): (Option<Bound<'py, PyAny>>, bool),
) -> PyResult<Option<Range>> {
    let bound = |key: Option<Bound<'py, PyAny>>, inclusive: bool| -> PyResult<B<Vec<u8>>> {
        Ok(match key {
            None => B::Unbounded,
            Some(k) if inclusive => B::Included(store.encode_key(py, o, &k)?),
            Some(k) => B::Excluded(store.encode_key(py, o, &k)?),
        })
    };
    let (lo, hi) = (bound(start, start_inclusive)?, bound(end, end_inclusive)?);
    let empty = match (&lo, &hi) {
        (B::Included(a), B::Included(b)) => a > b,
        (B::Included(a) | B::Excluded(a), B::Included(b) | B::Excluded(b)) => a >= b,
        _ => false,
    };
    Ok((!empty).then_some((lo, hi)))
}

/// At most `limit` items of `range`, from its end when `reverse`.
pub(super) fn take<I: DoubleEndedIterator>(
    range: I,
    reverse: bool,
    limit: Option<u64>,
) -> Vec<I::Item> {
    let limit = usize::try_from(limit.unwrap_or(u64::MAX)).unwrap_or(usize::MAX);
    if reverse {
        range.rev().take(limit).collect()
    } else {
        range.take(limit).collect()
    }
}
