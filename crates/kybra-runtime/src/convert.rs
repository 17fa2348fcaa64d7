//! Candid values ⇄ Python values, driven by the method's declared Candid types.
//!
//! Mapping (docs/architecture.md): `text`↔`str`, `blob`↔`bytes`, `nat*`/`int*`↔`int`,
//! `float*`↔`float`, `bool`↔`bool`, `null`↔`None`, `opt T`↔`T | None`, `vec T`↔`list`,
//! record↔`dict`, tuple (record with fields 0, 1, ...)↔`tuple`, variant↔one-key `dict`,
//! `principal`↔`kybra.Principal`, `reserved`→`None`.
//!
//! Promises: [`to_python`] accepts any value the Candid decoder produced for the type;
//! [`from_python`] either builds a value of exactly the declared type or returns a
//! [`Mismatch`] naming where (`result.items[2].name`), what was expected and what was found.

use candid::types::value::{IDLField, IDLValue, VariantValue};
use candid::types::{Label, Type, TypeEnv, TypeInner};
use candid::{Int, Nat};
use num_bigint::{BigInt, BigUint};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::sync::PyOnceLock;

/// `kybra.principal.Principal`: looked up by [`prepare`] at start-up when canister code
/// imported it, else the first time a principal is converted.
static PRINCIPAL_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// Start-up work that would otherwise be redone by every query (whose state changes are
/// rolled back): remembers `kybra.principal.Principal` if canister code imported it.
/// Imports nothing new, so canisters that never use principals pay nothing.
pub fn prepare(py: Python<'_>) -> PyResult<()> {
    let loaded = py.import("sys")?.getattr("modules")?.contains("kybra.principal")?;
    if loaded {
        principal_class(py)?;
    }
    Ok(())
}

fn principal_class(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    PRINCIPAL_CLASS
        .get_or_try_init(py, || Ok::<_, PyErr>(py.import("kybra.principal")?.getattr("Principal")?.unbind()))
        .map(|c| c.bind(py))
}

/// Follows named-type references to the structural type.
fn resolve<'a>(env: &'a TypeEnv, ty: &'a Type) -> &'a Type {
    let mut ty = ty;
    // Bounded: a cycle of bare aliases would be rejected by the compiler; stop anyway.
    for _ in 0..64 {
        match ty.as_ref() {
            TypeInner::Var(name) => match env.find_type(name) {
                Ok(t) => ty = t,
                Err(_) => return ty,
            },
            _ => return ty,
        }
    }
    ty
}

fn label_name(label: &Label) -> String {
    match label {
        Label::Named(name) => name.clone(),
        Label::Id(id) | Label::Unnamed(id) => id.to_string(),
    }
}

/// A Candid record whose labels are exactly 0, 1, ..., n-1 is a tuple.
fn is_tuple(fields: &[candid::types::Field]) -> bool {
    !fields.is_empty()
        && fields.iter().enumerate().all(|(i, f)| matches!(f.id.as_ref(), Label::Id(n) | Label::Unnamed(n) if *n as usize == i))
}

fn is_blob(env: &TypeEnv, inner: &Type) -> bool {
    matches!(resolve(env, inner).as_ref(), TypeInner::Nat8)
}

/// Converts a decoded Candid value of type `ty` into a Python object.
pub fn to_python<'py>(py: Python<'py>, env: &TypeEnv, value: &IDLValue, ty: &Type) -> PyResult<Bound<'py, PyAny>> {
    let ty = resolve(env, ty);
    Ok(match (value, ty.as_ref()) {
        (IDLValue::Null | IDLValue::None | IDLValue::Reserved, _) => py.None().into_bound(py),
        (IDLValue::Bool(b), _) => PyBool::new(py, *b).to_owned().into_any(),
        (IDLValue::Text(s), _) => PyString::new(py, s).into_any(),
        (IDLValue::Nat(n), _) => n.0.clone().into_pyobject(py)?.into_any(),
        (IDLValue::Int(i), _) => i.0.clone().into_pyobject(py)?.into_any(),
        (IDLValue::Nat8(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Nat16(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Nat32(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Nat64(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Int8(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Int16(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Int32(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Int64(n), _) => n.into_pyobject(py)?.into_any(),
        (IDLValue::Float32(f), _) => PyFloat::new(py, f64::from(*f)).into_any(),
        (IDLValue::Float64(f), _) => PyFloat::new(py, *f).into_any(),
        (IDLValue::Number(s), _) => py.import("builtins")?.getattr("int")?.call1((s.as_str(),))?,
        (IDLValue::Blob(bytes), _) => PyBytes::new(py, bytes).into_any(),
        (IDLValue::Opt(inner), TypeInner::Opt(t)) => to_python(py, env, inner, t)?,
        (IDLValue::Opt(inner), _) => to_python(py, env, inner, ty)?,
        (IDLValue::Vec(items), TypeInner::Vec(t)) if is_blob(env, t) => {
            let bytes: Vec<u8> = items.iter().map(|v| if let IDLValue::Nat8(b) = v { *b } else { 0 }).collect();
            PyBytes::new(py, &bytes).into_any()
        }
        (IDLValue::Vec(items), TypeInner::Vec(t)) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, env, item, t)?)?;
            }
            list.into_any()
        }
        (IDLValue::Record(fields), TypeInner::Record(tfields)) if is_tuple(tfields) => {
            let mut items = Vec::with_capacity(tfields.len());
            for tf in tfields {
                let id = tf.id.get_id();
                let value = fields.iter().find(|f| f.id.get_id() == id).map(|f| &f.val).unwrap_or(&IDLValue::Null);
                items.push(to_python(py, env, value, &tf.ty)?);
            }
            PyTuple::new(py, items)?.into_any()
        }
        (IDLValue::Record(fields), TypeInner::Record(tfields)) => {
            let dict = PyDict::new(py);
            for tf in tfields {
                let id = tf.id.get_id();
                let value = fields.iter().find(|f| f.id.get_id() == id).map(|f| &f.val).unwrap_or(&IDLValue::Null);
                dict.set_item(label_name(&tf.id), to_python(py, env, value, &tf.ty)?)?;
            }
            dict.into_any()
        }
        (IDLValue::Variant(VariantValue(field, _)), TypeInner::Variant(tfields)) => {
            let id = field.id.get_id();
            let dict = PyDict::new(py);
            match tfields.iter().find(|f| f.id.get_id() == id) {
                Some(tf) => dict.set_item(label_name(&tf.id), to_python(py, env, &field.val, &tf.ty)?)?,
                None => dict.set_item(label_name(&field.id), py.None())?,
            }
            dict.into_any()
        }
        (IDLValue::Principal(p), _) => principal_class(py)?.call1((PyBytes::new(py, p.as_slice()),))?,
        (other, _) => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "kybra runtime: cannot convert the Candid value {other} of type {ty} to Python"
            )))
        }
    })
}

/// Where a Python value did not fit its declared Candid type.
#[derive(Debug)]
pub struct Mismatch {
    /// Path segments from the outside in, e.g. `["items", "[2]", "name"]`.
    pub path: Vec<String>,
    pub expected: String,
    pub found: String,
}

impl Mismatch {
    fn new(expected: &Type, obj: &Bound<'_, PyAny>, detail: &str) -> Self {
        let ty = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        let found = if detail.is_empty() { ty } else { format!("{ty} ({detail})") };
        Mismatch { path: Vec::new(), expected: expected.to_string(), found }
    }

    fn at(mut self, segment: String) -> Self {
        self.path.insert(0, segment);
        self
    }

    /// `result.items[2].name`-style location under `root`.
    pub fn location(&self, root: &str) -> String {
        let mut out = root.to_string();
        for seg in &self.path {
            if !seg.starts_with('[') {
                out.push('.');
            }
            out.push_str(seg);
        }
        out
    }
}

fn int_of<'py>(obj: &Bound<'py, PyAny>, ty: &Type) -> Result<(), Mismatch> {
    // bool is an int subclass in Python but never a Candid number.
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        Ok(())
    } else {
        Err(Mismatch::new(ty, obj, ""))
    }
}

macro_rules! fixed {
    ($obj:expr, $ty:expr, $rust:ty, $variant:ident) => {{
        int_of($obj, $ty)?;
        let v: $rust = $obj.extract().map_err(|_| Mismatch::new($ty, $obj, "out of range"))?;
        IDLValue::$variant(v)
    }};
}

/// Converts a Python object into a Candid value of exactly type `ty`.
pub fn from_python(env: &TypeEnv, obj: &Bound<'_, PyAny>, ty: &Type) -> Result<IDLValue, Mismatch> {
    let declared = ty;
    let ty = resolve(env, ty);
    Ok(match ty.as_ref() {
        TypeInner::Null => {
            if obj.is_none() {
                IDLValue::Null
            } else {
                return Err(Mismatch::new(declared, obj, ""));
            }
        }
        TypeInner::Reserved => IDLValue::Reserved,
        TypeInner::Bool => IDLValue::Bool(obj.cast::<PyBool>().map_err(|_| Mismatch::new(declared, obj, ""))?.is_true()),
        TypeInner::Text => IDLValue::Text(
            obj.cast::<PyString>()
                .map_err(|_| Mismatch::new(declared, obj, ""))?
                .to_str()
                .map_err(|_| Mismatch::new(declared, obj, "not valid UTF-8"))?
                .to_owned(),
        ),
        TypeInner::Nat => {
            int_of(obj, declared)?;
            let v: BigUint = obj.extract().map_err(|_| Mismatch::new(declared, obj, "negative"))?;
            IDLValue::Nat(Nat(v))
        }
        TypeInner::Int => {
            int_of(obj, declared)?;
            let v: BigInt = obj.extract().map_err(|_| Mismatch::new(declared, obj, ""))?;
            IDLValue::Int(Int(v))
        }
        TypeInner::Nat8 => fixed!(obj, declared, u8, Nat8),
        TypeInner::Nat16 => fixed!(obj, declared, u16, Nat16),
        TypeInner::Nat32 => fixed!(obj, declared, u32, Nat32),
        TypeInner::Nat64 => fixed!(obj, declared, u64, Nat64),
        TypeInner::Int8 => fixed!(obj, declared, i8, Int8),
        TypeInner::Int16 => fixed!(obj, declared, i16, Int16),
        TypeInner::Int32 => fixed!(obj, declared, i32, Int32),
        TypeInner::Int64 => fixed!(obj, declared, i64, Int64),
        TypeInner::Float32 | TypeInner::Float64 => {
            if obj.is_instance_of::<PyBool>() || !(obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>()) {
                return Err(Mismatch::new(declared, obj, ""));
            }
            let f: f64 = obj.extract().map_err(|_| Mismatch::new(declared, obj, "out of range"))?;
            if matches!(ty.as_ref(), TypeInner::Float32) {
                IDLValue::Float32(f as f32)
            } else {
                IDLValue::Float64(f)
            }
        }
        TypeInner::Principal => {
            let class = principal_class(obj.py()).map_err(|_| Mismatch::new(declared, obj, "kybra is not importable"))?;
            if !obj.is_instance(class).unwrap_or(false) {
                return Err(Mismatch::new(declared, obj, "expected a kybra.Principal"));
            }
            let bytes = obj.getattr("bytes").map_err(|_| Mismatch::new(declared, obj, ""))?;
            let bytes = bytes.cast::<PyBytes>().map_err(|_| Mismatch::new(declared, obj, ""))?;
            IDLValue::Principal(candid::Principal::from_slice(bytes.as_bytes()))
        }
        TypeInner::Opt(inner) => {
            if obj.is_none() {
                IDLValue::None
            } else {
                IDLValue::Opt(Box::new(from_python(env, obj, inner)?))
            }
        }
        TypeInner::Vec(inner) if is_blob(env, inner) => {
            if let Ok(b) = obj.cast::<PyBytes>() {
                IDLValue::Blob(b.as_bytes().to_vec())
            } else if let Ok(b) = obj.cast::<PyByteArray>() {
                IDLValue::Blob(b.to_vec())
            } else {
                return Err(Mismatch::new(declared, obj, "expected bytes"));
            }
        }
        TypeInner::Vec(inner) => {
            if !(obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>()) {
                return Err(Mismatch::new(declared, obj, "expected a list"));
            }
            let mut items = Vec::new();
            for (i, item) in obj.try_iter().map_err(|_| Mismatch::new(declared, obj, ""))?.enumerate() {
                let item = item.map_err(|_| Mismatch::new(declared, obj, ""))?;
                items.push(from_python(env, &item, inner).map_err(|m| m.at(format!("[{i}]")))?);
            }
            IDLValue::Vec(items)
        }
        TypeInner::Record(fields) if is_tuple(fields) => {
            if !(obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>()) {
                return Err(Mismatch::new(declared, obj, "expected a tuple"));
            }
            let len = obj.len().unwrap_or(0);
            if len != fields.len() {
                return Err(Mismatch::new(declared, obj, &format!("{len} items")));
            }
            let mut out = Vec::with_capacity(fields.len());
            for (i, f) in fields.iter().enumerate() {
                let item = obj.get_item(i).map_err(|_| Mismatch::new(declared, obj, ""))?;
                out.push(IDLField { id: (*f.id).clone(), val: from_python(env, &item, &f.ty).map_err(|m| m.at(format!("[{i}]")))? });
            }
            IDLValue::Record(out)
        }
        TypeInner::Record(fields) => {
            let dict = obj.cast::<PyDict>().map_err(|_| Mismatch::new(declared, obj, "expected a dict"))?;
            let mut out = Vec::with_capacity(fields.len());
            for f in fields {
                let name = label_name(&f.id);
                let val = match dict.get_item(&name).ok().flatten() {
                    Some(item) => from_python(env, &item, &f.ty).map_err(|m| m.at(name.clone()))?,
                    None => match resolve(env, &f.ty).as_ref() {
                        TypeInner::Opt(_) => IDLValue::None,
                        TypeInner::Null => IDLValue::Null,
                        TypeInner::Reserved => IDLValue::Reserved,
                        _ => return Err(Mismatch::new(declared, obj, &format!("missing key {name:?}"))),
                    },
                };
                out.push(IDLField { id: (*f.id).clone(), val });
            }
            IDLValue::Record(out)
        }
        TypeInner::Variant(fields) => {
            let dict = obj.cast::<PyDict>().map_err(|_| Mismatch::new(declared, obj, "expected a one-key dict"))?;
            if dict.len() != 1 {
                return Err(Mismatch::new(declared, obj, &format!("{} keys, expected one", dict.len())));
            }
            let (key, item) = dict.iter().next().expect("one item");
            let key: String = key.extract().map_err(|_| Mismatch::new(declared, obj, "the key is not a str"))?;
            let Some((index, f)) = fields.iter().enumerate().find(|(_, f)| label_name(&f.id) == key) else {
                return Err(Mismatch::new(declared, obj, &format!("unknown case {key:?}")));
            };
            let val = from_python(env, &item, &f.ty).map_err(|m| m.at(key.clone()))?;
            IDLValue::Variant(VariantValue(Box::new(IDLField { id: (*f.id).clone(), val }), index as u64))
        }
        _ => return Err(Mismatch::new(declared, obj, "this Candid type has no Python value")),
    })
}
