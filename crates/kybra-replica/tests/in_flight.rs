//! Nothing in flight is lost: calls between canisters survive a replica restart.
//!
//! A (the test canister `rust_caller`) answers its ingress call at once and then calls
//! B, which calls C (`start_chain`); when the ingress call returns, A's request to B is
//! queued, journaled and synced, and the chain's reply has not come back. A child process
//! (this test binary again, running `in_flight_child`) does exactly that and is then killed
//! with SIGKILL; the reopened replica runs the chain on at the next `tick`, and A gets C's
//! answer exactly once. The same holds when the replica is stopped cleanly (its last
//! checkpoint holds the calls).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use candid::Principal;
use common::*;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};

const CHILD_ENV: &str = "KYBRA_REPLICA_IN_FLIGHT_CHILD_DIR";

fn open(dir: &Path) -> Replica {
    Replica::open(ReplicaConfig {
        state_dir: Some(dir.to_path_buf()),
        time: TimeMode::Fixed(1_700_000_000_000_000_000),
    })
    .unwrap()
}

/// Three `rust_caller` canisters, A, B and C, in a fresh state folder.
fn three_canisters(dir: &Path) -> Vec<Principal> {
    let r = open(dir);
    (0..3)
        .map(|_| {
            let id = create(&r, user());
            install(&r, user(), id, kybra_test_support::rust_caller()).unwrap();
            id
        })
        .collect()
}

fn start_chain(r: &Replica, ids: &[Principal]) {
    let arg = candid::encode_args((vec![ids[1], ids[2]], 1u64)).unwrap();
    r.update(user(), ids[0], None, "start_chain", &arg).unwrap();
}

fn chain_results(r: &Replica, a: Principal) -> Vec<u64> {
    query(r, a, "chain_results", ()).unwrap()
}

fn ready_file(dir: &Path) -> PathBuf {
    dir.parent().unwrap().join("ready")
}

/// The child: starts the chain, says so, and waits to be killed (does nothing in a normal
/// test run).
#[test]
fn in_flight_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV).map(PathBuf::from) else {
        return;
    };
    let r = open(&dir);
    start_chain(&r, &r.canister_ids());
    std::fs::write(ready_file(&dir), b"").unwrap();
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// A's answer: none until the chain runs, then C's (1 + 1 + 1 + 100), once.
fn check_the_chain_completes_once(dir: &Path, a: Principal) {
    let r = open(dir);
    assert_eq!(
        chain_results(&r, a),
        Vec::<u64>::new(),
        "the reply came back already"
    );
    let report = r.tick();
    assert!(report.messages >= 4, "{report:?}");
    assert_eq!(chain_results(&r, a), vec![103]);
    r.tick();
    r.tick();
    assert_eq!(
        chain_results(&r, a),
        vec![103],
        "the answer came back twice"
    );
    drop(r);
    let r = open(dir);
    r.tick();
    assert_eq!(chain_results(&r, a), vec![103], "after another restart");
}

#[test]
fn a_call_chain_survives_kill_9_between_request_and_reply() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("state");
    let ids = three_canisters(&dir);
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "in_flight_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &dir)
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !ready_file(&dir).exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the child exited before starting the chain: {status}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the child is too slow"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    check_the_chain_completes_once(&dir, ids[0]);
}

#[test]
fn a_call_chain_survives_a_clean_restart() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("state");
    let ids = three_canisters(&dir);
    let r = open(&dir);
    start_chain(&r, &ids);
    drop(r); // the last checkpoint holds the calls in flight
    check_the_chain_completes_once(&dir, ids[0]);
}
