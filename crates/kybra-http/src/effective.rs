//! Effective canister ids: the `<effective_canister_id>` of the URL must be the callee, or, for
//! calls to the management canister (`aaaaa-aa`), the `canister_id` (or, for
//! `install_chunked_code`, `target_canister`) field of the Candid argument;
//! `provisional_create_canister_with_cycles` accepts any effective id.

use crate::error::ApiError;
use candid::types::value::{IDLField, IDLValue};
use candid::{IDLArgs, Principal};

/// The canister id a management-canister argument designates, if any.
fn designated_canister(method: &str, arg: &[u8]) -> Option<Principal> {
    let args = IDLArgs::from_bytes(arg).ok()?;
    let IDLValue::Record(fields) = args.args.first()? else { return None };
    let wanted = if method == "install_chunked_code" { "target_canister" } else { "canister_id" };
    let id = candid::idl_hash(wanted);
    fields.iter().find_map(|IDLField { id: label, val }| match (label.get_id() == id, val) {
        (true, IDLValue::Principal(p)) => Some(*p),
        _ => None,
    })
}

/// Checks the URL's effective canister id against the request.
pub fn check(effective: Principal, canister_id: Principal, method: &str, arg: &[u8], is_call: bool) -> Result<(), ApiError> {
    if canister_id != Principal::management_canister() {
        if effective != canister_id {
            return Err(ApiError::bad_request(format!(
                "the effective canister id in the URL ({effective}) does not match the canister_id of the request ({canister_id})"
            )));
        }
        return Ok(());
    }
    if is_call && method == "provisional_create_canister_with_cycles" {
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

    #[test]
    fn management_calls_use_the_argument() {
        let c = Principal::from_slice(&[1, 2, 3]);
        let other = Principal::from_slice(&[9]);
        let arg = candid::encode_one(Arg { canister_id: c, x: 1 }).unwrap();
        let mgmt = Principal::management_canister();
        assert!(check(c, mgmt, "install_code", &arg, true).is_ok());
        assert!(check(other, mgmt, "install_code", &arg, true).unwrap_err().message.contains("does not match"));
        assert!(check(other, mgmt, "provisional_create_canister_with_cycles", b"DIDL\x00\x00", true).is_ok());
        assert!(check(other, mgmt, "raw_rand", b"DIDL\x00\x00", true).is_err());
        assert!(check(c, c, "m", b"", true).is_ok());
        assert!(check(other, c, "m", b"", false).is_err());
    }
}
