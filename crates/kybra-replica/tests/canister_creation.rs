//! Canisters creating canisters through the management canister's `create_canister`, as a
//! cycles wallet does (`tests/canisters/rust_mgmt`): the attached cycles are the new
//! canister's balance and leave the creator; a failed creation returns them; on a
//! mainnet-like replica a user's own `create_canister` is refused, as on mainnet, while a
//! canister's works.

mod common;

use candid::{Nat, Principal};
use common::*;
use ic_management_canister_types as mgmt;
use kybra_replica::Replica;

const ATTACHED: u128 = 3_000_000_000_000;

fn via(r: &Replica, id: Principal, arg: Vec<u8>, cycles: u128) -> Outcome {
    call_mgmt(r, id, "create_canister", arg, cycles)
}

fn balance(r: &Replica, id: Principal) -> u128 {
    let n: Nat = dec(&r
        .query(user(), id, "balance", &candid::encode_args(()).unwrap())
        .unwrap());
    u128::try_from(n.0).unwrap()
}

fn no_settings() -> Vec<u8> {
    enc(&mgmt::CreateCanisterArgs {
        settings: None,
        sender_canister_version: None,
    })
}

fn created_by(r: &Replica, creator: Principal) {
    let before = balance(r, creator);
    let outcome = via(r, creator, no_settings(), ATTACHED);
    assert_eq!(outcome.reject_code, 0, "{}", outcome.reject_message);
    let new: mgmt::CanisterIdRecord = dec(&outcome.reply.unwrap());
    let st = status(r, creator, new.canister_id).expect("the creator controls it");
    assert_eq!(st.cycles, Nat::from(ATTACHED));
    assert_eq!(st.settings.controllers, vec![creator]);
    let after = balance(r, creator);
    assert!(
        after <= before - ATTACHED && after > before - ATTACHED - 10_000_000_000,
        "the creator paid {} for {ATTACHED} attached",
        before - after
    );
}

#[test]
fn the_attached_cycles_are_the_new_canisters_balance() {
    let (r, id) = mgmt_caller();
    created_by(&r, id);
}

#[test]
fn a_failed_creation_returns_the_cycles() {
    let (r, id) = mgmt_caller();
    let before = balance(&r, id);
    let outcome = via(&r, id, b"not candid".to_vec(), ATTACHED);
    assert_ne!(outcome.reject_code, 0);
    assert!(
        outcome.reject_message.contains("create_canister"),
        "{}",
        outcome.reject_message
    );
    assert!(
        before - balance(&r, id) < 10_000_000_000,
        "the cycles came back"
    );
    assert_eq!(r.canister_ids().len(), 1, "nothing was created");
}

#[test]
fn a_mainnet_like_replica_refuses_a_users_create_canister_but_not_a_canisters() {
    let (r, id) = mgmt_caller();
    r.set_system_canisters(true);
    r.set_mainnet_like(true);
    let refused = r.update(user(), mgmt_id(), None, "create_canister", &no_settings());
    assert_reject(refused, 4, "IC0406", "from canisters only");
    created_by(&r, id);
}
