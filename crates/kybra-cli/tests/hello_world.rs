//! End to end through the real binary: `kybra new`, `build`, `start --background` (on a free
//! port), `deploy`, `canister call`, error cases, `stop` — the book's hello world flow.

mod common;

use common::{fails, ok, StopOnDrop};

#[test]
fn hello_world_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["new", "hello"]);
    let project = tmp.path().join("hello");

    let error = fails(&project, &["canister", "call", "hello", "get_message"]);
    assert!(error.contains("kybra deploy hello"), "{error}");

    let built = ok(&project, &["build"]);
    assert!(built.contains("Building canister hello..."), "{built}");
    assert!(project.join(".kybra/hello/hello.wasm").is_file());
    assert!(project.join(".kybra/hello/hello.wasm.gz").is_file());
    assert!(project.join(".kybra/hello/post_install.sh").is_file());
    let did = std::fs::read_to_string(project.join("src/main.did")).unwrap();
    assert!(did.contains("get_message : () -> (text) query"), "{did}");

    ok(
        &project,
        &["start", "--background", "--host", "127.0.0.1:0"],
    );
    let _stop = StopOnDrop(&project);
    let again = fails(
        &project,
        &["start", "--background", "--host", "127.0.0.1:0"],
    );
    assert!(again.contains("already running"), "{again}");

    let deployed = ok(&project, &["deploy"]);
    assert!(deployed.contains("uploading chunk 1/"), "{deployed}");
    assert!(deployed.contains("Deployed canisters."), "{deployed}");
    let id = ok(&project, &["canister", "id", "hello"]);
    assert!(deployed.contains(id.trim()), "{deployed}");

    assert_eq!(
        ok(&project, &["canister", "call", "hello", "get_message"]),
        "(\"\")\n"
    );
    assert_eq!(
        ok(
            &project,
            &[
                "canister",
                "call",
                "hello",
                "set_message",
                "(\"Hello World!\")"
            ]
        ),
        "()\n"
    );
    assert_eq!(
        ok(&project, &["canister", "call", "hello", "get_message"]),
        "(\"Hello World!\")\n"
    );
    assert_eq!(
        ok(
            &project,
            &[
                "canister",
                "call",
                id.trim(),
                "get_message",
                "--output",
                "json"
            ]
        ),
        "\"Hello World!\"\n"
    );

    let wrong = fails(
        &project,
        &["canister", "call", "hello", "set_message", "(42)"],
    );
    assert!(wrong.contains("`set_message` expects (text)"), "{wrong}");
    let unknown = fails(&project, &["canister", "call", "hello", "nope"]);
    assert!(unknown.contains("no method `nope`"), "{unknown}");

    let same = ok(&project, &["deploy"]);
    assert!(same.contains("is already installed"), "{same}");

    let stopped = ok(&project, &["stop"]);
    assert!(stopped.contains("Stopped the local replica"), "{stopped}");
    let down = fails(&project, &["canister", "call", "hello", "get_message"]);
    assert!(down.contains("kybra start --background"), "{down}");
}
