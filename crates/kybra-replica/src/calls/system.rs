//! Calls from canisters to the management canister (`aaaaa-aa`): `raw_rand` (32 fresh
//! bytes per call, from a seed drawn from the OS at start), `deposit_cycles` (the attached
//! cycles go to the named canister), and every method an ingress caller has
//! ([`crate::management`]) with the calling canister as the sender — e.g. a canister that
//! controls another may install code on it. Unaccepted cycles are refunded.

use std::io::Read;

use candid::Principal;
use ic_management_canister_types as mgmt;
use sha2::{Digest, Sha256};

use crate::error::Reject;
use crate::state::State;

/// A hash-based random generator: sha256(seed ‖ counter).
pub struct Randomness {
    seed: [u8; 32],
    counter: u64,
}

impl Default for Randomness {
    fn default() -> Self {
        let mut seed = [0u8; 32];
        let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut seed));
        if from_os.is_err() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            seed = Sha256::digest(format!("{now}-{}", std::process::id())).into();
        }
        Randomness { seed, counter: 0 }
    }
}

impl Randomness {
    pub fn next32(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(self.counter.to_le_bytes());
        h.finalize().into()
    }
}

impl State {
    /// A call from canister `from` to the management canister: the result and the refund.
    pub(crate) fn canister_to_management(
        &mut self,
        from: Principal,
        method: &str,
        arg: &[u8],
        cycles: u128,
    ) -> (Result<Vec<u8>, Reject>, u128) {
        let out = match method {
            "raw_rand" => match candid::decode_args::<()>(arg) {
                Ok(()) => {
                    let bytes = self.calls.rand.next32().to_vec();
                    return (
                        Ok(candid::encode_one(serde_bytes::ByteBuf::from(bytes)).expect("encodes")),
                        cycles,
                    );
                }
                Err(e) => (Err(Reject::invalid_management_payload(method, e)), cycles),
            },
            "deposit_cycles" => match candid::decode_one::<mgmt::CanisterIdRecord>(arg) {
                Ok(a) => match self.canisters.get_mut(&a.canister_id) {
                    Some(c) => {
                        c.cycles = c.cycles.saturating_add(cycles);
                        (Ok(candid::encode_args(()).expect("encodes")), 0)
                    }
                    None => (Err(Reject::canister_not_found(&a.canister_id)), cycles),
                },
                Err(e) => (Err(Reject::invalid_management_payload(method, e)), cycles),
            },
            "ecdsa_public_key" => (crate::threshold::ecdsa_public_key(from, arg), cycles),
            "sign_with_ecdsa" => crate::threshold::sign_with_ecdsa(from, arg, cycles),
            m if crate::bitcoin::api::is_bitcoin_method(m) => self.bitcoin_call(m, arg, cycles),
            _ => (self.management(from, None, method, arg), cycles),
        };
        self.journal(None);
        out
    }
}
