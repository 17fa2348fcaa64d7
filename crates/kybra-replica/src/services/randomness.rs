//! The management canister's `raw_rand`: 32 fresh bytes per call, sha256(seed ‖ counter)
//! from a seed drawn from the OS when the replica starts. Attached cycles are refunded.

use std::any::Any;
use std::io::Read;

use sha2::{Digest, Sha256};

use super::api::{Address, Answer, Env, Reply, Request, SystemService};
use crate::error::Reject;

/// The `raw_rand` service.
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
    fn next32(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut h = Sha256::new();
        h.update(self.seed);
        h.update(self.counter.to_le_bytes());
        h.finalize().into()
    }
}

impl SystemService for Randomness {
    fn name(&self) -> &'static str {
        "randomness"
    }

    fn address(&self) -> Address {
        Address::Management(&["raw_rand"])
    }

    fn call(&mut self, r: Request<'_>, _env: &mut dyn Env) -> Reply {
        Reply::Now(match candid::decode_args::<()>(r.arg) {
            Ok(()) => {
                let bytes = serde_bytes::ByteBuf::from(self.next32().to_vec());
                Answer::reply(candid::encode_one(bytes).expect("encodes"), r.cycles, 0)
            }
            Err(e) => Answer::reject(Reject::invalid_management_payload(r.method, e), r.cycles),
        })
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
