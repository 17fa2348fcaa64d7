//! The contract between the replica and its system services (the management canister's
//! randomness, threshold signatures, HTTP outcalls and bitcoin; the cycles minting canister
//! and the cycles ledger; later the ledgers, Schnorr and vetKD): a call is a method name,
//! an argument and attached cycles ([`Request`]); its answer is a reply or a reject and the
//! cycles to refund ([`Answer`]), given at once or later ([`Reply::Later`], then
//! [`SystemService::poll`] hands it over). A service is reached at an [`Address`]: some
//! methods of the management canister, or a canister id of its own.
//!
//! A service with state that should outlive the replica (the bitcoin chain) saves and
//! restores it as bytes ([`SystemService::save_state`]); the replica keeps them with the
//! canisters in its state folder.
//!
//! Services see the replica only through [`Env`]: the time, the subnet id, creating a
//! canister and running a query (an HTTP outcall's transform). Their calls run on the
//! replica's execution thread, one at a time, atomically like messages.

use std::any::Any;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use candid::Principal;
use ic_management_canister_types::CanisterSettings;

use crate::error::Reject;

/// How a method of a service may be called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// As an update only.
    Update,
    /// As a query, or as an update.
    Query,
}

/// Where a service answers.
#[derive(Debug, Clone, Copy)]
pub enum Address {
    /// These methods of the management canister (`aaaaa-aa`), called by canisters.
    Management(&'static [&'static str]),
    /// A canister id of its own, with these methods (called by users and canisters).
    Canister {
        id: Principal,
        methods: &'static [(&'static str, MethodKind)],
    },
}

/// Identifies one call of a service, for an answer given later.
pub type Ticket = u64;

/// One call of a service.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The calling canister, or the user of an ingress message.
    pub caller: Principal,
    pub method: &'a str,
    pub arg: &'a [u8],
    /// Cycles attached to the call (0 for ingress messages).
    pub cycles: u128,
    pub ticket: Ticket,
}

/// A call's outcome: the reply or reject, and the cycles that go back to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub result: Result<Vec<u8>, Reject>,
    pub refund: u128,
}

impl Answer {
    /// A reply that keeps `charged` of the `attached` cycles.
    pub fn reply(bytes: Vec<u8>, attached: u128, charged: u128) -> Answer {
        Answer {
            result: Ok(bytes),
            refund: attached - charged,
        }
    }

    /// A reject that refunds everything attached.
    pub fn reject(reject: Reject, attached: u128) -> Answer {
        Answer {
            result: Err(reject),
            refund: attached,
        }
    }
}

/// When a service answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Now(Answer),
    /// Under way: [`SystemService::poll`] returns the answer with the request's ticket.
    Later,
}

/// What a service may ask of the replica.
pub trait Env {
    /// The time of the running message (nanoseconds since the epoch).
    fn time(&self) -> u64;
    /// The replica's subnet id, once the embedder has told it.
    fn subnet_id(&self) -> Option<Principal>;
    /// Creates a canister as `provisional_create_canister_with_cycles` does.
    fn create_canister(
        &mut self,
        controller: Principal,
        settings: Option<CanisterSettings>,
        cycles: u128,
    ) -> Result<Principal, Reject>;
    /// Adds `cycles` to `canister`'s balance, as `deposit_cycles` does; a reject if there is
    /// no such canister (then nothing changes).
    fn deposit_cycles(&mut self, canister: Principal, cycles: u128) -> Result<(), Reject>;
    /// Runs query `method` of `canister` (non-replicated; its changes are discarded).
    fn query(
        &mut self,
        caller: Principal,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject>;
}

/// A system service of the replica (see the module documentation).
pub trait SystemService: Any + Send {
    /// A short name for messages ("HTTP outcalls", "cycles ledger").
    fn name(&self) -> &'static str;
    /// Where it answers.
    fn address(&self) -> Address;
    /// An update call (from a canister, or an ingress message to its own canister id).
    fn call(&mut self, request: Request<'_>, env: &mut dyn Env) -> Reply;
    /// A query call of one of its [`MethodKind::Query`] methods.
    fn query(&mut self, request: Request<'_>, _env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
        Err(Reject::canister_reject(&format!(
            "the kybra replica's {} answers no queries (method {})",
            self.name(),
            request.method
        )))
    }
    /// Answers that became ready since the last poll (for [`Reply::Later`] calls).
    fn poll(&mut self, _env: &mut dyn Env) -> Vec<(Ticket, Answer)> {
        Vec::new()
    }
    /// Whether calls answered [`Reply::Later`] are still under way.
    fn in_flight(&self) -> bool {
        false
    }
    /// The tickets of the calls under way (after [`Self::restore_state`], the ones it took
    /// up again: a restarted replica leaves their callers waiting).
    fn tickets(&self) -> Vec<Ticket> {
        Vec::new()
    }
    /// Changes whenever the state [`Self::save_state`] returns does; a persistent replica
    /// journals that state after each message that moved it.
    fn state_generation(&self) -> u64 {
        0
    }
    /// The state to keep across restarts (`None`: nothing), calls under way included when
    /// the service can take them up again.
    fn save_state(&self) -> Option<Vec<u8>> {
        None
    }
    /// Takes back what [`Self::save_state`] returned before a restart.
    fn restore_state(&mut self, _saved: &[u8]) -> Result<(), String> {
        Ok(())
    }
    /// Called once when the service is registered: how it tells the replica that an
    /// answer is ready (from any thread).
    fn attach(&mut self, _signal: std::sync::Arc<Signal>) {}
    /// For [`crate::Replica`]'s service-specific methods.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A generation counter that services bump when an answer is ready, which a waiting
/// ingress call waits on without holding the replica.
#[derive(Default)]
pub struct Signal {
    generation: Mutex<u64>,
    changed: Condvar,
}

impl Signal {
    /// An answer is ready.
    pub fn notify(&self) {
        let mut g = self.generation.lock().unwrap_or_else(|p| p.into_inner());
        *g += 1;
        self.changed.notify_all();
    }

    /// The current generation.
    pub fn generation(&self) -> u64 {
        *self.generation.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits (at most `max`) until the generation passes `seen`.
    pub fn wait_after(&self, seen: u64, max: Duration) {
        let g = self.generation.lock().unwrap_or_else(|p| p.into_inner());
        let _ = self.changed.wait_timeout_while(g, max, |g| *g <= seen);
    }
}
