//! Canister id allocation, mirroring dfx's PocketIC-based local network (dfx ≥ 0.24):
//! the subnet owns the range `0x8000000000100000 ..= 0x80000000001FFFFF` and canisters
//! are numbered from its start + 1, so the first is `bkyz2-fmaaa-aaaaa-qaaaq-cai`, the
//! second `bd3sg-teaaa-aaaaa-qaaba-cai`, the third `be2us-64aaa-aaaaa-qaabq-cai`.

use candid::Principal;

/// First canister index of the subnet's range.
pub const RANGE_START: u64 = 0x8000_0000_0010_0000;
/// Last canister index of the subnet's range (inclusive).
pub const RANGE_END: u64 = 0x8000_0000_001F_FFFF;
/// The index of the first canister created.
pub const FIRST_INDEX: u64 = RANGE_START + 1;

/// The canister id with index `n`: its 8 big-endian bytes followed by `0x01 0x01`.
pub fn canister_id(n: u64) -> Principal {
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&n.to_be_bytes());
    bytes[8] = 1;
    bytes[9] = 1;
    Principal::from_slice(&bytes)
}

/// The index of a canister id of this form, if it is one.
pub fn canister_index(id: &Principal) -> Option<u64> {
    let b = id.as_slice();
    if b.len() == 10 && b[8] == 1 && b[9] == 1 {
        Some(u64::from_be_bytes(b[..8].try_into().ok()?))
    } else {
        None
    }
}

/// The subnet's canister id range, inclusive.
pub fn subnet_range() -> (Principal, Principal) {
    (canister_id(RANGE_START), canister_id(RANGE_END))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_ids_match_dfx() {
        assert_eq!(
            canister_id(FIRST_INDEX).to_text(),
            "bkyz2-fmaaa-aaaaa-qaaaq-cai"
        );
        assert_eq!(
            canister_id(FIRST_INDEX + 1).to_text(),
            "bd3sg-teaaa-aaaaa-qaaba-cai"
        );
        assert_eq!(
            canister_id(FIRST_INDEX + 2).to_text(),
            "be2us-64aaa-aaaaa-qaabq-cai"
        );
        assert_eq!(canister_index(&canister_id(FIRST_INDEX)), Some(FIRST_INDEX));
    }
}
