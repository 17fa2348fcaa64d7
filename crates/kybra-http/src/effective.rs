//! Effective canister ids: the `<effective_canister_id>` of the URL must be the callee, or, for
//! calls to the management canister (`aaaaa-aa`), the `canister_id` (or, for
//! `install_chunked_code`, `target_canister`) field of the Candid argument; and it must lie in
//! the replica's canister ranges (which include its built-in system canisters).
//! `provisional_create_canister_with_cycles` names no canister: any id in the ranges will do,
//! and so does `aaaaa-aa` itself (the IC interface specification allows any principal there;
//! ic-py sends `aaaaa-aa` by default), whose `read_state` then serves the request's status.

use crate::error::ApiError;
use candid::types::value::{IDLField, IDLValue};
use candid::{IDLArgs, Principal};

/// The canister id a management-canister argument designates, if any.
fn designated_canister(method: &str, arg: &[u8]) -> Option<Principal> {
    let args = IDLArgs::from_bytes(arg).ok()?;
    let IDLValue::Record(fields) = args.args.first()? else {
        return None;
    };
    let wanted = if method == "install_chunked_code" {
        "target_canister"
    } else {
        "canister_id"
    };
    let id = candid::idl_hash(wanted);
    fields.iter().find_map(
        |IDLField { id: label, val }| match (label.get_id() == id, val) {
            (true, IDLValue::Principal(p)) => Some(*p),
            _ => None,
        },
    )
}

/// Whether `id` lies in one of the inclusive `ranges`.
pub fn in_ranges(ranges: &[(Principal, Principal)], id: Principal) -> bool {
    ranges
        .iter()
        .any(|(lo, hi)| lo.as_slice() <= id.as_slice() && id.as_slice() <= hi.as_slice())
}

/// Whether `/api/v2/canister/<id>/read_state` is served: an id in the ranges, or `aaaaa-aa`
/// (the effective id of provisional creations sent with it).
pub fn readable(ranges: &[(Principal, Principal)], id: Principal) -> bool {
    id == Principal::management_canister() || in_ranges(ranges, id)
}

/// Checks the URL's effective canister id against the request and the replica's canister
/// `ranges`.
pub fn check(
    effective: Principal,
    canister_id: Principal,
    method: &str,
    arg: &[u8],
    is_call: bool,
    ranges: &[(Principal, Principal)],
) -> Result<(), ApiError> {
    let provisional_creation = canister_id == Principal::management_canister()
        && is_call
        && method == "provisional_create_canister_with_cycles";
    if provisional_creation && effective == Principal::management_canister() {
        return Ok(());
    }
    if !provisional_creation {
        check_target(effective, canister_id, method, arg)?;
    }
    if !in_ranges(ranges, effective) {
        return Err(ApiError::bad_request(format!(
            "effective canister id {effective} is not in this replica's canister ranges; \
             no canister can live there (use the id of an existing canister, or any id in the ranges for creation)"
        )));
    }
    Ok(())
}

/// The effective id must be the callee, or the canister a management call names.
fn check_target(
    effective: Principal,
    canister_id: Principal,
    method: &str,
    arg: &[u8],
) -> Result<(), ApiError> {
    if canister_id != Principal::management_canister() {
        if effective != canister_id {
            return Err(ApiError::bad_request(format!(
                "the effective canister id in the URL ({effective}) does not match the canister_id of the request ({canister_id})"
            )));
        }
        return Ok(());
    }
    match designated_canister(method, arg) {
        Some(p) if p == effective => Ok(()),
        Some(p) => Err(ApiError::bad_request(format!(
            "the effective canister id in the URL ({effective}) does not match the canister named in the argument of {method} ({p}); \
             calls to the management canister must use that canister as effective canister id"
        ))),
        None => Err(ApiError::bad_request(format!(
            "{method} to the management canister (aaaaa-aa) needs a Candid record argument with a `canister_id` field \
             (or `target_canister` for install_chunked_code) naming the effective canister"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(candid::CandidType)]
    struct Arg {
        canister_id: Principal,
        x: u8,
    }

    /// Everything: the replica's ranges cover these tests' ids.
    const ALL: [(Principal, Principal); 1] = [(
        Principal::from_slice(&[]),
        Principal::from_slice(&[0xFF; 29]),
    )];

    #[test]
    fn management_calls_use_the_argument() {
        let c = Principal::from_slice(&[1, 2, 3]);
        let other = Principal::from_slice(&[9]);
        let arg = candid::encode_one(Arg {
            canister_id: c,
            x: 1,
        })
        .unwrap();
        let mgmt = Principal::management_canister();
        assert!(check(c, mgmt, "install_code", &arg, true, &ALL).is_ok());
        assert!(check(other, mgmt, "install_code", &arg, true, &ALL)
            .unwrap_err()
            .message
            .contains("does not match"));
        assert!(check(
            other,
            mgmt,
            "provisional_create_canister_with_cycles",
            b"DIDL\x00\x00",
            true,
            &ALL
        )
        .is_ok());
        assert!(check(other, mgmt, "raw_rand", b"DIDL\x00\x00", true, &ALL).is_err());
        assert!(check(c, c, "m", b"", true, &ALL).is_ok());
        assert!(check(other, c, "m", b"", false, &ALL).is_err());
    }

    #[test]
    fn effective_ids_must_be_in_the_ranges_or_the_management_canister_for_creation() {
        let c = Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 5, 1, 1]);
        let ranges = [(c, c)];
        let outside = Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 6, 1, 1]);
        let mgmt = Principal::management_canister();
        assert!(check(c, c, "m", b"", true, &ranges).is_ok());
        let err = check(outside, outside, "m", b"", true, &ranges).unwrap_err();
        assert!(
            err.message
                .contains("not in this replica's canister ranges"),
            "{}",
            err.message
        );
        // Any id in the ranges, or the management canister's own id, for provisional creation;
        // only as a call.
        for effective in [mgmt, c] {
            assert!(check(
                effective,
                mgmt,
                "provisional_create_canister_with_cycles",
                b"DIDL\x00\x00",
                true,
                &ranges
            )
            .is_ok());
        }
        assert!(check(
            outside,
            mgmt,
            "provisional_create_canister_with_cycles",
            b"DIDL\x00\x00",
            true,
            &ranges
        )
        .is_err());
        assert!(check(
            mgmt,
            mgmt,
            "provisional_create_canister_with_cycles",
            b"DIDL\x00\x00",
            false,
            &ranges
        )
        .is_err());
        assert!(readable(&ranges, mgmt) && readable(&ranges, c) && !readable(&ranges, outside));
        assert!(in_ranges(&ranges, c) && !in_ranges(&ranges, outside) && !in_ranges(&ranges, mgmt));
    }
}
