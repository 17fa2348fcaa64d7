//! Calls in flight, as plain data: call contexts, the callbacks waiting for their calls'
//! answers, the FIFO message queue and the answers of ingress calls. The scheduler
//! ([`crate::scheduler`]) owns one [`Calls`] and is the only one to change it; see there
//! for the invariants. Persistence saves them with the canisters (`persist::calls`).

use std::collections::{BTreeMap, VecDeque};

use candid::Principal;

use crate::error::Reject;

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
    /// The deadline of the best-effort call that opened it (ns), 0 if none.
    pub deadline: u64,
}

impl CallContext {
    /// A new call context on `canister`: nothing answered, accepted or called yet.
    pub fn new(
        canister: Principal,
        caller: Principal,
        method: String,
        origin: Origin,
        cycles: u128,
        composite: bool,
    ) -> Self {
        CallContext {
            canister,
            caller,
            method,
            origin,
            cycles,
            responded: false,
            outstanding: 0,
            composite,
            deadline: 0,
        }
    }
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
    /// `Execution::serial` of the code that made the call.
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
        /// A best-effort call's deadline (ns since the epoch), 0 if none.
        deadline: u64,
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
    pub answers: BTreeMap<u64, Result<Vec<u8>, Reject>>,
    next_id: u64,
}

impl Calls {
    /// The last id handed out (persisted with the calls).
    pub fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Calls restored from disk.
    pub fn restored(
        next_id: u64,
        contexts: BTreeMap<u64, CallContext>,
        callbacks: BTreeMap<u64, Callback>,
        queue: VecDeque<Message>,
    ) -> Self {
        Calls {
            queue,
            contexts,
            callbacks,
            answers: BTreeMap::new(),
            next_id,
        }
    }

    pub fn next(&mut self) -> u64 {
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
