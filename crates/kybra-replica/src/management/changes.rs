//! Recording a canister's changes in its history (`crate::history`), as the management
//! canister makes them: who made the change (a user, or a canister at its current
//! version), when, and the canister's version after it.

use candid::Principal;
use ic_management_canister_types as mgmt;

use crate::state::State;

/// Records `details` in canister `id`'s history, made by `sender` now.
pub fn record_change(
    state: &mut State,
    id: Principal,
    sender: Principal,
    details: mgmt::ChangeDetails,
) {
    let origin = match state.canisters.get(&sender) {
        Some(caller) => mgmt::ChangeOrigin::FromCanister(mgmt::FromCanisterRecord {
            canister_id: sender,
            canister_version: Some(caller.version),
        }),
        None => mgmt::ChangeOrigin::FromUser(mgmt::FromUserRecord { user_id: sender }),
    };
    let timestamp_nanos = state.clock.peek();
    if let Some(c) = state.canisters.get_mut(&id) {
        c.history.push(mgmt::Change {
            timestamp_nanos,
            canister_version: c.version,
            origin,
            details: Some(details),
        });
    }
}
