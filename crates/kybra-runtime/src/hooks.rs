//! The canister's lifecycle and system entry points written in Python: `@init`,
//! `@post_upgrade` (with the service's init arguments), `@pre_upgrade`, `@heartbeat` and
//! `@inspect_message`, each with its optional `guard=`.
//!
//! Promises: `@init` / `@post_upgrade` run inside `canister_init` / `canister_post_upgrade`
//! right after the entry module is imported, with the install argument decoded as their
//! declared parameters (a bad argument traps the install, naming the parameter); any
//! exception traps with `Uncaught <Type>: <message>` and the traceback, so the install or
//! upgrade fails and the replica keeps the canister as it was. `@pre_upgrade` runs inside
//! `canister_pre_upgrade` (an exception, or a guard's `Err`, fails the upgrade).
//! `@heartbeat` runs in `canister_heartbeat`; `@inspect_message` in
//! `canister_inspect_message`, where a guard's `Err` or an exception refuses the message
//! with that text and returning without `ic.accept_message()` refuses it too.

use std::cell::RefCell;

use kybra_interface::{Hook, Hooks};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::context::{self, Kind};
use crate::guards::Guard;
use crate::registry::{self, resolve};
use crate::types::T;
use crate::{output, traps};

struct Entry {
    function: Py<PyAny>,
    guard: Option<Guard>,
    param_names: Vec<String>,
    params: Vec<T>,
}

#[derive(Default)]
struct Resolved {
    init: Option<Entry>,
    pre_upgrade: Option<Entry>,
    post_upgrade: Option<Entry>,
    heartbeat: Option<Entry>,
    inspect_message: Option<Entry>,
}

thread_local! {
    static HOOKS: RefCell<Option<std::rc::Rc<Resolved>>> = const { RefCell::new(None) };
}

/// Resolves the hooks' functions and guards (called by `dispatch::set_methods`).
pub fn set(
    py: Python<'_>,
    hooks: &Hooks,
    init_params: Vec<T>,
    post_upgrade_params: Vec<T>,
) -> PyResult<()> {
    let entry = |hook: &Option<Hook>, decorator: &str, params: Vec<T>| -> PyResult<Option<Entry>> {
        let Some(h) = hook else { return Ok(None) };
        let what = format!("{decorator} function `{}`", h.function.function);
        Ok(Some(Entry {
            function: resolve(py, &h.function, &what)?,
            guard: h
                .guard
                .as_ref()
                .map(|g| Guard::resolve(py, g, &what))
                .transpose()?,
            param_names: h.params.iter().map(|p| p.name.clone()).collect(),
            params,
        }))
    };
    let resolved = Resolved {
        init: entry(&hooks.init, "@init", init_params)?,
        pre_upgrade: entry(&hooks.pre_upgrade, "@pre_upgrade", vec![])?,
        post_upgrade: entry(&hooks.post_upgrade, "@post_upgrade", post_upgrade_params)?,
        heartbeat: entry(&hooks.heartbeat, "@heartbeat", vec![])?,
        inspect_message: entry(&hooks.inspect_message, "@inspect_message", vec![])?,
    };
    HOOKS.with_borrow_mut(|h| *h = Some(std::rc::Rc::new(resolved)));
    Ok(())
}

fn pick(kind: Kind, r: &Resolved) -> Option<&Entry> {
    match kind {
        Kind::Init => r.init.as_ref(),
        Kind::PreUpgrade => r.pre_upgrade.as_ref(),
        Kind::PostUpgrade => r.post_upgrade.as_ref(),
        Kind::Heartbeat => r.heartbeat.as_ref(),
        Kind::InspectMessage => r.inspect_message.as_ref(),
        Kind::Query | Kind::CompositeQuery | Kind::Update | Kind::Timer => None,
    }
}

/// Runs the hook of `kind`, if the canister defines one. Never returns on failure: traps.
pub fn run(kind: Kind) {
    let Some(hooks) = HOOKS.with_borrow(|h| h.clone()) else {
        ic_cdk::trap("kybra: the canister was not initialised (canister_init did not run)")
    };
    context::enter(kind, None, false);
    let Some(hook) = pick(kind, &hooks) else {
        return;
    };
    let what = format!("{} function", kind.decorator());
    Python::attach(|py| {
        if let Some(guard) = &hook.guard {
            if let Err(message) = guard.check(py, &what) {
                output::flush_all();
                ic_cdk::trap(message);
            }
        }
        let args = if hook.params.is_empty() {
            Vec::new()
        } else {
            let state = registry::state().expect("hooks are set after the methods");
            registry::decode_message(py, &state, &what, &hook.param_names, &hook.params)
                .unwrap_or_else(|message| {
                    output::flush_all();
                    ic_cdk::trap(message)
                })
        };
        match PyTuple::new(py, args).and_then(|args| hook.function.bind(py).call1(args)) {
            Err(e) => traps::uncaught(py, &e),
            Ok(result) if kind == Kind::Heartbeat && crate::calls::is_task(&result) => {
                crate::calls::spawn(kind, result.unbind(), |_, _| {});
            }
            Ok(_) => {}
        }
    });
    output::flush_all();
}

#[export_name = "canister_heartbeat"]
extern "C" fn canister_heartbeat() {
    run(Kind::Heartbeat);
}

#[export_name = "canister_inspect_message"]
extern "C" fn canister_inspect_message() {
    run(Kind::InspectMessage);
}
