//! The replica's keys: the BLS12-381 root key that signs certificates (its DER form is the
//! `root_key` of `/api/v2/status`, and its self-authenticating id is the subnet id), and the
//! node's Ed25519 key that signs query responses (published under
//! `/subnet/<subnet_id>/node/<node_id>/public_key`).

use candid::Principal;
use ic_verify_bls_signature::PrivateKey as BlsKey;
use sha2::{Digest, Sha256};

/// DER prefix of a BLS12-381 G2 public key as the IC encodes it (followed by 96 key bytes).
const BLS_DER_PREFIX: [u8; 37] = [
    0x30, 0x81, 0x82, 0x30, 0x1d, 0x06, 0x0d, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05,
    0x03, 0x01, 0x02, 0x01, 0x06, 0x0c, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xdc, 0x7c, 0x05, 0x03,
    0x02, 0x01, 0x03, 0x61, 0x00,
];

/// Domain separator of certificate signatures.
const STATE_ROOT_DOMAIN: &[u8] = b"\x0Dic-state-root";

/// The key material of one local replica (root key + one node).
#[derive(Clone)]
pub struct ReplicaKeys {
    bls: BlsKey,
    node: ic_ed25519::PrivateKey,
    root_key_der: Vec<u8>,
    node_key_der: Vec<u8>,
    subnet_id: Principal,
    node_id: Principal,
}

impl std::fmt::Debug for ReplicaKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplicaKeys")
            .field("subnet_id", &self.subnet_id)
            .field("node_id", &self.node_id)
            .finish()
    }
}

impl ReplicaKeys {
    /// Fresh random keys (from the operating system's randomness).
    pub fn generate() -> Self {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).expect("the operating system provides randomness");
        Self::from_seed(&seed)
    }

    /// Keys derived deterministically from `seed` (keep the seed to keep the root key across
    /// restarts; tests use it for reproducible certificates).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let mut counter = 0u32;
        let bls = loop {
            let candidate: [u8; 32] = Sha256::new()
                .chain_update(b"kybra-replica bls root key")
                .chain_update(seed)
                .chain_update(counter.to_be_bytes())
                .finalize()
                .into();
            if let Ok(k) = BlsKey::deserialize(&candidate) {
                break k;
            }
            counter += 1;
        };
        let node_seed: [u8; 32] = Sha256::new()
            .chain_update(b"kybra-replica node key")
            .chain_update(seed)
            .finalize()
            .into();
        let node = ic_ed25519::PrivateKey::deserialize_raw_32(&node_seed);
        let mut root_key_der = BLS_DER_PREFIX.to_vec();
        root_key_der.extend_from_slice(&bls.public_key().serialize());
        let node_key_der = node.public_key().serialize_rfc8410_der();
        let subnet_id = Principal::self_authenticating(&root_key_der);
        let node_id = Principal::self_authenticating(&node_key_der);
        ReplicaKeys {
            bls,
            node,
            root_key_der,
            node_key_der,
            subnet_id,
            node_id,
        }
    }

    /// DER encoding of the root public key (what `/api/v2/status` reports as `root_key`).
    pub fn root_key_der(&self) -> &[u8] {
        &self.root_key_der
    }

    /// DER encoding of the node's Ed25519 public key.
    pub fn node_key_der(&self) -> &[u8] {
        &self.node_key_der
    }

    /// The subnet id: the self-authenticating id of the DER root key.
    pub fn subnet_id(&self) -> Principal {
        self.subnet_id
    }

    /// The node id: the self-authenticating id of the node's DER public key.
    pub fn node_id(&self) -> Principal {
        self.node_id
    }

    /// Signs a state-tree root hash for a certificate (48-byte compressed G1 point).
    pub(crate) fn sign_root_hash(&self, root_hash: &[u8; 32]) -> Vec<u8> {
        let mut msg = STATE_ROOT_DOMAIN.to_vec();
        msg.extend_from_slice(root_hash);
        self.bls.sign(&msg).serialize().to_vec()
    }

    /// Signs a message with the node key (64-byte Ed25519 signature).
    pub(crate) fn node_sign(&self, msg: &[u8]) -> Vec<u8> {
        self.node.sign_message(msg).to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificate_signature_verifies_with_the_published_key() {
        let keys = ReplicaKeys::from_seed(&[7; 32]);
        let root_hash = [42u8; 32];
        let sig = keys.sign_root_hash(&root_hash);
        let mut msg = STATE_ROOT_DOMAIN.to_vec();
        msg.extend_from_slice(&root_hash);
        let pk = &keys.root_key_der()[BLS_DER_PREFIX.len()..];
        assert_eq!(keys.root_key_der().len(), 133);
        ic_verify_bls_signature::verify_bls_signature(&sig, &msg, pk).expect("valid signature");
        assert!(ic_verify_bls_signature::verify_bls_signature(&sig, b"other", pk).is_err());
    }

    #[test]
    fn seeds_are_deterministic_and_distinct() {
        let a = ReplicaKeys::from_seed(&[1; 32]);
        assert_eq!(
            a.root_key_der(),
            ReplicaKeys::from_seed(&[1; 32]).root_key_der()
        );
        assert_ne!(
            a.root_key_der(),
            ReplicaKeys::from_seed(&[2; 32]).root_key_der()
        );
        assert_eq!(a.node_key_der().len(), 44);
        assert_eq!(a.subnet_id().as_slice().len(), 29);
    }
}
