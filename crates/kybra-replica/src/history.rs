//! A canister's history, as `canister_info` reports it: every change (creation, code
//! deployment, uninstall, controllers change, snapshot load) counted, the most recent
//! [`KEPT_CHANGES`] kept with their time, the canister version after the change, who made
//! it and what it was (the IC interface specification's `change` record).

use std::collections::VecDeque;

use ic_management_canister_types::Change;

/// Changes kept (the IC keeps at least the 20 most recent).
pub const KEPT_CHANGES: usize = 20;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Changes ever recorded.
    pub total: u64,
    /// The most recent ones, oldest first.
    pub recent: VecDeque<Change>,
}

impl History {
    pub fn push(&mut self, change: Change) {
        self.total += 1;
        self.recent.push_back(change);
        while self.recent.len() > KEPT_CHANGES {
            self.recent.pop_front();
        }
    }

    /// The `n` most recent changes, oldest first.
    pub fn last(&self, n: usize) -> Vec<Change> {
        let skip = self.recent.len().saturating_sub(n);
        self.recent.iter().skip(skip).cloned().collect()
    }
}
