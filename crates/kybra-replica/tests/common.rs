//! Shared helpers of the replica's tests: the Rust test canister
//! (`tests/canisters/rust_hello`, built by `kybra-test-support`), creating and installing
//! through `kybra_replica::testing` (as `kybra.testing` and embedders do), and calling the
//! management canister with Candid — `install_mode` keeps the plain `install_code` call, so
//! the suites cover both ways of installing.

#![allow(dead_code)]

use candid::{CandidType, Deserialize, Nat, Principal};
use ic_management_canister_types as mgmt;
use kybra_replica::testing::InstallMode;
use kybra_replica::{Reject, Replica, ReplicaConfig};
use serde::de::DeserializeOwned;

/// What the test canisters' `call_*` methods report about a call they made.
#[derive(CandidType, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub reply: Option<Vec<u8>>,
    pub reject_code: u32,
    pub reject_message: String,
    pub refunded: u128,
}

pub fn hello_wasm() -> &'static [u8] {
    kybra_test_support::rust_hello()
}

#[allow(unused_imports)] // not every suite uses both
pub use kybra_test_support::principals::{other_user, user};

pub fn mgmt_id() -> Principal {
    Principal::management_canister()
}

pub fn replica() -> Replica {
    Replica::new(ReplicaConfig::default())
}

pub fn enc<T: CandidType>(v: &T) -> Vec<u8> {
    candid::encode_one(v).unwrap()
}

pub fn dec<T: DeserializeOwned + CandidType>(bytes: &[u8]) -> T {
    candid::decode_one(bytes).unwrap()
}

/// Cycles a canister gets from `provisional_create_canister_with_cycles` without an amount.
pub const DEFAULT_CYCLES: u128 = 100_000_000_000_000;

/// A new canister controlled by `sender`, with the default provisional cycles.
pub fn create(r: &Replica, sender: Principal) -> Principal {
    r.create_canister_with_cycles(sender, DEFAULT_CYCLES, None)
        .unwrap()
}

pub fn install_mode(
    r: &Replica,
    sender: Principal,
    id: Principal,
    mode: mgmt::CanisterInstallMode,
    wasm: &[u8],
) -> Result<(), Reject> {
    let arg = mgmt::InstallCodeArgs {
        mode,
        canister_id: id,
        wasm_module: wasm.to_vec(),
        arg: candid::encode_args(()).unwrap(),
        sender_canister_version: None,
    };
    r.update(sender, mgmt_id(), Some(id), "install_code", &enc(&arg))
        .map(|_| ())
}

/// Installs `wasm` with no argument (chunked, as `kybra deploy` does).
pub fn install(r: &Replica, sender: Principal, id: Principal, wasm: &[u8]) -> Result<(), Reject> {
    let arg = candid::encode_args(()).unwrap();
    r.install_module(sender, id, wasm, arg, InstallMode::Install)
}

/// A replica with the hello canister installed by `user()`.
pub fn hello() -> (Replica, Principal) {
    let r = replica();
    let id = create(&r, user());
    install(&r, user(), id, hello_wasm()).unwrap();
    (r, id)
}

pub fn call<A: CandidType, T: DeserializeOwned + CandidType>(
    r: &Replica,
    id: Principal,
    method: &str,
    a: A,
) -> Result<T, Reject> {
    r.update(user(), id, None, method, &candid::encode_one(a).unwrap())
        .map(|b| dec(&b))
}

pub fn query<A: CandidType, T: DeserializeOwned + CandidType>(
    r: &Replica,
    id: Principal,
    method: &str,
    a: A,
) -> Result<T, Reject> {
    r.query(user(), id, method, &candid::encode_one(a).unwrap())
        .map(|b| dec(&b))
}

pub fn call0(r: &Replica, id: Principal, method: &str, args: Vec<u8>) -> Result<Vec<u8>, Reject> {
    r.update(user(), id, None, method, &args)
}

pub fn get_message(r: &Replica, id: Principal) -> String {
    let out = r
        .query(user(), id, "get_message", &candid::encode_args(()).unwrap())
        .unwrap();
    dec(&out)
}

pub fn set_message(r: &Replica, id: Principal, m: &str) {
    call::<_, ()>(r, id, "set_message", m.to_string()).unwrap();
}

pub fn stable_read(r: &Replica, id: Principal, offset: u64, len: u64) -> Vec<u8> {
    let out = r
        .query(
            user(),
            id,
            "stable_read",
            &candid::encode_args((offset, len)).unwrap(),
        )
        .unwrap();
    let v: serde_bytes::ByteBuf = dec(&out);
    v.into_vec()
}

pub fn stable_write(r: &Replica, id: Principal, offset: u64, data: &[u8]) {
    let arg = candid::encode_args((offset, serde_bytes::ByteBuf::from(data.to_vec()))).unwrap();
    r.update(user(), id, None, "stable_write", &arg).unwrap();
}

pub fn status(
    r: &Replica,
    sender: Principal,
    id: Principal,
) -> Result<mgmt::CanisterStatusResult, Reject> {
    let out = r.update(
        sender,
        mgmt_id(),
        Some(id),
        "canister_status",
        &enc(&mgmt::CanisterIdRecord { canister_id: id }),
    )?;
    Ok(dec(&out))
}

pub fn assert_reject(
    result: Result<impl std::fmt::Debug, Reject>,
    code: u8,
    error_code: &str,
    text: &str,
) -> Reject {
    let reject = result.expect_err("expected a reject");
    assert_eq!(reject.code as u8, code, "reject code of {reject:?}");
    assert_eq!(
        reject.error_code.as_deref(),
        Some(error_code),
        "error code of {reject:?}"
    );
    assert!(
        reject.message.contains(text),
        "reject message {:?} should contain {text:?}",
        reject.message
    );
    reject
}

// The cycles ledger's `create_canister` as its `.did` (dfinity/cycles-ledger) declares it,
// written here independently of the replica's own types, as a client such as `icp` has it.

#[derive(CandidType, Deserialize, Clone)]
pub enum SubnetSelection {
    Subnet { subnet: Principal },
    Filter(SubnetFilter),
}

#[derive(CandidType, Deserialize, Clone)]
pub struct SubnetFilter {
    pub subnet_type: Option<String>,
}

#[derive(CandidType, Deserialize, Clone)]
pub struct CreationArgs {
    pub subnet_selection: Option<SubnetSelection>,
    pub settings: Option<mgmt::CanisterSettings>,
}

#[derive(CandidType, Deserialize, Clone)]
pub struct CreateCanisterArgs {
    pub from_subaccount: Option<Vec<u8>>,
    pub created_at_time: Option<u64>,
    pub amount: Nat,
    pub creation_args: Option<CreationArgs>,
}

#[derive(CandidType, Deserialize, Debug)]
pub enum CreateCanisterError {
    InsufficientFunds {
        balance: Nat,
    },
    TooOld,
    CreatedInFuture {
        ledger_time: u64,
    },
    TemporarilyUnavailable,
    Duplicate {
        duplicate_of: Nat,
        canister_id: Option<Principal>,
    },
    FailedToCreate {
        fee_block: Option<Nat>,
        refund_block: Option<Nat>,
        error: String,
    },
    GenericError {
        message: String,
        error_code: Nat,
    },
}

#[derive(CandidType, Deserialize, Debug)]
pub enum CreateCanisterResponse {
    Ok {
        block_id: Nat,
        canister_id: Principal,
    },
    Err(CreateCanisterError),
}

/// A replica with `tests/canisters/rust_mgmt` installed: a canister that calls the
/// management canister as it is told (`call_mgmt`).
pub fn mgmt_caller() -> (Replica, Principal) {
    let r = replica();
    let id = create(&r, user());
    install(&r, user(), id, kybra_test_support::rust_mgmt()).unwrap();
    (r, id)
}

/// `rust_mgmt`'s `call_mgmt(method, arg, cycles)`: how the management canister answered.
pub fn call_mgmt(r: &Replica, id: Principal, method: &str, arg: Vec<u8>, cycles: u128) -> Outcome {
    let out = r
        .update(
            user(),
            id,
            None,
            "call_mgmt",
            &candid::encode_args((method, arg, cycles)).unwrap(),
        )
        .unwrap();
    dec(&out)
}
