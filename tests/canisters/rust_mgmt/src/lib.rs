//! A Rust canister for the replica's management canister tests: `call_mgmt` sends any
//! method of `aaaaa-aa` a Candid argument the test encoded, with cycles attached, and
//! answers what came back (reply bytes or reject code and message, and the refund); the
//! transform queries `drop_headers` (headers dropped, the context put before the body) and
//! `trap_transform` (traps) serve `http_request`. `call_mgmt_later` makes the same call in
//! the background and replies at once; `background` answers its outcome once it is there.

use std::cell::RefCell;

use candid::{CandidType, Deserialize, Principal};
use ic_cdk::call::{Call, CallFailed};
use ic_cdk::{query, update};
use ic_management_canister_types::{HttpRequestResult, TransformArgs};

/// What the management canister answered, as the canister saw it.
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: Option<Vec<u8>>,
    pub reject_code: u32,
    pub reject_message: String,
    pub refunded: u128,
}

thread_local! {
    static BACKGROUND: RefCell<Option<Outcome>> = const { RefCell::new(None) };
}

#[update]
fn call_mgmt_later(method: String, arg: Vec<u8>, cycles: u128) {
    BACKGROUND.with(|b| *b.borrow_mut() = None);
    ic_cdk::futures::spawn(async move {
        let outcome = call_mgmt(method, arg, cycles).await;
        BACKGROUND.with(|b| *b.borrow_mut() = Some(outcome));
    });
}

#[query]
fn background() -> Option<Outcome> {
    BACKGROUND.with(|b| b.borrow().clone())
}

#[update]
async fn call_mgmt(method: String, arg: Vec<u8>, cycles: u128) -> Outcome {
    let r = Call::unbounded_wait(Principal::management_canister(), &method)
        .with_raw_args(&arg)
        .with_cycles(cycles)
        .await;
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

#[query]
fn drop_headers(args: TransformArgs) -> HttpRequestResult {
    if ic_cdk::api::msg_caller() != Principal::management_canister() {
        ic_cdk::trap("drop_headers: only the management canister calls transforms");
    }
    let mut body = args.context;
    body.extend_from_slice(&args.response.body);
    HttpRequestResult {
        status: args.response.status,
        headers: vec![],
        body,
    }
}

#[query]
fn trap_transform(_args: TransformArgs) -> HttpRequestResult {
    ic_cdk::trap("trap_transform always traps")
}

#[query]
fn balance() -> u128 {
    ic_cdk::api::canister_cycle_balance()
}
