//! Python timers on `ic-cdk-timers`: `ic.set_timer(delay_seconds, callback)`,
//! `ic.set_timer_interval(interval_seconds, callback)` and `ic.clear_timer(timer_id)`.
//!
//! Promises: a callback is any Python callable taking no arguments; it runs as its own
//! update message (`ic-cdk-timers` runs every due timer as a self-call from
//! `canister_global_timer`), with the update instruction limit and the `ic` API of a
//! "timer callback" (no replies, no incoming cycles). An uncaught exception traps that
//! callback's message: its traceback goes to the canister log, its state changes roll
//! back, and every other timer — including later runs of the same interval timer — is
//! unaffected. Timer ids are the `nat64` form of `ic-cdk-timers`' ids; clearing an unknown
//! or already-fired id does nothing. Timers live in the Wasm heap, so an upgrade drops
//! them (as with `ic-cdk-timers` on the IC): set them again in `@post_upgrade`. A callback
//! that is a generator or an `async def` makes cross-canister calls (`crate::calls`).

use std::rc::Rc;
use std::time::Duration;

use ic_cdk_timers::TimerId;
use pyo3::prelude::*;
use slotmap::{Key, KeyData};

use crate::context::{self, Kind};
use crate::{output, traps};

/// Setting a timer changes state: refused where state changes are discarded or refused.
const SETTABLE: &[Kind] = &[
    Kind::Init,
    Kind::PostUpgrade,
    Kind::PreUpgrade,
    Kind::Update,
    Kind::Heartbeat,
    Kind::Timer,
];

fn check_settable(api: &str) -> PyResult<()> {
    let kind = context::current().kind;
    if SETTABLE.contains(&kind) {
        Ok(())
    } else {
        Err(crate::context::IcError::new_err(format!(
            "ic.{api}() may only be called where state changes are kept — an @update, @init, @post_upgrade, \
             @heartbeat or a timer callback (it was called in a {} function)",
            kind.decorator()
        )))
    }
}

fn check_callable(api: &str, callback: &Bound<'_, PyAny>) -> PyResult<()> {
    if callback.is_callable() {
        Ok(())
    } else {
        let ty = callback
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "ic.{api}(): the callback must be a function taking no arguments (a def, lambda or closure), got a `{ty}`"
        )))
    }
}

/// Runs one callback as the current message; traps on an uncaught exception. A callback
/// that is a generator or coroutine makes its cross-canister calls before the run ends.
async fn fire(callback: Rc<Py<PyAny>>) {
    context::enter(Kind::Timer, None, false);
    let task = Python::attach(|py| match callback.bind(py).call0() {
        Ok(result) if crate::calls::is_task(&result) => Some(result.unbind()),
        Ok(_) => None,
        Err(e) => traps::uncaught(py, &e),
    });
    if let Some(task) = task {
        if let Err(e) = crate::calls::drive(task).await {
            Python::attach(|py| traps::uncaught(py, &e));
        }
    }
    output::flush_all();
}

fn to_u64(id: TimerId) -> u64 {
    id.data().as_ffi()
}

/// Sets a one-shot timer: `callback` runs once, `delay` seconds from now.
#[pyfunction]
fn set_timer(delay: u64, callback: &Bound<'_, PyAny>) -> PyResult<u64> {
    check_settable("set_timer")?;
    check_callable("set_timer", callback)?;
    let callback = Rc::new(callback.clone().unbind());
    Ok(to_u64(ic_cdk_timers::set_timer(
        Duration::from_secs(delay),
        fire(callback),
    )))
}

/// Sets a repeating timer: `callback` runs every `interval` seconds until cleared.
#[pyfunction]
fn set_timer_interval(interval: u64, callback: &Bound<'_, PyAny>) -> PyResult<u64> {
    check_settable("set_timer_interval")?;
    check_callable("set_timer_interval", callback)?;
    let callback = Rc::new(callback.clone().unbind());
    let id = ic_cdk_timers::set_timer_interval(Duration::from_secs(interval), move || {
        fire(Rc::clone(&callback))
    });
    Ok(to_u64(id))
}

/// Cancels a timer; an unknown or already-fired id is ignored.
#[pyfunction]
fn clear_timer(timer_id: u64) -> PyResult<()> {
    check_settable("clear_timer")?;
    ic_cdk_timers::clear_timer(TimerId::from(KeyData::from_ffi(timer_id)));
    Ok(())
}

/// Adds the timer functions to `_kybra_ic`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_timer, m)?)?;
    m.add_function(wrap_pyfunction!(set_timer_interval, m)?)?;
    m.add_function(wrap_pyfunction!(clear_timer, m)?)?;
    Ok(())
}
