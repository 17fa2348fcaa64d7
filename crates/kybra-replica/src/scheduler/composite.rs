//! Composite queries: a `canister_composite_query` method may call query and composite
//! query methods (of other canisters or its own), never updates (rejected with IC0527).
//! It runs on a queue of its own, so no update message runs while its changes are pending;
//! when it is answered, its remaining calls are dropped and every canister it ran on gets
//! its pending changes discarded (nothing a composite query does persists).
//!
//! Known limit: stable memory written by an earlier message of the same composite query
//! on the same canister is not undone (heap, globals and the rest are).

use candid::Principal;

use super::run::Entry;
use super::world::World;
use crate::calls::{CallContext, Origin};
use crate::error::Reject;
use crate::execution::Persist;
use crate::host::Api;

impl World {
    /// A non-replicated call to composite query `method` of `canister` (installed).
    pub fn composite_query(
        &mut self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: Vec<u8>,
    ) -> Result<Vec<u8>, Reject> {
        let saved_queue = std::mem::take(&mut self.calls.queue);
        self.composite = true;
        let before: std::collections::BTreeSet<u64> = self.calls.contexts.keys().copied().collect();
        let cc = CallContext::new(canister, sender, method.into(), Origin::Ingress, 0, true);
        let entry = Entry {
            export: format!("canister_composite_query {method}"),
            api: Api::CompositeQuery,
            persist: Persist::Pending,
            arg,
        };
        let id = self.open_and_run(cc, entry);
        let answer = self.run_until_answered(id, &canister);
        // Drop what is left of this composite query: its contexts, callbacks and messages.
        let leftover: Vec<(u64, Principal)> = self
            .calls
            .contexts
            .iter()
            .filter(|(k, _)| !before.contains(k))
            .map(|(k, cc)| (*k, cc.canister))
            .collect();
        for (k, c) in leftover {
            self.calls.contexts.remove(&k);
            self.calls.callbacks.retain(|_, cb| cb.context != k);
            if let Some(exec) = self
                .state
                .canisters
                .get_mut(&c)
                .and_then(|c| c.exec.as_mut())
            {
                exec.rollback_pending();
            }
        }
        self.calls.queue = saved_queue;
        self.composite = false;
        answer
    }
}
