//! Threshold Schnorr of the management canister: `schnorr_public_key` and
//! `sign_with_schnorr`, for the algorithms `bip340secp256k1` and `ed25519`, as the
//! [`ThresholdSchnorr`] service.
//!
//! Promises:
//! * One master key per key name (`dfx_test_key`, `test_key_1`, `key_1`) and algorithm.
//!   BIP340 uses the secp256k1 keys of threshold ECDSA (PocketIC's, as PocketIC does);
//!   Ed25519 uses fixed keys made from the SHA-256 of `kybra replica ed25519 <name>` (the
//!   secret keys behind PocketIC's Ed25519 keys are not published). Keys and signatures are
//!   stable across restarts.
//! * Keys are derived as the IC does (`ic-secp256k1` and `ic-ed25519`, the IC's own code):
//!   the canister id, then the caller's `derivation_path`, from chain code zero;
//!   `canister_id = null` means the caller. The public key is SEC1 compressed (33 bytes) for
//!   BIP340 and 32 bytes for Ed25519, with the derived chain code.
//! * `sign_with_schnorr` signs `message` itself (any length; BIP340 hashes it as BIP340
//!   says): 64 bytes. `aux = opt variant { bip341 = record { merkle_root_hash } }` signs
//!   with the Taproot-tweaked key (BIP341; the hash is 0 or 32 bytes), BIP340 only. It
//!   costs [`fees::SIGN_WITH_ECDSA`] cycles (the IC's fee for threshold keys of a 13-node
//!   subnet), which must be attached; the rest is refunded. `schnorr_public_key` is free.
//! * Unknown key names, a BIP341 `aux` with Ed25519 or with a bad hash length, and paths
//!   longer than 255 elements are rejected (reject code 4) saying what was wrong.

use candid::Principal;
use ic_management_canister_types::{
    SchnorrAlgorithm, SchnorrAux, SchnorrKeyId, SchnorrPublicKeyArgs, SchnorrPublicKeyResult,
    SignWithSchnorrArgs, SignWithSchnorrResult,
};
use sha2::{Digest, Sha256};

use super::api::{Address, Answer, Env, Reply, Request, SystemService};
use super::threshold::{rejected, require_fee, secp256k1_master, settle, MAX_PATH_ELEMENTS};
use crate::error::Reject;
use crate::fees;

/// A derived key that can sign, of either algorithm.
enum Key {
    Bip340(ic_secp256k1::PrivateKey),
    Ed25519(Box<ic_ed25519::DerivedPrivateKey>),
}

impl Key {
    fn public_key(&self) -> Vec<u8> {
        match self {
            Key::Bip340(k) => k.public_key().serialize_sec1(true),
            Key::Ed25519(k) => k.public_key().serialize_raw().to_vec(),
        }
    }
}

fn name(algorithm: &SchnorrAlgorithm) -> &'static str {
    match algorithm {
        SchnorrAlgorithm::Bip340secp256k1 => "bip340secp256k1",
        SchnorrAlgorithm::Ed25519 => "ed25519",
    }
}

/// The key of `canister` at `path` under `key_id`, and its chain code.
fn derive(
    key_id: &SchnorrKeyId,
    canister: Principal,
    path: &[Vec<u8>],
) -> Result<(Key, [u8; 32]), Reject> {
    let unknown = || {
        let known: Vec<String> = fees::THRESHOLD_KEY_NAMES
            .iter()
            .flat_map(|n| {
                [
                    format!("schnorr:bip340secp256k1:{n}"),
                    format!("schnorr:ed25519:{n}"),
                ]
            })
            .collect();
        rejected(format!(
            "Requested unknown threshold key: schnorr:{}:{}, existing keys: [{}]",
            name(&key_id.algorithm),
            key_id.name,
            known.join(", ")
        ))
    };
    if !fees::THRESHOLD_KEY_NAMES.contains(&key_id.name.as_str()) {
        return Err(unknown());
    }
    if path.len() > MAX_PATH_ELEMENTS {
        return Err(rejected(format!(
            "The derivation path has {} elements; at most {MAX_PATH_ELEMENTS} are allowed",
            path.len()
        )));
    }
    Ok(match key_id.algorithm {
        SchnorrAlgorithm::Bip340secp256k1 => {
            let master = secp256k1_master(&key_id.name).ok_or_else(unknown)?;
            let path =
                ic_secp256k1::DerivationPath::from_canister_id_and_path(canister.as_slice(), path);
            let (key, chain_code) = master.derive_subkey(&path);
            (Key::Bip340(key), chain_code)
        }
        SchnorrAlgorithm::Ed25519 => {
            let seed: [u8; 32] =
                Sha256::digest(format!("kybra replica ed25519 {}", key_id.name)).into();
            let master = ic_ed25519::PrivateKey::deserialize_raw_32(&seed);
            let path =
                ic_ed25519::DerivationPath::from_canister_id_and_path(canister.as_slice(), path);
            let (key, chain_code) = master.derive_subkey(&path);
            (Key::Ed25519(Box::new(key)), chain_code)
        }
    })
}

/// `schnorr_public_key` from canister `caller`.
fn schnorr_public_key(caller: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    let args: SchnorrPublicKeyArgs = candid::decode_one(arg)
        .map_err(|e| Reject::invalid_management_payload("schnorr_public_key", e))?;
    let canister = args.canister_id.unwrap_or(caller);
    let (key, chain_code) = derive(&args.key_id, canister, &args.derivation_path)?;
    let result = SchnorrPublicKeyResult {
        public_key: key.public_key(),
        chain_code: chain_code.to_vec(),
    };
    Ok(candid::encode_one(result).expect("encodes"))
}

/// `sign_with_schnorr` from canister `caller` with `cycles` attached: the result or the
/// reject, and the cycles to refund.
fn sign_with_schnorr(
    caller: Principal,
    arg: &[u8],
    cycles: u128,
) -> (Result<Vec<u8>, Reject>, u128) {
    let signed = candid::decode_one::<SignWithSchnorrArgs>(arg)
        .map_err(|e| Reject::invalid_management_payload("sign_with_schnorr", e))
        .and_then(|args| {
            let (key, _) = derive(&args.key_id, caller, &args.derivation_path)?;
            require_fee("sign_with_schnorr", cycles)?;
            let signature = match (&key, &args.aux) {
                (Key::Bip340(k), None) => k.sign_message_with_bip340_no_rng(&args.message),
                (Key::Bip340(k), Some(SchnorrAux::Bip341(b))) => k
                    .sign_message_with_bip341_no_rng(&args.message, &b.merkle_root_hash)
                    .map_err(|_| {
                        rejected(format!(
                            "sign_with_schnorr: a bip341 merkle_root_hash must be 0 or 32 bytes, got {}",
                            b.merkle_root_hash.len()
                        ))
                    })?,
                (Key::Ed25519(k), None) => k.sign_message(&args.message),
                (Key::Ed25519(_), Some(_)) => {
                    return Err(rejected(
                        "sign_with_schnorr: aux (bip341) applies to bip340secp256k1 keys only, not ed25519".into(),
                    ))
                }
            };
            let result = SignWithSchnorrResult { signature: signature.to_vec() };
            Ok(candid::encode_one(result).expect("encodes"))
        });
    settle(signed, cycles)
}

/// The threshold Schnorr service.
pub struct ThresholdSchnorr;

impl SystemService for ThresholdSchnorr {
    fn name(&self) -> &'static str {
        "threshold Schnorr"
    }

    fn address(&self) -> Address {
        Address::Management(&["schnorr_public_key", "sign_with_schnorr"])
    }

    fn call(&mut self, r: Request<'_>, _env: &mut dyn Env) -> Reply {
        let (result, refund) = match r.method {
            "sign_with_schnorr" => sign_with_schnorr(r.caller, r.arg, r.cycles),
            _ => (schnorr_public_key(r.caller, r.arg), r.cycles),
        };
        Reply::Now(Answer { result, refund })
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}
