//! Python result → Candid reply, in one pass: the reply's type table is computed once
//! per method at start-up ([`crate::types::Table::write_header`]); each call only writes
//! the values, straight from the Python objects.
//!
//! What a Python value may be for each type (the inverse of [`crate::decode`], a little
//! more lenient): `bytes` or `bytearray` (or a list of ints 0..=255) for a blob, a list or
//! tuple for a vec, a `dict` with exactly the record's keys (an `opt`/`null`/`reserved`
//! field may be left out) for a record, a tuple or list of the right length for a tuple,
//! a one-key dict for a variant, `(Principal, str)` for a func, a `Service` instance (its
//! `canister_id`) or a Principal for a service, anything for `reserved` (sent as
//! `reserved`); `bool` is never a number.
//!
//! Promise: [`encode_reply`] either returns the complete reply or a [`Mismatch`] naming
//! where (`result.items[2].name`), what was expected and what was found.

use num_bigint::{BigInt, BigUint};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};

use crate::decode::{Classes, MAX_DEPTH};
use crate::schema::Schema;
use crate::types::{self as ty, leb, sleb, Entry, T};

/// Where a Python value did not fit its declared Candid type.
#[derive(Debug)]
pub struct Mismatch {
    /// Path segments from the outside in: `.items`, `[2]`, `.name`.
    pub path: Vec<String>,
    pub expected: String,
    pub found: String,
}

impl Mismatch {
    /// `result.items[2].name`-style location under `root`.
    pub fn location(&self, root: &str) -> String {
        let mut out = root.to_string();
        self.path.iter().for_each(|s| out.push_str(s));
        out
    }
}

struct Encoder<'a, 'py> {
    schema: &'a Schema,
    classes: &'a Classes<'py>,
    out: Vec<u8>,
    depth: usize,
}

/// The reply for a method whose result types are `rets` (`header`: their precomputed
/// type table and list), from the Python function's return value.
pub fn encode_reply(
    schema: &Schema,
    classes: &Classes<'_>,
    rets: &[T],
    header: &[u8],
    result: &Bound<'_, PyAny>,
) -> Result<Vec<u8>, Mismatch> {
    match rets {
        [t] => encode_args(schema, classes, &[*t], header, std::slice::from_ref(result))
            .map_err(|(_, m)| m),
        _ => encode_args(schema, classes, &[], header, &[]).map_err(|(_, m)| m),
    }
}

/// A Candid message of `values` with types `types` (`header`: their type table and list,
/// from [`crate::types::Table::write_header`]); `Err` gives the position of the value
/// that does not fit and where.
pub fn encode_args(
    schema: &Schema,
    classes: &Classes<'_>,
    types: &[T],
    header: &[u8],
    values: &[Bound<'_, PyAny>],
) -> Result<Vec<u8>, (usize, Mismatch)> {
    let mut e = Encoder {
        schema,
        classes,
        out: Vec::with_capacity(256),
        depth: 0,
    };
    e.out.extend_from_slice(b"DIDL");
    e.out.extend_from_slice(header);
    for (i, (value, t)) in values.iter().zip(types).enumerate() {
        e.value(value, *t).map_err(|m| (i, m))?;
    }
    Ok(e.out)
}

/// A short description of a Python value: its type, and its value when small.
fn describe(obj: &Bound<'_, PyAny>, detail: &str) -> String {
    let ty = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    let scalar = obj.is_none()
        || obj.is_instance_of::<PyInt>()
        || obj.is_instance_of::<PyFloat>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>();
    let mut out = ty;
    if scalar {
        if let Ok(r) = obj.repr() {
            let r = r.to_string();
            let short: String = r.chars().take(40).collect();
            out = format!(
                "{out} {short}{}",
                if short.len() < r.len() { "…" } else { "" }
            );
        }
    } else if let Ok(n) = obj.len() {
        out = format!("{out} of {n} item{}", if n == 1 { "" } else { "s" });
    }
    if !detail.is_empty() {
        out = format!("{out} ({detail})");
    }
    out
}

fn is_int(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>()
}

impl<'py> Encoder<'_, 'py> {
    fn fail(&self, s: T, obj: &Bound<'py, PyAny>, detail: &str) -> Mismatch {
        Mismatch {
            path: Vec::new(),
            expected: self.schema.show(s),
            found: describe(obj, detail),
        }
    }

    fn value(&mut self, obj: &Bound<'py, PyAny>, s: T) -> Result<(), Mismatch> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail(s, obj, &format!("nested more than {MAX_DEPTH} deep")));
        }
        let r = if s.is_prim() {
            self.prim(obj, s)
        } else {
            self.composite(obj, s)
        };
        self.depth -= 1;
        r
    }

    fn fixed<N: for<'a> FromPyObject<'a, 'py>>(
        &self,
        obj: &Bound<'py, PyAny>,
        s: T,
    ) -> Result<N, Mismatch> {
        if !is_int(obj) {
            return Err(self.fail(s, obj, ""));
        }
        obj.extract::<N>()
            .map_err(|_| self.fail(s, obj, "out of range"))
    }

    fn prim(&mut self, obj: &Bound<'py, PyAny>, s: T) -> Result<(), Mismatch> {
        match s {
            ty::NULL if obj.is_none() => {}
            ty::NULL => return Err(self.fail(s, obj, "")),
            ty::RESERVED => {}
            ty::BOOL => {
                let b = obj.cast::<PyBool>().map_err(|_| self.fail(s, obj, ""))?;
                self.out.push(u8::from(b.is_true()));
            }
            ty::NAT => {
                if let Ok(v) = self.fixed::<u64>(obj, s) {
                    leb(&mut self.out, v);
                } else {
                    let mut v: BigUint = self
                        .fixed::<BigUint>(obj, s)
                        .map_err(|_| self.fail(s, obj, "negative"))?;
                    let zero = BigUint::from(0u8);
                    loop {
                        let byte = (&v & BigUint::from(0x7fu8))
                            .to_u32_digits()
                            .first()
                            .copied()
                            .unwrap_or(0) as u8;
                        v >>= 7;
                        if v == zero {
                            self.out.push(byte);
                            break;
                        }
                        self.out.push(byte | 0x80);
                    }
                }
            }
            ty::INT => {
                if let Ok(v) = self.fixed::<i64>(obj, s) {
                    sleb(&mut self.out, v);
                } else {
                    let mut v: BigInt = self.fixed::<BigInt>(obj, s)?;
                    let (zero, minus_one) = (BigInt::from(0), BigInt::from(-1));
                    loop {
                        let low: BigInt = &v & BigInt::from(0x7f);
                        let byte = low.to_u32_digits().1.first().copied().unwrap_or(0) as u8;
                        v >>= 7;
                        let done =
                            (v == zero && byte & 0x40 == 0) || (v == minus_one && byte & 0x40 != 0);
                        self.out.push(if done { byte } else { byte | 0x80 });
                        if done {
                            break;
                        }
                    }
                }
            }
            ty::NAT8 => self.out.push(self.fixed::<u8>(obj, s)?),
            ty::NAT16 => self
                .out
                .extend_from_slice(&self.fixed::<u16>(obj, s)?.to_le_bytes()),
            ty::NAT32 => self
                .out
                .extend_from_slice(&self.fixed::<u32>(obj, s)?.to_le_bytes()),
            ty::NAT64 => self
                .out
                .extend_from_slice(&self.fixed::<u64>(obj, s)?.to_le_bytes()),
            ty::INT8 => self
                .out
                .extend_from_slice(&self.fixed::<i8>(obj, s)?.to_le_bytes()),
            ty::INT16 => self
                .out
                .extend_from_slice(&self.fixed::<i16>(obj, s)?.to_le_bytes()),
            ty::INT32 => self
                .out
                .extend_from_slice(&self.fixed::<i32>(obj, s)?.to_le_bytes()),
            ty::INT64 => self
                .out
                .extend_from_slice(&self.fixed::<i64>(obj, s)?.to_le_bytes()),
            ty::FLOAT32 | ty::FLOAT64 => {
                if !(obj.is_instance_of::<PyFloat>() || is_int(obj)) {
                    return Err(self.fail(s, obj, ""));
                }
                let f: f64 = obj
                    .extract()
                    .map_err(|_| self.fail(s, obj, "out of range"))?;
                if s == ty::FLOAT32 {
                    let g = f as f32;
                    if g.is_infinite() && f.is_finite() {
                        return Err(self.fail(s, obj, "out of range"));
                    }
                    self.out.extend_from_slice(&g.to_le_bytes());
                } else {
                    self.out.extend_from_slice(&f.to_le_bytes());
                }
            }
            ty::TEXT => {
                let text = obj.cast::<PyString>().map_err(|_| self.fail(s, obj, ""))?;
                let text = text
                    .to_str()
                    .map_err(|_| self.fail(s, obj, "not valid UTF-8"))?;
                leb(&mut self.out, text.len() as u64);
                self.out.extend_from_slice(text.as_bytes());
            }
            ty::PRINCIPAL => self.principal(obj, s)?,
            _ => return Err(self.fail(s, obj, "this Candid type has no Python value")),
        }
        Ok(())
    }

    /// `01 len bytes` of a `kybra.Principal`.
    fn principal(&mut self, obj: &Bound<'py, PyAny>, s: T) -> Result<(), Mismatch> {
        let class = self
            .classes
            .principal
            .as_ref()
            .ok_or_else(|| self.fail(s, obj, "kybra is not imported"))?;
        if !obj.is_instance(class).unwrap_or(false) {
            return Err(self.fail(s, obj, "expected a kybra.Principal"));
        }
        let bytes = obj.getattr("bytes").map_err(|_| self.fail(s, obj, ""))?;
        let bytes = bytes
            .cast::<PyBytes>()
            .map_err(|_| self.fail(s, obj, ""))?
            .as_bytes();
        self.out.push(1);
        leb(&mut self.out, bytes.len() as u64);
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    fn items(
        &self,
        obj: &Bound<'py, PyAny>,
        s: T,
        what: &str,
    ) -> Result<Vec<Bound<'py, PyAny>>, Mismatch> {
        if let Ok(list) = obj.cast::<PyList>() {
            Ok(list.iter().collect())
        } else if let Ok(tuple) = obj.cast::<PyTuple>() {
            Ok(tuple.iter().collect())
        } else {
            Err(self.fail(s, obj, what))
        }
    }

    fn composite(&mut self, obj: &Bound<'py, PyAny>, s: T) -> Result<(), Mismatch> {
        let schema = self.schema;
        let py = obj.py();
        match schema.table.entry(s).expect("schema types are valid") {
            Entry::Opt(inner) => {
                if obj.is_none() {
                    self.out.push(0);
                } else {
                    self.out.push(1);
                    self.value(obj, *inner)?;
                }
            }
            Entry::Vec(ty::NAT8)
                if !obj.is_instance_of::<PyList>() && !obj.is_instance_of::<PyTuple>() =>
            {
                if let Ok(b) = obj.cast::<PyBytes>() {
                    let b = b.as_bytes();
                    leb(&mut self.out, b.len() as u64);
                    self.out.extend_from_slice(b);
                } else if let Ok(b) = obj.cast::<PyByteArray>() {
                    let b = b.to_vec();
                    leb(&mut self.out, b.len() as u64);
                    self.out.extend_from_slice(&b);
                } else {
                    return Err(self.fail(s, obj, "expected bytes"));
                }
            }
            Entry::Vec(inner) => {
                if let Ok(list) = obj.cast::<PyList>() {
                    leb(&mut self.out, list.len() as u64);
                    for (i, item) in list.iter().enumerate() {
                        self.value(&item, *inner)
                            .map_err(|m| at(m, format!("[{i}]")))?;
                    }
                } else {
                    let items = self.items(obj, s, "expected a list")?;
                    leb(&mut self.out, items.len() as u64);
                    for (i, item) in items.iter().enumerate() {
                        self.value(item, *inner)
                            .map_err(|m| at(m, format!("[{i}]")))?;
                    }
                }
            }
            Entry::Record(fields) if schema.meta(s).tuple => {
                let items = self.items(obj, s, "expected a tuple")?;
                if items.len() != fields.len() {
                    return Err(self.fail(s, obj, &format!("expected {} items", fields.len())));
                }
                for (i, (item, (_, t))) in items.iter().zip(fields).enumerate() {
                    self.value(item, *t).map_err(|m| at(m, format!("[{i}]")))?;
                }
            }
            Entry::Record(fields) => {
                let dict = obj
                    .cast::<PyDict>()
                    .map_err(|_| self.fail(s, obj, "expected a dict"))?;
                let meta = schema.meta(s);
                // Keys the type does not have are ignored, as Candid's record subtyping
                // drops extra fields (the book returns a management canister record
                // where a record with fewer fields is declared).
                for ((_, t), f) in fields.iter().zip(&meta.fields) {
                    let key = f.key.bind(py);
                    match dict.get_item(key).ok().flatten() {
                        Some(item) => self
                            .value(&item, *t)
                            .map_err(|m| at(m, format!(".{key}")))?,
                        None if *t == ty::NULL || *t == ty::RESERVED => {}
                        None if matches!(schema.table.entry(*t), Some(Entry::Opt(_))) => {
                            self.out.push(0)
                        }
                        None => {
                            return Err(self.fail(
                                s,
                                obj,
                                &format!("the key {:?} is missing", f.key.to_string()),
                            ))
                        }
                    }
                }
            }
            Entry::Variant(_) => {
                let dict = obj
                    .cast::<PyDict>()
                    .map_err(|_| self.fail(s, obj, "expected a dict with one key"))?;
                if dict.len() != 1 {
                    return Err(self.fail(s, obj, "expected a dict with exactly one key"));
                }
                let (key, item) = dict.iter().next().expect("one item");
                let meta = schema.meta(s);
                let cases = meta
                    .cases
                    .as_ref()
                    .expect("variants have a case table")
                    .bind(py);
                let pos: usize = match cases
                    .get_item(&key)
                    .ok()
                    .flatten()
                    .and_then(|p| p.extract().ok())
                {
                    Some(p) => p,
                    None => {
                        let key = key.repr().map(|r| r.to_string()).unwrap_or_default();
                        return Err(self.fail(s, obj, &format!("{key} is not one of its cases")));
                    }
                };
                let Entry::Variant(fields) = schema.table.entry(s).expect("valid") else {
                    unreachable!()
                };
                leb(&mut self.out, pos as u64);
                self.value(&item, fields[pos].1)
                    .map_err(|m| at(m, format!(".{key}")))?;
            }
            Entry::Func(_) => {
                let items = self.items(obj, s, "expected a (Principal, str) tuple")?;
                let [p, name] = items.as_slice() else {
                    return Err(self.fail(s, obj, "expected a (Principal, str) tuple"));
                };
                self.out.push(1);
                self.principal(p, ty::PRINCIPAL)
                    .map_err(|m| at(m, "[0]".into()))?;
                self.prim(name, ty::TEXT).map_err(|m| at(m, "[1]".into()))?;
            }
            Entry::Service(_) => {
                let principal = match self.classes.principal.as_ref() {
                    Some(class) if obj.is_instance(class).unwrap_or(false) => obj.clone(),
                    _ => obj
                        .getattr("canister_id")
                        .map_err(|_| self.fail(s, obj, "expected a Service or a Principal"))?,
                };
                // A service reference is written exactly like a principal: `01 len bytes`.
                self.principal(&principal, s)?;
            }
        }
        Ok(())
    }
}

fn at(mut m: Mismatch, seg: String) -> Mismatch {
    m.path.insert(0, seg);
    m
}
