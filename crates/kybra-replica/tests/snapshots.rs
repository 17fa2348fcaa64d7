//! Canister snapshots (`take_canister_snapshot`, `load_canister_snapshot`,
//! `list_canister_snapshots`, `delete_canister_snapshot`) and the history `canister_info`
//! reports: a loaded snapshot brings back heap, stable memory and module; snapshots and
//! history survive a restart (checkpoint and journal); the IC's limits and rejects.

mod common;

use std::path::Path;

use candid::Principal;
use common::*;
use ic_management_canister_types as mgmt;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};

fn mgmt_call<A: candid::CandidType>(
    r: &Replica,
    sender: Principal,
    id: Principal,
    method: &str,
    a: &A,
) -> Result<Vec<u8>, kybra_replica::Reject> {
    r.update(sender, mgmt_id(), Some(id), method, &enc(a))
}

fn take(
    r: &Replica,
    id: Principal,
    replace: Option<Vec<u8>>,
) -> Result<mgmt::Snapshot, kybra_replica::Reject> {
    let a = mgmt::TakeCanisterSnapshotArgs {
        canister_id: id,
        replace_snapshot: replace,
        uninstall_code: None,
        sender_canister_version: None,
    };
    mgmt_call(r, user(), id, "take_canister_snapshot", &a).map(|b| dec(&b))
}

fn load(
    r: &Replica,
    sender: Principal,
    id: Principal,
    snapshot: &[u8],
) -> Result<Vec<u8>, kybra_replica::Reject> {
    let a = mgmt::LoadCanisterSnapshotArgs {
        canister_id: id,
        snapshot_id: snapshot.to_vec(),
        sender_canister_version: None,
    };
    mgmt_call(r, sender, id, "load_canister_snapshot", &a)
}

fn list(r: &Replica, id: Principal) -> Vec<mgmt::Snapshot> {
    dec(&mgmt_call(
        r,
        user(),
        id,
        "list_canister_snapshots",
        &mgmt::CanisterIdRecord { canister_id: id },
    )
    .unwrap())
}

fn delete(r: &Replica, id: Principal, snapshot: &[u8]) -> Result<Vec<u8>, kybra_replica::Reject> {
    let a = mgmt::DeleteCanisterSnapshotArgs {
        canister_id: id,
        snapshot_id: snapshot.to_vec(),
    };
    mgmt_call(r, user(), id, "delete_canister_snapshot", &a)
}

#[test]
fn a_loaded_snapshot_brings_the_old_state_back() {
    let (r, id) = hello();
    set_message(&r, id, "before");
    stable_write(&r, id, 0, b"stable before");
    let snap = take(&r, id, None).unwrap();
    let mut want_id = 0u64.to_be_bytes().to_vec();
    want_id.extend_from_slice(id.as_slice());
    assert_eq!(
        snap.id, want_id,
        "the IC's id layout: local index, then the canister id"
    );
    assert!(snap.total_size > hello_wasm().len() as u64, "{snap:?}");
    set_message(&r, id, "after");
    stable_write(&r, id, 0, b"stable after!");
    let version = status(&r, user(), id).unwrap().version;
    load(&r, user(), id, &snap.id).unwrap();
    assert_eq!(get_message(&r, id), "before");
    assert_eq!(stable_read(&r, id, 0, 13), b"stable before");
    assert_eq!(status(&r, user(), id).unwrap().version, version + 1);
    // The canister keeps working, and the snapshot stays for another load.
    set_message(&r, id, "again");
    assert_eq!(get_message(&r, id), "again");
    assert_eq!(list(&r, id), vec![snap.clone()]);
    load(&r, user(), id, &snap.id).unwrap();
    assert_eq!(get_message(&r, id), "before");
    assert_eq!(
        status(&r, user(), id)
            .unwrap()
            .memory_metrics
            .snapshots_size,
        candid::Nat::from(snap.total_size)
    );
    delete(&r, id, &snap.id).unwrap();
    assert!(list(&r, id).is_empty());
}

#[test]
fn limits_and_bad_requests_change_nothing() {
    let (r, id) = hello();
    set_message(&r, id, "kept");
    let first = take(&r, id, None).unwrap();
    let ids: Vec<Vec<u8>> = std::iter::once(first.id.clone())
        .chain((1..10).map(|_| take(&r, id, None).unwrap().id))
        .collect();
    assert_reject(
        take(&r, id, None),
        4,
        "IC0406",
        "maximum number of snapshots allowed: 10",
    );
    // Replacing one keeps ten; ids are never reused.
    let replaced = take(&r, id, Some(first.id.clone())).unwrap();
    assert!(!ids.contains(&replaced.id));
    assert_eq!(list(&r, id).len(), 10);
    assert!(!list(&r, id).iter().any(|s| s.id == first.id));
    // Unknown ids, another canister's snapshot, non-controllers, a canister without code.
    assert_reject(
        load(&r, user(), id, &first.id),
        3,
        "IC0305",
        "Could not find the snapshot ID",
    );
    assert_reject(
        delete(&r, id, b"nope"),
        3,
        "IC0305",
        "Could not find the snapshot ID",
    );
    assert_reject(
        take(&r, id, Some(b"nope".to_vec())),
        3,
        "IC0305",
        "Could not find the snapshot ID",
    );
    let other = create(&r, user());
    install(&r, user(), other, hello_wasm()).unwrap();
    assert_reject(
        load(&r, user(), other, &replaced.id),
        3,
        "IC0305",
        "Could not find the snapshot ID",
    );
    assert_reject(load(&r, other_user(), id, &replaced.id), 5, "IC0512", "");
    let empty = create(&r, user());
    assert_reject(take(&r, empty, None), 5, "IC0537", "nothing to snapshot");
    assert_eq!(get_message(&r, id), "kept");
    assert_eq!(list(&r, id).len(), 10);
}

fn open(dir: &Path) -> Replica {
    Replica::open(ReplicaConfig {
        state_dir: Some(dir.to_path_buf()),
        time: TimeMode::WallClock,
    })
    .unwrap()
}

/// `canister_info` as the `rust_mgmt` canister sees it.
fn info(r: &Replica, caller: Principal, of: Principal, n: Option<u64>) -> mgmt::CanisterInfoResult {
    let args = mgmt::CanisterInfoArgs {
        canister_id: of,
        num_requested_changes: n,
    };
    let o = call_mgmt(r, caller, "canister_info", enc(&args), 0);
    assert_eq!(o.reject_code, 0, "{}", o.reject_message);
    dec(&o.reply.unwrap())
}

#[test]
fn snapshots_and_history_survive_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let (id, snap, caller) = {
        let r = open(dir.path());
        let caller = r
            .create_canister_with_cycles(user(), DEFAULT_CYCLES, None)
            .unwrap();
        install(&r, user(), caller, kybra_test_support::rust_mgmt()).unwrap();
        let id = create(&r, user());
        install(&r, user(), id, hello_wasm()).unwrap();
        set_message(&r, id, "in the checkpoint");
        let snap = take(&r, id, None).unwrap();
        r.checkpoint().unwrap();
        set_message(&r, id, "in the journal");
        let second = take(&r, id, None).unwrap();
        delete(&r, id, &snap.id).unwrap();
        let snap = take(&r, id, Some(second.id)).unwrap();
        (id, snap, caller)
    };
    let r = open(dir.path());
    assert_eq!(list(&r, id), vec![snap.clone()]);
    set_message(&r, id, "changed");
    load(&r, user(), id, &snap.id).unwrap();
    assert_eq!(get_message(&r, id), "in the journal");
    // The history: creation, install, load; the load names the snapshot.
    let seen = info(&r, caller, id, Some(20));
    assert_eq!(seen.total_num_changes, 3);
    assert_eq!(seen.controllers, vec![user()]);
    let details: Vec<_> = seen
        .recent_changes
        .iter()
        .map(|c| c.details.clone().unwrap())
        .collect();
    assert!(
        matches!(&details[0], mgmt::ChangeDetails::Creation(c) if c.controllers == vec![user()])
    );
    assert!(
        matches!(&details[1], mgmt::ChangeDetails::CodeDeployment(d) if d.mode == mgmt::CodeDeploymentMode::Install && Some(d.module_hash.clone()) == seen.module_hash)
    );
    assert!(
        matches!(&details[2], mgmt::ChangeDetails::LoadSnapshot(l) if l.snapshot_id == snap.id && l.taken_at_timestamp == snap.taken_at_timestamp)
    );
    assert_eq!(
        seen.recent_changes[0].origin,
        mgmt::ChangeOrigin::FromUser(mgmt::FromUserRecord { user_id: user() })
    );
    // Only the last n changes when fewer are asked for; none by default.
    assert_eq!(
        info(&r, caller, id, Some(1)).recent_changes,
        seen.recent_changes[2..].to_vec()
    );
    drop(r);
    let r = open(dir.path());
    assert_eq!(
        info(&r, caller, id, Some(20)),
        seen,
        "the history survives a restart"
    );
    assert_eq!(get_message(&r, id), "in the journal");
}

#[test]
fn canister_info_is_for_canisters_and_counts_changes() {
    let (r, caller) = mgmt_caller();
    let id = create(&r, user());
    for _ in 0..25 {
        let settings = mgmt::UpdateSettingsArgs {
            canister_id: id,
            settings: mgmt::CanisterSettings {
                controllers: Some(vec![user(), caller]),
                ..Default::default()
            },
            sender_canister_version: None,
        };
        mgmt_call(&r, user(), id, "update_settings", &settings).unwrap();
    }
    let seen = info(&r, caller, id, Some(100));
    assert_eq!(seen.total_num_changes, 26);
    assert_eq!(seen.recent_changes.len(), 20, "the 20 most recent are kept");
    assert!(seen.module_hash.is_none());
    let args = mgmt::CanisterInfoArgs {
        canister_id: id,
        num_requested_changes: None,
    };
    assert!(info(&r, caller, id, None).recent_changes.is_empty());
    assert_reject(
        mgmt_call(&r, user(), id, "canister_info", &args),
        4,
        "IC0406",
        "only be called by canisters",
    );
}
