//! `@init` / `@pre_upgrade` / `@post_upgrade` on the real template and replica: init
//! arguments in the generated Candid and decoded into the Python parameters, `ic.caller()`
//! in init is the installer, an exception in `@init` fails the install, an exception in
//! `@post_upgrade` fails the upgrade with the traceback and the canister keeps its old code
//! and state; a good upgrade resets the Python heap.
mod common;

use candid::{Decode, Encode, Principal};
use common::{user, Canister, Harness};

const LIFECYCLE: &str = r#"
from kybra import Principal, ic, init, nat64, post_upgrade, pre_upgrade, query, update, void

state = {"greeting": "", "installer": None, "count": 0, "version": "v1"}


@init
def init_(greeting: str, times: nat64) -> void:
    if greeting == "explode":
        raise RuntimeError("init refused " + greeting)
    state["greeting"] = greeting * times
    state["installer"] = ic.caller()
    ic.print("init ran with " + greeting)


@pre_upgrade
def pre_upgrade_() -> void:
    ic.print("pre_upgrade sees count=" + str(state["count"]))


@post_upgrade
def post_upgrade_(greeting: str, times: nat64) -> void:
    if greeting == "fail":
        check(greeting)
    state["greeting"] = "upgraded " + greeting * times
    ic.print("post_upgrade ran")


def check(value: str) -> None:
    raise ValueError("refusing greeting " + value)


@query
def greeting() -> str:
    return state["greeting"] + " " + state["version"]


@query
def installer() -> Principal:
    return state["installer"]


@update
def bump() -> nat64:
    state["count"] += 1
    return state["count"]
"#;

fn args(greeting: &str, times: u64) -> Vec<u8> {
    Encode!(&greeting, &times).unwrap()
}

fn text(c: &Canister, method: &str) -> String {
    Decode!(&c.query(method, &Encode!().unwrap()).unwrap(), String).unwrap()
}

#[test]
fn init_and_upgrades_run_with_the_service_arguments() {
    let Some(h) = Harness::new() else { return };
    let v1 = h.compile(&[("main", LIFECYCLE)]);
    assert!(
        v1.did.contains("service : (text, nat64) -> {"),
        "init args missing from the .did:\n{}",
        v1.did
    );

    let c = Canister::install_with(&v1.wasm, &args("hi", 2)).unwrap();
    assert_eq!(text(&c, "greeting"), "hihi v1");
    let installer = Decode!(
        &c.query("installer", &Encode!().unwrap()).unwrap(),
        Principal
    )
    .unwrap();
    assert_eq!(installer, user(), "ic.caller() in @init is the installer");
    assert!(
        c.log_lines().iter().any(|l| l == "init ran with hi"),
        "{:?}",
        c.log_lines()
    );

    assert_eq!(
        Decode!(&c.update("bump", &Encode!().unwrap()).unwrap(), u64).unwrap(),
        1
    );

    // A failing post_upgrade: the upgrade fails with the Python error and traceback, and
    // the canister keeps its old code and state.
    let v2 = h.compile(&[("main", &LIFECYCLE.replace("\"v1\"", "\"v2\""))]);
    let err = c.upgrade(&v2.wasm, &args("fail", 1)).unwrap_err();
    let message = format!("{err:?}");
    assert!(
        message.contains("Uncaught ValueError: refusing greeting fail"),
        "{message}"
    );
    assert!(
        message.contains("src/main.py:") && message.contains("in check"),
        "no traceback: {message}"
    );
    assert_eq!(
        text(&c, "greeting"),
        "hihi v1",
        "old code and heap are kept"
    );
    assert_eq!(
        Decode!(&c.update("bump", &Encode!().unwrap()).unwrap(), u64).unwrap(),
        2
    );

    // A good upgrade: pre_upgrade ran on the old heap, post_upgrade on a fresh one.
    c.upgrade(&v2.wasm, &args("yo", 3)).unwrap();
    assert_eq!(text(&c, "greeting"), "upgraded yoyoyo v2");
    assert_eq!(
        Decode!(&c.update("bump", &Encode!().unwrap()).unwrap(), u64).unwrap(),
        1,
        "the Python heap is reset"
    );
    let logs = c.log_lines();
    assert!(
        logs.iter().any(|l| l == "pre_upgrade sees count=2"),
        "{logs:?}"
    );
    assert!(logs.iter().any(|l| l == "post_upgrade ran"), "{logs:?}");
}

#[test]
fn a_failing_or_mistyped_init_fails_the_install() {
    let Some(h) = Harness::new() else { return };
    let wasm = h.compile(&[("main", LIFECYCLE)]).wasm;

    let err = Canister::install_with(&wasm, &args("explode", 1))
        .err()
        .expect("the install must fail");
    let message = format!("{err:?}");
    assert!(
        message.contains("Uncaught RuntimeError: init refused explode"),
        "{message}"
    );
    assert!(
        message.contains("src/main.py:") && message.contains("in init_"),
        "no traceback: {message}"
    );

    let err = Canister::install_with(&wasm, &Encode!(&7u64).unwrap())
        .err()
        .expect("a nat for the text parameter must fail");
    let message = format!("{err:?}");
    assert!(
        message.contains("@init function") && message.contains("`greeting`"),
        "{message}"
    );
}
