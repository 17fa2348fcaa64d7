//! vetKD of the management canister, called by a Rust canister (`tests/canisters/rust_mgmt`)
//! and checked with DFINITY's client library `ic-vetkeys`: encrypted keys decrypt and verify
//! against the derived public key, context sub-keys derive offline as the IC's do, keys
//! depend on canister, context, input and key name; fees and rejects are the IC's.

mod common;

use candid::Principal;
use common::*;
use ic_management_canister_types::{
    VetKDCurve, VetKDDeriveKeyArgs, VetKDDeriveKeyResult, VetKDKeyId, VetKDPublicKeyArgs,
    VetKDPublicKeyResult,
};
use ic_vetkeys::{DerivedPublicKey, EncryptedVetKey, TransportSecretKey, VetKey};
use kybra_replica::Replica;

const FEE: u128 = 10_000_000_000;

fn key(name: &str) -> VetKDKeyId {
    VetKDKeyId {
        curve: VetKDCurve::Bls12_381_G2,
        name: name.into(),
    }
}

fn public_key(
    r: &Replica,
    id: Principal,
    name: &str,
    of: Option<Principal>,
    context: &[u8],
) -> Vec<u8> {
    let args = VetKDPublicKeyArgs {
        canister_id: of,
        context: context.to_vec(),
        key_id: key(name),
    };
    let o = call_mgmt(r, id, "vetkd_public_key", enc(&args), 0);
    assert_eq!(o.reject_code, 0, "{}", o.reject_message);
    dec::<VetKDPublicKeyResult>(&o.reply.unwrap()).public_key
}

fn derive_key(
    r: &Replica,
    id: Principal,
    name: &str,
    context: &[u8],
    input: &[u8],
    transport: Vec<u8>,
    cycles: u128,
) -> Outcome {
    let args = VetKDDeriveKeyArgs {
        input: input.to_vec(),
        context: context.to_vec(),
        transport_public_key: transport,
        key_id: key(name),
    };
    call_mgmt(r, id, "vetkd_derive_key", enc(&args), cycles)
}

fn transport_key(seed: u8) -> TransportSecretKey {
    TransportSecretKey::from_seed(vec![seed; 32]).unwrap()
}

/// The vetKey of `input`, decrypted and verified by `ic-vetkeys`.
fn vetkey(
    r: &Replica,
    id: Principal,
    context: &[u8],
    input: &[u8],
    tsk: &TransportSecretKey,
) -> VetKey {
    let o = derive_key(
        r,
        id,
        "dfx_test_key",
        context,
        input,
        tsk.public_key(),
        FEE + 5,
    );
    assert_eq!(o.reject_code, 0, "{}", o.reject_message);
    assert_eq!(o.refunded, 5, "the fee is taken and the rest refunded");
    let encrypted = dec::<VetKDDeriveKeyResult>(&o.reply.unwrap()).encrypted_key;
    assert_eq!(encrypted.len(), 192);
    let dpk =
        DerivedPublicKey::deserialize(&public_key(r, id, "dfx_test_key", None, context)).unwrap();
    EncryptedVetKey::deserialize(&encrypted)
        .unwrap()
        .decrypt_and_verify(tsk, &dpk, input)
        .expect("the vetKey decrypts and verifies as a BLS signature of the input")
}

#[test]
fn derived_keys_decrypt_and_verify_with_ic_vetkeys() {
    let (r, id) = mgmt_caller();
    let k = vetkey(&r, id, b"notes", b"alice", &transport_key(1));
    // The same key through another transport key; another input or context is another key.
    assert_eq!(
        k.signature_bytes(),
        vetkey(&r, id, b"notes", b"alice", &transport_key(2)).signature_bytes()
    );
    assert_ne!(
        k.signature_bytes(),
        vetkey(&r, id, b"notes", b"bob", &transport_key(1)).signature_bytes()
    );
    assert_ne!(
        k.signature_bytes(),
        vetkey(&r, id, b"other", b"alice", &transport_key(1)).signature_bytes()
    );
    assert_ne!(
        k.signature_bytes(),
        vetkey(&r, id, b"", b"alice", &transport_key(1)).signature_bytes()
    );
    assert_eq!(k.derive_symmetric_key("app", 32).len(), 32);
    // A key decrypted against the wrong public key or input fails verification.
    let o = derive_key(
        &r,
        id,
        "dfx_test_key",
        b"notes",
        b"alice",
        transport_key(1).public_key(),
        FEE,
    );
    let encrypted =
        EncryptedVetKey::deserialize(&dec::<VetKDDeriveKeyResult>(&o.reply.unwrap()).encrypted_key)
            .unwrap();
    let other =
        DerivedPublicKey::deserialize(&public_key(&r, id, "dfx_test_key", None, b"other")).unwrap();
    assert!(encrypted
        .decrypt_and_verify(&transport_key(1), &other, b"alice")
        .is_err());
    let right =
        DerivedPublicKey::deserialize(&public_key(&r, id, "dfx_test_key", None, b"notes")).unwrap();
    assert!(encrypted
        .decrypt_and_verify(&transport_key(1), &right, b"bob")
        .is_err());
    assert!(encrypted
        .decrypt_and_verify(&transport_key(2), &right, b"alice")
        .is_err());
}

#[test]
fn public_keys_derive_as_the_ics() {
    let (r, id) = mgmt_caller();
    let canister_key = public_key(&r, id, "dfx_test_key", None, b"");
    assert_eq!(canister_key.len(), 96);
    // The context step, done offline by the client library, gives the replica's key.
    let offline = DerivedPublicKey::deserialize(&canister_key)
        .unwrap()
        .derive_sub_key(b"notes");
    assert_eq!(
        offline.serialize(),
        public_key(&r, id, "dfx_test_key", None, b"notes")
    );
    // Another canister's key, asked for by id; another key name.
    assert_eq!(
        canister_key,
        public_key(&r, id, "dfx_test_key", Some(id), b"")
    );
    assert_ne!(
        canister_key,
        public_key(&r, id, "dfx_test_key", Some(user()), b"")
    );
    assert_ne!(canister_key, public_key(&r, id, "test_key_1", None, b""));
}

#[test]
fn fees_bad_transport_keys_and_unknown_keys_are_rejects() {
    let (r, id) = mgmt_caller();
    let tpk = transport_key(1).public_key();
    let short = derive_key(&r, id, "dfx_test_key", b"", b"x", tpk.clone(), FEE - 1);
    assert_eq!(short.reject_code, 4);
    assert!(
        short.reject_message.contains("cycles are required"),
        "{}",
        short.reject_message
    );
    assert_eq!(short.refunded, FEE - 1);
    for bad in [vec![1u8; 48], vec![], tpk[..47].to_vec()] {
        let o = derive_key(&r, id, "dfx_test_key", b"", b"x", bad, FEE);
        assert_eq!(o.reject_code, 4);
        assert!(
            o.reject_message.contains("transport public key"),
            "{}",
            o.reject_message
        );
        assert_eq!(o.refunded, FEE);
    }
    let unknown = derive_key(&r, id, "no_such_key", b"", b"x", tpk, FEE);
    assert_eq!(unknown.reject_code, 4);
    assert!(
        unknown
            .reject_message
            .contains("unknown threshold key: vetkd:bls12_381_g2:no_such_key")
            && unknown
                .reject_message
                .contains("vetkd:bls12_381_g2:test_key_1"),
        "{}",
        unknown.reject_message
    );
}
