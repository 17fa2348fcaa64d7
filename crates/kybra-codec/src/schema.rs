//! The canister's declared Candid types, compiled once at start-up from the payload's
//! [`kybra_interface::Type`]s into a [`Table`] plus what the Python side needs for each
//! entry: the Python key of each record field / variant case (interned `str`, so a
//! dict lookup costs no allocation), whether a record is a Python tuple, the `Service`
//! subclass a service reference becomes, and the names used in error messages.
//!
//! Promises: [`Schema::build`] resolves every named type (recursive and mutually
//! recursive ones through table entries; aliases to their target) or fails naming the
//! type that is missing, a cycle of bare aliases, duplicate labels, or a `Service` class
//! that cannot be imported. Every `T` it hands out is valid in its table.

use std::collections::HashMap;

use kybra_interface::{Field, FuncMode, FuncType, Payload, Type, TypeDef};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::types::{self, Entry, FuncSig, Names, Table, T};

/// The Python side of one record field or variant case.
pub struct FieldMeta {
    /// The Candid label (for messages).
    pub label: String,
    /// The Python dict key, interned.
    pub key: Py<PyString>,
}

/// What the codec needs beyond the Candid type of one entry.
#[derive(Default)]
pub struct Meta {
    /// The named type this entry is (for messages).
    pub name: Option<String>,
    /// Record fields / variant cases, in the entry's (label id) order.
    pub fields: Vec<FieldMeta>,
    /// A record shown to Python as a tuple.
    pub tuple: bool,
    /// Variant: Python key -> position in `fields`.
    pub cases: Option<Py<PyDict>>,
    /// Service: the Python class to build from a principal.
    pub class: Option<Py<PyAny>>,
}

/// A method's parameter types and result types.
pub type Signature = (Vec<T>, Vec<T>);

/// The declared types of the canister.
pub struct Schema {
    pub table: Table,
    pub meta: Vec<Meta>,
    /// True when some type holds principals (principal, func, service).
    pub uses_principals: bool,
}

impl Names for Schema {
    fn type_name(&self, index: usize) -> Option<&str> {
        self.meta.get(index).and_then(|m| m.name.as_deref())
    }
    fn field_label(&self, index: usize, position: usize) -> Option<&str> {
        self.meta
            .get(index)
            .and_then(|m| m.fields.get(position))
            .map(|f| f.label.as_str())
    }
}

struct Builder<'a, 'py> {
    py: Python<'py>,
    defs: HashMap<&'a str, &'a TypeDef>,
    named: HashMap<String, T>,
    /// Aliases being resolved (cycle detection).
    resolving: Vec<String>,
    entries: Vec<Option<Entry>>,
    meta: Vec<Meta>,
    uses_principals: bool,
}

impl Schema {
    /// Compiles the named types and every method's parameter and result types; returns
    /// the schema and, per method, its (parameter types, result types).
    pub fn build(py: Python<'_>, payload: &Payload) -> Result<(Schema, Vec<Signature>), String> {
        let mut b = Builder {
            py,
            defs: payload.types.iter().map(|d| (d.name.as_str(), d)).collect(),
            named: HashMap::new(),
            resolving: Vec::new(),
            entries: Vec::new(),
            meta: Vec::new(),
            uses_principals: false,
        };
        for def in &payload.types {
            b.named(&def.name)
                .map_err(|e| format!("type `{}`: {e}", def.name))?;
        }
        let mut methods = Vec::with_capacity(payload.methods.len());
        for m in &payload.methods {
            let params = m
                .params
                .iter()
                .map(|p| b.ty(&p.ty))
                .collect::<Result<Vec<_>, _>>();
            let rets = m
                .returns
                .iter()
                .map(|t| b.ty(t))
                .collect::<Result<Vec<_>, _>>();
            match (params, rets) {
                (Ok(p), Ok(r)) => methods.push((p, r)),
                (Err(e), _) | (_, Err(e)) => return Err(format!("method `{}`: {e}", m.name)),
            }
        }
        let entries = b
            .entries
            .into_iter()
            .map(|e| e.expect("every reserved entry is filled"))
            .collect();
        Ok((
            Schema {
                table: Table { entries },
                meta: b.meta,
                uses_principals: b.uses_principals,
            },
            methods,
        ))
    }

    /// `t` in Candid syntax, named types by name.
    pub fn show(&self, t: T) -> String {
        self.table.show(t, self)
    }

    pub fn meta(&self, t: T) -> &Meta {
        &self.meta[t.0 as usize]
    }
}

impl<'a> Builder<'a, '_> {
    fn push(&mut self, entry: Entry, meta: Meta) -> T {
        self.entries.push(Some(entry));
        self.meta.push(meta);
        T(self.entries.len() as i32 - 1)
    }

    fn reserve(&mut self, name: &str) -> T {
        self.entries.push(None);
        self.meta.push(Meta {
            name: Some(name.to_string()),
            ..Meta::default()
        });
        T(self.entries.len() as i32 - 1)
    }

    /// The type a name stands for: structural definitions get an entry (reserved
    /// before their body is built, so recursion finds it), aliases their target.
    fn named(&mut self, name: &str) -> Result<T, String> {
        if let Some(t) = self.named.get(name) {
            return Ok(*t);
        }
        let def = *self
            .defs
            .get(name)
            .ok_or_else(|| format!("refers to the unknown type `{name}`"))?;
        let structural = !matches!(def.ty, Type::Named(_)) && !is_primitive(&def.ty);
        if !structural {
            if self.resolving.iter().any(|n| n == name) {
                return Err(format!(
                    "the aliases {} refer to each other in a cycle",
                    self.resolving.join(" -> ")
                ));
            }
            self.resolving.push(name.to_string());
            let t = self.ty(&def.ty);
            self.resolving.pop();
            let t = t?;
            self.named.insert(name.to_string(), t);
            return Ok(t);
        }
        let slot = self.reserve(name);
        self.named.insert(name.to_string(), slot);
        let (entry, mut meta) = self.structural(&def.ty)?;
        meta.name = Some(name.to_string());
        if let Some(class) = &def.class {
            let obj = self
                .py
                .import(class.module.as_str())
                .and_then(|m| m.getattr(class.name.as_str()))
                .map_err(|e| {
                    format!(
                        "cannot find its Python class `{}.{}`: {e}",
                        class.module, class.name
                    )
                })?;
            meta.class = Some(obj.unbind());
        }
        self.entries[slot.0 as usize] = Some(entry);
        self.meta[slot.0 as usize] = meta;
        Ok(slot)
    }

    fn ty(&mut self, ty: &Type) -> Result<T, String> {
        if let Some(t) = primitive(ty) {
            if ty == &Type::Principal {
                self.uses_principals = true;
            }
            return Ok(t);
        }
        if let Type::Named(name) = ty {
            return self.named(name);
        }
        let (entry, meta) = self.structural(ty)?;
        Ok(self.push(entry, meta))
    }

    fn fields(&mut self, fields: &[Field], variant: bool) -> Result<(Vec<(u32, T)>, Meta), String> {
        let mut out: Vec<(u32, T, FieldMeta)> = Vec::with_capacity(fields.len());
        for f in fields {
            let id = f
                .name
                .parse::<u32>()
                .unwrap_or_else(|_| candid::idl_hash(&f.name));
            let t = self
                .ty(&f.ty)
                .map_err(|e| format!("field `{}`: {e}", f.name))?;
            let key = PyString::intern(self.py, f.key()).unbind();
            out.push((
                id,
                t,
                FieldMeta {
                    label: f.name.clone(),
                    key,
                },
            ));
        }
        out.sort_by_key(|(id, _, _)| *id);
        if let Some(w) = out.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(format!(
                "the labels `{}` and `{}` have the same Candid hash",
                w[0].2.label, w[1].2.label
            ));
        }
        let mut meta = Meta::default();
        if variant {
            let cases = PyDict::new(self.py);
            for (i, (_, _, m)) in out.iter().enumerate() {
                cases
                    .set_item(m.key.bind(self.py), i)
                    .map_err(|e| e.to_string())?;
            }
            meta.cases = Some(cases.unbind());
        }
        let ids = out.iter().map(|(id, t, _)| (*id, *t)).collect();
        meta.fields = out.into_iter().map(|(_, _, m)| m).collect();
        Ok((ids, meta))
    }

    fn func(&mut self, f: &FuncType) -> Result<FuncSig, String> {
        self.uses_principals = true;
        let args = f
            .args
            .iter()
            .map(|t| self.ty(t))
            .collect::<Result<_, _>>()?;
        let rets = f
            .returns
            .iter()
            .map(|t| self.ty(t))
            .collect::<Result<_, _>>()?;
        let modes = match f.mode {
            FuncMode::Update => vec![],
            FuncMode::Query => vec![1],
            FuncMode::Oneway => vec![2],
            FuncMode::CompositeQuery => vec![3],
        };
        Ok(FuncSig { args, rets, modes })
    }

    fn structural(&mut self, ty: &Type) -> Result<(Entry, Meta), String> {
        Ok(match ty {
            Type::Opt(t) => (Entry::Opt(self.ty(t)?), Meta::default()),
            Type::Vec(t) => (Entry::Vec(self.ty(t)?), Meta::default()),
            Type::Blob => (Entry::Vec(types::NAT8), Meta::default()),
            Type::Record(fields) => {
                let (ids, meta) = self.fields(fields, false)?;
                (Entry::Record(ids), meta)
            }
            Type::Variant(fields) => {
                let (ids, meta) = self.fields(fields, true)?;
                (Entry::Variant(ids), meta)
            }
            Type::Tuple(items) => {
                let fields: Vec<Field> = items
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Field::new(i.to_string(), t.clone()))
                    .collect();
                let (ids, mut meta) = self.fields(&fields, false)?;
                meta.tuple = true;
                (Entry::Record(ids), meta)
            }
            Type::Func(f) => (Entry::Func(self.func(f)?), Meta::default()),
            Type::Service(methods) => {
                let mut ms = Vec::with_capacity(methods.len());
                for m in methods {
                    let sig = self.func(&m.func)?;
                    let t = self.push(Entry::Func(sig), Meta::default());
                    ms.push((m.name.clone(), t));
                }
                ms.sort_by(|a, b| a.0.cmp(&b.0));
                (Entry::Service(ms), Meta::default())
            }
            other => return Err(format!("{other:?} is not a composite type")),
        })
    }
}

fn is_primitive(ty: &Type) -> bool {
    primitive(ty).is_some()
}

fn primitive(ty: &Type) -> Option<T> {
    use crate::types::*;
    Some(match ty {
        Type::Null => NULL,
        Type::Bool => BOOL,
        Type::Nat => NAT,
        Type::Int => INT,
        Type::Nat8 => NAT8,
        Type::Nat16 => NAT16,
        Type::Nat32 => NAT32,
        Type::Nat64 => NAT64,
        Type::Int8 => INT8,
        Type::Int16 => INT16,
        Type::Int32 => INT32,
        Type::Int64 => INT64,
        Type::Float32 => FLOAT32,
        Type::Float64 => FLOAT64,
        Type::Text => TEXT,
        Type::Reserved => RESERVED,
        Type::Empty => EMPTY,
        Type::Principal => PRINCIPAL,
        _ => return None,
    })
}
