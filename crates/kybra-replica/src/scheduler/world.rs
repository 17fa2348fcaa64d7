//! [`World`]: everything a message may touch — the canisters, clock and ids ([`State`]),
//! the calls in flight ([`Calls`]), the system services, and the state folder — and the
//! journal bookkeeping after each message.

use candid::Principal;

use super::env::ServiceEnv;
use crate::calls::Calls;
use crate::management;
use crate::persist::{PersistError, Persistence};
use crate::services::api::Answer;
use crate::services::api::Signal;
use crate::services::Services;
use crate::state::State;

/// A held-back reply: called with whether the changes it reports are durable.
pub type Deferred = Box<dyn FnOnce(bool) + Send>;

/// An ingress call context that stopped running to wait for a service's later answer.
pub struct Parked {
    pub context: u64,
    pub canister: Principal,
    /// The signal's generation when it parked.
    pub seen: u64,
    pub signal: std::sync::Arc<Signal>,
}

pub struct World {
    pub state: State,
    /// Call contexts, callbacks and queued messages: the scheduler's alone.
    pub calls: Calls,
    pub services: Services,
    pub persist: Option<Persistence>,
    /// Replies held back until the journal is synced (group commit).
    pub deferred: Vec<Deferred>,
    /// Set when an ingress call context waits for a service.
    pub parked: Option<Parked>,
    /// A composite query is running: its calls are not journaled (they never persist).
    pub composite: bool,
}

impl World {
    pub fn new(state: State, services: Services) -> Self {
        World {
            state,
            calls: Calls::default(),
            services,
            persist: None,
            deferred: Vec::new(),
            parked: None,
            composite: false,
        }
    }

    /// Journals what the last message changed (`touched`: the one canister it could change,
    /// `None`: any). Durable at the next [`Self::sync`].
    pub fn journal(&mut self, touched: Option<Principal>) {
        if let Some(p) = &mut self.persist {
            let s = &mut self.state;
            let calls = (!self.composite).then_some(&self.calls);
            p.record(
                s.next_index,
                s.clock.last(),
                &mut s.canisters,
                calls,
                &self.services,
                touched,
            );
        }
    }

    /// Makes journaled changes durable and hands out the replies that waited for it;
    /// checkpoints when the journal has grown enough.
    pub fn sync(&mut self) -> (bool, Vec<Deferred>) {
        let deferred = std::mem::take(&mut self.deferred);
        let Some(p) = &mut self.persist else {
            return (true, deferred);
        };
        let durable = p.sync();
        if durable && p.checkpoint_due() {
            if let Err(e) = self.checkpoint() {
                eprintln!("kybra-replica: checkpoint failed, updates are now rejected: {e}");
            }
        }
        (durable, deferred)
    }

    /// Writes the whole state as a new checkpoint and empties the journal (a no-op in
    /// memory). Call with every message recorded.
    pub fn checkpoint(&mut self) -> Result<(), PersistError> {
        let Some(p) = &mut self.persist else {
            return Ok(());
        };
        let s = &mut self.state;
        p.checkpoint(
            s.next_index,
            s.clock.last(),
            &mut s.canisters,
            &self.calls,
            &self.services,
        )
    }

    /// A call of the management canister's own code (see [`management::update`]).
    pub fn management(
        &mut self,
        sender: Principal,
        effective: Option<Principal>,
        method: &str,
        arg: &[u8],
        cycles: u128,
    ) -> Answer {
        let reserved = self.services.canister_ids();
        let (result, refund) = management::update(
            &mut self.state,
            &reserved,
            sender,
            effective,
            method,
            arg,
            cycles,
        );
        Answer { result, refund }
    }

    /// The view of the replica that services get.
    pub fn env(&mut self) -> (ServiceEnv<'_>, &mut Services) {
        let reserved = self.services.canister_ids();
        (
            ServiceEnv {
                state: &mut self.state,
                reserved,
            },
            &mut self.services,
        )
    }
}
