//! Threshold ECDSA of the management canister, called by a Rust canister
//! (`tests/canisters/rust_mgmt`): public keys equal PocketIC's derivation, signatures verify
//! with `k256` against the returned key, fees and rejects are the IC's.

mod common;

use std::time::Instant;

use candid::Principal;
use common::*;
use ic_management_canister_types::{
    EcdsaCurve, EcdsaKeyId, EcdsaPublicKeyArgs, EcdsaPublicKeyResult, SignWithEcdsaArgs,
    SignWithEcdsaResult,
};
use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};
use kybra_replica::Replica;
use sha2::{Digest, Sha256};

const FEE: u128 = 10_000_000_000;

fn key(name: &str) -> EcdsaKeyId {
    EcdsaKeyId {
        curve: EcdsaCurve::Secp256k1,
        name: name.into(),
    }
}

fn public_key(
    r: &Replica,
    id: Principal,
    canister_id: Option<Principal>,
    path: &[&[u8]],
    name: &str,
) -> EcdsaPublicKeyResult {
    let arg = EcdsaPublicKeyArgs {
        canister_id,
        derivation_path: path.iter().map(|p| p.to_vec()).collect(),
        key_id: key(name),
    };
    let o = call_mgmt(r, id, "ecdsa_public_key", enc(&arg), 0);
    assert_eq!(
        o.reject_code, 0,
        "ecdsa_public_key rejected: {}",
        o.reject_message
    );
    dec(&o.reply.unwrap())
}

fn sign(
    r: &Replica,
    id: Principal,
    hash: &[u8],
    path: &[&[u8]],
    name: &str,
    cycles: u128,
) -> Outcome {
    let arg = SignWithEcdsaArgs {
        message_hash: hash.to_vec(),
        derivation_path: path.iter().map(|p| p.to_vec()).collect(),
        key_id: key(name),
    };
    call_mgmt(r, id, "sign_with_ecdsa", enc(&arg), cycles)
}

#[test]
fn public_key_is_the_ic_derivation_of_pocketics_key() {
    let (r, id) = mgmt_caller();
    let path: &[&[u8]] = &[b"alice", &[0, 0, 0, 7]];
    let got = public_key(&r, id, None, path, "dfx_test_key");
    assert_eq!(got.public_key.len(), 33, "SEC1 compressed");
    assert!(matches!(got.public_key[0], 2 | 3));
    assert_eq!(got.chain_code.len(), 32);
    // What PocketIC (dfx's local network) answers, from its published master public key.
    let owned: Vec<Vec<u8>> = path.iter().map(|p| p.to_vec()).collect();
    let (expected, chain) = ic_secp256k1::PublicKey::derive_pocketic_key(
        ic_secp256k1::PocketIcMasterPublicKeyId::EcdsaDfxTestKey,
        &id,
        &owned,
    );
    assert_eq!(got.public_key, expected.serialize_sec1(true));
    assert_eq!(got.chain_code, chain.to_vec());
    // canister_id = the caller is the same as null; another path, canister or key differs.
    assert_eq!(public_key(&r, id, Some(id), path, "dfx_test_key"), got);
    let other_path = public_key(&r, id, None, &[b"bob"], "dfx_test_key");
    assert_ne!(other_path.public_key, got.public_key);
    let other_canister = public_key(&r, id, Some(user()), path, "dfx_test_key");
    assert_ne!(other_canister.public_key, got.public_key);
    for name in ["test_key_1", "key_1"] {
        assert_ne!(
            public_key(&r, id, None, path, name).public_key,
            got.public_key
        );
    }
    // Stable across replicas (and so restarts): same canister id, same key.
    let (r2, id2) = mgmt_caller();
    assert_eq!(id2, id);
    assert_eq!(public_key(&r2, id2, None, path, "dfx_test_key"), got);
}

#[test]
fn signature_verifies_against_the_public_key_with_k256() {
    let (r, id) = mgmt_caller();
    let hash: [u8; 32] = Sha256::digest(b"hello threshold ecdsa").into();
    let path: &[&[u8]] = &[b"alice"];
    let pk = public_key(&r, id, None, path, "dfx_test_key");
    let start = Instant::now();
    let o = sign(&r, id, &hash, path, "dfx_test_key", FEE + 5);
    let elapsed = start.elapsed();
    assert_eq!(
        o.reject_code, 0,
        "sign_with_ecdsa rejected: {}",
        o.reject_message
    );
    assert_eq!(o.refunded, 5, "the fee is kept, the rest refunded");
    eprintln!(
        "one sign_with_ecdsa round trip (ingress → canister → management → callback): {elapsed:?}, {} instructions in the callback",
        r.last_instructions(id).unwrap()
    );
    let sig = dec::<SignWithEcdsaResult>(&o.reply.unwrap()).signature;
    assert_eq!(sig.len(), 64);
    let sig = Signature::from_slice(&sig).unwrap();
    assert!(sig.normalize_s().is_none(), "s is low");
    let vk = VerifyingKey::from_sec1_bytes(&pk.public_key).unwrap();
    vk.verify_prehash(&hash, &sig)
        .expect("the signature verifies");
    // Not with another path's key, nor over another hash.
    let other = public_key(&r, id, None, &[b"bob"], "dfx_test_key");
    let other_vk = VerifyingKey::from_sec1_bytes(&other.public_key).unwrap();
    assert!(other_vk.verify_prehash(&hash, &sig).is_err());
    let other_hash: [u8; 32] = Sha256::digest(b"something else").into();
    assert!(vk.verify_prehash(&other_hash, &sig).is_err());
    // test_key_1 and key_1 sign too.
    for name in ["test_key_1", "key_1"] {
        let o = sign(&r, id, &hash, path, name, FEE);
        let sig = Signature::from_slice(&dec::<SignWithEcdsaResult>(&o.reply.unwrap()).signature)
            .unwrap();
        let pk = public_key(&r, id, None, path, name);
        VerifyingKey::from_sec1_bytes(&pk.public_key)
            .unwrap()
            .verify_prehash(&hash, &sig)
            .expect("verifies");
    }
}

#[test]
fn too_few_cycles_unknown_keys_and_bad_hashes_are_rejected() {
    let (r, id) = mgmt_caller();
    let hash = [7u8; 32];
    let o = sign(&r, id, &hash, &[], "dfx_test_key", FEE - 1);
    assert_eq!(o.reject_code, 4);
    assert_eq!(
        o.reject_message,
        format!(
            "sign_with_ecdsa request sent with {} cycles, but {FEE} cycles are required.",
            FEE - 1
        )
    );
    assert_eq!(o.refunded, FEE - 1, "a rejected request costs nothing");

    let o = sign(&r, id, &hash, &[], "no_such_key", FEE);
    assert_eq!(o.reject_code, 4);
    assert!(
        o.reject_message
            .contains("unknown threshold key: ecdsa:Secp256k1:no_such_key"),
        "{}",
        o.reject_message
    );
    assert!(
        o.reject_message.contains("dfx_test_key"),
        "names the keys there are: {}",
        o.reject_message
    );
    assert_eq!(o.refunded, FEE);

    let arg = EcdsaPublicKeyArgs {
        canister_id: None,
        derivation_path: vec![],
        key_id: EcdsaKeyId {
            curve: EcdsaCurve::Secp256r1,
            name: "dfx_test_key".into(),
        },
    };
    let o = call_mgmt(&r, id, "ecdsa_public_key", enc(&arg), 0);
    assert_eq!(o.reject_code, 4);
    assert!(
        o.reject_message.contains("ecdsa:Secp256r1:dfx_test_key"),
        "{}",
        o.reject_message
    );

    let o = sign(&r, id, &[1, 2, 3], &[], "dfx_test_key", FEE);
    assert_eq!(o.reject_code, 4);
    assert!(
        o.reject_message.contains("message_hash must be 32 bytes"),
        "{}",
        o.reject_message
    );

    let long: Vec<&[u8]> = vec![b"x"; 256];
    let o = sign(&r, id, &hash, &long, "dfx_test_key", FEE);
    assert_eq!(o.reject_code, 4);
    assert!(
        o.reject_message.contains("at most 255"),
        "{}",
        o.reject_message
    );

    let o = call_mgmt(&r, id, "sign_with_ecdsa", b"not candid".to_vec(), FEE);
    assert_eq!(o.reject_code, 4, "{}", o.reject_message);
}
