//! Candid text ⇄ bytes for `kybra canister call` and `kybra deploy --argument`, typed by
//! the canister's `.did`.
//!
//! Promises: arguments are read as dfx reads them — `(v1, v2)`, or a single value without
//! the outer parentheses (`record { a = 1 }` is one argument) — and checked against the
//! method's parameter types BEFORE anything is sent; every error names the method and the
//! expected types. Replies decode with the
//! method's result types and print like dfx (`("Hello World!")`, `()`).

use std::path::{Path, PathBuf};

use candid::types::{FuncMode, Function, Type, TypeInner};
use candid::{IDLArgs, IDLValue, TypeEnv};
use candid_parser::utils::CandidSource;

/// What can go wrong while typing Candid values.
#[derive(Debug, thiserror::Error)]
pub enum CandidArgError {
    #[error("cannot read the Candid interface {path}: {message}")]
    Interface { path: PathBuf, message: String },
    #[error("the Candid interface {path} has no service")]
    NoService { path: PathBuf },
    #[error("the canister has no method `{method}`; its methods are: {available}")]
    UnknownMethod { method: String, available: String },
    #[error("malformed Candid arguments for `{method}`: {message}\n  `{method}` expects {expected}, e.g. {example}")]
    Malformed {
        method: String,
        message: String,
        expected: String,
        example: String,
    },
    #[error("wrong arguments for `{method}`: {message}\n  `{method}` expects {expected}, e.g. {example}")]
    Mismatch {
        method: String,
        message: String,
        expected: String,
        example: String,
    },
    #[error("cannot decode the reply of `{method}` as {expected}: {message}")]
    Reply {
        method: String,
        message: String,
        expected: String,
    },
}

/// A canister's Candid interface, loaded from its `.did`.
pub struct Interface {
    path: PathBuf,
    env: TypeEnv,
    service: Type,
}

/// A method: its name and Candid signature.
pub struct Method<'a> {
    pub name: &'a str,
    pub func: &'a Function,
}

impl<'a> Method<'a> {
    /// Whether the method is a (composite) query.
    pub fn is_query(&self) -> bool {
        self.func
            .modes
            .iter()
            .any(|m| matches!(m, FuncMode::Query | FuncMode::CompositeQuery))
    }
}

impl Interface {
    /// Loads and type-checks a `.did` file.
    pub fn load(path: &Path) -> Result<Interface, CandidArgError> {
        let (env, service) =
            CandidSource::File(path)
                .load()
                .map_err(|e| CandidArgError::Interface {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })?;
        let service = service.ok_or_else(|| CandidArgError::NoService {
            path: path.to_path_buf(),
        })?;
        Ok(Interface {
            path: path.to_path_buf(),
            env,
            service,
        })
    }

    /// Parses `.did` text (tests, and interfaces read from canister metadata).
    pub fn parse(text: &str) -> Result<Interface, CandidArgError> {
        let path = PathBuf::from("<candid>");
        let (env, service) =
            CandidSource::Text(text)
                .load()
                .map_err(|e| CandidArgError::Interface {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
        let service = service.ok_or_else(|| CandidArgError::NoService { path: path.clone() })?;
        Ok(Interface { path, env, service })
    }

    /// Where the interface came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The method called `name`.
    pub fn method<'a>(&'a self, name: &'a str) -> Result<Method<'a>, CandidArgError> {
        match self.env.get_method(&self.service, name) {
            Ok(func) => Ok(Method { name, func }),
            Err(_) => {
                let names: Vec<String> = self
                    .env
                    .as_service(&self.service)
                    .map(|methods| methods.iter().map(|(n, _)| n.clone()).collect())
                    .unwrap_or_default();
                Err(CandidArgError::UnknownMethod {
                    method: name.to_string(),
                    available: if names.is_empty() {
                        "(none)".into()
                    } else {
                        names.join(", ")
                    },
                })
            }
        }
    }

    /// The init arguments of a `service : (args) -> {...}` interface (empty otherwise).
    pub fn init_args(&self) -> Vec<Type> {
        match self.service.as_ref() {
            TypeInner::Class(args, _) => args.clone(),
            _ => Vec::new(),
        }
    }

    /// Whether an install must be given arguments: some init type is not `opt`, `null` or
    /// `reserved` (those decode from nothing).
    pub fn init_args_required(&self) -> bool {
        self.init_args().iter().any(|t| {
            let t = self.env.trace_type(t).unwrap_or_else(|_| t.clone());
            !matches!(
                t.as_ref(),
                TypeInner::Opt(_) | TypeInner::Null | TypeInner::Reserved
            )
        })
    }

    /// The init types as Candid text, e.g. `(text, nat64)`; named types are spelled out:
    /// `(Pair) where Pair = record { text; Inner }`.
    pub fn init_types_text(&self) -> String {
        let types = self.init_args();
        let named: Vec<String> = types
            .iter()
            .filter_map(|t| match t.as_ref() {
                TypeInner::Var(name) => self
                    .env
                    .find_type(name)
                    .ok()
                    .map(|def| format!("{name} = {def}")),
                _ => None,
            })
            .collect();
        if named.is_empty() {
            types_text(&types)
        } else {
            format!("{} where {}", types_text(&types), named.join(", "))
        }
    }

    /// A sample init argument, e.g. `("text", 42)`.
    pub fn init_example(&self) -> String {
        example_args(&self.env, &self.init_args())
    }

    /// Encodes Candid text `text` (None = no argument) as the method's arguments.
    pub fn encode_args(
        &self,
        method: &Method<'_>,
        text: Option<&str>,
    ) -> Result<Vec<u8>, CandidArgError> {
        encode_typed(&self.env, method.name, &method.func.args, text)
    }

    /// Encodes Candid text as the install (init) arguments.
    pub fn encode_init_args(&self, text: Option<&str>) -> Result<Vec<u8>, CandidArgError> {
        encode_typed(&self.env, "init", &self.init_args(), text)
    }

    /// Decodes a reply with the method's result types.
    pub fn decode_reply(
        &self,
        method: &Method<'_>,
        bytes: &[u8],
    ) -> Result<IDLArgs, CandidArgError> {
        IDLArgs::from_bytes_with_types(bytes, &self.env, &method.func.rets).map_err(|e| {
            CandidArgError::Reply {
                method: method.name.to_string(),
                message: e.to_string(),
                expected: types_text(&method.func.rets),
            }
        })
    }
}

fn encode_typed(
    env: &TypeEnv,
    method: &str,
    types: &[Type],
    text: Option<&str>,
) -> Result<Vec<u8>, CandidArgError> {
    let expected = types_text(types);
    let example = example_text(env, types);
    let args = parse_args(text.unwrap_or("()")).map_err(|message| CandidArgError::Malformed {
        method: method.to_string(),
        message,
        expected: expected.clone(),
        example: example.clone(),
    })?;
    let mismatch = |message: String| CandidArgError::Mismatch {
        method: method.to_string(),
        message,
        expected: expected.clone(),
        example: example.clone(),
    };
    if args.args.len() > types.len() {
        return Err(mismatch(format!(
            "got {} values, but it takes {}",
            args.args.len(),
            types.len()
        )));
    }
    let args = args
        .annotate_types(true, env, types)
        .map_err(|e| mismatch(one_line(&e.to_string())))?;
    args.to_bytes_with_types(env, types)
        .map_err(|e| mismatch(one_line(&e.to_string())))
}

/// Encodes Candid text without type information (for canisters whose `.did` is unknown).
pub fn encode_untyped(text: Option<&str>) -> Result<Vec<u8>, CandidArgError> {
    let args = parse_args(text.unwrap_or("()")).map_err(|message| CandidArgError::Malformed {
        method: "?".into(),
        message,
        expected: "Candid values".into(),
        example: "'(\"text\", 42)'".into(),
    })?;
    args.to_bytes().map_err(|e| CandidArgError::Malformed {
        method: "?".into(),
        message: e.to_string(),
        expected: "Candid values".into(),
        example: "'(\"text\", 42)'".into(),
    })
}

/// Candid text as dfx reads it: arguments `(v1, v2, ...)`, or one value written without the
/// outer parentheses (`record { a = 1 }`, `42`, `"text"`). The error is the parser's, for
/// the form the text looks like.
pub fn parse_args(text: &str) -> Result<IDLArgs, String> {
    let text = text.trim();
    let args_error = match candid_parser::parse_idl_args(text) {
        Ok(args) => return Ok(args),
        Err(e) => e,
    };
    match candid_parser::parse_idl_value(text) {
        Ok(value) => Ok(IDLArgs::new(&[value])),
        Err(value_error) if !text.starts_with('(') => Err(one_line(&value_error.to_string())),
        Err(_) => Err(one_line(&args_error.to_string())),
    }
}

/// Decodes a reply without type information.
pub fn decode_untyped(bytes: &[u8]) -> Result<IDLArgs, CandidArgError> {
    IDLArgs::from_bytes(bytes).map_err(|e| CandidArgError::Reply {
        method: "?".into(),
        message: e.to_string(),
        expected: "Candid values".into(),
    })
}

/// `(text, nat64)`.
fn types_text(types: &[Type]) -> String {
    let inner: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    format!("({})", inner.join(", "))
}

/// A sample argument for the types, quoted for a shell, shown in error messages.
fn example_text(env: &TypeEnv, types: &[Type]) -> String {
    format!("'{}'", example_args(env, types))
}

/// A sample argument for the types: `("text", 42)`.
fn example_args(env: &TypeEnv, types: &[Type]) -> String {
    let values: Vec<String> = types.iter().map(|t| example_value(env, t, 0)).collect();
    format!("({})", values.join(", "))
}

fn example_value(env: &TypeEnv, ty: &Type, depth: usize) -> String {
    if depth > 3 {
        return "...".into();
    }
    let ty = env.trace_type(ty).unwrap_or_else(|_| ty.clone());
    match ty.as_ref() {
        TypeInner::Text => "\"text\"".into(),
        TypeInner::Bool => "true".into(),
        TypeInner::Null => "null".into(),
        TypeInner::Nat
        | TypeInner::Nat8
        | TypeInner::Nat16
        | TypeInner::Nat32
        | TypeInner::Nat64 => "42".into(),
        TypeInner::Int
        | TypeInner::Int8
        | TypeInner::Int16
        | TypeInner::Int32
        | TypeInner::Int64 => "-42".into(),
        TypeInner::Float32 | TypeInner::Float64 => "3.14".into(),
        TypeInner::Principal => "principal \"aaaaa-aa\"".into(),
        TypeInner::Opt(inner) => format!("opt {}", example_value(env, inner, depth + 1)),
        TypeInner::Vec(inner) if matches!(inner.as_ref(), TypeInner::Nat8) => {
            "blob \"\\00\\01\"".into()
        }
        TypeInner::Vec(inner) => format!("vec {{ {} }}", example_value(env, inner, depth + 1)),
        TypeInner::Record(fields) => {
            let fields: Vec<String> = fields
                .iter()
                .map(|f| format!("{} = {}", f.id, example_value(env, &f.ty, depth + 1)))
                .collect();
            format!("record {{ {} }}", fields.join("; "))
        }
        TypeInner::Variant(fields) => match fields.first() {
            Some(f) if matches!(f.ty.as_ref(), TypeInner::Null) => {
                format!("variant {{ {} }}", f.id)
            }
            Some(f) => format!(
                "variant {{ {} = {} }}",
                f.id,
                example_value(env, &f.ty, depth + 1)
            ),
            None => "variant {}".into(),
        },
        _ => ty.to_string(),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders a reply for `--output json`: records/variants as objects, vectors as arrays,
/// 64-bit and unbounded numbers as strings (JSON numbers lose precision past 2^53), blobs
/// as hex strings, principals as text.
pub fn to_json(args: &IDLArgs) -> serde_json::Value {
    match args.args.as_slice() {
        [one] => value_to_json(one),
        many => serde_json::Value::Array(many.iter().map(value_to_json).collect()),
    }
}

fn value_to_json(value: &IDLValue) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        IDLValue::Bool(b) => J::Bool(*b),
        IDLValue::Null | IDLValue::None | IDLValue::Reserved => J::Null,
        IDLValue::Text(s) => J::String(s.clone()),
        IDLValue::Number(n) => J::String(n.clone()),
        IDLValue::Float64(f) => serde_json::Number::from_f64(*f)
            .map(J::Number)
            .unwrap_or(J::Null),
        IDLValue::Float32(f) => serde_json::Number::from_f64(f64::from(*f))
            .map(J::Number)
            .unwrap_or(J::Null),
        IDLValue::Opt(inner) => value_to_json(inner),
        IDLValue::Blob(bytes) => J::String(bytes.iter().map(|b| format!("{b:02x}")).collect()),
        IDLValue::Vec(items) => J::Array(items.iter().map(value_to_json).collect()),
        IDLValue::Record(fields) => J::Object(
            fields
                .iter()
                .map(|f| (f.id.to_string(), value_to_json(&f.val)))
                .collect(),
        ),
        IDLValue::Variant(variant) => {
            let field = &variant.0;
            J::Object(
                [(field.id.to_string(), value_to_json(&field.val))]
                    .into_iter()
                    .collect(),
            )
        }
        IDLValue::Principal(p) => J::String(p.to_text()),
        IDLValue::Service(p) => J::String(p.to_text()),
        IDLValue::Func(p, m) => J::Array(vec![J::String(p.to_text()), J::String(m.clone())]),
        // The digits alone: `Nat`/`Int`'s Display groups them with `_`.
        IDLValue::Nat(n) => J::String(n.0.to_string()),
        IDLValue::Int(n) => J::String(n.0.to_string()),
        IDLValue::Nat8(n) => J::from(*n),
        IDLValue::Nat16(n) => J::from(*n),
        IDLValue::Nat32(n) => J::from(*n),
        IDLValue::Nat64(n) => J::String(n.to_string()),
        IDLValue::Int8(n) => J::from(*n),
        IDLValue::Int16(n) => J::from(*n),
        IDLValue::Int32(n) => J::from(*n),
        IDLValue::Int64(n) => J::String(n.to_string()),
    }
}

#[cfg(test)]
mod tests;
