//! Emits the canister's Candid interface (`.did`) and compares interfaces as Candid.
//!
//! Promises: the text comes from the `candid` crate's pretty printer over
//! [`kybra_interface::Type::to_candid`] (the same types the runtime decodes with), methods
//! sorted by name; [`emit`] re-parses its output with `candid_parser` and checks it is the
//! same service, so a `.did` that does not round-trip never leaves the compiler.

use std::collections::HashSet;

use candid::types::{Function, FuncMode, Type as CType, TypeInner};
use candid::TypeEnv;
use candid_parser::IDLProg;
use kybra_interface::{MethodKind, Payload};

use crate::diagnostic::BuildError;

/// The service type of `payload`.
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
            let f = Function { modes, args: m.arg_types(), rets: m.result_types() };
            (m.name.clone(), TypeInner::Func(f).into())
        })
        .collect();
    methods.sort_by(|a, b| a.0.cmp(&b.0));
    TypeInner::Service(methods).into()
}

/// The `.did` text of `payload`, checked to parse back to the same service.
pub fn emit(payload: &Payload) -> Result<String, BuildError> {
    let env = payload.candid_env();
    let actor = service(payload);
    let text = candid::pretty::candid::compile(&env, &Some(actor.clone()));
    let (env2, parsed) = load(&text).map_err(|e| BuildError::Candid(format!("{e}\n{text}")))?;
    let mut env = env;
    let parsed = env.merge_type(env2, parsed);
    candid::types::subtype::equal(&mut HashSet::new(), &env, &actor, &parsed)
        .map_err(|e| BuildError::Candid(format!("{e}\n{text}")))?;
    Ok(text)
}

/// Checks that the `generated` interface can stand in for the `handwritten` one (every
/// client of the hand-written `.did` is served: generated <: handwritten). `Err` lists
/// every incompatibility, or the parse error of either text.
pub fn check_did(generated: &str, handwritten: &str) -> Result<(), Vec<String>> {
    let load = |what: &str, text: &str| load(text).map_err(|e| vec![format!("the {what} .did is not valid Candid: {e}")]);
    let (mut env, gen) = load("generated", generated)?;
    let (env2, hand) = load("hand-written", handwritten)?;
    let hand = env.merge_type(env2, hand);
    let problems = candid::types::subtype::subtype_check_all(&mut HashSet::new(), &env, &gen, &hand);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.iter().map(|p| format!("{}: {}", p.path.join(" > "), p.message)).collect())
    }
}

/// Parses and type-checks a `.did` text (quietly: errors are returned, not printed).
fn load(text: &str) -> Result<(TypeEnv, CType), String> {
    let prog: IDLProg = text.parse().map_err(|e: candid_parser::Error| e.to_string())?;
    let mut env = TypeEnv::new();
    let actor = candid_parser::check_prog(&mut env, &prog).map_err(|e| e.to_string())?;
    let actor = actor.ok_or("it declares no service")?;
    Ok((env, actor))
}
