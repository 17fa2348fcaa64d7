//! The message-level part of `_kybra_ic`: replies and rejects of `Manual` methods,
//! argument bytes, cycles, certified data, `inspect_message`'s `accept_message` /
//! `method_name`, the performance counter, and `IcError`.
//!
//! Promises: each function checks the running message's kind (`crate::context`) first and
//! raises `IcError` (a Python exception the method may catch) where the IC would trap the
//! canister: e.g. `accept_message` outside `@inspect_message`, a second reply, `reply` in a
//! method that does not reply itself, `msg_cycles_accept` or `set_certified_data` in a
//! query, `reject_code` outside a call's callback. `reply(value)` encodes `value` with the
//! method's declared result type (a `TypeError` naming where it does not fit).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::context::{self, Context, IcError, Kind, Outcome};

fn refuse(api: &str, rule: &str) -> PyErr {
    let c = context::current();
    IcError::new_err(format!(
        "ic.{api}() {rule} (it was called in a {} function)",
        c.kind.decorator()
    ))
}

/// Fails unless the running message is one of `kinds`.
pub(crate) fn only(api: &str, kinds: &[Kind], rule: &str) -> PyResult<Context> {
    let c = context::current();
    if kinds.contains(&c.kind) {
        Ok(c)
    } else {
        Err(refuse(api, rule))
    }
}

/// Checks that the running method replies itself and has not answered yet.
fn respond(api: &str) -> PyResult<usize> {
    let c = context::current();
    let Some(index) = c.method.filter(|_| c.manual) else {
        return Err(refuse(
            api,
            "may only be called in a method that replies itself — declare it `@update(manual_reply=True)` \
             or with a `-> Manual[T]` return type",
        ));
    };
    if c.responded {
        return Err(IcError::new_err(format!(
            "ic.{api}(): this call was already answered (ic.reply, ic.reply_raw or ic.reject was called before) — answer once"
        )));
    }
    Ok(index)
}

fn responded() {
    context::update(|c| c.responded = true);
}

/// Replies with `value`, encoded as the method's declared result type.
#[pyfunction]
fn reply(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let index = respond("reply")?;
    let bytes = crate::registry::encode_result(py, index, value)?;
    responded();
    ic_cdk::api::msg_reply(bytes);
    Ok(())
}

/// Replies with `data`, already Candid-encoded.
#[pyfunction]
fn reply_raw(data: &[u8]) -> PyResult<()> {
    respond("reply_raw")?;
    responded();
    ic_cdk::api::msg_reply(data);
    Ok(())
}

/// Rejects the call with `message`.
#[pyfunction]
fn reject(message: &str) -> PyResult<()> {
    respond("reject")?;
    responded();
    ic_cdk::api::msg_reject(message);
    Ok(())
}

const WITH_ARG: &[Kind] = &[
    Kind::Init,
    Kind::PostUpgrade,
    Kind::Query,
    Kind::CompositeQuery,
    Kind::Update,
    Kind::InspectMessage,
];

/// The argument of the message, raw Candid bytes.
#[pyfunction]
fn arg_data_raw(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
    only(
        "arg_data_raw",
        WITH_ARG,
        "has no argument to return here: the message has none",
    )?;
    Ok(PyBytes::new(py, &ic_cdk::api::msg_arg_data()))
}

/// The size of the message's argument in bytes.
#[pyfunction]
fn arg_data_raw_size() -> PyResult<usize> {
    only(
        "arg_data_raw_size",
        WITH_ARG,
        "has no argument to measure here: the message has none",
    )?;
    Ok(ic_cdk::api::msg_arg_data().len())
}

/// Accepts the ingress message being inspected.
#[pyfunction]
fn accept_message() -> PyResult<()> {
    let c = only(
        "accept_message",
        &[Kind::InspectMessage],
        "may only be called in @inspect_message",
    )?;
    if c.accepted {
        return Err(IcError::new_err(
            "ic.accept_message() was already called for this message — call it once",
        ));
    }
    context::update(|c| c.accepted = true);
    ic_cdk::api::accept_message();
    Ok(())
}

/// The name of the method the inspected message calls.
#[pyfunction]
fn method_name() -> PyResult<String> {
    only(
        "method_name",
        &[Kind::InspectMessage],
        "may only be called in @inspect_message",
    )?;
    Ok(ic_cdk::api::msg_method_name())
}

/// The canister's cycle balance (saturating at 2**64 - 1).
#[pyfunction]
fn canister_balance() -> u64 {
    u64::try_from(ic_cdk::api::canister_cycle_balance()).unwrap_or(u64::MAX)
}

#[pyfunction]
fn canister_balance128() -> u128 {
    ic_cdk::api::canister_cycle_balance()
}

const CYCLES_RULE: &str =
    "may only be called in an @update method (cycles move only with update calls)";

#[pyfunction]
fn msg_cycles_available() -> PyResult<u64> {
    only("msg_cycles_available", &[Kind::Update], CYCLES_RULE)?;
    Ok(u64::try_from(ic_cdk::api::msg_cycles_available()).unwrap_or(u64::MAX))
}

#[pyfunction]
fn msg_cycles_available128() -> PyResult<u128> {
    only("msg_cycles_available128", &[Kind::Update], CYCLES_RULE)?;
    Ok(ic_cdk::api::msg_cycles_available())
}

#[pyfunction]
fn msg_cycles_accept(max_amount: u64) -> PyResult<u64> {
    only("msg_cycles_accept", &[Kind::Update], CYCLES_RULE)?;
    Ok(u64::try_from(ic_cdk::api::msg_cycles_accept(u128::from(max_amount))).unwrap_or(u64::MAX))
}

#[pyfunction]
fn msg_cycles_accept128(max_amount: u128) -> PyResult<u128> {
    only("msg_cycles_accept128", &[Kind::Update], CYCLES_RULE)?;
    Ok(ic_cdk::api::msg_cycles_accept(max_amount))
}

const CALLBACK_RULE: &str =
    "may only be called after a cross-canister call returns (after its `yield`)";

fn last_call(api: &str) -> PyResult<Outcome> {
    context::last_call().ok_or_else(|| refuse(api, CALLBACK_RULE))
}

#[pyfunction]
fn msg_cycles_refunded() -> PyResult<u64> {
    Ok(u64::try_from(last_call("msg_cycles_refunded")?.refunded).unwrap_or(u64::MAX))
}

#[pyfunction]
fn msg_cycles_refunded128() -> PyResult<u128> {
    Ok(last_call("msg_cycles_refunded128")?.refunded)
}

#[pyfunction]
fn reject_code() -> PyResult<u32> {
    Ok(last_call("reject_code")?.code)
}

#[pyfunction]
fn reject_message() -> PyResult<String> {
    Ok(last_call("reject_message")?.message)
}

/// Instructions executed: `0` in this message, `1` in this call context.
#[pyfunction]
fn performance_counter(counter_type: u32) -> PyResult<u64> {
    match counter_type {
        0 | 1 => Ok(ic_cdk::api::performance_counter(counter_type)),
        other => Err(PyValueError::new_err(format!(
            "ic.performance_counter({other}): the counter type must be 0 (this message) or 1 (this call context)"
        ))),
    }
}

/// The certificate of this canister's certified data (only in a non-replicated query).
#[pyfunction]
fn data_certificate(py: Python<'_>) -> Option<Bound<'_, PyBytes>> {
    ic_cdk::api::data_certificate().map(|c| PyBytes::new(py, &c))
}

/// Sets the certified data (at most 32 bytes).
#[pyfunction]
fn set_certified_data(data: &[u8]) -> PyResult<()> {
    let c = context::current();
    if c.kind.is_query() || c.kind == Kind::InspectMessage {
        return Err(refuse(
            "set_certified_data",
            "cannot be called in a query or @inspect_message (its changes are discarded)",
        ));
    }
    if data.len() > 32 {
        return Err(PyValueError::new_err(format!(
            "ic.set_certified_data(): {} bytes given, at most 32 may be certified — certify a hash of larger data",
            data.len()
        )));
    }
    ic_cdk::api::certified_data_set(data);
    Ok(())
}

/// Adds this module's functions and `IcError` to `_kybra_ic`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("IcError", m.py().get_type::<IcError>())?;
    m.add_function(wrap_pyfunction!(reply, m)?)?;
    m.add_function(wrap_pyfunction!(reply_raw, m)?)?;
    m.add_function(wrap_pyfunction!(reject, m)?)?;
    m.add_function(wrap_pyfunction!(arg_data_raw, m)?)?;
    m.add_function(wrap_pyfunction!(arg_data_raw_size, m)?)?;
    m.add_function(wrap_pyfunction!(accept_message, m)?)?;
    m.add_function(wrap_pyfunction!(method_name, m)?)?;
    m.add_function(wrap_pyfunction!(canister_balance, m)?)?;
    m.add_function(wrap_pyfunction!(canister_balance128, m)?)?;
    m.add_function(wrap_pyfunction!(msg_cycles_available, m)?)?;
    m.add_function(wrap_pyfunction!(msg_cycles_available128, m)?)?;
    m.add_function(wrap_pyfunction!(msg_cycles_accept, m)?)?;
    m.add_function(wrap_pyfunction!(msg_cycles_accept128, m)?)?;
    m.add_function(wrap_pyfunction!(msg_cycles_refunded, m)?)?;
    m.add_function(wrap_pyfunction!(msg_cycles_refunded128, m)?)?;
    m.add_function(wrap_pyfunction!(reject_code, m)?)?;
    m.add_function(wrap_pyfunction!(reject_message, m)?)?;
    m.add_function(wrap_pyfunction!(performance_counter, m)?)?;
    m.add_function(wrap_pyfunction!(data_certificate, m)?)?;
    m.add_function(wrap_pyfunction!(set_certified_data, m)?)?;
    Ok(())
}
