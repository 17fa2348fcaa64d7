//! Inter-canister calls, as the IC interface specification describes them.
//!
//! * [`ic0`]: the System API of calls — `call_new`, `call_on_cleanup`, `call_data_append`,
//!   `call_cycles_add(128)`, `call_with_best_effort_response`, `call_perform`, and the
//!   message-level `msg_reject_code`/`msg_reject_msg_*`/`msg_cycles_*` functions.
//! * [`scheduler`]: call contexts, callbacks and the message queue.
//! * [`system`]: calls from canisters to the management canister (`raw_rand`,
//!   `deposit_cycles`, and the existing lifecycle methods with the calling canister as sender).
//!
//! Invariants:
//! * Messages (a call context's first message, every reply/reject callback, cleanup,
//!   timers, heartbeats) run one at a time from one FIFO queue, each atomically: its own
//!   state changes commit when it ends, a trap rolls back only that message (state changed
//!   before an `await` stays committed). Calls a message performed are sent only if it
//!   commits.
//! * A call context answers its caller at most once: with the first reply/reject a
//!   committed message gives, with the trap of its first message, or — when it has no
//!   outstanding calls left and never answered — with the trap of its last callback or
//!   IC0506 "did not produce a response".
//! * Every callback is executed exactly once (reply or reject callback; cleanup after a
//!   callback trap), unless the canister's code was replaced meanwhile (then it is dropped).
//! * Cycles attached to a call leave the caller's balance when the message commits; what
//!   the callee does not accept is refunded with the response (`msg_cycles_refunded128`).
//! * Call contexts and queued messages live in memory only: after a restart of a persistent
//!   replica, calls in flight are gone (their callbacks never run, their ingress callers
//!   got no answer). Every committed message is journaled like an ingress update.

mod composite;
pub mod ic0;
mod scheduler;

pub(crate) use scheduler::Entry;
mod system;

use std::collections::{BTreeMap, VecDeque};

use candid::Principal;

use crate::error::Reject;

/// The call state of one running message (part of its [`crate::system_api::Ctx`]).
#[derive(Debug, Default)]
pub struct MessageCalls {
    /// The call context was answered by an earlier message: replying traps.
    pub responded: bool,
    /// A composite query's message: calls may only go to query methods.
    pub composite: bool,
    /// In a reject callback: the reject code and message.
    pub reject: Option<(u32, String)>,
    /// Cycles of the call context not accepted yet.
    pub available: u128,
    /// In a callback: cycles the callee refunded.
    pub refunded: u128,
    /// A call between `call_new` and `call_perform`.
    pub building: Option<OutgoingCall>,
    /// Calls performed by this message (sent if it commits).
    pub performed: Vec<OutgoingCall>,
}

/// A call a message is making.
#[derive(Debug, Clone)]
pub struct OutgoingCall {
    pub callee: Principal,
    pub method: String,
    pub arg: Vec<u8>,
    pub cycles: u128,
    /// (table index, env) of the reply callback.
    pub reply: (u32, u32),
    pub reject: (u32, u32),
    pub cleanup: Option<(u32, u32)>,
}

/// Who is waiting for a call context's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// An ingress message (its answer is kept for [`Calls::take_answer`]).
    Ingress,
    /// A canister's call: the answer goes back as a response to this callback.
    Canister { callback: u64 },
    /// A timer or heartbeat: nobody.
    System,
}

/// An open call context of a canister.
#[derive(Debug)]
pub struct CallContext {
    pub canister: Principal,
    pub caller: Principal,
    pub method: String,
    pub origin: Origin,
    /// Cycles attached by the caller and not accepted yet.
    pub cycles: u128,
    pub responded: bool,
    /// Calls made and not answered yet.
    pub outstanding: u32,
    pub composite: bool,
}

/// What a canister runs when a call it made is answered.
#[derive(Debug)]
pub struct Callback {
    pub canister: Principal,
    /// The caller's call context.
    pub context: u64,
    pub reply: (u32, u32),
    pub reject: (u32, u32),
    pub cleanup: Option<(u32, u32)>,
    /// [`crate::execution::Execution::serial`] of the code that made the call.
    pub serial: u64,
}

/// A queued message.
#[derive(Debug)]
pub enum Message {
    Request {
        callback: u64,
        from: Principal,
        to: Principal,
        method: String,
        arg: Vec<u8>,
        cycles: u128,
    },
    Response {
        callback: u64,
        result: Result<Vec<u8>, Reject>,
        refund: u128,
    },
}

/// All calls in flight: the queue, call contexts, callbacks and ingress answers.
#[derive(Default)]
pub struct Calls {
    pub queue: VecDeque<Message>,
    pub contexts: BTreeMap<u64, CallContext>,
    pub callbacks: BTreeMap<u64, Callback>,
    answers: BTreeMap<u64, Result<Vec<u8>, Reject>>,
    next_id: u64,
    rand: system::Randomness,
    /// Outgoing HTTP requests in flight ([`crate::outcalls`]).
    pub(crate) outcalls: crate::outcalls::Outcalls,
}

impl Calls {
    fn next(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Opens a call context; returns its id.
    pub fn open(&mut self, cc: CallContext) -> u64 {
        let id = self.next();
        self.contexts.insert(id, cc);
        id
    }

    /// The answer of an ingress call context, once it has one.
    pub fn take_answer(&mut self, context: u64) -> Option<Result<Vec<u8>, Reject>> {
        self.answers.remove(&context)
    }

    pub fn answered(&self, context: u64) -> bool {
        self.answers.contains_key(&context)
    }
}
