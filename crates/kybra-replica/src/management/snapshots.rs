//! Canister snapshots through the management canister: `take_canister_snapshot`,
//! `load_canister_snapshot`, `list_canister_snapshots`, `delete_canister_snapshot`
//! (controllers only), and `canister_info` (canisters only: the canister's history).
//!
//! Promises: a snapshot holds the module, heap, mutable globals, stable memory, certified
//! data, global timer and chunk store as of the last committed message; loading one puts
//! all of them back, bumps the canister version and records a `load_snapshot` change, and
//! leaves the snapshot in place. At most [`MAX_SNAPSHOTS`] per canister: one more is
//! refused unless `replace_snapshot` names one to replace. Unknown snapshot ids, another
//! canister's snapshot, and canisters without code are rejected saying so; a rejected call
//! changes nothing. Snapshots cost no cycles here.

use candid::{CandidType, Principal};
use ic_management_canister_types as mgmt;

use super::args::{controlled, controlled_mut, decode, empty, encode};
use super::changes::record_change;
use crate::error::Reject;
use crate::snapshots::{snapshot_id, SavedCode, Snapshot, MAX_SNAPSHOTS};
use crate::stable::StableMemory;
use crate::state::State;

fn listed(s: &Snapshot) -> mgmt::Snapshot {
    mgmt::Snapshot {
        id: s.id.clone(),
        taken_at_timestamp: s.taken_at,
        total_size: s.total_size(),
    }
}

fn not_found(canister: &Principal, id: &[u8]) -> Reject {
    Reject::ic(
        "IC0305",
        format!(
            "Could not find the snapshot ID {} for canister {canister}; list them with list_canister_snapshots (`kybra canister snapshot list`)",
            hex::encode(id)
        ),
    )
}

/// `take_canister_snapshot`.
pub fn take(state: &mut State, sender: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    let a: mgmt::TakeCanisterSnapshotArgs = decode("take_canister_snapshot", arg)?;
    let time = state.clock.peek();
    let c = controlled_mut(state, sender, a.canister_id)?;
    if let Some(old) = &a.replace_snapshot {
        if !c.snapshots.iter().any(|s| &s.id == old) {
            return Err(not_found(&a.canister_id, old));
        }
    } else if c.snapshots.len() >= MAX_SNAPSHOTS {
        return Err(Reject::ic(
            "IC0406",
            format!(
                "Canister {} has reached the maximum number of snapshots allowed: {MAX_SNAPSHOTS}. Delete one (delete_canister_snapshot) or name one to replace (replace_snapshot).",
                a.canister_id
            ),
        ));
    }
    let exec = c.exec.as_ref().ok_or_else(|| {
        Reject::ic(
            "IC0537",
            format!(
                "Canister {} has no Wasm module: there is nothing to snapshot",
                a.canister_id
            ),
        )
    })?;
    let snapshot = Snapshot {
        id: snapshot_id(&c.id, c.next_snapshot),
        taken_at: time,
        canister_version: c.version,
        code: SavedCode::of(exec),
        certified_data: c.certified_data.clone(),
        global_timer: exec.host().global_timer,
        chunks: c.chunks.clone(),
    };
    c.next_snapshot += 1;
    if let Some(old) = &a.replace_snapshot {
        c.snapshots.retain(|s| &s.id != old);
    }
    let answer = listed(&snapshot);
    c.snapshots.push(snapshot);
    if a.uninstall_code == Some(true) {
        super::lifecycle::uninstall(state, sender, a.canister_id);
    }
    Ok(encode(&answer))
}

/// `load_canister_snapshot`.
pub fn load(state: &mut State, sender: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    let a: mgmt::LoadCanisterSnapshotArgs = decode("load_canister_snapshot", arg)?;
    let time = state.clock.peek();
    let c = controlled(state, sender, a.canister_id)?;
    let snapshot = c
        .snapshots
        .iter()
        .find(|s| s.id == a.snapshot_id)
        .ok_or_else(|| not_found(&a.canister_id, &a.snapshot_id))?
        .clone();
    let subnet = std::sync::Arc::clone(&state.subnet);
    let stable = StableMemory::from_bytes(snapshot.code.stable.clone());
    let mut host = c.new_host(stable, time, &subnet);
    host.global_timer = snapshot.global_timer;
    host.certified_data = snapshot.certified_data.clone();
    let exec = snapshot
        .code
        .instantiate(&state.engine, host)
        .map_err(|e| Reject::ic("IC0505", format!("The snapshot cannot be loaded: {e}")))?;
    let c = controlled_mut(state, sender, a.canister_id)?;
    c.exec = Some(exec);
    c.certified_data = snapshot.certified_data;
    c.chunks = snapshot.chunks;
    c.version += 1;
    let details = mgmt::ChangeDetails::LoadSnapshot(mgmt::LoadSnapshotRecord {
        from_canister_id: None,
        snapshot_id: snapshot.id,
        canister_version: snapshot.canister_version,
        taken_at_timestamp: snapshot.taken_at,
        source: mgmt::SnapshotSource::TakenFromCanister(candid::Reserved),
    });
    c.sync_into_host(&subnet);
    record_change(state, a.canister_id, sender, details);
    Ok(empty())
}

/// `list_canister_snapshots`.
pub fn list(state: &State, sender: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    let a: mgmt::CanisterIdRecord = decode("list_canister_snapshots", arg)?;
    let c = controlled(state, sender, a.canister_id)?;
    let list: Vec<mgmt::Snapshot> = c.snapshots.iter().map(listed).collect();
    Ok(encode(&list))
}

/// `delete_canister_snapshot`.
pub fn delete(state: &mut State, sender: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    let a: mgmt::DeleteCanisterSnapshotArgs = decode("delete_canister_snapshot", arg)?;
    let c = controlled_mut(state, sender, a.canister_id)?;
    let before = c.snapshots.len();
    c.snapshots.retain(|s| s.id != a.snapshot_id);
    if c.snapshots.len() == before {
        return Err(not_found(&a.canister_id, &a.snapshot_id));
    }
    Ok(empty())
}

/// `canister_info` (from canisters only, as on the IC).
pub fn info(state: &State, sender: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    if !state.canisters.contains_key(&sender) {
        return Err(Reject::ic(
            "IC0406",
            "canister_info can only be called by canisters, not by users",
        ));
    }
    let a: mgmt::CanisterInfoArgs = decode("canister_info", arg)?;
    let c = state
        .canisters
        .get(&a.canister_id)
        .ok_or_else(|| Reject::canister_not_found(&a.canister_id))?;
    let wanted = a.num_requested_changes.unwrap_or(0) as usize;
    let recent_changes = c
        .history
        .last(wanted)
        .into_iter()
        .filter_map(|ch| {
            Some(Change {
                timestamp_nanos: ch.timestamp_nanos,
                canister_version: ch.canister_version,
                origin: ch.origin,
                details: ch.details?,
            })
        })
        .collect();
    Ok(encode(&InfoResult {
        total_num_changes: c.history.total,
        recent_changes,
        module_hash: c
            .module_hash()
            .map(|h| serde_bytes::ByteBuf::from(h.to_vec())),
        controllers: c.controllers.clone(),
    }))
}

/// `change` as `ic.did` declares it: its `details` are not optional (the Rust type's are,
/// for changes a newer IC may add).
#[derive(CandidType)]
struct Change {
    timestamp_nanos: u64,
    canister_version: u64,
    origin: mgmt::ChangeOrigin,
    details: mgmt::ChangeDetails,
}

#[derive(CandidType)]
struct InfoResult {
    total_num_changes: u64,
    recent_changes: Vec<Change>,
    module_hash: Option<serde_bytes::ByteBuf>,
    controllers: Vec<Principal>,
}
