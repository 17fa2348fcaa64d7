//! The ids of the replica's built-in system canisters, and the Candid plumbing they share.
//!
//! They are at their mainnet ids, so that tools which create
//! canisters the mainnet way (the `icp` CLI: ask the cycles minting canister for subnets, then
//! `create_canister` on the cycles ledger) work against a local replica:
//!
//! * the cycles minting canister (CMC, `rkp4c-7iaaa-aaaaa-aaaca-cai`): the subnet queries
//!   `icp` asks (`get_default_subnets`, the replica's one subnet once known:
//!   [`crate::Replica::set_subnet_id`]; `get_subnet_types_to_subnets`, none typed), the ICP/XDR
//!   rate, and ICP → cycles (`notify_top_up`, `notify_mint_cycles`): `crate::services::cmc`;
//! * the cycles ledger (`um5iw-rqaaa-aaaaq-qaaba-cai`): ICRC-1/2 on real books, `deposit`,
//!   `withdraw` and `create_canister` (free on a plain local replica, paid on a mainnet-like
//!   one): `crate::services::ledgers::cycles`;
//! * the ICP ledger (`ryjl3-tyaaa-aaaaa-aaaba-cai`): ICRC-1, ICRC-2 and its own
//!   `account_balance`/`transfer`, with real balances: `crate::services::ledgers::icp`.
//!
//! They are implemented natively (no Wasm): their state is the ledgers' books and the
//! canisters they create; they are always running, have no controllers, module or metadata, and
//! are not listed by [`crate::Replica::canister_ids`] (which lists user canisters); they do
//! count for [`crate::Replica::canister_exists`] and lie in the replica's canister ranges. Any
//! of their methods may be called as an update; only the query methods as a query. A bad
//! argument is rejected (IC0406) with a message naming the method and the expected type.

use candid::{CandidType, Deserialize, Principal};

use crate::error::Reject;

/// The cycles minting canister's mainnet id, `rkp4c-7iaaa-aaaaa-aaaca-cai`.
pub const CYCLES_MINTING_CANISTER: Principal =
    Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 4, 1, 1]);
/// The cycles ledger's mainnet id, `um5iw-rqaaa-aaaaq-qaaba-cai`.
pub const CYCLES_LEDGER: Principal = Principal::from_slice(&[0, 0, 0, 0, 2, 16, 0, 2, 1, 1]);
/// The ICP ledger's mainnet id, `ryjl3-tyaaa-aaaaa-aaaba-cai`.
pub const ICP_LEDGER: Principal = Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 2, 1, 1]);

/// The built-in canisters, in id order.
pub const ALL: [Principal; 3] = [ICP_LEDGER, CYCLES_MINTING_CANISTER, CYCLES_LEDGER];

/// Whether `id` is one of the built-in system canisters.
pub fn is_system_canister(id: &Principal) -> bool {
    ALL.contains(id)
}

/// The argument of `method` of the built-in canister `name` at `id`, decoded, or the
/// reject naming the expected type.
pub fn decode<T: for<'de> Deserialize<'de> + CandidType>(
    (name, id): (&str, &Principal),
    method: &str,
    expected: &str,
    arg: &[u8],
) -> Result<T, Reject> {
    candid::decode_one(arg).map_err(|e| {
        Reject::canister_reject(&format!(
            "the kybra replica's built-in {name} ({id}) could not decode the argument of {method}: {e}; expected {expected}"
        ))
    })
}

/// Checks that `arg` is the empty argument `()`.
pub fn decode_empty(
    (name, id): (&str, &Principal),
    method: &str,
    arg: &[u8],
) -> Result<(), Reject> {
    candid::decode_args::<()>(arg).map_err(|e| {
        Reject::canister_reject(&format!(
            "the kybra replica's built-in {name} ({id}) could not decode the argument of {method}: {e}; expected ()"
        ))
    })
}

pub fn encode<T: CandidType>(value: &T) -> Vec<u8> {
    candid::encode_one(value).expect("system canister results encode")
}
