//! Emits the canister's Candid interface (`.did`) and compares interfaces as Candid.
//!
//! Promises: the text comes from the `candid` crate's pretty printer over
//! [`kybra_interface::Type::to_candid`] (the same types the runtime decodes with), methods
//! sorted by name, the init arguments of `@init` (else `@post_upgrade`) as
//! `service : (args) -> { ... }`; [`emit`] re-parses its output with `candid_parser` and checks it is the
//! same service, so a `.did` that does not round-trip never leaves the compiler.

use std::collections::HashSet;

use candid::types::{FuncMode, Function, Type as CType, TypeInner};
use candid::TypeEnv;
use candid_parser::IDLProg;
use kybra_interface::{MethodKind, Payload};

use crate::diagnostic::BuildError;

/// The service's init arguments: the parameters of `@init`, else of `@post_upgrade`.
pub fn init_args(payload: &Payload) -> Vec<CType> {
    let hooks = &payload.hooks;
    [&hooks.init, &hooks.post_upgrade]
        .into_iter()
        .flatten()
        .map(|h| {
            h.params
                .iter()
                .map(|p| p.ty.to_candid())
                .collect::<Vec<_>>()
        })
        .find(|p| !p.is_empty())
        .unwrap_or_default()
}

/// The service type of `payload`: `(init args) -> service { ... }` when `@init` or
/// `@post_upgrade` take parameters.
pub fn service(payload: &Payload) -> CType {
    let mut methods: Vec<(String, CType)> = payload
        .methods
        .iter()
        .map(|m| {
            let modes = match m.kind {
                MethodKind::Query => vec![FuncMode::Query],
                MethodKind::CompositeQuery => vec![FuncMode::CompositeQuery],
                MethodKind::Update => vec![],
            };
            let f = Function {
                modes,
                args: m.arg_types(),
                rets: m.result_types(),
            };
            (m.name.clone(), TypeInner::Func(f).into())
        })
        .collect();
    methods.sort_by(|a, b| a.0.cmp(&b.0));
    let service: CType = TypeInner::Service(methods).into();
    let args = init_args(payload);
    if args.is_empty() {
        service
    } else {
        TypeInner::Class(args, service).into()
    }
}

/// The names of the types the service's methods and init arguments reach (the payload
/// also holds types only the runtime needs: stable map keys, services called through).
fn reachable(payload: &Payload) -> HashSet<String> {
    let methods = payload
        .methods
        .iter()
        .flat_map(|m| m.params.iter().map(|p| &p.ty).chain(&m.returns));
    let hooks = [&payload.hooks.init, &payload.hooks.post_upgrade]
        .into_iter()
        .flatten();
    payload.reachable_types(methods.chain(hooks.flat_map(|h| h.params.iter().map(|p| &p.ty))))
}

/// The `.did` text of `payload`, checked to parse back to the same service.
pub fn emit(payload: &Payload) -> Result<String, BuildError> {
    let used = reachable(payload);
    let mut env = TypeEnv::new();
    for def in payload.types.iter().filter(|d| used.contains(&d.name)) {
        env.0.insert(def.name.clone(), def.ty.to_candid());
    }
    let actor = service(payload);
    let text = candid::pretty::candid::compile(&env, &Some(actor.clone()));
    let (env2, parsed) = load(&text).map_err(|e| BuildError::Candid(format!("{e}\n{text}")))?;
    let parsed = env.merge_type(env2, parsed);
    candid::types::subtype::equal(&mut HashSet::new(), &env, &actor, &parsed)
        .map_err(|e| BuildError::Candid(format!("{e}\n{text}")))?;
    Ok(text)
}

/// Checks that the `generated` interface can stand in for the `handwritten` one (every
/// client of the hand-written `.did` is served: generated <: handwritten). `Err` lists
/// every incompatibility, or the parse error of either text.
pub fn check_did(generated: &str, handwritten: &str) -> Result<(), Vec<String>> {
    did_mismatches(generated, handwritten)
        .map_err(|all| all.iter().map(ToString::to_string).collect())
}

/// One way a generated interface fails to serve a hand-written `.did`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DidMismatch {
    /// Where in the interface: `method "get" > return type > record field name` (empty
    /// for the whole service or a parse error).
    pub path: String,
    /// What is wrong; "old" is the hand-written interface, "new" the generated one.
    pub message: String,
    /// The 1-based line of the hand-written `.did` that declares the method concerned,
    /// when it can be found.
    pub line: Option<usize>,
}

impl std::fmt::Display for DidMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// [`check_did`] with each problem's path, message and line in `handwritten`.
pub fn did_mismatches(generated: &str, handwritten: &str) -> Result<(), Vec<DidMismatch>> {
    let load = |what: &str, text: &str| {
        load(text).map_err(|e| {
            vec![DidMismatch {
                path: String::new(),
                message: format!("the {what} .did is not valid Candid: {e}"),
                line: None,
            }]
        })
    };
    let (mut env, gen) = load("generated", generated)?;
    let (env2, hand) = load("hand-written", handwritten)?;
    let hand = env.merge_type(env2, hand);
    let problems =
        candid::types::subtype::subtype_check_all(&mut HashSet::new(), &env, &gen, &hand);
    if problems.is_empty() {
        return Ok(());
    }
    Err(problems
        .iter()
        .map(|p| {
            let method = p
                .path
                .first()
                .map(String::as_str)
                .into_iter()
                .chain([p.message.as_str()])
                .find_map(method_named);
            DidMismatch {
                path: p.path.join(" > "),
                message: p.message.clone(),
                line: method.and_then(|m| method_line(handwritten, m)),
            }
        })
        .collect())
}

/// `NAME` from text containing `method "NAME"`.
fn method_named(text: &str) -> Option<&str> {
    let rest = &text[text.find("method \"")? + "method \"".len()..];
    Some(&rest[..rest.find('"')?])
}

/// The line of `did` that declares method `name` (`name :` or `"name" :`).
fn method_line(did: &str, name: &str) -> Option<usize> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut from = 0;
    while let Some(found) = did[from..].find(name) {
        let start = from + found;
        let end = start + name.len();
        from = end;
        let before = did[..start].chars().next_back();
        let after = did[end..].trim_start_matches('"').trim_start();
        if before.is_none_or(|c| !is_ident(c))
            && after.starts_with(':')
            && !did[..start].trim_end().ends_with("type")
        {
            return Some(did[..start].matches('\n').count() + 1);
        }
    }
    None
}

/// Parses and type-checks a `.did` text (quietly: errors are returned, not printed).
fn load(text: &str) -> Result<(TypeEnv, CType), String> {
    let prog: IDLProg = text
        .parse()
        .map_err(|e: candid_parser::Error| e.to_string())?;
    let mut env = TypeEnv::new();
    let actor = candid_parser::check_prog(&mut env, &prog).map_err(|e| e.to_string())?;
    let actor = actor.ok_or("it declares no service")?;
    Ok((env, actor))
}
