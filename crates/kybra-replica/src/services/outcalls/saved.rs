//! The HTTP outcalls in flight as bytes, for a persistent replica's state folder.
//!
//! Format version 1 (pinned by `tests/golden/outcalls-v1`; a change needs a new version that
//! still reads this one): the version byte `1`, a count (u32), then per request its ticket
//! (u64: the callback waiting for it), the calling canister (a length byte and the
//! principal's bytes), the cycles attached (u128) and the call's Candid argument
//! (`http_request_args`; a u32 length and the bytes). Integers are little-endian.
//! Promises: `decode(encode(x)) == x`; `decode` accepts exactly one complete encoding.

use candid::Principal;

use crate::services::api::Ticket;

/// One request in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub ticket: Ticket,
    pub caller: Principal,
    pub attached: u128,
    pub arg: Vec<u8>,
}

const VERSION: u8 = 1;

pub fn encode(requests: &[Request]) -> Vec<u8> {
    let mut out = vec![VERSION];
    out.extend_from_slice(&(requests.len() as u32).to_le_bytes());
    for r in requests {
        out.extend_from_slice(&r.ticket.to_le_bytes());
        let caller = r.caller.as_slice();
        out.push(caller.len() as u8);
        out.extend_from_slice(caller);
        out.extend_from_slice(&r.attached.to_le_bytes());
        out.extend_from_slice(&(r.arg.len() as u32).to_le_bytes());
        out.extend_from_slice(&r.arg);
    }
    out
}

pub fn decode(bytes: &[u8]) -> Result<Vec<Request>, String> {
    let mut rest = bytes;
    let mut take = |n: usize, what: &str| -> Result<&[u8], String> {
        if rest.len() < n {
            return Err(format!("the saved HTTP outcalls end inside {what}"));
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let version = take(1, "the version")?[0];
    if version != VERSION {
        return Err(format!(
            "saved HTTP outcalls format {version}; this kybra reads format {VERSION} (a newer kybra wrote it: use that one)"
        ));
    }
    let count = u32::from_le_bytes(take(4, "the count")?.try_into().expect("4 bytes"));
    let mut out = Vec::new();
    for _ in 0..count {
        let ticket = u64::from_le_bytes(take(8, "a ticket")?.try_into().expect("8 bytes"));
        let len = take(1, "a caller's length")?[0] as usize;
        let caller = Principal::try_from_slice(take(len, "a caller")?)
            .map_err(|e| format!("a saved caller is not a principal: {e}"))?;
        let attached = u128::from_le_bytes(take(16, "the cycles")?.try_into().expect("16 bytes"));
        let len = u32::from_le_bytes(take(4, "an argument's length")?.try_into().expect("4"));
        let arg = take(len as usize, "an argument")?.to_vec();
        out.push(Request {
            ticket,
            caller,
            attached,
            arg,
        });
    }
    if !rest.is_empty() {
        return Err("bytes follow the saved HTTP outcalls".into());
    }
    Ok(out)
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
                arg: b"DIDL\x00\x01\x71\x00".to_vec(),
            },
            Request {
                ticket: u64::MAX,
                caller: Principal::from_slice(&[0xAB; 29]),
                attached: 0,
                arg: Vec::new(),
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
        assert!(decode(&[2])
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
