//! Threshold Schnorr of the management canister, called by a Rust canister
//! (`tests/canisters/rust_mgmt`): BIP340 signatures verify with `k256`'s Schnorr against
//! the returned key's x coordinate, Ed25519 ones with `ed25519-dalek`; keys depend on the
//! canister, the derivation path and the key name; fees and rejects are the IC's.

mod common;

use candid::Principal;
use common::*;
use ic_management_canister_types::{
    Bip341, SchnorrAlgorithm, SchnorrAux, SchnorrKeyId, SchnorrPublicKeyArgs,
    SchnorrPublicKeyResult, SignWithSchnorrArgs, SignWithSchnorrResult,
};
use kybra_replica::Replica;

const FEE: u128 = 10_000_000_000;

fn key(algorithm: SchnorrAlgorithm, name: &str) -> SchnorrKeyId {
    SchnorrKeyId {
        algorithm,
        name: name.into(),
    }
}

fn public_key(r: &Replica, id: Principal, key_id: &SchnorrKeyId, path: &[&[u8]]) -> Vec<u8> {
    let args = SchnorrPublicKeyArgs {
        canister_id: None,
        derivation_path: path.iter().map(|p| p.to_vec()).collect(),
        key_id: key_id.clone(),
    };
    let o = call_mgmt(r, id, "schnorr_public_key", enc(&args), 0);
    assert_eq!(o.reject_code, 0, "{}", o.reject_message);
    let result: SchnorrPublicKeyResult = dec(&o.reply.unwrap());
    assert_eq!(result.chain_code.len(), 32);
    result.public_key
}

fn sign(
    r: &Replica,
    id: Principal,
    key_id: &SchnorrKeyId,
    message: &[u8],
    aux: Option<SchnorrAux>,
    cycles: u128,
) -> Outcome {
    let args = SignWithSchnorrArgs {
        message: message.to_vec(),
        derivation_path: vec![b"user 7".to_vec()],
        key_id: key_id.clone(),
        aux,
    };
    call_mgmt(r, id, "sign_with_schnorr", enc(&args), cycles)
}

fn signature(o: Outcome) -> Vec<u8> {
    assert_eq!(o.reject_code, 0, "{}", o.reject_message);
    dec::<SignWithSchnorrResult>(&o.reply.unwrap()).signature
}

#[test]
fn bip340_signatures_verify_with_k256() {
    let (r, id) = mgmt_caller();
    let key_id = key(SchnorrAlgorithm::Bip340secp256k1, "dfx_test_key");
    let pk = public_key(&r, id, &key_id, &[b"user 7"]);
    assert_eq!(pk.len(), 33);
    assert!(pk[0] == 2 || pk[0] == 3);
    let message = b"a message of any length, hashed by BIP340 itself";
    let sig = signature(sign(&r, id, &key_id, message, None, FEE));
    assert_eq!(sig.len(), 64);
    // BIP340 over the message as it is (the IC signs messages of any length unhashed).
    let verifying = k256::schnorr::VerifyingKey::from_bytes(&pk[1..]).unwrap();
    let parsed = k256::schnorr::Signature::try_from(sig.as_slice()).unwrap();
    verifying
        .verify_raw(message, &parsed)
        .expect("a valid BIP340 signature");
    assert!(verifying.verify_raw(b"another message", &parsed).is_err());
    // Keys differ by path and by key name.
    assert_ne!(pk, public_key(&r, id, &key_id, &[b"user 8"]));
    assert_ne!(
        pk,
        public_key(
            &r,
            id,
            &key(SchnorrAlgorithm::Bip340secp256k1, "test_key_1"),
            &[b"user 7"]
        )
    );
    // BIP341: a Taproot-tweaked signature, and a bad root hash refused.
    let tweaked = signature(sign(
        &r,
        id,
        &key_id,
        message,
        Some(SchnorrAux::Bip341(Bip341 {
            merkle_root_hash: vec![7; 32],
        })),
        FEE,
    ));
    assert_ne!(tweaked, sig);
    let bad = sign(
        &r,
        id,
        &key_id,
        message,
        Some(SchnorrAux::Bip341(Bip341 {
            merkle_root_hash: vec![7; 5],
        })),
        FEE,
    );
    assert_eq!(bad.reject_code, 4);
    assert!(
        bad.reject_message.contains("0 or 32 bytes"),
        "{}",
        bad.reject_message
    );
}

#[test]
fn ed25519_signatures_verify_with_ed25519_dalek() {
    let (r, id) = mgmt_caller();
    let key_id = key(SchnorrAlgorithm::Ed25519, "test_key_1");
    let pk = public_key(&r, id, &key_id, &[b"user 7"]);
    assert_eq!(pk.len(), 32);
    let message = b"signed as is";
    let sig = signature(sign(&r, id, &key_id, message, None, FEE));
    let verifying = ed25519_dalek::VerifyingKey::from_bytes(&pk.try_into().unwrap()).unwrap();
    let parsed = ed25519_dalek::Signature::from_slice(&sig).unwrap();
    verifying
        .verify_strict(message, &parsed)
        .expect("a valid Ed25519 signature");
    assert!(verifying.verify_strict(b"tampered", &parsed).is_err());
    let with_aux = sign(
        &r,
        id,
        &key_id,
        message,
        Some(SchnorrAux::Bip341(Bip341 {
            merkle_root_hash: vec![],
        })),
        FEE,
    );
    assert_eq!(with_aux.reject_code, 4);
    assert!(with_aux
        .reject_message
        .contains("bip340secp256k1 keys only"));
}

#[test]
fn fees_and_unknown_keys_are_the_ics_rejects() {
    let (r, id) = mgmt_caller();
    let key_id = key(SchnorrAlgorithm::Ed25519, "dfx_test_key");
    let short = sign(&r, id, &key_id, b"m", None, FEE - 1);
    assert_eq!(short.reject_code, 4);
    assert!(
        short.reject_message.contains("cycles are required"),
        "{}",
        short.reject_message
    );
    let unknown = sign(
        &r,
        id,
        &key(SchnorrAlgorithm::Ed25519, "no_such_key"),
        b"m",
        None,
        FEE,
    );
    assert_eq!(unknown.reject_code, 4);
    assert!(
        unknown
            .reject_message
            .contains("unknown threshold key: schnorr:ed25519:no_such_key")
            && unknown
                .reject_message
                .contains("schnorr:bip340secp256k1:dfx_test_key"),
        "{}",
        unknown.reject_message
    );
    // Users may not call it directly, as on the IC.
    let direct = r.update(
        user(),
        mgmt_id(),
        None,
        "schnorr_public_key",
        &enc(&SchnorrPublicKeyArgs {
            canister_id: Some(id),
            derivation_path: vec![],
            key_id,
        }),
    );
    assert!(direct.is_err());
}
