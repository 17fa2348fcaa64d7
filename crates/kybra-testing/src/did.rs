//! Interfaces of canisters that carry no Kybra payload (Rust canisters, the management
//! canister): Candid types from a `.did` text or from Rust types are turned into a
//! [`Payload`] with no modules, so the one codec (`kybra-codec`) handles every canister.
//!
//! Promises: every Candid type the codec can express converts (named types of a `.did`
//! stay named, so recursive types work); a label that is a Python keyword gets the
//! compiler's Python key (`class` → `class_`); a type it cannot express (`future`,
//! a Rust-side recursive knot) is an error naming it.

use candid::types::{
    Field as CField, FuncMode as CFuncMode, Function, Label, Type as CType, TypeInner,
};
use kybra_interface::{
    Field, FuncMode, FuncType, FunctionRef, Hook, Method, MethodKind, Param, Payload,
    ServiceMethod, Type, TypeDef,
};

/// Python keywords: a Candid label spelled like one is written with a trailing `_`.
const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// The payload-shaped interface of a `.did` text: its service's methods and init arguments.
pub fn payload_from_did(text: &str) -> Result<Payload, String> {
    let (env, actor) = candid_parser::utils::CandidSource::Text(text)
        .load()
        .map_err(|e| format!("not a valid .did: {e}"))?;
    let actor = actor.ok_or("the .did declares no service (`service : { ... }`)")?;
    let (init, service) = match actor.as_ref() {
        TypeInner::Class(args, service) => (args.clone(), service.clone()),
        _ => (Vec::new(), actor.clone()),
    };
    let methods = env
        .as_service(&service)
        .map_err(|e| format!("the service: {e}"))?;
    let mut payload = empty_payload();
    for (name, def) in &env.0 {
        payload.types.push(TypeDef {
            name: name.clone(),
            ty: convert(def).map_err(|e| format!("type `{name}`: {e}"))?,
            class: None,
        });
    }
    for (name, func) in methods {
        let func = env
            .as_func(func)
            .map_err(|e| format!("method `{name}`: {e}"))?;
        payload
            .methods
            .push(method(name, func).map_err(|e| format!("method `{name}`: {e}"))?);
    }
    if !init.is_empty() {
        payload.hooks.init = Some(Hook {
            function: FunctionRef {
                module: String::new(),
                function: "init".into(),
            },
            params: params(&init)?,
            guard: None,
        });
    }
    Ok(payload)
}

/// A payload with nothing in it, to add methods and types to.
pub fn empty_payload() -> Payload {
    Payload {
        modules: Vec::new(),
        entry: String::new(),
        methods: Vec::new(),
        types: Vec::new(),
        hooks: Default::default(),
        env: Vec::new(),
        site_packages: Vec::new(),
        file_system: None,
        stable_structures: Vec::new(),
    }
}

/// A method of the payload from a Candid function type.
pub fn method(name: &str, func: &Function) -> Result<Method, String> {
    let kind = if func.modes.contains(&CFuncMode::CompositeQuery) {
        MethodKind::CompositeQuery
    } else if func.is_query() {
        MethodKind::Query
    } else {
        MethodKind::Update
    };
    Ok(Method {
        name: name.to_string(),
        module: String::new(),
        function: name.to_string(),
        kind,
        params: params(&func.args)?,
        returns: func.rets.iter().map(convert).collect::<Result<_, _>>()?,
        guard: None,
        manual_reply: false,
    })
}

fn params(types: &[CType]) -> Result<Vec<Param>, String> {
    types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            Ok(Param {
                name: format!("arg{i}"),
                ty: convert(t)?,
            })
        })
        .collect()
}

/// A Candid type as the payload's type model.
pub fn convert(t: &CType) -> Result<Type, String> {
    Ok(match t.as_ref() {
        TypeInner::Null => Type::Null,
        TypeInner::Bool => Type::Bool,
        TypeInner::Nat => Type::Nat,
        TypeInner::Int => Type::Int,
        TypeInner::Nat8 => Type::Nat8,
        TypeInner::Nat16 => Type::Nat16,
        TypeInner::Nat32 => Type::Nat32,
        TypeInner::Nat64 => Type::Nat64,
        TypeInner::Int8 => Type::Int8,
        TypeInner::Int16 => Type::Int16,
        TypeInner::Int32 => Type::Int32,
        TypeInner::Int64 => Type::Int64,
        TypeInner::Float32 => Type::Float32,
        TypeInner::Float64 => Type::Float64,
        TypeInner::Text => Type::Text,
        TypeInner::Reserved => Type::Reserved,
        TypeInner::Empty => Type::Empty,
        TypeInner::Principal => Type::Principal,
        TypeInner::Var(name) => Type::Named(name.clone()),
        TypeInner::Opt(t) => Type::Opt(Box::new(convert(t)?)),
        TypeInner::Vec(t) if matches!(t.as_ref(), TypeInner::Nat8) => Type::Blob,
        TypeInner::Vec(t) => Type::Vec(Box::new(convert(t)?)),
        TypeInner::Record(fields) if is_tuple(fields) => Type::Tuple(
            fields
                .iter()
                .map(|f| convert(&f.ty))
                .collect::<Result<_, _>>()?,
        ),
        TypeInner::Record(fields) => Type::Record(self::fields(fields)?),
        TypeInner::Variant(fields) => Type::Variant(self::fields(fields)?),
        TypeInner::Func(f) => Type::Func(Box::new(func(f)?)),
        TypeInner::Service(methods) => Type::Service(
            methods
                .iter()
                .map(|(name, t)| match t.as_ref() {
                    TypeInner::Func(f) => Ok(ServiceMethod {
                        name: name.clone(),
                        func: func(f)?,
                    }),
                    _ => Err(format!("service method `{name}` is not a func")),
                })
                .collect::<Result<_, String>>()?,
        ),
        TypeInner::Knot(id) => match candid::types::internal::find_type(id) {
            Some(t) => convert(&t)?,
            None => return Err(format!("unresolved recursive Rust type {id}")),
        },
        other => return Err(format!("the Candid type `{other}` has no Python value")),
    })
}

/// A record whose labels are 0, 1, 2, ... is a tuple.
fn is_tuple(fields: &[CField]) -> bool {
    !fields.is_empty()
        && fields
            .iter()
            .enumerate()
            .all(|(i, f)| f.id.get_id() == i as u32 && !matches!(&*f.id, Label::Named(_)))
}

fn fields(fields: &[CField]) -> Result<Vec<Field>, String> {
    fields
        .iter()
        .map(|f| {
            let name = match &*f.id {
                Label::Named(n) => n.clone(),
                Label::Id(i) | Label::Unnamed(i) => i.to_string(),
            };
            let python_name = KEYWORDS
                .contains(&name.as_str())
                .then(|| format!("{name}_"));
            Ok(Field {
                ty: convert(&f.ty).map_err(|e| format!("field `{name}`: {e}"))?,
                name,
                python_name,
            })
        })
        .collect()
}

fn func(f: &Function) -> Result<FuncType, String> {
    let mode = if f.modes.contains(&CFuncMode::Oneway) {
        FuncMode::Oneway
    } else if f.modes.contains(&CFuncMode::CompositeQuery) {
        FuncMode::CompositeQuery
    } else if f.modes.contains(&CFuncMode::Query) {
        FuncMode::Query
    } else {
        FuncMode::Update
    };
    Ok(FuncType {
        mode,
        args: f.args.iter().map(convert).collect::<Result<_, _>>()?,
        returns: f.rets.iter().map(convert).collect::<Result<_, _>>()?,
    })
}
