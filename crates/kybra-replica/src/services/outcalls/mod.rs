//! Outgoing HTTP requests: the management canister's `http_request`, called by canisters,
//! as the service [`HttpOutcalls`] (cargo feature `http-outcalls`: it links a TLS client).
//!
//! Promises:
//! * The argument is checked and the fee charged as on the IC ([`request`]); the request is
//!   then performed for real on an outcall thread of its own ([`fetch`]), never under the
//!   replica's lock: other messages, queries and ticks go on meanwhile. The call is
//!   answered later ([`Reply::Later`]); the calling canister's callback stays outstanding.
//! * A finished request becomes the call's answer when the replica polls its services:
//!   when an ingress call waits for it (`Replica::update` waits off the lock), at the next
//!   `Replica::tick`, or when any ingress update runs out of queued messages.
//! * With a `transform`, the canister's transform query (the calling canister's, as the IC
//!   requires) runs first — a non-replicated query with the management canister as caller and
//!   `record { response; context }` as argument — and its result is the reply (it must decode
//!   as `http_request_result` and fit in `max_response_bytes`). A transform that traps or
//!   rejects rejects the call with its own reject code and message, prefixed.
//! * Cycles: the fee is kept, the rest of the attached cycles comes back with the response.
//! * A persistent replica keeps the requests in flight ([`saved`]): after a restart each is
//!   made again (the server may see it twice, as an IC replica may retry), and its caller's
//!   callback gets that answer — nothing waits forever, nothing is answered twice.

mod fetch;
mod request;
mod saved;

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use candid::Principal;
use ic_management_canister_types::{HttpHeader, HttpRequestArgs, HttpRequestResult, TransformArgs};

use super::api::{Address, Answer, Env, Reply, Request, Signal, SystemService, Ticket};
use crate::error::{Reject, RejectCode};

pub use request::MAX_RESPONSE_BYTES;

/// What an outcall thread hands over: the call's ticket and the response.
type Arrived = Vec<(Ticket, Result<fetch::Fetched, Reject>)>;

/// The HTTP outcall service.
#[derive(Default)]
pub struct HttpOutcalls {
    /// By ticket: the requests under way.
    pending: BTreeMap<Ticket, Pending>,
    arrived: Arc<Mutex<Arrived>>,
    signal: Option<Arc<Signal>>,
    /// Counts the changes of `pending` (see [`SystemService::state_generation`]).
    changes: u64,
}

struct Pending {
    canister: Principal,
    transform: Option<(String, Vec<u8>)>,
    max_response_bytes: u64,
    refund: u128,
    /// The call as it came (Candid `http_request_args`) and the cycles attached: what a
    /// restarted replica needs to make it again.
    arg: Vec<u8>,
    attached: u128,
}

impl SystemService for HttpOutcalls {
    fn name(&self) -> &'static str {
        "HTTP outcalls"
    }

    fn address(&self) -> Address {
        Address::Management(&["http_request"])
    }

    fn call(&mut self, r: Request<'_>, _env: &mut dyn Env) -> Reply {
        match self.start(r.ticket, r.caller, r.arg, r.cycles) {
            Ok(()) => Reply::Later,
            Err(reject) => Reply::Now(Answer::reject(reject, r.cycles)),
        }
    }

    fn poll(&mut self, env: &mut dyn Env) -> Vec<(Ticket, Answer)> {
        let arrived = std::mem::take(&mut *self.arrived.lock().unwrap_or_else(|p| p.into_inner()));
        let mut out = Vec::new();
        for (ticket, fetched) in arrived {
            let Some(p) = self.pending.remove(&ticket) else {
                continue;
            };
            self.changes += 1;
            let result = fetched.and_then(|f| transform(&p, f, env));
            out.push((
                ticket,
                Answer {
                    result,
                    refund: p.refund,
                },
            ));
        }
        out
    }

    fn in_flight(&self) -> bool {
        !self.pending.is_empty()
    }

    fn tickets(&self) -> Vec<Ticket> {
        self.pending.keys().copied().collect()
    }

    fn attach(&mut self, signal: Arc<Signal>) {
        self.signal = Some(signal);
    }

    fn state_generation(&self) -> u64 {
        self.changes
    }

    fn save_state(&self) -> Option<Vec<u8>> {
        let requests: Vec<saved::Request> = self
            .pending
            .iter()
            .map(|(ticket, p)| saved::Request {
                ticket: *ticket,
                caller: p.canister,
                attached: p.attached,
                arg: serde_bytes::ByteBuf::from(p.arg.clone()),
            })
            .collect();
        (!requests.is_empty()).then(|| saved::encode(&requests))
    }

    fn restore_state(&mut self, bytes: &[u8]) -> Result<(), String> {
        for r in saved::decode(bytes)? {
            // Checked when it was first made. One that cannot start again (no thread) is
            // not pending: its caller gets the restart's SysTransient reject instead.
            let _ = self.start(r.ticket, r.caller, &r.arg, r.attached);
        }
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl HttpOutcalls {
    /// Checks the call `arg` of `caller` and starts it on an outcall thread of its own, to
    /// be answered under `ticket`.
    fn start(
        &mut self,
        ticket: Ticket,
        caller: Principal,
        arg: &[u8],
        attached: u128,
    ) -> Result<(), Reject> {
        let args: HttpRequestArgs = candid::decode_one(arg)
            .map_err(|e| Reject::invalid_management_payload("http_request", e))?;
        let call = request::prepare(caller, args, attached)?;
        let pending = Pending {
            canister: caller,
            transform: call.transform.clone(),
            max_response_bytes: call.max_response_bytes,
            refund: attached - call.fee,
            arg: arg.to_vec(),
            attached,
        };
        let (arrived, signal) = (Arc::clone(&self.arrived), self.signal.clone());
        std::thread::Builder::new()
            .name("kybra-outcall".into())
            .spawn(move || {
                let fetched = fetch::perform(&call);
                arrived
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push((ticket, fetched));
                if let Some(s) = signal {
                    s.notify();
                }
            })
            .map_err(|e| transient(format!("http_request: cannot start the request: {e}")))?;
        self.pending.insert(ticket, pending);
        self.changes += 1;
        Ok(())
    }
}

/// The reply for a fetched response: encoded as is, or through the caller's transform.
fn transform(p: &Pending, f: fetch::Fetched, env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
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
    let out = env
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
