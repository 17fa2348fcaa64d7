//! vetKD of the management canister: `vetkd_public_key` and `vetkd_derive_key` on the curve
//! `bls12_381_g2`, as the [`VetKd`] service.
//!
//! Promises:
//! * One master key per key name (`dfx_test_key`, `test_key_1`, `key_1`): a fixed secret
//!   scalar made from `kybra replica vetkd <name>` (the secrets behind PocketIC's and
//!   mainnet's keys are not published), so keys are stable across restarts.
//! * Keys are derived as the IC derives them, so the `ic-vetkeys` client libraries verify
//!   them: the canister key adds `H(master public key, canister id)` to the master secret
//!   (domain `ic-vetkd-bls12-381-g2-canister-id`), and a non-empty `context` adds
//!   `H(canister public key, context)` (domain `ic-vetkd-bls12-381-g2-context`).
//!   `vetkd_public_key` answers that key's 96-byte compressed G2 point; `canister_id = null`
//!   means the caller.
//! * `vetkd_derive_key` answers the augmented BLS signature of `input` under the caller's
//!   key (G1, domain `BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_AUG_`), encrypted to the
//!   transport public key (a 48-byte compressed G1 point) as `c1 ‖ c2 ‖ c3` =
//!   `g1·r ‖ g2·r ‖ tpk·r + key` (192 bytes). `r` is derived from the master secret and the
//!   request, so a repeated request answers the same bytes. It costs
//!   [`fees::SIGN_WITH_ECDSA`] cycles, which must be attached; the rest is refunded.
//! * Unknown key names and transport keys that are not valid G1 points are rejected
//!   (reject code 4) saying what was wrong, and keep the attached cycles.

use candid::Principal;
use ic_bls12_381::hash_to_curve::{ExpandMsgXmd, HashToCurve, HashToField};
use ic_bls12_381::{G1Affine, G1Projective, G2Affine, G2Projective, Scalar};
use ic_management_canister_types::{
    VetKDCurve, VetKDDeriveKeyArgs, VetKDDeriveKeyResult, VetKDKeyId, VetKDPublicKeyArgs,
    VetKDPublicKeyResult,
};

use super::api::{Address, Answer, Env, Reply, Request, SystemService};
use super::threshold::{rejected, require_fee, settle};
use crate::error::Reject;
use crate::fees;

/// `H(input)` as a scalar, hashed to the field as the IC does (`expand_message_xmd`, SHA-256).
fn hash_to_scalar(input: &[u8], domain: &str) -> Scalar {
    let mut s = [Scalar::zero()];
    <Scalar as HashToField>::hash_to_field::<ExpandMsgXmd<sha2::Sha256>>(
        input,
        domain.as_bytes(),
        &mut s,
    );
    s[0]
}

/// `H(len(a) ‖ a ‖ len(b) ‖ b)`, lengths as 8-byte big-endian.
fn hash_two_to_scalar(a: &[u8], b: &[u8], domain: &str) -> Scalar {
    let mut input = Vec::with_capacity(16 + a.len() + b.len());
    for part in [a, b] {
        input.extend_from_slice(&(part.len() as u64).to_be_bytes());
        input.extend_from_slice(part);
    }
    hash_to_scalar(&input, domain)
}

fn public(secret: &Scalar) -> G2Affine {
    G2Affine::from(G2Projective::generator() * secret)
}

/// The master secret key of the key named `name`.
fn master_secret(name: &str) -> Scalar {
    hash_to_scalar(
        format!("kybra replica vetkd {name}").as_bytes(),
        "kybra-replica-vetkd-master-key",
    )
}

/// A derived secret key and its public key.
struct Key {
    secret: Scalar,
    public: G2Affine,
}

/// The key of `canister` under `key_id` for `context`.
fn derive(key_id: &VetKDKeyId, canister: Principal, context: &[u8]) -> Result<Key, Reject> {
    let VetKDCurve::Bls12_381_G2 = key_id.curve;
    if !fees::THRESHOLD_KEY_NAMES.contains(&key_id.name.as_str()) {
        let known: Vec<String> = fees::THRESHOLD_KEY_NAMES
            .iter()
            .map(|n| format!("vetkd:bls12_381_g2:{n}"))
            .collect();
        return Err(rejected(format!(
            "Requested unknown threshold key: vetkd:bls12_381_g2:{}, existing keys: [{}]",
            key_id.name,
            known.join(", ")
        )));
    }
    let master = master_secret(&key_id.name);
    let master_public = public(&master).to_compressed();
    let mut secret = master
        + hash_two_to_scalar(
            &master_public,
            canister.as_slice(),
            "ic-vetkd-bls12-381-g2-canister-id",
        );
    if !context.is_empty() {
        let canister_public = public(&secret).to_compressed();
        secret += hash_two_to_scalar(&canister_public, context, "ic-vetkd-bls12-381-g2-context");
    }
    Ok(Key {
        secret,
        public: public(&secret),
    })
}

/// `vetkd_public_key` from canister `caller`.
fn vetkd_public_key(caller: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
    let args: VetKDPublicKeyArgs = candid::decode_one(arg)
        .map_err(|e| Reject::invalid_management_payload("vetkd_public_key", e))?;
    let canister = args.canister_id.unwrap_or(caller);
    let key = derive(&args.key_id, canister, &args.context)?;
    let result = VetKDPublicKeyResult {
        public_key: key.public.to_compressed().to_vec(),
    };
    Ok(candid::encode_one(result).expect("encodes"))
}

/// The vetKey of `input` under `key`, encrypted to `transport` (see the module's promises).
fn encrypted_key(key: &Key, input: &[u8], transport: &G1Affine, request: &[u8]) -> Vec<u8> {
    let mut message = key.public.to_compressed().to_vec();
    message.extend_from_slice(input);
    let hashed = <G1Projective as HashToCurve<ExpandMsgXmd<sha2::Sha256>>>::hash_to_curve(
        message,
        b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_AUG_",
    );
    let vetkey = hashed * key.secret;
    let r = hash_two_to_scalar(
        &key.secret.to_bytes(),
        request,
        "kybra-replica-vetkd-encryption",
    );
    let c1 = G1Affine::from(G1Projective::generator() * r);
    let c2 = G2Affine::from(G2Projective::generator() * r);
    let c3 = G1Affine::from(G1Projective::from(transport) * r + vetkey);
    [
        &c1.to_compressed()[..],
        &c2.to_compressed(),
        &c3.to_compressed(),
    ]
    .concat()
}

/// `vetkd_derive_key` from canister `caller` with `cycles` attached: the result or the
/// reject, and the cycles to refund.
fn vetkd_derive_key(
    caller: Principal,
    arg: &[u8],
    cycles: u128,
) -> (Result<Vec<u8>, Reject>, u128) {
    let derived = candid::decode_one::<VetKDDeriveKeyArgs>(arg)
        .map_err(|e| Reject::invalid_management_payload("vetkd_derive_key", e))
        .and_then(|args| {
            let key = derive(&args.key_id, caller, &args.context)?;
            let transport = <[u8; 48]>::try_from(args.transport_public_key.as_slice())
                .ok()
                .and_then(|bytes| G1Affine::from_compressed(&bytes).into_option())
                .ok_or_else(|| {
                    rejected(format!(
                        "vetkd_derive_key: the transport public key must be a compressed BLS12-381 G1 point (48 bytes); got {} bytes that are not one",
                        args.transport_public_key.len()
                    ))
                })?;
            require_fee("vetkd_derive_key", cycles)?;
            let encrypted_key = encrypted_key(&key, &args.input, &transport, arg);
            Ok(candid::encode_one(VetKDDeriveKeyResult { encrypted_key }).expect("encodes"))
        });
    settle(derived, cycles)
}

/// The vetKD service.
pub struct VetKd;

impl SystemService for VetKd {
    fn name(&self) -> &'static str {
        "vetKD"
    }

    fn address(&self) -> Address {
        Address::Management(&["vetkd_public_key", "vetkd_derive_key"])
    }

    fn call(&mut self, r: Request<'_>, _env: &mut dyn Env) -> Reply {
        let (result, refund) = match r.method {
            "vetkd_derive_key" => vetkd_derive_key(r.caller, r.arg, r.cycles),
            _ => (vetkd_public_key(r.caller, r.arg), r.cycles),
        };
        Reply::Now(Answer { result, refund })
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both derivation steps give what DFINITY's client library derives from the master
    /// public key (the integration tests can only see derived keys).
    #[test]
    fn keys_derive_from_the_master_key_as_ic_vetkeys_does() {
        let canister = Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 7, 1, 1]);
        for name in fees::THRESHOLD_KEY_NAMES {
            let id = VetKDKeyId {
                curve: VetKDCurve::Bls12_381_G2,
                name: name.into(),
            };
            let master = public(&master_secret(name)).to_compressed();
            let canister_key = ic_vetkeys::MasterPublicKey::deserialize(&master)
                .unwrap()
                .derive_canister_key(canister.as_slice());
            let own = derive(&id, canister, b"").unwrap().public.to_compressed();
            assert_eq!(canister_key.serialize(), own);
            let sub = canister_key.derive_sub_key(b"ctx");
            let own = derive(&id, canister, b"ctx")
                .unwrap()
                .public
                .to_compressed();
            assert_eq!(sub.serialize(), own);
        }
    }
}
