//! `kybra_dispatch(method_index)`: the body of every `canister_query NAME` /
//! `canister_update NAME` trampoline the compiler adds.
//!
//! Promises: an argument that is not valid Candid or not (a subtype of) the method's
//! declared types is rejected (`ic0.msg_reject`) before any Python code runs, with a
//! message naming the method, the argument (number and Python name), the path inside it,
//! what was expected and what was found; otherwise the Python function is called and its
//! result, converted with the declared result type, is the reply. An uncaught exception,
//! or a result of the wrong type, traps (state rolls back) with `Uncaught <Type>: <message>`.
//!
//! A method with a `guard=` runs the guard first: `{"Ok": None}` lets the call through,
//! `{"Err": text}` rejects it with a message naming the method and the guard and carrying
//! the text (see `crate::guards`). A `manual_reply` method's return value is ignored: it
//! answers with `ic.reply` / `ic.reply_raw` / `ic.reject` (see `crate::ic_api`).
//!
//! Everything a call needs besides its argument (the compiled types, each method's reply
//! header, the Python function of every method, the classes values are made of) is
//! prepared once by [`set_methods`] in `canister_init` / `canister_post_upgrade`: a
//! query's state changes are rolled back, so a cache filled lazily during a query would
//! be lost and every query would redo the work.

use kybra_interface::{FunctionRef, Method, MethodKind, Payload};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::context::{self, Kind};
use crate::guards::Guard;
use crate::registry::{self, decode_message, resolve, state, MethodEntry, State};
use crate::schema::Schema;
use crate::{encode, hooks, output, traps};

/// The schema is built over the methods plus one pseudo-method per lifecycle hook with
/// parameters (`init`, `post_upgrade`), so their arguments decode like a method's.
fn with_hook_params(payload: &Payload) -> Payload {
    let mut methods = payload.methods.clone();
    for (name, hook) in [
        ("init", &payload.hooks.init),
        ("post_upgrade", &payload.hooks.post_upgrade),
    ] {
        let params = hook.as_ref().map(|h| h.params.clone()).unwrap_or_default();
        methods.push(Method {
            name: format!("<{name}>"),
            module: String::new(),
            function: String::new(),
            kind: MethodKind::Update,
            params,
            returns: vec![],
            guard: None,
            manual_reply: false,
        });
    }
    Payload {
        modules: vec![],
        entry: payload.entry.clone(),
        methods,
        types: payload.types.clone(),
        hooks: Default::default(),
        stable_structures: vec![],
        env: vec![],
        site_packages: vec![],
        file_system: None,
    }
}

/// Compiles the payload's types, resolves the Python function (and guard) of every method
/// and lifecycle hook (importing its module if the entry module did not) and remembers the
/// tables ([`crate::registry`]) for [`kybra_dispatch`] and `crate::hooks`.
///
/// Errors name the method or type and what could not be found.
pub fn set_methods(py: Python<'_>, payload: &Payload) -> PyResult<()> {
    let (schema, mut signatures) = Schema::build(py, &with_hook_params(payload))
        .map_err(|e| pyo3::exceptions::PyTypeError::new_err(format!("kybra: {e}")))?;
    let post_upgrade_params = signatures.pop().map(|s| s.0).unwrap_or_default();
    let init_params = signatures.pop().map(|s| s.0).unwrap_or_default();
    let mut methods = Vec::with_capacity(payload.methods.len());
    for (m, (params, rets)) in payload.methods.iter().zip(signatures) {
        let what = format!("method `{}`", m.name);
        let function = resolve(
            py,
            &FunctionRef {
                module: m.module.clone(),
                function: m.function.clone(),
            },
            &what,
        )?;
        let guard = m
            .guard
            .as_ref()
            .map(|g| Guard::resolve(py, g, &what))
            .transpose()?;
        let mut reply_header = Vec::new();
        schema.table.write_header(&rets, &mut reply_header);
        methods.push(MethodEntry {
            name: m.name.clone(),
            kind: match m.kind {
                MethodKind::Query => Kind::Query,
                MethodKind::CompositeQuery => Kind::CompositeQuery,
                MethodKind::Update => Kind::Update,
            },
            param_names: m.params.iter().map(|p| p.name.clone()).collect(),
            params,
            rets,
            reply_header,
            function,
            guard,
            manual: m.manual_reply,
        });
    }
    hooks::set(py, &payload.hooks, init_params, post_upgrade_params)?;
    let loaded = py
        .import("sys")?
        .getattr("modules")?
        .contains("kybra.principal")?;
    let principal = if schema.uses_principals || loaded {
        let class = py.import("kybra.principal").and_then(|m| m.getattr("Principal")).map_err(|e| {
            pyo3::exceptions::PyImportError::new_err(format!(
                "kybra: the methods' types use principals, but `kybra.principal.Principal` cannot be imported \
                 (import kybra in the canister's code): {}",
                e.value(py)
            ))
        })?;
        Some(class.unbind())
    } else {
        None
    };
    let service = if schema.uses_principals {
        py.import("kybra")
            .and_then(|m| m.getattr("Service"))
            .ok()
            .map(Bound::unbind)
    } else {
        None
    };
    registry::install(State {
        schema,
        methods,
        principal,
        service,
    });
    // Rust's per-thread hash keys are drawn on first use: draw them now, not in every query.
    let _ = std::collections::hash_map::RandomState::new();
    Ok(())
}

fn reject(message: String) {
    output::flush_all();
    ic_cdk::api::msg_reject(message);
}

/// The reply of method `index` for its Python result (`None` for a method that replies
/// itself); a result of the wrong type traps.
fn reply_bytes(
    py: Python<'_>,
    state: &State,
    index: usize,
    result: &Bound<'_, PyAny>,
) -> Option<Vec<u8>> {
    let entry = &state.methods[index];
    if entry.manual {
        return None;
    }
    let name = &entry.name;
    let reply = encode::encode_reply(&state.schema, &state.classes(py), &entry.rets, &entry.reply_header, result)
        .unwrap_or_else(|m| {
            output::flush_all();
            ic_cdk::trap(format!(
                "Uncaught TypeError: method `{name}` returned a value that is not its declared type: {}: expected {}, got {}",
                m.location("result"),
                m.expected,
                m.found
            ))
        });
    Some(reply)
}

/// Runs method `method_index` of the payload for the current message.
#[no_mangle]
pub extern "C" fn kybra_dispatch(method_index: i32) {
    let Some(state) = state() else {
        ic_cdk::trap("kybra: the canister was not initialised (canister_init did not run)")
    };
    let index = usize::try_from(method_index).unwrap_or(usize::MAX);
    let Some(entry) = state.methods.get(index) else {
        ic_cdk::trap(format!("kybra: no method with index {method_index}"))
    };
    context::enter(entry.kind, Some(index), entry.manual);
    let outcome = Python::attach(|py| {
        let what = format!("method `{}`", entry.name);
        if let Some(guard) = &entry.guard {
            guard.check(py, &what)?;
        }
        let args = decode_message(py, &state, &what, &entry.param_names, &entry.params)?;
        let result = PyTuple::new(py, args)
            .and_then(|args| entry.function.bind(py).call1(args))
            .unwrap_or_else(|e| traps::uncaught(py, &e));
        if crate::calls::is_task(&result) {
            let state = state.clone();
            crate::calls::spawn(entry.kind, result.unbind(), move |py, value| {
                if let Some(bytes) = reply_bytes(py, &state, index, value) {
                    ic_cdk::api::msg_reply(bytes);
                }
            });
            return Ok(None);
        }
        Ok(reply_bytes(py, &state, index, &result))
    });
    output::flush_all();
    match outcome {
        Ok(Some(bytes)) => ic_cdk::api::msg_reply(bytes),
        Ok(None) => {}
        Err(message) => reject(message),
    }
}
