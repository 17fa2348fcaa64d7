//! Cross-canister calls from Python: methods, timers and heartbeats that are generators
//! (`yield other.method(x)`) or coroutines (`async def`, `await other.method(x)`).
//!
//! Promises:
//! - [`is_task`] tells a generator or coroutine apart from a plain result; [`spawn`] runs
//!   it on `ic-cdk`'s executor (the caller is in an executor context) and [`drive`] steps
//!   it: each yielded `kybra.Call` is made with `ic-cdk`'s `Call` (unbounded wait), each
//!   yielded list or tuple of calls is made all at once, and the generator is resumed, in
//!   the callback message, with a `kybra.CallResult` (or a list of them). So state changes
//!   made before a `yield` are committed, and an exception after it rolls back only the
//!   callback's changes, exactly as on the IC.
//! - Arguments are encoded with the declared Candid types of the `Service` method (found by
//!   the instance's class in the schema), replies decoded with them (a reply of the wrong
//!   type is a `CallResult` with `Err`); `ic.call_raw` sends and returns raw bytes.
//! - A yielded generator (`x = yield helper()`) runs first, its calls made the same way;
//!   the `yield` gives its return value or raises its exception (as `yield from` does).
//! - A bad yield (not a call, arguments of the wrong type, a class the compiler does not
//!   know, a call where the IC forbids calls) is raised *into* the generator at its
//!   `yield`, so the traceback points at the user's line.
//! - After a call returns, `ic.reject_code()`, `ic.reject_message()` and
//!   `ic.msg_cycles_refunded()` describe it (the last one of a batch) until the next message.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use candid::Principal;
use ic_cdk::call::{Call as IcCall, CallFailed};
use pyo3::exceptions::{PyStopIteration, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple};

use crate::context::{self, Kind};
use crate::context::{IcError, Outcome};
use crate::decode::{self, Fail};
use crate::registry::{self, State};
use crate::types::{Entry, T};
use crate::{encode, output, traps};

/// The reject code the IC uses for transient system errors (a call that could not be sent).
const SYS_TRANSIENT: u32 = 2;

/// Whether `obj` is a generator or a coroutine (a method that makes calls).
pub fn is_task(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: type checks on a live object, with the interpreter attached.
    unsafe {
        pyo3::ffi::PyGen_Check(obj.as_ptr()) != 0 || pyo3::ffi::PyCoro_CheckExact(obj.as_ptr()) != 0
    }
}

/// Runs `task` to completion on ic-cdk's executor (its query executor for a message of
/// `kind` query), then `finish(value)`; an uncaught exception traps the message it
/// happens in. Called from a canister export, outside any executor context.
pub fn spawn(
    kind: Kind,
    task: Py<PyAny>,
    finish: impl FnOnce(Python<'_>, &Bound<'_, PyAny>) + 'static,
) {
    let run = move || {
        ic_cdk::futures::spawn(async move {
            let result = drive(task).await;
            Python::attach(|py| match result {
                Ok(value) => finish(py, value.bind(py)),
                Err(e) => traps::uncaught(py, &e),
            });
            output::flush_all();
        })
    };
    if kind.is_query() {
        ic_cdk::futures::internals::in_query_executor_context(run)
    } else {
        ic_cdk::futures::internals::in_executor_context(run)
    }
}

/// One call, ready to send.
struct Prepared {
    canister: Principal,
    method: String,
    args: Vec<u8>,
    cycles: u128,
    /// `Call.with_timeout(seconds)`: a best-effort call answered by then at the latest
    /// (`None`: the caller waits for the answer however long it takes).
    timeout: Option<u32>,
    /// Declared result types; `None` for a raw call (the reply is the bytes).
    rets: Option<Vec<T>>,
    /// `Service.method`, for messages.
    what: String,
}

enum Step {
    /// The running generator returned this.
    Returned(Py<PyAny>),
    /// It raised this.
    Raised(PyErr),
    /// It yielded a generator (`x = yield helper()`): run that one until it returns.
    Nested(Py<PyAny>),
    Calls {
        calls: Vec<Prepared>,
        many: bool,
    },
    Bad(PyErr),
}

/// Whether `obj` is a generator (what calling a generator function returns).
fn is_generator(obj: &Bound<'_, PyAny>) -> bool {
    // SAFETY: a type check of a live object, with the interpreter attached.
    unsafe { pyo3::ffi::PyGen_Check(obj.as_ptr()) != 0 }
}

/// Steps `task` until it returns, making the calls it yields. A yielded generator
/// (`x = yield helper()`, as the original Kybra allowed besides `yield from`) runs to its
/// end first — its calls made the same way — and its return value (or exception) is what
/// the `yield` gives.
pub async fn drive(task: Py<PyAny>) -> PyResult<Py<PyAny>> {
    let mut stack = vec![task];
    let mut resume: Result<Py<PyAny>, PyErr> = Ok(Python::attach(|py| py.None()));
    loop {
        let step = Python::attach(|py| -> PyResult<Step> {
            let t = stack.last().expect("a running generator").bind(py);
            let r = match std::mem::replace(&mut resume, Ok(py.None())) {
                Ok(value) => t.call_method1("send", (value,)),
                Err(e) => t.call_method1("throw", (e.into_value(py),)),
            };
            Ok(match r {
                Ok(yielded) if is_generator(&yielded) => Step::Nested(yielded.unbind()),
                Ok(yielded) => match prepare_yield(py, &yielded) {
                    Ok((calls, many)) => Step::Calls { calls, many },
                    Err(e) => Step::Bad(e),
                },
                Err(e) if e.is_instance_of::<PyStopIteration>(py) => {
                    Step::Returned(e.value(py).getattr("value")?.unbind())
                }
                Err(e) => Step::Raised(e),
            })
        })?;
        match step {
            Step::Returned(value) if stack.len() == 1 => return Ok(value),
            Step::Raised(e) if stack.len() == 1 => return Err(e),
            Step::Returned(value) => {
                stack.pop();
                resume = Ok(value);
            }
            Step::Raised(e) => {
                stack.pop();
                resume = Err(e);
            }
            Step::Nested(generator) => stack.push(generator),
            Step::Bad(e) => resume = Err(e),
            Step::Calls { calls, many } => {
                output::flush_all();
                let before = context::current();
                let outcomes = JoinAll::new(calls.iter().map(|c| Box::pin(perform(c)))).await;
                context::resume(before);
                if let Some((_, o)) = outcomes.last() {
                    context::set_last_call(o.clone());
                }
                resume = Python::attach(|py| results(py, &calls, outcomes, many));
            }
        }
    }
}

/// Sends one call and waits for its answer: the reply bytes or (code, message).
async fn perform(p: &Prepared) -> (Result<Vec<u8>, ()>, Outcome) {
    let call = match p.timeout {
        Some(seconds) => IcCall::bounded_wait(p.canister, &p.method).change_timeout(seconds),
        None => IcCall::unbounded_wait(p.canister, &p.method),
    }
    .with_raw_args(&p.args)
    .with_cycles(p.cycles);
    match call.await {
        Ok(response) => {
            let refunded = ic_cdk::api::msg_cycles_refunded();
            (
                Ok(response.into_bytes()),
                Outcome {
                    code: 0,
                    message: String::new(),
                    refunded,
                },
            )
        }
        Err(CallFailed::CallRejected(r)) => {
            let refunded = ic_cdk::api::msg_cycles_refunded();
            (
                Err(()),
                Outcome {
                    code: r.raw_reject_code(),
                    message: r.reject_message().to_string(),
                    refunded,
                },
            )
        }
        Err(other) => (
            Err(()),
            Outcome {
                code: SYS_TRANSIENT,
                message: other.to_string(),
                refunded: 0,
            },
        ),
    }
}

/// The `CallResult`s for `outcomes` (a list when the method yielded a list).
fn results(
    py: Python<'_>,
    calls: &[Prepared],
    outcomes: Vec<(Result<Vec<u8>, ()>, Outcome)>,
    many: bool,
) -> PyResult<Py<PyAny>> {
    let class = py.import("kybra._calls")?.getattr("CallResult")?;
    let state = registry::state();
    let mut out = Vec::with_capacity(calls.len());
    for (call, (reply, outcome)) in calls.iter().zip(outcomes) {
        let ok: Result<Bound<'_, PyAny>, String> = match reply {
            Err(()) => Err(format!(
                "Rejection code {} ({}): {}",
                outcome.code,
                code_name(outcome.code),
                outcome.message
            )),
            Ok(bytes) => match (&call.rets, &state) {
                (None, _) => Ok(PyBytes::new(py, &bytes).into_any()),
                (Some(rets), Some(state)) => decode_reply(py, state, rets, &bytes).map_err(|m| {
                    format!(
                        "kybra: the reply of {} is not its declared type: {m}",
                        call.what
                    )
                }),
                (Some(_), None) => Err("kybra: the canister is not initialised".into()),
            },
        };
        let result = match ok {
            Ok(value) => class.call1((value, py.None(), true))?,
            Err(message) => class.call1((py.None(), message, false))?,
        };
        out.push(result);
    }
    Ok(if many {
        PyList::new(py, out)?.into_any().unbind()
    } else {
        out.remove(0).unbind()
    })
}

fn decode_reply<'py>(
    py: Python<'py>,
    state: &State,
    rets: &[T],
    bytes: &[u8],
) -> Result<Bound<'py, PyAny>, String> {
    match decode::decode_args(py, &state.schema, &state.classes(py), rets, bytes) {
        Ok(mut values) if values.len() == 1 => Ok(values.remove(0)),
        Ok(values) if values.is_empty() => Ok(py.None().into_bound(py)),
        Ok(values) => Ok(PyTuple::new(py, values)
            .map_err(|e| e.to_string())?
            .into_any()),
        Err(Fail::Reject { path, message, .. }) => {
            Err(format!("result{}: {message}", path.concat()))
        }
        Err(Fail::Python(e)) => Err(e.to_string()),
    }
}

/// The IC's names of reject codes (`kybra.RejectionCode`'s cases).
pub fn code_name(code: u32) -> &'static str {
    match code {
        0 => "NoError",
        1 => "SysFatal",
        2 => "SysTransient",
        3 => "DestinationInvalid",
        4 => "CanisterReject",
        5 => "CanisterError",
        _ => "Unknown",
    }
}

/// The calls a yield asks for: one `kybra.Call`, or a list/tuple of them (`many`).
fn prepare_yield(py: Python<'_>, yielded: &Bound<'_, PyAny>) -> PyResult<(Vec<Prepared>, bool)> {
    let kind = context::current().kind;
    if !kind.may_call() {
        return Err(IcError::new_err(format!(
            "a {} function cannot make cross-canister calls — use an @update, or a @query declared `-> Async[T]` \
             (a composite query, which may call queries only)",
            kind.decorator()
        )));
    }
    if yielded.is_instance_of::<PyList>() || yielded.is_instance_of::<PyTuple>() {
        let calls = yielded
            .try_iter()?
            .map(|c| prepare(py, &c?))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok((calls, true));
    }
    Ok((vec![prepare(py, yielded)?], false))
}

/// One `kybra.Call` made ready: principal, method, encoded arguments, cycles, result types.
fn prepare(py: Python<'_>, call: &Bound<'_, PyAny>) -> PyResult<Prepared> {
    let class = py.import("kybra._calls")?.getattr("Call")?;
    if !call.is_instance(&class)? {
        let ty = call
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_default();
        return Err(PyTypeError::new_err(format!(
            "a canister may only yield (or await) cross-canister calls such as `other.method(x)`, \
             `ic.call_raw(...)` or a list of them; it yielded a `{ty}`"
        )));
    }
    let canister: Vec<u8> = call.getattr("canister_id")?.getattr("bytes")?.extract()?;
    let canister =
        Principal::try_from_slice(&canister).map_err(|e| PyTypeError::new_err(e.to_string()))?;
    let method: String = call.getattr("method")?.extract()?;
    let cycles: u128 = call.getattr("cycles")?.extract()?;
    let timeout: Option<u32> = call.getattr("timeout")?.extract()?;
    let service = call.getattr("service")?;
    if service.is_none() {
        let args: Vec<u8> = call.getattr("raw")?.extract()?;
        return Ok(Prepared {
            canister,
            what: format!("`{method}`"),
            method,
            args,
            cycles,
            timeout,
            rets: None,
        });
    }
    let state = registry::state()
        .ok_or_else(|| IcError::new_err("kybra: the canister is not initialised"))?;
    let service_name = service.getattr("__name__")?.extract::<String>()?;
    let what = format!("`{service_name}.{method}`");
    let (params, rets) = signature(py, &state, &service, &method).ok_or_else(|| {
        PyTypeError::new_err(format!(
            "{what}: the Kybra compiler does not know this Service method — define `class {service_name}(Service)` \
             with `@service_query`/`@service_update` methods at the top level of a module of the canister"
        ))
    })?;
    let values = call.getattr("args")?.extract::<Vec<Bound<'_, PyAny>>>()?;
    let mut header = Vec::new();
    state.schema.table.write_header(&params, &mut header);
    let args = encode::encode_args(&state.schema, &state.classes(py), &params, &header, &values)
        .map_err(|(i, m)| {
            PyTypeError::new_err(format!(
                "{what}: argument {}: {}: expected {}, got {}",
                i + 1,
                m.location("value"),
                m.expected,
                m.found
            ))
        })?;
    Ok(Prepared {
        canister,
        method,
        args,
        cycles,
        timeout,
        rets: Some(rets),
        what,
    })
}

/// The declared (parameter, result) types of `method` of the `Service` subclass `class`.
fn signature(
    py: Python<'_>,
    state: &State,
    class: &Bound<'_, PyAny>,
    method: &str,
) -> Option<(Vec<T>, Vec<T>)> {
    let index = state
        .schema
        .meta
        .iter()
        .position(|m| m.class.as_ref().is_some_and(|c| c.bind(py).is(class)))?;
    let Entry::Service(methods) = &state.schema.table.entries[index] else {
        return None;
    };
    let (_, f) = methods.iter().find(|(name, _)| name == method)?;
    match &state.schema.table.entries[usize::try_from(f.0).ok()?] {
        Entry::Func(sig) => Some((sig.args.clone(), sig.rets.clone())),
        _ => None,
    }
}

/// `Call.notify()`: sends the call without a callback; `None` once sent, else the reject code.
#[pyfunction]
fn notify(py: Python<'_>, call: &Bound<'_, PyAny>) -> PyResult<Option<u32>> {
    let kind = context::current().kind;
    if !matches!(kind, Kind::Update | Kind::Timer | Kind::Heartbeat) {
        return Err(IcError::new_err(format!(
            "notify() sends a call, which the IC allows only in an @update, a heartbeat or a timer callback \
             (it was called in a {} function; a query that notifies must be called as an update, e.g. \
             `kybra canister call --update`, and be declared @update)",
            kind.decorator()
        )));
    }
    let p = prepare(py, call)?;
    let sent = IcCall::unbounded_wait(p.canister, &p.method)
        .with_raw_args(&p.args)
        .with_cycles(p.cycles)
        .oneway();
    Ok(sent.err().map(|_| SYS_TRANSIENT))
}

/// Adds `notify` to `_kybra_ic`.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(notify, m)?)
}

/// Polls every future until all are ready; outputs in order.
struct JoinAll<F: Future> {
    futures: Vec<Pin<Box<F>>>,
    outputs: Vec<Option<F::Output>>,
}

impl<F: Future> JoinAll<F> {
    fn new(futures: impl Iterator<Item = Pin<Box<F>>>) -> Self {
        let futures: Vec<_> = futures.collect();
        let outputs = futures.iter().map(|_| None).collect();
        JoinAll { futures, outputs }
    }
}

impl<F: Future> Future for JoinAll<F>
where
    F::Output: Unpin,
{
    type Output = Vec<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut pending = false;
        for (f, out) in this.futures.iter_mut().zip(this.outputs.iter_mut()) {
            if out.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *out = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(
                this.outputs
                    .iter_mut()
                    .map(|o| o.take().expect("every future is ready"))
                    .collect(),
            )
        }
    }
}
