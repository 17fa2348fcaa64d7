//! Inter-canister calls, composite queries, `raw_rand`, cycles, timers and heartbeats on
//! the real replica with the Rust test canister `tests/canisters/rust_caller` (ic-cdk 0.20,
//! ic-cdk-timers 1.0).

mod common;

use std::time::{Duration, Instant};

use candid::Principal;
use common::*;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};

type St = (String, String, u64, u64, u64, u64);

fn caller_wasm() -> &'static [u8] {
    kybra_test_support::rust_caller()
}

fn fixed_replica() -> Replica {
    Replica::new(ReplicaConfig {
        state_dir: None,
        time: TimeMode::Fixed(1_700_000_000_000_000_000),
    })
}

fn canisters(r: &Replica, n: usize) -> Vec<Principal> {
    (0..n)
        .map(|_| {
            let id = create(r, user());
            install(r, user(), id, caller_wasm()).unwrap();
            id
        })
        .collect()
}

fn upd<A: candid::utils::ArgumentEncoder, T: candid::utils::ArgumentDecoder<'static> + 'static>(
    r: &Replica,
    id: Principal,
    method: &str,
    args: A,
) -> Result<T, kybra_replica::Reject> {
    let out = r.update(
        user(),
        id,
        None,
        method,
        &candid::encode_args(args).unwrap(),
    )?;
    let leaked: &'static [u8] = Box::leak(out.into_boxed_slice());
    Ok(candid::decode_args(leaked).unwrap())
}

fn state(r: &Replica, id: Principal) -> St {
    let out = r
        .query(user(), id, "state", &candid::encode_args(()).unwrap())
        .unwrap();
    candid::decode_args(&out).unwrap()
}

fn call_raw(
    r: &Replica,
    from: Principal,
    to: Principal,
    method: &str,
    arg: Vec<u8>,
    cycles: u128,
) -> Outcome {
    let (o,): (Outcome,) = upd(r, from, "call_raw", (to, method.to_string(), arg, cycles)).unwrap();
    o
}

#[test]
fn ping_pong_with_arguments_and_replies() {
    let r = replica();
    let ids = canisters(&r, 2);
    let t = Instant::now();
    let (n,): (u64,) = upd(&r, ids[0], "call_ping", (ids[1], 41u64)).unwrap();
    let elapsed = t.elapsed();
    assert_eq!(n, 42);
    assert_eq!(state(&r, ids[1]).2, 1, "the callee ran once");
    eprintln!(
        "ping-pong: {elapsed:?} end to end; caller's callback used {} instructions",
        r.last_instructions(ids[0]).unwrap()
    );
}

#[test]
fn chain_a_b_c() {
    let r = replica();
    let ids = canisters(&r, 3);
    let (n,): (u64,) = upd(&r, ids[0], "chain", (vec![ids[1], ids[2]], 1u64)).unwrap();
    assert_eq!(n, 1 + 1 + 1 + 100);
}

#[test]
fn callee_trap_and_reject_seen_by_caller() {
    let r = replica();
    let ids = canisters(&r, 2);
    let arg = candid::encode_one("boom".to_string()).unwrap();
    let o = call_raw(&r, ids[0], ids[1], "trap_now", arg.clone(), 0);
    assert_eq!(o.reject_code, 5, "{o:?}");
    assert!(
        o.reject_message.contains("boom") && o.reject_message.contains("trapped"),
        "{o:?}"
    );
    let o = call_raw(&r, ids[0], ids[1], "reject_now", arg, 0);
    assert_eq!((o.reject_code, o.reject_message.as_str()), (4, "boom"));
    let o = call_raw(
        &r,
        ids[0],
        ids[1],
        "no_reply",
        candid::encode_args(()).unwrap(),
        0,
    );
    assert_eq!(o.reject_code, 5);
    assert!(
        o.reject_message.contains("did not produce a response"),
        "{o:?}"
    );
    let o = call_raw(
        &r,
        ids[0],
        ids[1],
        "nope",
        candid::encode_args(()).unwrap(),
        0,
    );
    assert_eq!(o.reject_code, 5);
    assert!(
        o.reject_message.contains("has no update method 'nope'"),
        "{o:?}"
    );
    let missing = Principal::from_slice(&[0xEE; 10]);
    let o = call_raw(
        &r,
        ids[0],
        missing,
        "ping",
        candid::encode_one(1u64).unwrap(),
        0,
    );
    assert_eq!(o.reject_code, 3, "{o:?}");
    // A stopped callee.
    r.update(
        user(),
        mgmt_id(),
        Some(ids[1]),
        "stop_canister",
        &enc(&ic_management_canister_types::CanisterIdRecord {
            canister_id: ids[1],
        }),
    )
    .unwrap();
    let o = call_raw(
        &r,
        ids[0],
        ids[1],
        "ping",
        candid::encode_one(1u64).unwrap(),
        0,
    );
    assert_eq!(o.reject_code, 5);
    assert!(o.reject_message.contains("stopped"), "{o:?}");
}

/// Pins the IC's commit semantics: state changed before an `await` is committed when the
/// message ends; a trap in the reply callback rolls back only the callback's changes.
#[test]
fn state_before_await_commits_and_callback_trap_rolls_back_only_the_callback() {
    let r = replica();
    let ids = canisters(&r, 2);
    let res: Result<(u64,), _> = upd(
        &r,
        ids[0],
        "set_call_then_maybe_trap",
        (ids[1], "v1".to_string(), true),
    );
    let err = res.expect_err("the callback trapped");
    assert_eq!(err.code as u8, 5);
    assert!(
        err.message
            .contains("deliberate trap in the reply callback"),
        "{err:?}"
    );
    let s = state(&r, ids[0]);
    assert_eq!(
        (s.0.as_str(), s.1.as_str()),
        ("v1", ""),
        "before committed, after rolled back"
    );
    assert_eq!(state(&r, ids[1]).2, 1, "the callee's ping committed");
    let (n,): (u64,) = upd(
        &r,
        ids[0],
        "set_call_then_maybe_trap",
        (ids[1], "v2".to_string(), false),
    )
    .unwrap();
    assert_eq!(n, 2);
    let s = state(&r, ids[0]);
    assert_eq!((s.0.as_str(), s.1.as_str()), ("v2", "v2"));
}

#[test]
fn many_calls_in_flight() {
    let r = replica();
    let ids = canisters(&r, 2);
    let (sum,): (u64,) = upd(&r, ids[0], "many", (ids[1], 50u64)).unwrap();
    assert_eq!(sum, (1..=50).sum::<u64>());
    assert_eq!(state(&r, ids[1]).2, 50);
}

#[test]
fn cycles_attached_accepted_and_refunded() {
    let r = replica();
    let ids = canisters(&r, 2);
    let bal = |id| -> u128 { query::<(), u128>(&r, id, "balance", ()).unwrap() };
    let (a0, b0) = (bal(ids[0]), bal(ids[1]));
    let o = call_raw(
        &r,
        ids[0],
        ids[1],
        "accept",
        candid::encode_one(300u128).unwrap(),
        1_000,
    );
    let (available, accepted): (u128, u128) =
        candid::decode_args(o.reply.as_ref().unwrap()).unwrap();
    assert_eq!((available, accepted, o.refunded), (1_000, 300, 700));
    assert_eq!(bal(ids[0]), a0 - 300);
    assert_eq!(bal(ids[1]), b0 + 300);
    // A rejected call refunds everything.
    let o = call_raw(
        &r,
        ids[0],
        ids[1],
        "trap_now",
        candid::encode_one("x".to_string()).unwrap(),
        5_000,
    );
    assert_eq!((o.reject_code, o.refunded), (5, 5_000));
    assert_eq!(bal(ids[0]), a0 - 300);
    // deposit_cycles moves the attached cycles to the named canister.
    let arg = enc(&ic_management_canister_types::CanisterIdRecord {
        canister_id: ids[1],
    });
    let o = call_raw(&r, ids[0], mgmt_id(), "deposit_cycles", arg, 2_000);
    assert_eq!((o.reject_code, o.refunded), (0, 0), "{o:?}");
    assert_eq!(bal(ids[1]), b0 + 2_300);
}

#[test]
fn raw_rand_is_fresh_per_call() {
    let r = replica();
    let ids = canisters(&r, 1);
    let (a,): (Vec<u8>,) = upd(&r, ids[0], "rand", ()).unwrap();
    let (b,): (Vec<u8>,) = upd(&r, ids[0], "rand", ()).unwrap();
    assert_eq!((a.len(), b.len()), (32, 32));
    assert_ne!(a, b);
    // Not for ingress: only canisters may call raw_rand.
    assert!(r
        .update(
            user(),
            mgmt_id(),
            None,
            "raw_rand",
            &candid::encode_args(()).unwrap()
        )
        .is_err());
}

#[test]
fn composite_query_calls_queries_and_is_refused_updates() {
    let r = replica();
    let ids = canisters(&r, 2);
    let scratch = |r: &Replica| -> u64 {
        let out = r
            .query(
                user(),
                ids[0],
                "scratch_sum",
                &candid::encode_args(()).unwrap(),
            )
            .unwrap();
        candid::decode_one(&out).unwrap()
    };
    let out = r
        .update(
            user(),
            ids[0],
            None,
            "scratch_init",
            &candid::encode_args(()).unwrap(),
        )
        .unwrap();
    assert_eq!(candid::decode_one::<u64>(&out).unwrap(), 0);
    let out = r
        .query(
            user(),
            ids[0],
            "composite_sum",
            &candid::encode_args((ids[1], 5u64)).unwrap(),
        )
        .unwrap();
    let (sum,): (u64,) = candid::decode_args(&out).unwrap();
    assert_eq!(sum, 10 + 12);
    // What it changed before, between and after its calls is all undone.
    let (before, after, pings, ..) = state(&r, ids[0]);
    assert_eq!((before.as_str(), after.as_str(), pings), ("", "", 0));
    assert_eq!(
        scratch(&r),
        0,
        "a page only the first message wrote was kept"
    );
    let out = r
        .query(
            user(),
            ids[0],
            "composite_raw",
            &candid::encode_args((
                ids[1],
                "ping".to_string(),
                candid::encode_one(1u64).unwrap(),
            ))
            .unwrap(),
        )
        .unwrap();
    let (o,): (Outcome,) = candid::decode_args(&out).unwrap();
    assert_eq!(o.reject_code, 5, "{o:?}");
    assert!(
        o.reject_message
            .contains("Composite query cannot be used to call the update method"),
        "{o:?}"
    );
    assert_eq!(state(&r, ids[1]).2, 0, "ping never ran");
    // A composite query cannot be called from an update.
    let o = call_raw(
        &r,
        ids[0],
        ids[1],
        "composite_sum",
        candid::encode_args((ids[0], 1u64)).unwrap(),
        0,
    );
    assert_eq!(o.reject_code, 5);
    assert!(o.reject_message.contains("replicated mode"), "{o:?}");
    // A plain query cannot call.
    let res = r.query(user(), ids[0], "state", &candid::encode_args(()).unwrap());
    assert!(res.is_ok());
}

#[test]
fn global_timer_fires_after_advance_time_not_before() {
    let r = fixed_replica();
    let ids = canisters(&r, 1);
    upd::<_, ()>(&r, ids[0], "start_timer", (10u64,)).unwrap();
    r.tick();
    assert_eq!(state(&r, ids[0]).4, 0, "not due yet");
    r.advance_time(Duration::from_secs(9));
    r.tick();
    assert_eq!(state(&r, ids[0]).4, 0, "still not due");
    r.advance_time(Duration::from_secs(1));
    r.tick();
    assert_eq!(state(&r, ids[0]).4, 1, "fired once due");
    r.advance_time(Duration::from_secs(100));
    r.tick();
    r.tick();
    assert_eq!(state(&r, ids[0]).4, 1, "a one-shot timer fires once");
}

#[test]
fn repeating_timer_and_heartbeat() {
    let r = fixed_replica();
    let ids = canisters(&r, 1);
    upd::<_, ()>(&r, ids[0], "start_interval", (5u64,)).unwrap();
    let hb0 = state(&r, ids[0]).3;
    for _ in 0..4 {
        r.advance_time(Duration::from_secs(5));
        r.tick();
    }
    let s = state(&r, ids[0]);
    assert_eq!(s.5, 4, "the interval fired every 5 s");
    assert_eq!(s.3 - hb0, 4, "one heartbeat per tick");
}

#[test]
fn idle_tick_is_cheap() {
    let r = replica();
    for _ in 0..3 {
        let id = create(&r, user());
        install(&r, user(), id, hello_wasm()).unwrap();
    }
    r.tick();
    let n = 200;
    let t = Instant::now();
    for _ in 0..n {
        let rep = r.tick();
        assert_eq!(rep, kybra_replica::TickReport::default());
    }
    let per = t.elapsed() / n;
    eprintln!("idle tick with 3 canisters: {per:?}");
    assert!(per < Duration::from_millis(5), "an idle tick took {per:?}");
}

#[test]
fn calls_persist_across_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = || ReplicaConfig {
        state_dir: Some(dir.path().to_path_buf()),
        time: TimeMode::WallClock,
    };
    let ids;
    {
        let r = Replica::new(cfg());
        ids = canisters(&r, 2);
        let (n,): (u64,) = upd(
            &r,
            ids[0],
            "set_call_then_maybe_trap",
            (ids[1], "kept".to_string(), false),
        )
        .unwrap();
        assert_eq!(n, 2);
        let o = call_raw(
            &r,
            ids[0],
            ids[1],
            "accept",
            candid::encode_one(10u128).unwrap(),
            100,
        );
        assert_eq!(o.refunded, 90);
    }
    let r = Replica::new(cfg());
    let s = state(&r, ids[0]);
    assert_eq!((s.0.as_str(), s.1.as_str()), ("kept", "kept"));
    assert_eq!(state(&r, ids[1]).2, 1);
    let (n,): (u64,) = upd(&r, ids[0], "call_ping", (ids[1], 1u64)).unwrap();
    assert_eq!(n, 2);
}
