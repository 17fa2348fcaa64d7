//! `kybra_dispatch(method_index)`: the body of every `canister_query NAME` /
//! `canister_update NAME` trampoline the compiler adds.
//!
//! Promises: arguments that do not decode with the method's declared Candid types are
//! rejected (`ic0.msg_reject`) with a message naming the method, the argument and the
//! expected type; otherwise the Python function is called and its result, converted with
//! the declared result type, is the reply. An uncaught exception, or a result of the wrong
//! type, traps (state rolls back) with `Uncaught <Type>: <message>` and a short traceback.
//!
//! Everything a call needs besides its argument (the Candid types, the Python function of
//! every method, the Candid codec's own lazy state) is prepared once by [`set_methods`] in
//! `canister_init` / `canister_post_upgrade`: a query's state changes are rolled back, so
//! a cache filled lazily during a query would be lost and every query would redo the work.

use std::cell::RefCell;
use std::rc::Rc;

use candid::types::value::{IDLArgs, IDLValue};
use candid::types::{Type, TypeEnv, TypeInner};
use kybra_interface::{Method, Payload};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::{convert, traps};

struct MethodEntry {
    method: Method,
    arg_types: Vec<Type>,
    result_types: Vec<Type>,
    /// The Python function, resolved at start-up.
    function: Py<PyAny>,
}

struct State {
    env: TypeEnv,
    methods: Vec<MethodEntry>,
}

thread_local! {
    /// Immutable once set; shared so no borrow is held while Python runs.
    static STATE: RefCell<Option<Rc<State>>> = const { RefCell::new(None) };
}

/// Resolves the Python function of every method of `payload` (importing its module if the
/// entry module did not) and remembers the method table for [`kybra_dispatch`].
///
/// Errors name the method and the `module.function` that could not be found.
pub fn set_methods(py: Python<'_>, payload: &Payload) -> PyResult<()> {
    let env = payload.candid_env();
    let mut methods = Vec::with_capacity(payload.methods.len());
    for m in &payload.methods {
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
        methods.push(MethodEntry {
            method: m.clone(),
            arg_types: m.arg_types(),
            result_types: m.result_types(),
            function: function.unbind(),
        });
    }
    STATE.with_borrow_mut(|s| *s = Some(Rc::new(State { env, methods })));
    warm_up();
    Ok(())
}

/// Runs, once, the lazy initialisations the Candid decoder and encoder perform on their
/// first use (Rust's per-thread `HashMap` keys, read from the polyfill's generator, ...):
/// left to the first message, every query would repeat them until an update kept them
/// (measured: 11.7 k instructions per call).
fn warm_up() {
    let env = TypeEnv::new();
    let text: Type = TypeInner::Text.into();
    let _ = std::collections::hash_map::RandomState::new();
    if let Ok(mut de) = candid::de::IDLDeserialize::new(b"DIDL\x00\x01\x71\x01a") {
        let _ = de.get_value_with_type(&env, &text);
        let _ = de.done();
    }
    let _ = IDLArgs::new(&[IDLValue::Text(String::new())]).to_bytes_with_types(&env, &[text]);
}

fn reject(message: String) {
    crate::ic_module::flush_all();
    ic_cdk::api::msg_reject(message);
}

/// Decodes the message's argument with the declared types, one argument at a time so an
/// error can name the argument.
fn decode_args(state: &State, entry: &MethodEntry, bytes: &[u8]) -> Result<Vec<IDLValue>, String> {
    let method = &entry.method.name;
    let mut de = candid::de::IDLDeserialize::new(bytes)
        .map_err(|e| format!("kybra: method `{method}`: the argument is not valid Candid: {e}"))?;
    let mut values = Vec::with_capacity(entry.arg_types.len());
    for (i, (param, ty)) in entry.method.params.iter().zip(&entry.arg_types).enumerate() {
        let value = de.get_value_with_type(&state.env, ty).map_err(|e| {
            format!(
                "kybra: method `{method}`: argument {} `{}`: expected {ty}: {e}",
                i + 1,
                param.name
            )
        })?;
        values.push(value);
    }
    Ok(values)
}

fn reply_bytes(state: &State, entry: &MethodEntry, result: &Bound<'_, PyAny>) -> Result<Vec<u8>, String> {
    let name = &entry.method.name;
    let values = match entry.result_types.as_slice() {
        [] => Vec::new(),
        [ty] => vec![convert::from_python(&state.env, result, ty).map_err(|m| {
            format!(
                "Uncaught TypeError: method `{name}` returned a value that is not its declared type: {}: expected {}, got {}",
                m.location("result"),
                m.expected,
                m.found
            )
        })?],
        _ => return Err(format!("kybra: method `{name}` declares more than one result")),
    };
    IDLArgs::new(&values)
        .to_bytes_with_types(&state.env, &entry.result_types)
        .map_err(|e| format!("kybra: method `{name}`: cannot encode the result: {e}"))
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
    let values = match decode_args(&state, entry, &arg) {
        Ok(values) => values,
        Err(message) => return reject(message),
    };
    let reply = Python::attach(|py| {
        let mut args = Vec::with_capacity(values.len());
        for (value, ty) in values.iter().zip(&entry.arg_types) {
            match convert::to_python(py, &state.env, value, ty) {
                Ok(v) => args.push(v),
                Err(e) => traps::uncaught(py, &e),
            }
        }
        let result = PyTuple::new(py, args)
            .and_then(|args| entry.function.bind(py).call1(args))
            .unwrap_or_else(|e| traps::uncaught(py, &e));
        reply_bytes(&state, entry, &result)
    });
    crate::ic_module::flush_all();
    match reply {
        Ok(bytes) => ic_cdk::api::msg_reply(bytes),
        Err(message) => ic_cdk::trap(message),
    }
}
