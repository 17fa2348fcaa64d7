//! The HTTP outcalls in flight as bytes, for a persistent replica's state folder.
//!
//! Format version 1 (pinned by `tests/golden/outcalls-v1`; a change needs a new version that
//! still reads this one): Candid `(nat8, vec record { ticket : nat64; caller : principal;
//! attached : nat; arg : blob })` — the version `1`, then per request its ticket (the
//! callback waiting for it), the calling canister, the cycles attached and the call's
//! Candid argument (`http_request_args`). Promises: `decode(encode(x)) == x`; `decode`
//! accepts exactly one complete encoding of that type and version.

use candid::{CandidType, Deserialize, Principal};
use serde_bytes::ByteBuf;

use crate::services::api::Ticket;

/// One request in flight.
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub ticket: Ticket,
    pub caller: Principal,
    pub attached: u128,
    pub arg: ByteBuf,
}

const VERSION: u8 = 1;

pub fn encode(requests: &[Request]) -> Vec<u8> {
    candid::encode_args((VERSION, requests)).expect("saved outcalls encode")
}

pub fn decode(bytes: &[u8]) -> Result<Vec<Request>, String> {
    let (version, requests): (u8, Vec<Request>) =
        candid::decode_args(bytes).map_err(|e| format!("the saved HTTP outcalls: {e}"))?;
    if version != VERSION {
        return Err(format!(
            "saved HTTP outcalls format {version}; this kybra reads format {VERSION} (a newer kybra wrote it: use that one)"
        ));
    }
    Ok(requests)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Request> {
        vec![
            Request {
                ticket: 7,
                caller: Principal::from_slice(&[1, 2, 3]),
                attached: 1_000_000_000_000,
                arg: ByteBuf::from(b"DIDL\x00\x01\x71\x00".to_vec()),
            },
            Request {
                ticket: u64::MAX,
                caller: Principal::from_slice(&[0xAB; 29]),
                attached: 0,
                arg: ByteBuf::new(),
            },
        ]
    }

    #[test]
    fn round_trip_and_every_cut_refused() {
        let bytes = encode(&sample());
        assert_eq!(decode(&bytes).unwrap(), sample());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        let newer = candid::encode_args((2u8, sample())).unwrap();
        assert!(decode(&newer)
            .unwrap_err()
            .starts_with("saved HTTP outcalls format 2"));
    }

    /// `KYBRA_REGENERATE_GOLDEN=1` rewrites the file — only with a new format version that
    /// still reads this one.
    #[test]
    fn the_format_is_pinned_by_golden_bytes() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/outcalls-v1");
        let bytes = encode(&sample());
        if std::env::var_os("KYBRA_REGENERATE_GOLDEN").is_some() {
            std::fs::write(&path, &bytes).unwrap();
        }
        let golden = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            bytes == golden,
            "the saved HTTP outcalls no longer encode as tests/golden/outcalls-v1 pins: add a format version that still reads version 1"
        );
        assert_eq!(decode(&golden).unwrap(), sample());
    }
}
