//! Persistence (`ReplicaConfig::state_dir`): state survives dropping and reopening the
//! replica, a crash image (the state folder copied while the replica runs: exactly what
//! a `kill -9` leaves, since acknowledged updates are synced) recovers to the live state,
//! a torn journal tail is dropped, and a replica SIGKILLed in the middle of an update
//! load restarts with every acknowledged update.

mod common;

use std::path::Path;

use common::*;
use ic_management_canister_types as mgmt;
use kybra_replica::{Principal, Replica, ReplicaConfig, TimeMode};

fn open(dir: &Path) -> Replica {
    Replica::open(ReplicaConfig {
        state_dir: Some(dir.to_path_buf()),
        time: TimeMode::WallClock,
    })
    .unwrap()
}

/// Copies the state folder of a running replica: what a crash at this moment leaves.
fn crash_image(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for name in ["checkpoint", "journal"] {
        if from.join(name).exists() {
            std::fs::copy(from.join(name), to.join(name)).unwrap();
        }
    }
}

fn rec(id: Principal) -> Vec<u8> {
    enc(&mgmt::CanisterIdRecord { canister_id: id })
}

/// Everything observable about the replica's canisters.
fn fingerprint(r: &Replica) -> Vec<String> {
    r.canister_ids()
        .into_iter()
        .map(|id| {
            let st = status(r, user(), id).unwrap();
            let mut f = format!("{id} {st:?} {:?} {:?}", r.logs(id), r.certified_data(id));
            if st.module_hash.is_some() && st.status == mgmt::CanisterStatusType::Running {
                let pages: u64 = query(r, id, "stable_size", ()).unwrap();
                let stable = stable_read(r, id, 0, pages * 65536);
                f += &format!(" {:?} {:?}", get_message(r, id), stable);
            }
            f
        })
        .collect()
}

#[test]
fn state_survives_drop_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = {
        let r = open(dir.path());
        let a = create(&r, user());
        install(&r, user(), a, hello_wasm()).unwrap();
        set_message(&r, a, "Hello, world!");
        stable_write(&r, a, 70_000, b"kept in stable memory");
        let _: u64 = call(&r, a, "grow_heap", 3u32).unwrap();
        let _ = call::<_, ()>(&r, a, "set_message_then_trap", "lost".to_string());
        let b = create(&r, user());
        let settings = mgmt::UpdateSettingsArgs {
            canister_id: b,
            settings: mgmt::CanisterSettings {
                controllers: Some(vec![user(), other_user()]),
                ..Default::default()
            },
            sender_canister_version: None,
        };
        r.update(
            user(),
            mgmt_id(),
            Some(b),
            "update_settings",
            &enc(&settings),
        )
        .unwrap();
        let chunk = mgmt::UploadChunkArgs {
            canister_id: b,
            chunk: b"a chunk".to_vec(),
        };
        r.update(user(), mgmt_id(), Some(b), "upload_chunk", &enc(&chunk))
            .unwrap();
        r.update(user(), mgmt_id(), Some(b), "stop_canister", &rec(b))
            .unwrap();
        (a, b)
    };
    let r = open(dir.path());
    assert_eq!(r.canister_ids(), vec![a, b]);
    assert_eq!(get_message(&r, a), "Hello, world!");
    assert_eq!(stable_read(&r, a, 70_000, 21), b"kept in stable memory");
    assert!(r
        .logs(a)
        .iter()
        .any(|l| String::from_utf8_lossy(&l.content).contains("lost")));
    let st = status(&r, user(), a).unwrap();
    assert!(st.memory_metrics.wasm_memory_size > 3u64 << 20);
    assert_eq!(r.controllers(b), Some(vec![user(), other_user()]));
    assert_eq!(
        status(&r, user(), b).unwrap().status,
        mgmt::CanisterStatusType::Stopped
    );
    let out = r
        .update(user(), mgmt_id(), Some(b), "stored_chunks", &rec(b))
        .unwrap();
    assert_eq!(dec::<Vec<mgmt::ChunkHash>>(&out).len(), 1);
    // The id counter continues; the reopened replica keeps persisting.
    let c = create(&r, user());
    assert_eq!(c.to_text(), "be2us-64aaa-aaaaa-qaabq-cai");
    set_message(&r, a, "second life");
    drop(r);
    let r = open(dir.path());
    assert_eq!(get_message(&r, a), "second life");
    assert!(r.canister_exists(c));
}

#[test]
fn second_replica_on_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _r = open(dir.path());
    let err = Replica::open(ReplicaConfig {
        state_dir: Some(dir.path().to_path_buf()),
        time: TimeMode::WallClock,
    })
    .err()
    .expect("the folder is locked");
    assert!(
        err.to_string().contains("in use by another replica"),
        "{err}"
    );
}

#[test]
fn crash_image_after_checkpoint_and_journal_equals_live_state() {
    let dir = tempfile::tempdir().unwrap();
    let r = open(dir.path());
    let (_, a) = (0, create(&r, user()));
    install(&r, user(), a, hello_wasm()).unwrap();
    set_message(&r, a, "before the checkpoint");
    stable_write(&r, a, 0, &[1; 5000]);
    r.checkpoint().unwrap();
    // After the checkpoint: memory deltas, an upgrade, another canister, a deletion.
    set_message(&r, a, "after the checkpoint");
    stable_write(&r, a, 200_000, &[2; 10_000]);
    let _: u64 = call(&r, a, "grow_heap", 2u32).unwrap();
    let b = create(&r, user());
    install(&r, user(), b, hello_wasm()).unwrap();
    set_message(&r, b, "b");
    install_mode(
        &r,
        user(),
        b,
        mgmt::CanisterInstallMode::Upgrade(None),
        hello_wasm(),
    )
    .unwrap();
    let d = create(&r, user());
    r.update(user(), mgmt_id(), Some(d), "stop_canister", &rec(d))
        .unwrap();
    r.update(user(), mgmt_id(), Some(d), "delete_canister", &rec(d))
        .unwrap();
    let _ = call::<_, ()>(&r, a, "set_message_then_trap", "rolled back".to_string());
    let _: String = query(&r, a, "set_message_in_query", "query only".to_string()).unwrap();

    let copy = tempfile::tempdir().unwrap();
    crash_image(dir.path(), copy.path());
    let recovered = open(copy.path());
    assert_eq!(fingerprint(&recovered), fingerprint(&r));
    assert_eq!(get_message(&recovered, a), "after the checkpoint");
    assert_eq!(
        get_message(&recovered, b),
        "",
        "an upgrade of this canister clears its heap"
    );
    assert!(!recovered.canister_exists(d));
}

#[test]
fn torn_journal_tail_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let r = open(dir.path());
    let a = create(&r, user());
    install(&r, user(), a, hello_wasm()).unwrap();
    set_message(&r, a, "first");
    set_message(&r, a, "second");
    let journal_len = std::fs::metadata(dir.path().join("journal")).unwrap().len();

    // The last entry only half written: recovery ends at the one before.
    let torn = tempfile::tempdir().unwrap();
    crash_image(dir.path(), torn.path());
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(torn.path().join("journal"))
        .unwrap();
    file.set_len(journal_len - 10).unwrap();
    drop(file);
    {
        let recovered = open(torn.path());
        assert_eq!(get_message(&recovered, a), "first");
        set_message(&recovered, a, "third");
    }
    assert_eq!(get_message(&open(torn.path()), a), "third");

    // Garbage after the last entry (a frame header whose payload never made it).
    let garbage = tempfile::tempdir().unwrap();
    crash_image(dir.path(), garbage.path());
    let mut bytes = std::fs::read(garbage.path().join("journal")).unwrap();
    bytes.extend_from_slice(&[0x40, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
    std::fs::write(garbage.path().join("journal"), bytes).unwrap();
    let recovered = open(garbage.path());
    assert_eq!(get_message(&recovered, a), "second");
    assert_eq!(fingerprint(&recovered), fingerprint(&r));
}
