//! Sender authentication: anonymous requests carry no keys; other senders must be the
//! self-authenticating id of `sender_pubkey` and sign `\x0Aic-request · request_id` with it
//! (or with the last key of a delegation chain). Supported keys: Ed25519, ECDSA secp256k1
//! and ECDSA P-256 (DER `SubjectPublicKeyInfo`). Canister signatures (Internet Identity) are
//! refused with a message saying so.

use crate::envelope::Envelope;
use crate::error::ApiError;
use candid::Principal;

const REQUEST_DOMAIN: &[u8] = b"\x0Aic-request";
const DELEGATION_DOMAIN: &[u8] = b"\x1Aic-request-auth-delegation";
/// OID 1.3.6.1.4.1.56387.1.2 (canister signature public keys), DER-encoded.
const CANISTER_SIG_OID: &[u8] = &[
    0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb8, 0x43, 0x01, 0x02,
];

/// Checks that the request is anonymous or correctly signed by its sender at time `now`.
pub fn authenticate(env: &Envelope, now: u64) -> Result<(), ApiError> {
    let sender = env.content.sender;
    if sender == Principal::anonymous() {
        if env.sender_pubkey.is_some()
            || env.sender_sig.is_some()
            || env.sender_delegation.is_some()
        {
            return Err(ApiError::bad_request(
                "the anonymous sender (2vxsx-fae) must not carry `sender_pubkey`, `sender_sig` or `sender_delegation`",
            ));
        }
        return Ok(());
    }
    let (Some(pubkey), Some(sig)) = (&env.sender_pubkey, &env.sender_sig) else {
        return Err(ApiError::bad_request(format!(
            "sender {sender} is not anonymous, so the envelope needs `sender_pubkey` and `sender_sig` \
             (use the anonymous principal or a signing identity)"
        )));
    };
    let expected = Principal::self_authenticating(pubkey);
    if sender != expected {
        return Err(ApiError::bad_request(format!(
            "sender {sender} is not the self-authenticating principal of `sender_pubkey` (which is {expected})"
        )));
    }
    let mut signing_key: &[u8] = pubkey;
    let mut seen: Vec<&[u8]> = vec![pubkey];
    for (i, d) in env.sender_delegation.iter().flatten().enumerate() {
        let mut msg = DELEGATION_DOMAIN.to_vec();
        msg.extend_from_slice(d.hash.as_bytes());
        verify(signing_key, &msg, &d.signature).map_err(|e| {
            ApiError::bad_request(format!("delegation {i} has an invalid signature: {e}"))
        })?;
        if d.expiration < now {
            return Err(ApiError::bad_request(format!(
                "delegation {i} expired at {} ns (now is {now} ns); log in again to get a fresh delegation",
                d.expiration
            )));
        }
        if let Some(targets) = &d.targets {
            if env.content.request_type != crate::envelope::RequestType::ReadState
                && !targets.contains(&env.content.canister_id)
            {
                return Err(ApiError::bad_request(format!(
                    "delegation {i} does not allow requests to canister {}",
                    env.content.canister_id
                )));
            }
        }
        if seen.contains(&d.pubkey.as_slice()) {
            return Err(ApiError::bad_request(format!(
                "delegation {i} repeats a key of the chain (cycles are not allowed)"
            )));
        }
        seen.push(&d.pubkey);
        signing_key = &d.pubkey;
    }
    let mut msg = REQUEST_DOMAIN.to_vec();
    msg.extend_from_slice(env.request_id.as_bytes());
    verify(signing_key, &msg, sig)
        .map_err(|e| ApiError::bad_request(format!("invalid `sender_sig`: {e}")))
}

/// Verifies `sig` over `msg` with a DER-encoded public key of a supported scheme.
fn verify(der: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), String> {
    use k256::pkcs8::DecodePublicKey;
    if let Ok(pk) = ic_ed25519::PublicKey::deserialize_rfc8410_der(der) {
        return pk
            .verify_signature(msg, sig)
            .map_err(|e| format!("Ed25519 signature does not verify ({e:?})"));
    }
    if let Ok(pk) = k256::ecdsa::VerifyingKey::from_public_key_der(der) {
        use k256::ecdsa::signature::Verifier;
        let s = k256::ecdsa::Signature::from_slice(sig).map_err(|_| {
            format!(
                "an ECDSA secp256k1 signature must be 64 bytes r||s, got {} bytes",
                sig.len()
            )
        })?;
        return pk
            .verify(msg, &s)
            .map_err(|_| "ECDSA secp256k1 signature does not verify".to_string());
    }
    if let Ok(pk) = p256::ecdsa::VerifyingKey::from_public_key_der(der) {
        use p256::ecdsa::signature::Verifier;
        let s = p256::ecdsa::Signature::from_slice(sig).map_err(|_| {
            format!(
                "an ECDSA P-256 signature must be 64 bytes r||s, got {} bytes",
                sig.len()
            )
        })?;
        return pk
            .verify(msg, &s)
            .map_err(|_| "ECDSA P-256 signature does not verify".to_string());
    }
    if der
        .windows(CANISTER_SIG_OID.len())
        .any(|w| w == CANISTER_SIG_OID)
    {
        return Err(
            "canister signatures (Internet Identity) are not supported by this local replica yet"
                .into(),
        );
    }
    Err(format!(
        "unsupported public key ({} bytes); use an Ed25519, ECDSA secp256k1 or ECDSA P-256 key in DER form",
        der.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{encode_tagged, map};
    use serde_cbor::Value;

    fn signed_body(key: &ic_ed25519::PrivateKey, tamper_sender: bool) -> Vec<u8> {
        let der = key.public_key().serialize_rfc8410_der();
        let sender = if tamper_sender {
            vec![1, 2, 3]
        } else {
            Principal::self_authenticating(&der).as_slice().to_vec()
        };
        let content = map([
            ("request_type", Value::Text("query".into())),
            ("sender", Value::Bytes(sender)),
            ("ingress_expiry", Value::Integer(10)),
            ("canister_id", Value::Bytes(vec![1])),
            ("method_name", Value::Text("m".into())),
            ("arg", Value::Bytes(vec![])),
        ]);
        let rid = crate::request_id::hash_of_map(&content).unwrap();
        let mut msg = REQUEST_DOMAIN.to_vec();
        msg.extend_from_slice(&rid.0);
        let sig = key.sign_message(&msg).to_vec();
        encode_tagged(&map([
            ("content", content),
            ("sender_pubkey", Value::Bytes(der)),
            ("sender_sig", Value::Bytes(sig)),
        ]))
    }

    #[test]
    fn ed25519_signed_requests() {
        let key = ic_ed25519::PrivateKey::generate_from_seed(b"test key");
        let env = crate::envelope::parse(&signed_body(&key, false)).unwrap();
        authenticate(&env, 0).unwrap();
        let mut bad = env.clone();
        bad.request_id.0[0] ^= 1;
        assert!(authenticate(&bad, 0)
            .unwrap_err()
            .message
            .contains("invalid `sender_sig`"));
        let env = crate::envelope::parse(&signed_body(&key, true)).unwrap();
        assert!(authenticate(&env, 0)
            .unwrap_err()
            .message
            .contains("self-authenticating"));
    }

    #[test]
    fn secp256k1_signatures() {
        use k256::ecdsa::signature::Signer;
        use k256::pkcs8::EncodePublicKey;
        let sk = k256::ecdsa::SigningKey::from_slice(&[5u8; 32]).unwrap();
        let der = sk
            .verifying_key()
            .to_public_key_der()
            .unwrap()
            .as_bytes()
            .to_vec();
        let sig: k256::ecdsa::Signature = sk.sign(b"hello");
        verify(&der, b"hello", &sig.to_bytes()).unwrap();
        assert!(verify(&der, b"other", &sig.to_bytes()).is_err());
    }
}
