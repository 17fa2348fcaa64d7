//! Candid message → Python arguments, in one pass over the bytes: no intermediate
//! Candid value tree, blobs copied once into `bytes`, record keys taken from the schema's
//! interned strings.
//!
//! Mapping (docs/architecture.md, "Candid ⇄ Python values"): text→`str`, blob→`bytes`,
//! nat*/int*→`int`, float*→`float`, bool, null/reserved→`None`, opt→value or `None`,
//! vec→`list`, record→`dict` keyed by the Python names (a tuple type → `tuple`),
//! variant→one-key `dict`, principal→`kybra.Principal`, func→`(Principal, str)`,
//! service→an instance of its `Service` class (else of `kybra.Service`, else a Principal).
//!
//! Promises: [`decode_args`] first checks each argument's wire type against the declared
//! type with Candid subtyping ([`crate::subtype`]), then decodes with the spec's
//! coercions (nat→int, missing opt fields and arguments → `None`, extra fields and
//! arguments skipped, opt values that do not fit → `None`). Every malformed or
//! mistyped message is a [`Fail::Reject`] naming the argument, the path inside it and
//! what was expected and found; the work is bounded by the message size (a declared
//! length is checked before anything is allocated) and the nesting depth.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};

use crate::schema::Schema;
use crate::subtype::Subtyping;
use crate::types::{self as ty, Entry, Table, T};
use crate::wire::{self, Reader};

mod scalar;
mod skip;

/// Values deeper than this are refused (each level is a Rust frame).
pub const MAX_DEPTH: usize = 1000;

/// Why decoding stopped.
pub enum Fail {
    /// The message is at fault: reject it. `arg` is the argument's index, `path` the
    /// location inside it (`.posts`, `[2]`, ...).
    Reject {
        arg: Option<usize>,
        path: Vec<String>,
        message: String,
    },
    /// Python raised (out of memory, a `Service` class's constructor...): trap.
    Python(PyErr),
}

impl From<std::convert::Infallible> for Fail {
    fn from(e: std::convert::Infallible) -> Self {
        match e {}
    }
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Self {
        Fail::Python(e)
    }
}

fn bad(message: impl Into<String>) -> Fail {
    Fail::Reject {
        arg: None,
        path: Vec::new(),
        message: message.into(),
    }
}

fn at(fail: Fail, seg: impl FnOnce() -> String) -> Fail {
    match fail {
        Fail::Reject {
            arg,
            mut path,
            message,
        } => {
            path.insert(0, seg());
            Fail::Reject { arg, path, message }
        }
        other => other,
    }
}

/// The Python classes values are built from.
pub struct Classes<'py> {
    pub principal: Option<Bound<'py, PyAny>>,
    /// `kybra.Service`, for service types without a class of their own.
    pub service: Option<Bound<'py, PyAny>>,
}

struct Decoder<'a, 'py> {
    py: Python<'py>,
    r: Reader<'a>,
    wire: &'a Table,
    schema: &'a Schema,
    sub: Subtyping<'a>,
    classes: &'a Classes<'py>,
    /// Values that may still be decoded or skipped.
    budget: usize,
    depth: usize,
}

/// Decodes the message `bytes` as arguments of types `params`.
///
/// The cyclic garbage collector is paused meanwhile: the objects built here form no
/// cycles, and a collection every 700 new containers would otherwise rescan them all.
pub fn decode_args<'py>(
    py: Python<'py>,
    schema: &Schema,
    classes: &Classes<'py>,
    params: &[T],
    bytes: &[u8],
) -> Result<Vec<Bound<'py, PyAny>>, Fail> {
    // SAFETY: plain calls with the GIL held; the previous state is restored.
    let was_enabled = unsafe { ffi::PyGC_Disable() };
    let out = decode_args_inner(py, schema, classes, params, bytes);
    if was_enabled != 0 {
        unsafe { ffi::PyGC_Enable() };
    }
    out
}

fn decode_args_inner<'py>(
    py: Python<'py>,
    schema: &Schema,
    classes: &Classes<'py>,
    params: &[T],
    bytes: &[u8],
) -> Result<Vec<Bound<'py, PyAny>>, Fail> {
    let mut r = Reader::new(bytes);
    let header =
        wire::header(&mut r).map_err(|e| bad(format!("the argument is not valid Candid: {e}")))?;
    let mut sub = Subtyping::new(&header.table, &schema.table);
    for (i, s) in params.iter().enumerate() {
        match header.args.get(i) {
            Some(w) if !sub.check(*w, *s) => {
                return Err(mismatch(&mut sub, &header.table, schema, i, *w, *s))
            }
            Some(_) => {}
            None if schema.table.is_optlike(*s) => {}
            None => {
                return Err(bad(format!(
                    "expected {} argument{}, the message has {}",
                    params.len(),
                    if params.len() == 1 { "" } else { "s" },
                    header.args.len()
                )))
            }
        }
    }
    let mut d = Decoder {
        py,
        r,
        wire: &header.table,
        schema,
        sub,
        classes,
        budget: bytes.len().saturating_mul(4).saturating_add(10_000),
        depth: 0,
    };
    let mut out = Vec::with_capacity(params.len());
    for (i, s) in params.iter().enumerate() {
        let v = match header.args.get(i) {
            Some(w) => d.value(*w, *s).map_err(|f| match f {
                Fail::Reject { path, message, .. } => Fail::Reject {
                    arg: Some(i),
                    path,
                    message,
                },
                other => other,
            })?,
            None => py.None().into_bound(py),
        };
        out.push(v);
    }
    for (i, w) in header.args.iter().enumerate().skip(params.len()) {
        d.skip(*w).map_err(|f| match f {
            Fail::Reject { message, .. } => bad(format!("extra argument {}: {message}", i + 1)),
            other => other,
        })?;
    }
    if d.r.left() > 0 {
        return Err(bad(format!(
            "{} bytes follow the last argument (at byte {})",
            d.r.left(),
            d.r.pos
        )));
    }
    Ok(out)
}

fn mismatch(
    sub: &mut Subtyping<'_>,
    wire: &Table,
    schema: &Schema,
    arg: usize,
    w: T,
    s: T,
) -> Fail {
    if sub.too_deep {
        return Fail::Reject {
            arg: Some(arg),
            path: Vec::new(),
            message: "the type is nested too deeply".into(),
        };
    }
    let label = |t: T, pos: usize| {
        schema
            .meta(t)
            .fields
            .get(pos)
            .map(|f| f.key.to_string())
            .unwrap_or_default()
    };
    let f = sub.explain(w, s, &label);
    let message = match f.reason {
        Some(reason) => format!("expected {}: {reason}", schema.show(f.schema)),
        None => format!(
            "expected {}, got {}",
            schema.show(f.schema),
            wire.show(f.wire, &ty::NoNames)
        ),
    };
    let path = f
        .path
        .into_iter()
        .map(|s| {
            if s.starts_with('[') {
                s
            } else {
                format!(".{s}")
            }
        })
        .collect();
    Fail::Reject {
        arg: Some(arg),
        path,
        message,
    }
}

impl<'a, 'py> Decoder<'a, 'py> {
    #[inline]
    fn enter(&mut self) -> Result<(), Fail> {
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| bad("the message holds more values than its size allows"))?;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(bad(format!("values are nested more than {MAX_DEPTH} deep")));
        }
        Ok(())
    }

    fn value(&mut self, w: T, s: T) -> Result<Bound<'py, PyAny>, Fail> {
        self.enter()?;
        let v = self.value_inner(w, s);
        self.depth -= 1;
        v
    }

    fn none(&self) -> Bound<'py, PyAny> {
        self.py.None().into_bound(self.py)
    }

    fn value_inner(&mut self, w: T, s: T) -> Result<Bound<'py, PyAny>, Fail> {
        let py = self.py;
        if s == ty::RESERVED {
            self.skip_inner(w)?;
            return Ok(self.none());
        }
        if w == ty::EMPTY {
            return Err(bad("a value of type empty cannot exist"));
        }
        let schema_entry = self.schema.table.entry(s);
        if let Some(Entry::Opt(si)) = schema_entry {
            return self.opt(w, *si);
        }
        let wire_entry = self.wire.entry(w);
        match (wire_entry, schema_entry) {
            (None, None) => self.prim(w, s).map_err(|f| match f {
                Fail::Reject { message, .. } if message.is_empty() => self.type_error(w, s),
                other => other,
            }),
            (Some(Entry::Vec(wi)), Some(Entry::Vec(si))) => {
                if *si == ty::NAT8 && *wi == ty::NAT8 {
                    let bytes = self.r.sized("a blob")?;
                    return Ok(PyBytes::new(py, bytes).into_any());
                }
                let (wi, si) = (*wi, *si);
                let len = self.len("a vec")?;
                // SAFETY: a new list of `len` NULL slots, each set exactly once below;
                // a list dropped half-filled is fine (its deallocator skips NULLs).
                let list = unsafe {
                    Bound::from_owned_ptr_or_err(py, ffi::PyList_New(len as ffi::Py_ssize_t))?
                };
                for i in 0..len {
                    let item = self.value(wi, si).map_err(|f| at(f, || format!("[{i}]")))?;
                    // `PyList_SetItem` (not the `SET_ITEM` macro): in the stable ABI too, so
                    // kybra.testing's extension is one build for every Python >= 3.10.
                    if unsafe {
                        ffi::PyList_SetItem(list.as_ptr(), i as ffi::Py_ssize_t, item.into_ptr())
                    } != 0
                    {
                        return Err(Fail::Python(PyErr::fetch(py)));
                    }
                }
                Ok(list)
            }
            (Some(Entry::Record(wf)), Some(Entry::Record(sf))) => self.record(wf, sf, s),
            (Some(Entry::Variant(wf)), Some(Entry::Variant(sf))) => {
                let at_byte = self.r.pos;
                let index = self.r.leb("a variant index")?;
                let Some((id, wt)) = usize::try_from(index).ok().and_then(|i| wf.get(i)) else {
                    return Err(bad(format!(
                        "variant index {index} (at byte {at_byte}) is out of range: the type has {} cases",
                        wf.len()
                    )));
                };
                let Ok(pos) = sf.binary_search_by_key(id, |f| f.0) else {
                    return Err(bad(format!(
                        "expected {}: the case with label id {id} is not one of its cases",
                        self.schema.show(s)
                    )));
                };
                let key = self.schema.meta(s).fields[pos].key.bind(py);
                let v = self
                    .value(*wt, sf[pos].1)
                    .map_err(|f| at(f, || format!(".{key}")))?;
                let dict = PyDict::new(py);
                dict.set_item(key, v)?;
                Ok(dict.into_any())
            }
            (Some(Entry::Func(_)), Some(Entry::Func(_))) => {
                self.reference("a function reference")?;
                let p = self.principal()?;
                let name = self.r.sized("a method name")?;
                let name = self.text(name)?;
                Ok(PyTuple::new(py, [p, name])?.into_any())
            }
            (Some(Entry::Service(_)), Some(Entry::Service(_))) => {
                // A service reference is written like a principal: `01 len bytes`.
                let p = self.principal()?;
                let class = self
                    .schema
                    .meta(s)
                    .class
                    .as_ref()
                    .map(|c| c.bind(py))
                    .or(self.classes.service.as_ref());
                Ok(match class {
                    Some(class) => class.call1((p,))?,
                    None => p,
                })
            }
            _ => Err(self.type_error(w, s)),
        }
    }

    fn type_error(&self, w: T, s: T) -> Fail {
        bad(format!(
            "expected {}, got {}",
            self.schema.show(s),
            self.wire.show(w, &ty::NoNames)
        ))
    }

    /// The spec's coercions into `opt si`.
    fn opt(&mut self, w: T, si: T) -> Result<Bound<'py, PyAny>, Fail> {
        if w == ty::NULL || w == ty::RESERVED {
            return Ok(self.none());
        }
        if let Some(Entry::Opt(wi)) = self.wire.entry(w) {
            let wi = *wi;
            return match self.r.byte("an opt value")? {
                0 => Ok(self.none()),
                1 if self.sub.check(wi, si) => self.value(wi, si),
                1 => {
                    self.skip(wi)?;
                    Ok(self.none())
                }
                b => Err(bad(format!(
                    "an opt value starts with byte {b:#04x}, not 0 or 1"
                ))),
            };
        }
        if !self.schema.table.is_optlike(si) && self.sub.check(w, si) {
            self.value(w, si)
        } else {
            self.skip(w)?;
            Ok(self.none())
        }
    }

    fn record(
        &mut self,
        wf: &'a [(u32, T)],
        sf: &'a [(u32, T)],
        s: T,
    ) -> Result<Bound<'py, PyAny>, Fail> {
        let py = self.py;
        let meta = self.schema.meta(s);
        let mut items: Vec<Option<Bound<'py, PyAny>>> = Vec::new();
        let dict = if meta.tuple {
            items.resize(sf.len(), None);
            None
        } else {
            Some(PyDict::new(py))
        };
        let mut j = 0;
        for (id, wt) in wf {
            while j < sf.len() && sf[j].0 < *id {
                j += 1; // declared but not sent: an opt/null/reserved field, None below
            }
            if j < sf.len() && sf[j].0 == *id {
                let key = meta.fields[j].key.bind(py);
                let v = self.value(*wt, sf[j].1).map_err(|f| {
                    at(f, || {
                        if meta.tuple {
                            format!("[{j}]")
                        } else {
                            format!(".{key}")
                        }
                    })
                })?;
                match &dict {
                    Some(d) => d.set_item(key, v)?,
                    None => items[j] = Some(v),
                }
                j += 1;
            } else {
                self.skip(*wt)?;
            }
        }
        match dict {
            Some(d) => {
                if d.len() < sf.len() {
                    for f in &meta.fields {
                        let key = f.key.bind(py);
                        if !d.contains(key)? {
                            d.set_item(key, py.None())?;
                        }
                    }
                }
                Ok(d.into_any())
            }
            None => {
                let items = items
                    .into_iter()
                    .map(|v| v.unwrap_or_else(|| py.None().into_bound(py)));
                Ok(PyTuple::new(py, items)?.into_any())
            }
        }
    }

    /// A vec length, checked against what the message can still hold.
    fn len(&mut self, what: &str) -> Result<usize, Fail> {
        let at_byte = self.r.pos;
        let len = self.r.leb(what)?;
        if len > self.budget as u64 {
            return Err(bad(format!(
                "{what} at byte {at_byte} declares {len} elements, more than a message of {} bytes can hold",
                self.r.pos + self.r.left()
            )));
        }
        Ok(len as usize)
    }
}

impl From<String> for Fail {
    fn from(message: String) -> Self {
        bad(message)
    }
}
