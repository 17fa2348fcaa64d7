//! `guard=` on queries, updates and `@heartbeat`, and `@inspect_message` (with its own
//! guard) on the real template and replica: `{"Ok": None}` lets the call through, `{"Err": text}`
//! rejects it naming the method and the guard, a guard that raises or returns something
//! else traps with what went wrong; inspect_message accepts with `ic.accept_message()`,
//! refuses by not accepting, by raising, or through its guard.
mod common;

use candid::{Decode, Encode};
use common::{Canister, Harness};
use kybra_replica::RejectCode;

const GUARDS: &str = r#"
from kybra import GuardResult, ic, inspect_message, nat64, query, update, void
from checks import is_even as even_guard

state = {"allowed": True, "guarded_calls": 0, "n": 0}


def protect_the_world() -> GuardResult:
    state["guarded_calls"] += 1
    if state["allowed"]:
        return {"Ok": None}
    return {"Err": "The world must be protected"}


def raising_guard() -> GuardResult:
    return {}["missing"]


def sloppy_guard() -> GuardResult:
    return True


def inspect_guard() -> GuardResult:
    if ic.method_name() == "blocked_by_guard":
        return {"Err": "inspect guard says no"}
    return {"Ok": None}


@inspect_message(guard=inspect_guard)
def inspect_message_() -> void:
    name = ic.method_name()
    if name == "not_accepted":
        return
    if name == "raises_in_inspect":
        raise Exception("Method " + name + " is not allowed")
    ic.accept_message()


@update(guard=protect_the_world)
def hello_world() -> str:
    return "Hello world!"


@query(guard=protect_the_world)
def hello_query() -> str:
    return "Hello query!"


@update
def set_allowed(allowed: bool) -> void:
    state["allowed"] = allowed


@query
def guarded_calls() -> nat64:
    return state["guarded_calls"]


@query(guard=raising_guard)
def raises() -> str:
    return "unreachable"


@query(guard=sloppy_guard)
def sloppy() -> str:
    return "unreachable"


@update(guard=even_guard)
def increment() -> nat64:
    state["n"] += 1
    return state["n"]


@update
def not_accepted() -> bool:
    return True


@update
def raises_in_inspect() -> bool:
    return True


@update
def blocked_by_guard() -> bool:
    return True
"#;

const CHECKS: &str = r#"
from kybra import GuardResult

import main


def is_even() -> GuardResult:
    if main.state["n"] % 2 == 0:
        return {"Ok": None}
    return {"Err": "n is odd"}
"#;

fn reject_message(result: Result<Vec<u8>, kybra_replica::Reject>) -> (RejectCode, String) {
    let r = result.expect_err("the call must be rejected");
    (r.code, r.message)
}

#[test]
fn guards_let_calls_through_or_reject_them() {
    let Some(h) = Harness::new() else { return };
    let built = h.compile(&[("main", GUARDS), ("checks", CHECKS)]);
    let c = Canister::install(&built.wasm);
    let none = Encode!().unwrap();

    assert_eq!(
        Decode!(&c.update("hello_world", &none).unwrap(), String).unwrap(),
        "Hello world!"
    );
    assert_eq!(
        Decode!(&c.query("hello_query", &none).unwrap(), String).unwrap(),
        "Hello query!"
    );

    c.update("set_allowed", &Encode!(&false).unwrap()).unwrap();
    let (code, message) = reject_message(c.update("hello_world", &none));
    assert_eq!(code, RejectCode::CanisterReject, "{message}");
    assert_eq!(message, "kybra: method `hello_world`: guard `protect_the_world` rejected the call: The world must be protected");
    let (_, message) = reject_message(c.query("hello_query", &none));
    assert!(
        message.contains("guard `protect_the_world` rejected the call"),
        "{message}"
    );
    // The guards of both updates ran and their changes stayed (a reject is not a trap);
    // the queries' changes were discarded.
    assert_eq!(
        Decode!(&c.query("guarded_calls", &none).unwrap(), u64).unwrap(),
        2
    );

    let (code, message) = reject_message(c.query("raises", &none));
    assert_eq!(code, RejectCode::CanisterError, "{message}");
    assert!(
        message.contains("guard `raising_guard` raised: Uncaught KeyError: 'missing'"),
        "{message}"
    );
    assert!(
        message.contains("src/main.py:") && message.contains("in raising_guard"),
        "{message}"
    );

    let (_, message) = reject_message(c.query("sloppy", &none));
    assert!(
        message.contains("guard `sloppy_guard` returned True, not a GuardResult"),
        "{message}"
    );

    // A guard imported from another module under another name.
    assert_eq!(
        Decode!(&c.update("increment", &none).unwrap(), u64).unwrap(),
        1
    );
    let (_, message) = reject_message(c.update("increment", &none));
    assert_eq!(
        message,
        "kybra: method `increment`: guard `is_even` rejected the call: n is odd"
    );
}

#[test]
fn inspect_message_accepts_or_refuses_ingress() {
    let Some(h) = Harness::new() else { return };
    let built = h.compile(&[("main", GUARDS), ("checks", CHECKS)]);
    let c = Canister::install(&built.wasm);
    let none = Encode!().unwrap();

    let (_, message) = reject_message(c.update("not_accepted", &none));
    assert!(message.contains("did not call accept_message"), "{message}");
    let (_, message) = reject_message(c.update("raises_in_inspect", &none));
    assert!(
        message.contains("Uncaught Exception: Method raises_in_inspect is not allowed"),
        "{message}"
    );
    let (_, message) = reject_message(c.update("blocked_by_guard", &none));
    assert!(
        message.contains("guard `inspect_guard` rejected the call: inspect guard says no"),
        "{message}"
    );
    // Queries are not inspected.
    assert_eq!(
        Decode!(&c.query("hello_query", &none).unwrap(), String).unwrap(),
        "Hello query!"
    );
}

#[test]
fn canisters_without_the_hooks_do_not_export_them() {
    let Some(h) = Harness::new() else { return };
    let with = h.compile(&[("main", GUARDS), ("checks", CHECKS)]);
    let without = h.compile(&[(
        "main",
        "from kybra import query\n\n@query\ndef f() -> str:\n    return 'x'\n",
    )]);
    let a = &with.facts.exports;
    assert!(a.iter().any(|e| e == "canister_inspect_message"), "{a:?}");
    assert!(!a.iter().any(|e| e == "canister_heartbeat"), "{a:?}");
    let b = &without.facts.exports;
    assert!(
        !b.iter()
            .any(|e| e == "canister_inspect_message" || e == "canister_heartbeat"),
        "{b:?}"
    );
}

const HEARTBEAT: &str = r#"
from kybra import GuardResult, heartbeat, ic, nat64, query, update, void

state = {"beats": 0, "paused": False}


def not_paused() -> GuardResult:
    return {"Err": "paused"} if state["paused"] else {"Ok": None}


@heartbeat(guard=not_paused)
def heartbeat_() -> void:
    state["beats"] += 1
    ic.print("this runs ~1 time per second")


@query
def beats() -> nat64:
    return state["beats"]


@update
def pause() -> void:
    state["paused"] = True
"#;

#[test]
fn heartbeats_run_the_python_function_unless_its_guard_refuses() {
    let Some(h) = Harness::new() else { return };
    let built = h.compile(&[("main", HEARTBEAT)]);
    assert!(built
        .facts
        .exports
        .iter()
        .any(|e| e == "canister_heartbeat"));
    let c = Canister::install(&built.wasm);
    let beats = || Decode!(&c.query("beats", &Encode!().unwrap()).unwrap(), u64).unwrap();
    for _ in 0..3 {
        c.replica.tick();
    }
    assert_eq!(beats(), 3);
    assert!(c
        .log_lines()
        .iter()
        .any(|l| l == "this runs ~1 time per second"));
    c.update("pause", &Encode!().unwrap()).unwrap();
    c.replica.tick();
    assert_eq!(
        beats(),
        3,
        "the guard's Err stops the heartbeat (its trap rolls back)"
    );
}
