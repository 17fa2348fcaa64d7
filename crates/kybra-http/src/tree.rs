//! Labeled state trees and certificates: a [`LabeledTree`] (sorted labels, leaves of bytes)
//! becomes an `ic-certification` hash tree (forks balanced, labels strictly increasing, as the
//! specification requires for lookups), and a [`certificate`] signs its root hash with the
//! replica's BLS key.

use crate::keys::ReplicaKeys;
use ic_certification::hash_tree::{empty, fork, label, leaf, HashTree};
use ic_certification::Certificate;
use std::collections::BTreeMap;

/// A tree of labeled nodes with byte-string leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabeledTree {
    /// A value.
    Leaf(Vec<u8>),
    /// Children, ordered by label bytes.
    SubTree(BTreeMap<Vec<u8>, LabeledTree>),
}

impl LabeledTree {
    /// An empty subtree.
    pub fn new() -> Self {
        LabeledTree::SubTree(BTreeMap::new())
    }

    /// Sets the value at `path` (creating subtrees on the way; replaces what was there).
    pub fn insert(&mut self, path: &[&[u8]], value: LabeledTree) {
        match path.split_first() {
            None => *self = value,
            Some((first, rest)) => {
                if let LabeledTree::Leaf(_) = self {
                    *self = LabeledTree::new();
                }
                let LabeledTree::SubTree(children) = self else {
                    unreachable!()
                };
                children
                    .entry(first.to_vec())
                    .or_insert_with(LabeledTree::new)
                    .insert(rest, value);
            }
        }
    }

    /// The node at `path`, if present.
    pub fn get(&self, path: &[Vec<u8>]) -> Option<&LabeledTree> {
        match path.split_first() {
            None => Some(self),
            Some((first, rest)) => match self {
                LabeledTree::SubTree(children) => children.get(first)?.get(rest),
                LabeledTree::Leaf(_) => None,
            },
        }
    }

    /// The hash tree revealing every node of this tree.
    pub fn to_hash_tree(&self) -> HashTree<Vec<u8>> {
        match self {
            LabeledTree::Leaf(v) => leaf(v.clone()),
            LabeledTree::SubTree(children) => {
                let nodes: Vec<HashTree<Vec<u8>>> = children
                    .iter()
                    .map(|(l, t)| label(l.clone(), t.to_hash_tree()))
                    .collect();
                balanced(nodes)
            }
        }
    }
}

impl Default for LabeledTree {
    fn default() -> Self {
        Self::new()
    }
}

fn balanced(mut nodes: Vec<HashTree<Vec<u8>>>) -> HashTree<Vec<u8>> {
    match nodes.len() {
        0 => empty(),
        1 => nodes.pop().expect("one node"),
        n => {
            let right = nodes.split_off(n / 2);
            fork(balanced(nodes), balanced(right))
        }
    }
}

/// A CBOR-encoded certificate (self-describe tagged) for `tree`, signed by the root key.
pub fn certificate(keys: &ReplicaKeys, tree: &LabeledTree) -> Vec<u8> {
    let tree = tree.to_hash_tree();
    let signature = keys.sign_root_hash(&tree.digest());
    let cert = Certificate {
        tree,
        signature,
        delegation: None,
    };
    crate::cbor::encode_tagged(&cert)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ic_certification::LookupResult;

    #[test]
    fn lookups_find_values_and_prove_absence() {
        let mut t = LabeledTree::new();
        t.insert(&[b"time"], LabeledTree::Leaf(vec![1]));
        t.insert(
            &[b"request_status", b"abc", b"status"],
            LabeledTree::Leaf(b"replied".to_vec()),
        );
        t.insert(
            &[b"request_status", b"abc", b"reply"],
            LabeledTree::Leaf(b"DIDL".to_vec()),
        );
        t.insert(
            &[b"subnet", b"s", b"public_key"],
            LabeledTree::Leaf(vec![9]),
        );
        let h = t.to_hash_tree();
        assert_eq!(
            h.lookup_path([b"time".as_ref()]),
            LookupResult::Found(&[1][..])
        );
        assert_eq!(
            h.lookup_path([b"request_status".as_ref(), b"abc", b"reply"]),
            LookupResult::Found(&b"DIDL"[..])
        );
        assert_eq!(
            h.lookup_path([b"request_status".as_ref(), b"abd", b"status"]),
            LookupResult::Absent
        );
        assert_eq!(h.lookup_path([b"canister".as_ref()]), LookupResult::Absent);
        assert_eq!(h.lookup_path([b"zzz".as_ref()]), LookupResult::Absent);
    }

    #[test]
    fn certificate_decodes_and_verifies() {
        let keys = ReplicaKeys::from_seed(&[3; 32]);
        let mut t = LabeledTree::new();
        t.insert(&[b"time"], LabeledTree::Leaf(vec![5]));
        let bytes = certificate(&keys, &t);
        assert_eq!(&bytes[..3], &[0xd9, 0xd9, 0xf7]);
        let cert: Certificate = serde_cbor::from_slice(&bytes).unwrap();
        let mut msg = b"\x0Dic-state-root".to_vec();
        msg.extend_from_slice(&cert.tree.digest());
        ic_verify_bls_signature::verify_bls_signature(
            &cert.signature,
            &msg,
            &keys.root_key_der()[37..],
        )
        .unwrap();
    }
}
