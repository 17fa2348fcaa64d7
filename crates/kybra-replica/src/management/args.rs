//! The management canister's Candid plumbing and the checks every method shares: decoding
//! arguments (a bad one rejects with IC0408 naming the method), encoding results, the
//! effective canister id of ingress calls, and controller checks.

use candid::{CandidType, Nat, Principal};
use serde::de::DeserializeOwned;

use crate::canister::Canister;
use crate::error::Reject;
use crate::state::State;

pub fn decode<T: DeserializeOwned + CandidType>(method: &str, arg: &[u8]) -> Result<T, Reject> {
    candid::decode_one(arg).map_err(|e| Reject::invalid_management_payload(method, e))
}

pub fn encode<T: CandidType>(value: &T) -> Vec<u8> {
    candid::encode_one(value).expect("management results encode")
}

pub fn empty() -> Vec<u8> {
    candid::encode_args(()).expect("() encodes")
}

pub fn to_u128(n: &Nat, what: &str) -> Result<u128, Reject> {
    u128::try_from(n.0.clone())
        .map_err(|_| Reject::ic("IC0408", format!("{what} {n} does not fit in 128 bits")))
}

pub fn check_effective(effective: Option<Principal>, target: Principal) -> Result<(), Reject> {
    match effective {
        Some(e) if e != target && e != Principal::management_canister() => Err(Reject::ic(
            "IC0408",
            format!("The effective canister id {e} does not match the canister {target} named in the argument"),
        )),
        _ => Ok(()),
    }
}

/// The canister `id`, which `sender` must control.
pub fn controlled(state: &State, sender: Principal, id: Principal) -> Result<&Canister, Reject> {
    let c = state
        .canisters
        .get(&id)
        .ok_or_else(|| Reject::canister_not_found(&id))?;
    if !c.is_controller(&sender) {
        return Err(Reject::not_controller(&id, &c.controllers, &sender));
    }
    Ok(c)
}

/// [`controlled`], for changing it.
pub fn controlled_mut(
    state: &mut State,
    sender: Principal,
    id: Principal,
) -> Result<&mut Canister, Reject> {
    controlled(state, sender, id)?;
    Ok(state.canisters.get_mut(&id).expect("checked above"))
}
