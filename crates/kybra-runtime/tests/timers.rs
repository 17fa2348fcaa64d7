//! `ic.set_timer`, `ic.set_timer_interval` and `ic.clear_timer` on the real template and
//! replica, with a clock that stands still until the test moves it (`advance_time`) and
//! runs due timers (`tick`): a one-shot timer fires once, at its deadline and not before;
//! an interval timer fires every interval until cleared; a cleared timer never fires (and
//! clearing an unknown id is harmless); lambdas and closures work as callbacks; an
//! exception in a callback traps only that callback (logged with its traceback, its state
//! changes rolled back) while other timers, and later runs of the same interval, go on;
//! setting a timer in a query raises `IcError`; an upgrade drops every timer.
mod common;

use std::sync::OnceLock;
use std::time::Duration;

use candid::{Decode, Encode};
use common::{Canister, Harness};

const TIMERS: &str = r#"
from kybra import Duration, TimerId, ic, nat64, query, update, void

counts = {"single": 0, "repeat": 0, "lambda": 0, "after_error": 0}
captured = []
state = {"failing_runs": 0}


def bump(name: str) -> None:
    counts[name] += 1


def single_callback() -> None:
    bump("single")


def repeat_callback() -> None:
    bump("repeat")


def failing_callback() -> None:
    state["failing_runs"] += 1
    raise ValueError("timer boom")


@update
def start_single(delay: Duration) -> TimerId:
    return ic.set_timer(delay, single_callback)


@update
def start_repeat(interval: Duration) -> TimerId:
    return ic.set_timer_interval(interval, repeat_callback)


@update
def start_lambda_and_closure(delay: Duration, value: str) -> void:
    ic.set_timer(delay, lambda: bump("lambda"))

    def remember() -> None:
        captured.append(value)

    ic.set_timer(delay, remember)


@update
def start_failing_and_other(interval: Duration) -> void:
    ic.set_timer_interval(interval, failing_callback)
    ic.set_timer(interval, lambda: bump("after_error"))


@update
def stop(timer_id: TimerId) -> void:
    ic.clear_timer(timer_id)


@query
def count(name: str) -> nat64:
    return counts[name]


@query
def captured_values() -> str:
    return ",".join(captured)


@query
def failing_runs() -> nat64:
    return state["failing_runs"]


@query
def set_in_query() -> str:
    try:
        ic.set_timer(1, single_callback)
        return "allowed"
    except Exception as e:
        return type(e).__name__ + ": " + str(e)
"#;

/// 2026-01-01T00:00:00Z.
const START: u64 = 1_767_225_600_000_000_000;

/// The compiled canister (built once), installed on a fresh fixed-clock replica.
fn install() -> Option<Canister> {
    static WASM: OnceLock<Option<Vec<u8>>> = OnceLock::new();
    let wasm = WASM.get_or_init(|| Harness::new().map(|h| h.compile(&[("main", TIMERS)]).wasm));
    wasm.as_ref()
        .map(|w| Canister::install_fixed_clock(w, START))
}

fn after(c: &Canister, secs: u64) {
    c.replica.advance_time(Duration::from_secs(secs));
    c.replica.tick();
}

fn count(c: &Canister, name: &str) -> u64 {
    Decode!(&c.query("count", &Encode!(&name).unwrap()).unwrap(), u64).unwrap()
}

fn timer(c: &Canister, method: &str, secs: u64) -> u64 {
    Decode!(&c.update(method, &Encode!(&secs).unwrap()).unwrap(), u64).unwrap()
}

fn stop(c: &Canister, id: u64) {
    c.update("stop", &Encode!(&id).unwrap()).unwrap();
}

#[test]
fn a_single_timer_fires_once_at_its_deadline() {
    let Some(c) = install() else { return };
    timer(&c, "start_single", 5);
    after(&c, 4);
    assert_eq!(count(&c, "single"), 0, "fired before its deadline");
    after(&c, 1);
    assert_eq!(count(&c, "single"), 1, "did not fire at its deadline");
    after(&c, 10);
    after(&c, 10);
    assert_eq!(count(&c, "single"), 1, "a one-shot timer fired again");
}

#[test]
fn an_interval_timer_repeats_until_cleared() {
    let Some(c) = install() else { return };
    let id = timer(&c, "start_repeat", 2);
    after(&c, 1);
    assert_eq!(count(&c, "repeat"), 0);
    for expected in 1..=3 {
        after(&c, 1);
        after(&c, 1);
        assert_eq!(
            count(&c, "repeat"),
            expected,
            "run {expected} of the interval timer"
        );
    }
    stop(&c, id);
    after(&c, 2);
    after(&c, 10);
    assert_eq!(
        count(&c, "repeat"),
        3,
        "the interval timer ran after clear_timer"
    );
}

#[test]
fn a_cleared_timer_never_fires_and_unknown_ids_are_ignored() {
    let Some(c) = install() else { return };
    let id = timer(&c, "start_single", 3);
    let other = timer(&c, "start_single", 3);
    assert_ne!(id, other, "two timers got the same id");
    stop(&c, id);
    stop(&c, id);
    stop(&c, 0xDEAD_BEEF_0000_0042);
    after(&c, 3);
    after(&c, 10);
    assert_eq!(
        count(&c, "single"),
        1,
        "only the timer that was not cleared fires"
    );
}

#[test]
fn lambdas_and_closures_are_callbacks() {
    let Some(c) = install() else { return };
    c.update(
        "start_lambda_and_closure",
        &Encode!(&1u64, &"first").unwrap(),
    )
    .unwrap();
    c.update(
        "start_lambda_and_closure",
        &Encode!(&2u64, &"second").unwrap(),
    )
    .unwrap();
    after(&c, 1);
    assert_eq!(count(&c, "lambda"), 1);
    after(&c, 1);
    assert_eq!(count(&c, "lambda"), 2);
    let captured = Decode!(
        &c.query("captured_values", &Encode!().unwrap()).unwrap(),
        String
    )
    .unwrap();
    assert_eq!(
        captured, "first,second",
        "each closure keeps its own captured value"
    );
}

#[test]
fn an_exception_traps_only_its_own_callback() {
    let Some(c) = install() else { return };
    c.update("start_failing_and_other", &Encode!(&3u64).unwrap())
        .unwrap();
    after(&c, 3);
    assert_eq!(count(&c, "after_error"), 1, "the other timer did not run");
    let runs = Decode!(&c.query("failing_runs", &Encode!().unwrap()).unwrap(), u64).unwrap();
    assert_eq!(
        runs, 0,
        "the failing callback's state change was not rolled back"
    );
    after(&c, 3);
    let logs = c.log_lines().join("\n");
    let booms = logs
        .matches("[TRAP]: Uncaught ValueError: timer boom")
        .count();
    assert_eq!(booms, 2, "the interval did not run again after its exception, or the traceback is not logged:\n{logs}");
    assert!(
        logs.contains("at src/main.py:23 in failing_callback"),
        "the log has no traceback:\n{logs}"
    );
}

#[test]
fn setting_a_timer_in_a_query_raises_ic_error() {
    let Some(c) = install() else { return };
    let out = Decode!(
        &c.query("set_in_query", &Encode!().unwrap()).unwrap(),
        String
    )
    .unwrap();
    assert!(
        out.starts_with("IcError: ic.set_timer() may only be called"),
        "{out}"
    );
}

#[test]
fn an_upgrade_drops_the_timers() {
    let Some(c) = install() else { return };
    timer(&c, "start_repeat", 2);
    after(&c, 2);
    assert_eq!(count(&c, "repeat"), 1);
    let wasm = Harness::new().unwrap().compile(&[("main", TIMERS)]).wasm;
    c.upgrade(&wasm, &Encode!().unwrap()).unwrap();
    after(&c, 2);
    after(&c, 2);
    assert_eq!(
        count(&c, "repeat"),
        0,
        "a timer set before the upgrade ran after it"
    );
    let logs = c.log_lines().join("\n");
    assert!(!logs.contains("[TRAP]"), "{logs}");
    timer(&c, "start_repeat", 2);
    after(&c, 2);
    assert_eq!(count(&c, "repeat"), 1, "timers set after the upgrade run");
}
