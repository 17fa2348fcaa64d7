//! The registry: the tables `canister_init` / `canister_post_upgrade` prepare once for
//! every later message (`dispatch::set_methods`): the compiled Candid types, each method's
//! Python function, guard, types and reply header, and the classes values are made of.
//! Also how a message's argument is decoded against them and a result encoded — what
//! dispatch, hooks, calls and the `ic` API share.

use std::cell::RefCell;
use std::rc::Rc;

use kybra_interface::FunctionRef;
use pyo3::prelude::*;

use crate::context::Kind;
use crate::decode::{self, Classes, Fail};
use crate::schema::Schema;
use crate::types::T;
use crate::{encode, traps};

pub struct MethodEntry {
    pub name: String,
    pub kind: Kind,
    pub param_names: Vec<String>,
    pub params: Vec<T>,
    pub rets: Vec<T>,
    /// The reply's type table and type list (after `DIDL`).
    pub reply_header: Vec<u8>,
    /// The Python function, resolved at start-up.
    pub function: Py<PyAny>,
    pub guard: Option<Guard>,
    pub manual: bool,
}

pub struct State {
    pub schema: Schema,
    pub methods: Vec<MethodEntry>,
    pub principal: Option<Py<PyAny>>,
    pub service: Option<Py<PyAny>>,
}

impl State {
    pub fn classes<'py>(&self, py: Python<'py>) -> Classes<'py> {
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

/// The Python function `f` (importing its module if need be); `what` names it in errors.
pub fn resolve(py: Python<'_>, f: &FunctionRef, what: &str) -> PyResult<Py<PyAny>> {
    py.import(f.module.as_str())
        .and_then(|module| module.getattr(f.function.as_str()))
        .map(Bound::unbind)
        .map_err(|e| {
            pyo3::exceptions::PyImportError::new_err(format!(
                "kybra: {what}: cannot find its Python function `{}.{}`: {}",
                f.module,
                f.function,
                e.value(py)
            ))
        })
}

/// A resolved guard function.
pub struct Guard {
    /// The Python name, for messages.
    pub name: String,
    pub function: Py<PyAny>,
}

impl Guard {
    /// Looks `f` up; `what` names the protected function in errors.
    pub fn resolve(py: Python<'_>, f: &FunctionRef, what: &str) -> PyResult<Guard> {
        let function = resolve(py, f, &format!("guard `{}` of {what}", f.function))?;
        Ok(Guard {
            name: f.function.clone(),
            function,
        })
    }
}

/// Keeps `state` for every later message.
pub fn install(state: State) {
    STATE.with_borrow_mut(|s| *s = Some(Rc::new(state)));
}

/// The tables `dispatch::set_methods` prepared (`None` before `canister_init` finished).
pub fn state() -> Option<Rc<State>> {
    STATE.with_borrow(|s| s.clone())
}

/// Method `index`'s reply for the Python value `value`, encoded with its declared result
/// type; a value of the wrong shape is a `TypeError` naming where it does not fit.
pub fn encode_result(py: Python<'_>, index: usize, value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let state = state().ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err("kybra: the canister is not initialised")
    })?;
    let entry = &state.methods[index];
    encode::encode_reply(&state.schema, &state.classes(py), &entry.rets, &entry.reply_header, value).map_err(|m| {
        pyo3::exceptions::PyTypeError::new_err(format!(
            "ic.reply(): the value is not method `{}`'s declared result type: {}: expected {}, got {}",
            entry.name,
            m.location("value"),
            m.expected,
            m.found
        ))
    })
}

/// Decodes the current message's argument as `params` (names for messages: `what`, `names`).
pub fn decode_message<'py>(
    py: Python<'py>,
    state: &State,
    what: &str,
    names: &[String],
    params: &[T],
) -> Result<Vec<Bound<'py, PyAny>>, String> {
    let arg = ic_cdk::api::msg_arg_data();
    match decode::decode_args(py, &state.schema, &state.classes(py), params, &arg) {
        Ok(args) => Ok(args),
        Err(Fail::Reject { arg, path, message }) => {
            Err(decode_error(what, names, arg, &path, &message))
        }
        Err(Fail::Python(e)) => traps::uncaught(py, &e),
    }
}

/// The reject message for a decoding failure of `what` (e.g. "method `m`").
fn decode_error(
    what: &str,
    names: &[String],
    arg: Option<usize>,
    path: &[String],
    message: &str,
) -> String {
    match arg {
        Some(i) => {
            let name = names.get(i).map(String::as_str).unwrap_or("?");
            let mut location = name.to_string();
            path.iter().for_each(|s| location.push_str(s));
            format!(
                "kybra: {what}: argument {} `{name}`: {location}: {message}",
                i + 1
            )
        }
        None => format!("kybra: {what}: {message}"),
    }
}
