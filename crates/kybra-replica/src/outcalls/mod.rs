//! Outgoing HTTP requests: the management canister's `http_request`, called by canisters.
//!
//! Promises:
//! * The argument is checked and the fee charged as on the IC ([`request`]); the request is
//!   then performed for real on an outcall thread of its own ([`fetch`]), never under the
//!   replica's lock: other messages, queries and ticks go on meanwhile. The calling
//!   canister's callback stays outstanding until the response arrives.
//! * A finished request becomes a response message in the scheduler's queue: when an
//!   ingress call waits for it (its [`crate::Replica::update`] waits, off the lock), at the
//!   next [`crate::Replica::tick`], or when any ingress update runs out of queued messages.
//! * With a `transform`, the canister's transform query (the calling canister's, as the IC
//!   requires) runs first — a non-replicated query with the management canister as caller and
//!   `record { response; context }` as argument — and its result is the reply (it must decode
//!   as `http_request_result` and fit in `max_response_bytes`). A transform that traps or
//!   rejects rejects the call with its own reject code and message, prefixed.
//! * Cycles: the fee is kept, the rest of the attached cycles comes back with the response.
//! * Outcalls in flight are not persisted (like every call in flight).

mod fetch;
mod request;

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use candid::Principal;
use ic_management_canister_types::{HttpHeader, HttpRequestArgs, HttpRequestResult, TransformArgs};

use crate::calls::Message;
use crate::error::{Reject, RejectCode};
use crate::state::State;

pub use request::{cost, MAX_RESPONSE_BYTES};

/// Outcalls in flight (part of [`crate::calls::Calls`]).
#[derive(Default)]
pub struct Outcalls {
    /// By the callback waiting for the response.
    pending: BTreeMap<u64, Pending>,
    finished: Arc<Finished>,
    /// Set when an ingress call context stopped running to wait for outcalls.
    parked: Option<Parked>,
}

struct Pending {
    canister: Principal,
    transform: Option<(String, Vec<u8>)>,
    max_response_bytes: u64,
    refund: u128,
}

/// What an outcall thread hands over: the callback waiting for it and the response.
type Arrived = Vec<(u64, Result<fetch::Fetched, Reject>)>;

/// Results the outcall threads hand over, and a generation counter to wait on.
#[derive(Default)]
struct Finished {
    inner: Mutex<(u64, Arrived)>,
    arrived: Condvar,
}

impl Finished {
    fn push(&self, callback: u64, result: Result<fetch::Fetched, Reject>) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        g.0 += 1;
        g.1.push((callback, result));
        self.arrived.notify_all();
    }

    /// Takes what arrived; returns it with the generation it was taken at.
    fn take(&self) -> (u64, Arrived) {
        let mut g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        (g.0, std::mem::take(&mut g.1))
    }

    /// Waits (at most `max`) until something arrives after generation `seen`.
    fn wait_after(&self, seen: u64, max: Duration) {
        let g = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.arrived.wait_timeout_while(g, max, |g| g.0 <= seen);
    }
}

/// An ingress call context waiting for outcalls.
pub(crate) struct Parked {
    context: u64,
    canister: Principal,
    seen: u64,
    finished: Arc<Finished>,
}

impl State {
    /// `http_request` from canister `from` with `cycles` attached, answered to `callback`:
    /// `Some` (result, refund) when it is answered at once (a bad argument, too few cycles),
    /// `None` when the request is under way.
    pub(crate) fn start_outcall(
        &mut self,
        callback: u64,
        from: Principal,
        arg: &[u8],
        cycles: u128,
    ) -> Option<(Result<Vec<u8>, Reject>, u128)> {
        let args: HttpRequestArgs = match candid::decode_one(arg) {
            Ok(a) => a,
            Err(e) => {
                return Some((
                    Err(Reject::invalid_management_payload("http_request", e)),
                    cycles,
                ))
            }
        };
        let call = match request::prepare(from, args, cycles) {
            Ok(c) => c,
            Err(reject) => return Some((Err(reject), cycles)),
        };
        let finished = Arc::clone(&self.calls.outcalls.finished);
        let pending = Pending {
            canister: from,
            transform: call.transform.clone(),
            max_response_bytes: call.max_response_bytes,
            refund: cycles - call.fee,
        };
        let spawned = std::thread::Builder::new()
            .name("kybra-outcall".into())
            .spawn(move || finished.push(callback, fetch::perform(&call)));
        if let Err(e) = spawned {
            let reject = transient(format!("http_request: cannot start the request: {e}"));
            return Some((Err(reject), cycles));
        }
        self.calls.outcalls.pending.insert(callback, pending);
        None
    }

    /// Turns finished outcalls into response messages (running transforms); whether any were.
    pub(crate) fn collect_outcalls(&mut self) -> bool {
        self.collect().1
    }

    /// [`Self::collect_outcalls`], also returning the generation of what it took.
    fn collect(&mut self) -> (u64, bool) {
        if self.calls.outcalls.pending.is_empty() {
            return (0, false);
        }
        let (generation, arrived) = self.calls.outcalls.finished.take();
        let any = !arrived.is_empty();
        for (callback, fetched) in arrived {
            let Some(p) = self.calls.outcalls.pending.remove(&callback) else {
                continue;
            };
            let result = fetched.and_then(|f| self.transform(&p, f));
            self.calls.queue.push_back(Message::Response {
                callback,
                result,
                refund: p.refund,
            });
        }
        (generation, any)
    }

    /// Called when the queue ran dry before ingress context `id` was answered: delivers
    /// arrived outcall responses (`true`: run on), else, if outcalls are in flight, parks the
    /// context for [`crate::Replica::update`] to wait off the lock (`false`).
    pub(crate) fn wait_for_outcalls(&mut self, id: u64, canister: &Principal) -> bool {
        if self.calls.contexts.get(&id).is_none_or(|cc| cc.composite) {
            return false;
        }
        let (seen, any) = self.collect();
        if any {
            return true;
        }
        if !self.calls.outcalls.pending.is_empty() {
            self.calls.outcalls.parked = Some(Parked {
                context: id,
                canister: *canister,
                seen,
                finished: Arc::clone(&self.calls.outcalls.finished),
            });
        }
        false
    }

    /// The reply for a fetched response: encoded as is, or through the caller's transform.
    fn transform(&mut self, p: &Pending, f: fetch::Fetched) -> Result<Vec<u8>, Reject> {
        let response = HttpRequestResult {
            status: candid::Nat::from(f.status),
            headers: f
                .headers
                .into_iter()
                .map(|(name, value)| HttpHeader { name, value })
                .collect(),
            body: f.body,
        };
        let Some((method, context)) = &p.transform else {
            return Ok(candid::encode_one(response).expect("encodes"));
        };
        let arg = candid::encode_one(TransformArgs {
            response,
            context: context.clone(),
        })
        .expect("encodes");
        let out = self
            .query(Principal::management_canister(), p.canister, method, arg)
            .map_err(|r| Reject {
                message: format!(
                    "http_request: the transform `{method}` of canister {} failed: {}",
                    p.canister, r.message
                ),
                ..r
            })?;
        if let Err(e) = candid::decode_one::<HttpRequestResult>(&out) {
            return Err(fatal(format!("http_request: the transform `{method}` of canister {} returned a value that is not an http_request_result: {e}", p.canister)));
        }
        if out.len() as u64 > p.max_response_bytes {
            return Err(fatal(format!(
                "Transformed http response exceeds limit: {}",
                p.max_response_bytes
            )));
        }
        Ok(out)
    }
}

impl crate::Replica {
    /// [`crate::Replica::update`]: runs the update; while it waits for outcalls, waits for
    /// them without holding the replica (other messages run meanwhile), then runs on.
    pub(crate) fn update_waiting_for_outcalls(
        &self,
        sender: Principal,
        canister: Principal,
        effective_canister_id: Option<Principal>,
        method: String,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject> {
        let mut step = self.exec(move |s| {
            let r = s.update(sender, canister, effective_canister_id, &method, arg);
            (r, s.calls.outcalls.parked.take())
        });
        loop {
            match step {
                None => return Err(crate::not_saved()),
                Some((r, None)) => return r,
                Some((_, Some(parked))) => {
                    parked
                        .finished
                        .wait_after(parked.seen, Duration::from_secs(1));
                    let (id, canister) = (parked.context, parked.canister);
                    step = self.exec(move |s| {
                        let r = s.run_until_answered(id, &canister);
                        (r, s.calls.outcalls.parked.take())
                    });
                }
            }
        }
    }
}

fn transient(message: String) -> Reject {
    Reject {
        code: RejectCode::SysTransient,
        message,
        error_code: None,
    }
}

fn fatal(message: String) -> Reject {
    Reject {
        code: RejectCode::SysFatal,
        message,
        error_code: None,
    }
}
