//! Through the real binary: `kybra stop` then `kybra start` brings the deployed hello
//! world back with the same id and memory; `kybra start --clean` wipes it.

mod common;

use common::{ok, StopOnDrop};

const START: &[&str] = &["start", "--background", "--host", "127.0.0.1:0"];

#[test]
fn restart_keeps_canisters_and_clean_wipes_them() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["new", "hello"]);
    let project = tmp.path().join("hello");
    let _stop = StopOnDrop(&project);
    ok(&project, START);
    ok(&project, &["deploy"]);
    let id = ok(&project, &["canister", "id", "hello"]);
    ok(
        &project,
        &["canister", "call", "hello", "set_message", "(\"kept\")"],
    );
    ok(&project, &["stop"]);

    let started = std::time::Instant::now();
    ok(&project, START);
    let restart = started.elapsed();
    let log = std::fs::read_to_string(project.join(".kybra/local/replica.log")).unwrap();
    assert!(log.contains("1 canister(s) restored"), "{log}");
    assert_eq!(ok(&project, &["canister", "id", "hello"]), id);
    assert_eq!(
        ok(&project, &["canister", "call", "hello", "get_message"]),
        "(\"kept\")\n"
    );
    let same = ok(&project, &["deploy"]);
    assert!(same.contains("is already installed"), "{same}");
    eprintln!("restart with the hello world installed: {restart:?} (`kybra start --background` until it answers); {}", log.lines().find(|l| l.contains("restored")).unwrap_or(""));
    ok(&project, &["stop"]);

    let cleaned = ok(
        &project,
        &["start", "--clean", "--background", "--host", "127.0.0.1:0"],
    );
    assert!(cleaned.contains("Removed .kybra/local/state"), "{cleaned}");
    assert!(!project.join(".kybra/local/canister_ids.json").exists());
    let log = std::fs::read_to_string(project.join(".kybra/local/replica.log")).unwrap();
    assert!(log.contains("0 canister(s) restored"), "{log}");
}
