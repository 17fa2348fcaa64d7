//! The built-in module `_kybra_ic` (registered with `PyImport_AppendInittab` before the
//! interpreter starts): its own few functions, and the registration of every other
//! module's (`ic_api`, `calls`, `timers`, the stable modules). The stub
//! `python/kybra/_kybra_ic.pyi` names the same things.
//!
//! Promises: `print(str)` writes one `ic0.debug_print` line; `trap(str)` traps with the
//! message; `caller()` / `id()` return `kybra.principal.Principal`s (made without a Python
//! frame, so `ic.caller()` costs a few hundred instructions); `time()` returns
//! nanoseconds since the epoch; `candid_encode(str) -> bytes` / `candid_decode(bytes) -> str`
//! convert Candid text and binary (`crate::candid_text`); the message-level API (replies,
//! cycles, `accept_message`, ..., `IcError`) comes from `crate::ic_api`. Output written to `sys.stdout` / `sys.stderr` appears in
//! the replica log one `print()` call per line, and whatever is pending at the end of a
//! message is flushed by [`flush_all`] (nothing waits in a buffer across messages).

use pyo3::prelude::*;

use crate::principal::principal;

/// Writes `message` to the replica's debug log.
#[pyfunction]
fn print(message: &str) {
    ic_cdk::api::debug_print(message);
}

/// Traps: the current message fails with `message` and its state changes roll back.
#[pyfunction]
fn trap(message: &str) {
    crate::output::flush_all();
    ic_cdk::trap(message);
}

/// The principal that called the current method.
#[pyfunction]
fn caller(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    principal(py, ic_cdk::api::msg_caller().as_slice())
}

/// This canister's own principal.
#[pyfunction]
fn id(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    principal(py, ic_cdk::api::canister_self().as_slice())
}

/// Nanoseconds since 1970-01-01 UTC.
#[pyfunction]
fn time() -> u64 {
    ic_cdk::api::time()
}

#[pymodule(name = "_kybra_ic")]
pub fn kybra_ic(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(print, m)?)?;
    m.add_function(wrap_pyfunction!(trap, m)?)?;
    m.add_function(wrap_pyfunction!(caller, m)?)?;
    m.add_function(wrap_pyfunction!(id, m)?)?;
    m.add_function(wrap_pyfunction!(time, m)?)?;
    m.add_function(wrap_pyfunction!(crate::candid_text::candid_encode, m)?)?;
    m.add_function(wrap_pyfunction!(crate::candid_text::candid_decode, m)?)?;
    m.add_class::<crate::output::DebugWriter>()?;
    crate::stable_memory::register(m)?;
    crate::stable::register(m)?;
    crate::ic_api::register(m)?;
    crate::ic_system::register(m)?;
    crate::timers::register(m)?;
    crate::calls::register(m)?;
    Ok(())
}

/// Registers `_kybra_ic`; must run before the interpreter starts.
pub fn register() {
    pyo3::append_to_inittab!(kybra_ic);
}
