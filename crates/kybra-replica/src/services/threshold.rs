//! Threshold ECDSA of the management canister: `ecdsa_public_key` and `sign_with_ecdsa`,
//! as the [`ThresholdEcdsa`] service.
//!
//! Promises:
//! * The master keys are PocketIC's (the secret keys `ic-secp256k1` publishes beside
//!   `PublicKey::pocketic_key`), one per key name: `dfx_test_key`, `test_key_1`, `key_1`
//!   on curve `secp256k1`. They are constants, so keys and signatures are stable across
//!   restarts and equal to what dfx's PocketIC-based local network returns.
//! * Keys are derived as the IC does (`ic-secp256k1`, the IC's own code): the derivation path
//!   is the canister id followed by the caller's `derivation_path`, from chain code zero;
//!   `canister_id = null` means the caller. `ecdsa_public_key` answers the SEC1 compressed
//!   key (33 bytes) and the derived chain code (32 bytes).
//! * `sign_with_ecdsa` signs the 32-byte `message_hash` (no further hashing) with the derived
//!   key: 64 bytes `r ‖ s`, `s` normalised low. It costs [`fees::SIGN_WITH_ECDSA`] cycles,
//!   which must be attached (the IC's reject otherwise); the rest is refunded.
//!   `ecdsa_public_key` is free (attached cycles are refunded).
//! * Unknown key names, other curves, a hash that is not 32 bytes and paths longer than 255
//!   elements are rejected (reject code 4) with a message saying what was wrong.

use candid::Principal;
use ic_management_canister_types::{
    EcdsaCurve, EcdsaKeyId, EcdsaPublicKeyArgs, EcdsaPublicKeyResult, SignWithEcdsaArgs,
    SignWithEcdsaResult,
};
use ic_secp256k1::{DerivationPath, PrivateKey};

use super::api::{Address, Answer, Env, Reply, Request, SystemService};
use crate::error::Reject;
use crate::fees;

/// The key names the replica holds, with PocketIC's master secret keys (hex).
const MASTER_KEYS: [(&str, &str); 3] = [
    (
        "dfx_test_key",
        "2aff2be7e3e57007909036d08767bcc5e192717b59eeae19ead8eff9ee874a48",
    ),
    (
        "test_key_1",
        "cb1eb3d67ff91be823715ee2f2af9c2b88252dacbf67f8d09c167c10e7deca7a",
    ),
    (
        "key_1",
        "6f65b33c736ceaf3d89e6b913a508e0612a2f43d872128606d59ab855b80d288",
    ),
];

/// The most elements a derivation path may have (as on the IC).
pub(super) const MAX_PATH_ELEMENTS: usize = 255;

/// `ecdsa_public_key` from canister `caller`: the encoded result, or the reject.
fn ecdsa_public_key(caller: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    let args: EcdsaPublicKeyArgs = candid::decode_one(arg)
        .map_err(|e| Reject::invalid_management_payload("ecdsa_public_key", e))?;
    let master = master_key(&args.key_id)?;
    let canister = args.canister_id.unwrap_or(caller);
    let (key, chain_code) = derive(&master, canister, &args.derivation_path)?;
    let result = EcdsaPublicKeyResult {
        public_key: key.public_key().serialize_sec1(true),
        chain_code: chain_code.to_vec(),
    };
    Ok(candid::encode_one(result).expect("encodes"))
}

/// `sign_with_ecdsa` from canister `caller` with `cycles` attached: the result or the
/// reject, and the cycles to refund.
fn sign_with_ecdsa(caller: Principal, arg: &[u8], cycles: u128) -> (Result<Vec<u8>, Reject>, u128) {
    let args: SignWithEcdsaArgs = match candid::decode_one(arg) {
        Ok(a) => a,
        Err(e) => {
            return (
                Err(Reject::invalid_management_payload("sign_with_ecdsa", e)),
                cycles,
            )
        }
    };
    let signed = master_key(&args.key_id).and_then(|master| {
        if args.message_hash.len() != 32 {
            return Err(rejected(format!(
                "sign_with_ecdsa: message_hash must be 32 bytes (a hash of the message), got {} bytes",
                args.message_hash.len()
            )));
        }
        require_fee("sign_with_ecdsa", cycles)?;
        let (key, _) = derive(&master, caller, &args.derivation_path)?;
        let signature = key.sign_digest_with_ecdsa(&args.message_hash).to_vec();
        Ok(candid::encode_one(SignWithEcdsaResult { signature }).expect("encodes"))
    });
    settle(signed, cycles)
}

/// Refuses a threshold operation `method` sent with fewer `cycles` than its fee
/// ([`fees::SIGN_WITH_ECDSA`], for ECDSA, Schnorr and vetKD alike), as the IC words it.
pub(super) fn require_fee(method: &str, cycles: u128) -> Result<(), Reject> {
    if cycles < fees::SIGN_WITH_ECDSA {
        return Err(rejected(format!(
            "{method} request sent with {cycles} cycles, but {} cycles are required.",
            fees::SIGN_WITH_ECDSA
        )));
    }
    Ok(())
}

/// A threshold operation's answer and the cycles to refund: all of `cycles` when it was
/// refused, else what is left after the fee.
pub(super) fn settle(
    result: Result<Vec<u8>, Reject>,
    cycles: u128,
) -> (Result<Vec<u8>, Reject>, u128) {
    match result {
        Ok(bytes) => (Ok(bytes), cycles - fees::SIGN_WITH_ECDSA),
        Err(reject) => (Err(reject), cycles),
    }
}

/// The threshold ECDSA service.
pub struct ThresholdEcdsa;

impl SystemService for ThresholdEcdsa {
    fn name(&self) -> &'static str {
        "threshold ECDSA"
    }

    fn address(&self) -> Address {
        Address::Management(&["ecdsa_public_key", "sign_with_ecdsa"])
    }

    fn call(&mut self, r: Request<'_>, _env: &mut dyn Env) -> Reply {
        let (result, refund) = match r.method {
            "sign_with_ecdsa" => sign_with_ecdsa(r.caller, r.arg, r.cycles),
            _ => (ecdsa_public_key(r.caller, r.arg), r.cycles),
        };
        Reply::Now(Answer { result, refund })
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

/// The secp256k1 master key called `name` (threshold Schnorr's BIP340 keys are the ECDSA
/// keys, as in PocketIC).
pub(super) fn secp256k1_master(name: &str) -> Option<PrivateKey> {
    let (_, secret) = MASTER_KEYS.iter().find(|(n, _)| *n == name)?;
    let bytes = hex::decode(secret).expect("the master keys are valid hex");
    Some(PrivateKey::deserialize_sec1(&bytes).expect("the master keys are valid secp256k1 keys"))
}

/// The master key named by `key_id`, or the reject naming the keys there are.
fn master_key(key_id: &EcdsaKeyId) -> Result<PrivateKey, Reject> {
    let known = || {
        MASTER_KEYS
            .iter()
            .map(|(name, _)| format!("ecdsa:Secp256k1:{name}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let curve = match key_id.curve {
        EcdsaCurve::Secp256k1 => "Secp256k1",
        EcdsaCurve::Secp256r1 => "Secp256r1",
    };
    let found = secp256k1_master(&key_id.name).filter(|_| key_id.curve == EcdsaCurve::Secp256k1);
    found.ok_or_else(|| {
        rejected(format!(
            "Requested unknown threshold key: ecdsa:{curve}:{}, existing keys: [{}]",
            key_id.name,
            known()
        ))
    })
}

/// The key of `canister` at `path`, and its chain code.
fn derive(
    master: &PrivateKey,
    canister: Principal,
    path: &[Vec<u8>],
) -> Result<(PrivateKey, [u8; 32]), Reject> {
    if path.len() > MAX_PATH_ELEMENTS {
        return Err(rejected(format!(
            "The derivation path has {} elements; at most {MAX_PATH_ELEMENTS} are allowed",
            path.len()
        )));
    }
    let path = DerivationPath::from_canister_id_and_path(canister.as_slice(), path);
    Ok(master.derive_subkey(&path))
}

/// A reject of the management canister (reject code 4, as the IC).
pub(super) fn rejected(message: String) -> Reject {
    Reject::ic("IC0406", message)
}

#[cfg(test)]
mod tests {
    /// `ic0.cost_sign_with_*` (in `fees`) answers for exactly the keys this service holds.
    #[test]
    fn the_keys_are_the_ones_the_costs_know() {
        let names: Vec<&str> = super::MASTER_KEYS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, crate::fees::THRESHOLD_KEY_NAMES);
    }
}
