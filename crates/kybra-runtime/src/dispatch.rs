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
//! Everything a call needs besides its argument (the compiled types, each method's reply
//! header, the Python function of every method, the classes values are made of) is
//! prepared once by [`set_methods`] in `canister_init` / `canister_post_upgrade`: a
//! query's state changes are rolled back, so a cache filled lazily during a query would
//! be lost and every query would redo the work.

use std::cell::RefCell;
use std::rc::Rc;

use kybra_interface::Payload;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::decode::{self, Classes, Fail};
use crate::schema::Schema;
use crate::types::T;
use crate::{encode, traps};

struct MethodEntry {
    name: String,
    param_names: Vec<String>,
    params: Vec<T>,
    rets: Vec<T>,
    /// The reply's type table and type list (after `DIDL`).
    reply_header: Vec<u8>,
    /// The Python function, resolved at start-up.
    function: Py<PyAny>,
}

struct State {
    schema: Schema,
    methods: Vec<MethodEntry>,
    principal: Option<Py<PyAny>>,
    service: Option<Py<PyAny>>,
}

impl State {
    fn classes<'py>(&self, py: Python<'py>) -> Classes<'py> {
        Classes {
            principal: self.principal.as_ref().map(|c| c.bind(py).clone()),
            service: self.service.as_ref().map(|c| c.bind(py).clone()),
        }
    }
}

thread_local! {
    /// Immutable once set; shared so no borrow is held while Python runs.
    static STATE: RefCell<Option<Rc<State>>> = const { RefCell::new(None) };
}

/// Compiles the payload's types, resolves the Python function of every method (importing
/// its module if the entry module did not) and remembers the table for [`kybra_dispatch`].
///
/// Errors name the method or type and what could not be found.
pub fn set_methods(py: Python<'_>, payload: &Payload) -> PyResult<()> {
    let (schema, signatures) =
        Schema::build(py, payload).map_err(|e| pyo3::exceptions::PyTypeError::new_err(format!("kybra: {e}")))?;
    let mut methods = Vec::with_capacity(payload.methods.len());
    for (m, (params, rets)) in payload.methods.iter().zip(signatures) {
        let function = py
            .import(m.module.as_str())
            .and_then(|module| module.getattr(m.function.as_str()))
            .map_err(|e| {
                pyo3::exceptions::PyImportError::new_err(format!(
                    "kybra: method `{}`: cannot find its Python function `{}.{}`: {}",
                    m.name,
                    m.module,
                    m.function,
                    e.value(py)
                ))
            })?;
        let mut reply_header = Vec::new();
        schema.table.write_header(&rets, &mut reply_header);
        methods.push(MethodEntry {
            name: m.name.clone(),
            param_names: m.params.iter().map(|p| p.name.clone()).collect(),
            params,
            rets,
            reply_header,
            function: function.unbind(),
        });
    }
    let loaded = py.import("sys")?.getattr("modules")?.contains("kybra.principal")?;
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
        py.import("kybra").and_then(|m| m.getattr("Service")).ok().map(Bound::unbind)
    } else {
        None
    };
    STATE.with_borrow_mut(|s| *s = Some(Rc::new(State { schema, methods, principal, service })));
    // Rust's per-thread hash keys are drawn on first use: draw them now, not in every query.
    let _ = std::collections::hash_map::RandomState::new();
    Ok(())
}

fn reject(message: String) {
    crate::ic_module::flush_all();
    ic_cdk::api::msg_reject(message);
}

/// The reject message for a decoding failure.
fn reject_message(entry: &MethodEntry, arg: Option<usize>, path: &[String], message: &str) -> String {
    let method = &entry.name;
    match arg {
        Some(i) => {
            let name = entry.param_names.get(i).map(String::as_str).unwrap_or("?");
            let mut location = name.to_string();
            path.iter().for_each(|s| location.push_str(s));
            format!("kybra: method `{method}`: argument {} `{name}`: {location}: {message}", i + 1)
        }
        None => format!("kybra: method `{method}`: {message}"),
    }
}

/// Runs method `method_index` of the payload for the current message.
#[no_mangle]
pub extern "C" fn kybra_dispatch(method_index: i32) {
    let Some(state) = STATE.with_borrow(|s| s.clone()) else {
        ic_cdk::trap("kybra: the canister was not initialised (canister_init did not run)")
    };
    let index = usize::try_from(method_index).unwrap_or(usize::MAX);
    let Some(entry) = state.methods.get(index) else {
        ic_cdk::trap(format!("kybra: no method with index {method_index}"))
    };
    let arg = ic_cdk::api::msg_arg_data();
    let outcome = Python::attach(|py| {
        let classes = state.classes(py);
        let args = match decode::decode_args(py, &state.schema, &classes, &entry.params, &arg) {
            Ok(args) => args,
            Err(Fail::Reject { arg, path, message }) => return Err(reject_message(entry, arg, &path, &message)),
            Err(Fail::Python(e)) => traps::uncaught(py, &e),
        };
        drop(arg);
        let result = PyTuple::new(py, args)
            .and_then(|args| entry.function.bind(py).call1(args))
            .unwrap_or_else(|e| traps::uncaught(py, &e));
        let name = &entry.name;
        let reply = encode::encode_reply(&state.schema, &classes, &entry.rets, &entry.reply_header, &result)
            .unwrap_or_else(|m| {
                crate::ic_module::flush_all();
                ic_cdk::trap(format!(
                    "Uncaught TypeError: method `{name}` returned a value that is not its declared type: {}: expected {}, got {}",
                    m.location("result"),
                    m.expected,
                    m.found
                ))
            });
        Ok(reply)
    });
    crate::ic_module::flush_all();
    match outcome {
        Ok(bytes) => ic_cdk::api::msg_reply(bytes),
        Err(message) => reject(message),
    }
}
