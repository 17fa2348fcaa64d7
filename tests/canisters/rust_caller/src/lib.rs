//! A Rust canister for the replica's inter-canister tests: ping-pong and chains of calls,
//! rejects and traps on either side, state committed before an `await`, many calls in
//! flight, cycles attached/accepted/refunded, `raw_rand`, composite queries, timers
//! (`ic-cdk-timers`, i.e. `canister_global_timer` plus self-calls) and a heartbeat.

use std::cell::RefCell;
use std::future::IntoFuture;
use std::time::Duration;

use candid::{CandidType, Deserialize, Principal};
use ic_cdk::call::{Call, CallFailed};
use ic_cdk::{heartbeat, query, update};

#[derive(Default)]
struct State {
    before: String,
    after: String,
    pings: u64,
    heartbeats: u64,
    timer_fired: u64,
    interval_fired: u64,
    /// What `start_chain` got back, in order.
    chain_results: Vec<u64>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    /// 256 KiB that only `composite_sum`'s first message writes (pages nothing else touches).
    static SCRATCH: RefCell<Vec<u8>> = RefCell::new(vec![0u8; 256 * 1024]);
}

/// Allocates `SCRATCH` (an update, so it persists); its sum.
#[update]
fn scratch_init() -> u64 {
    scratch_sum()
}

/// The sum of `SCRATCH`'s bytes.
#[query]
fn scratch_sum() -> u64 {
    SCRATCH.with(|b| b.borrow().iter().map(|x| u64::from(*x)).sum())
}

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// What a call came back with, as the caller saw it.
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: Option<Vec<u8>>,
    pub reject_code: u32,
    pub reject_message: String,
    pub refunded: u128,
}

fn outcome(r: Result<ic_cdk::call::Response, CallFailed>) -> Outcome {
    let refunded = ic_cdk::api::msg_cycles_refunded();
    match r {
        Ok(resp) => Outcome {
            reply: Some(resp.into_bytes()),
            reject_code: 0,
            reject_message: String::new(),
            refunded,
        },
        Err(CallFailed::CallRejected(e)) => Outcome {
            reply: None,
            reject_code: e.raw_reject_code(),
            reject_message: e.reject_message().to_string(),
            refunded,
        },
        Err(other) => ic_cdk::trap(format!("call failed locally: {other}")),
    }
}

// --- the callee side ---

#[update]
fn ping(n: u64) -> u64 {
    with(|s| s.pings += 1);
    n + 1
}

#[query]
fn double(n: u64) -> u64 {
    n * 2
}

#[update]
fn trap_now(message: String) {
    ic_cdk::trap(message)
}

#[update(manual_reply = true)]
fn reject_now(message: String) {
    ic_cdk::api::msg_reject(message)
}

/// Returns without replying (the caller must see IC0506 "did not produce a response").
#[update(manual_reply = true)]
fn no_reply() {}

/// Accepts at most `max` of the attached cycles; returns (available before, accepted).
#[update]
fn accept(max: u128) -> (u128, u128) {
    let available = ic_cdk::api::msg_cycles_available();
    (available, ic_cdk::api::msg_cycles_accept(max))
}

// --- the caller side ---

#[update]
async fn call_ping(target: Principal, n: u64) -> u64 {
    Call::unbounded_wait(target, "ping")
        .with_arg(n)
        .await
        .expect("ping failed")
        .candid()
        .expect("ping's reply is a nat64")
}

/// A → targets[0] → targets[1] → ...: each hop adds 1, the last adds 100.
#[update]
async fn chain(targets: Vec<Principal>, n: u64) -> u64 {
    match targets.split_first() {
        None => n + 100,
        Some((first, rest)) => Call::unbounded_wait(*first, "chain")
            .with_args(&(rest.to_vec(), n + 1))
            .await
            .expect("chain hop failed")
            .candid()
            .expect("chain's reply is a nat64"),
    }
}

/// Replies at once, then makes the call chain of `chain` (A → targets[0] → ...) and records
/// what comes back (`chain_results`): the ingress call is answered while the chain is
/// still in flight.
#[update(manual_reply = true)]
async fn start_chain(targets: Vec<Principal>, n: u64) {
    ic_cdk::api::msg_reply(candid::encode_args(()).expect("() encodes"));
    let Some((first, rest)) = targets.split_first() else {
        return;
    };
    let r: u64 = Call::unbounded_wait(*first, "chain")
        .with_args(&(rest.to_vec(), n + 1))
        .await
        .expect("chain hop failed")
        .candid()
        .expect("chain's reply is a nat64");
    with(|s| s.chain_results.push(r));
}

#[query]
fn chain_results() -> Vec<u64> {
    with(|s| s.chain_results.clone())
}

/// Calls `target.method(arg)` with `cycles` attached and reports what came back.
#[update]
async fn call_raw(target: Principal, method: String, arg: Vec<u8>, cycles: u128) -> Outcome {
    outcome(
        Call::unbounded_wait(target, &method)
            .with_raw_args(&arg)
            .with_cycles(cycles)
            .await,
    )
}

/// Sets `before`, awaits a call to `target.ping`, sets `after`, then traps if asked:
/// `before` must survive (committed at the await); `after` only without the trap.
#[update]
async fn set_call_then_maybe_trap(target: Principal, value: String, trap: bool) -> u64 {
    with(|s| s.before = value.clone());
    let r: u64 = Call::unbounded_wait(target, "ping")
        .with_arg(1u64)
        .await
        .expect("ping failed")
        .candid()
        .expect("nat64");
    with(|s| s.after = value);
    if trap {
        ic_cdk::trap("deliberate trap in the reply callback");
    }
    r
}

/// `k` calls to `target.ping` in flight at once; returns the sum of the replies.
#[update]
async fn many(target: Principal, k: u64) -> u64 {
    let calls: Vec<_> = (0..k)
        .map(|i| {
            Call::unbounded_wait(target, "ping")
                .with_arg(i)
                .into_future()
        })
        .collect();
    futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("ping failed").candid::<u64>().expect("nat64"))
        .sum()
}

#[update]
async fn rand() -> Vec<u8> {
    Call::unbounded_wait(Principal::management_canister(), "raw_rand")
        .await
        .expect("raw_rand failed")
        .candid()
        .expect("raw_rand returns a blob")
}

/// `target.double(n)` + `target.double(n + 1)`, from a composite query. It also changes
/// the state before, between and after its calls: none of it may persist.
#[query(composite = true)]
async fn composite_sum(target: Principal, n: u64) -> u64 {
    with(|s| s.pings += 100);
    SCRATCH.with(|b| b.borrow_mut()[200_000] = 1);
    let a: u64 = Call::unbounded_wait(target, "double")
        .with_arg(n)
        .await
        .expect("double failed")
        .candid()
        .expect("nat64");
    with(|s| s.before = "set by a composite query".repeat(1000));
    let b: u64 = Call::unbounded_wait(target, "double")
        .with_arg(n + 1)
        .await
        .expect("double failed")
        .candid()
        .expect("nat64");
    with(|s| s.after = "set by a composite query".to_string());
    a + b
}

/// A composite query calling `target.method` with `()` and reporting the outcome.
#[query(composite = true)]
async fn composite_raw(target: Principal, method: String, arg: Vec<u8>) -> Outcome {
    outcome(
        Call::unbounded_wait(target, &method)
            .with_raw_args(&arg)
            .await,
    )
}

#[query]
fn balance() -> u128 {
    ic_cdk::api::canister_cycle_balance()
}

/// (before, after, pings, heartbeats, timer_fired, interval_fired)
#[query]
fn state() -> (String, String, u64, u64, u64, u64) {
    with(|s| {
        (
            s.before.clone(),
            s.after.clone(),
            s.pings,
            s.heartbeats,
            s.timer_fired,
            s.interval_fired,
        )
    })
}

// --- timers and heartbeat ---

#[update]
fn start_timer(secs: u64) {
    ic_cdk_timers::set_timer(Duration::from_secs(secs), async {
        with(|s| s.timer_fired += 1);
    });
}

#[update]
fn start_interval(secs: u64) {
    ic_cdk_timers::set_timer_interval(Duration::from_secs(secs), || async {
        with(|s| s.interval_fired += 1);
    });
}

#[heartbeat]
fn on_heartbeat() {
    with(|s| s.heartbeats += 1);
}
