//! Request ids: the specification's representation-independent hash of a CBOR map
//! (`hash_of_map`), computed over the map exactly as received, so extra fields an agent adds
//! (e.g. `nonce`, `sender_info`) are covered and the id matches what the agent computed.

use serde_cbor::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// A 32-byte request id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub [u8; 32]);

impl RequestId {
    /// The bytes of the id.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn uleb128(mut n: u128) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

fn sleb128(mut n: i128) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        let done = (n == 0 && byte & 0x40 == 0) || (n == -1 && byte & 0x40 != 0);
        if done {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// Unsigned LEB128 of `n` (how the state tree stores numbers such as `/time`).
pub(crate) fn leb128_u64(n: u64) -> Vec<u8> {
    uleb128(n as u128)
}

/// The hash of one value, or the reason it cannot be hashed.
fn hash_value(v: &Value) -> Result<[u8; 32], String> {
    Ok(match v {
        Value::Bytes(b) => sha256(b),
        Value::Text(t) => sha256(t.as_bytes()),
        Value::Integer(i) if *i >= 0 => sha256(&uleb128(*i as u128)),
        Value::Integer(i) => sha256(&sleb128(*i)),
        Value::Array(items) => {
            let mut h = Sha256::new();
            for item in items {
                h.update(hash_value(item)?);
            }
            h.finalize().into()
        }
        Value::Map(_) => hash_of_map(v)?.0,
        Value::Tag(_, inner) => hash_value(inner)?,
        other => {
            return Err(format!(
                "{} cannot be hashed into a request id",
                crate::cbor::kind(other)
            ))
        }
    })
}

/// The representation-independent hash of a CBOR map with text keys.
pub fn hash_of_map(v: &Value) -> Result<RequestId, String> {
    let Value::Map(m) = v else {
        return Err(format!("expected a map, found {}", crate::cbor::kind(v)));
    };
    let mut pairs = Vec::with_capacity(m.len());
    for (k, val) in m {
        if matches!(val, Value::Null) {
            continue; // `null` is an absent optional field (as the IC's typed decoding sees it)
        }
        let Value::Text(key) = k else {
            return Err(format!(
                "map keys must be text strings, found {}",
                crate::cbor::kind(k)
            ));
        };
        let mut pair = [0u8; 64];
        pair[..32].copy_from_slice(&sha256(key.as_bytes()));
        pair[32..].copy_from_slice(&hash_value(val).map_err(|e| format!("field `{key}`: {e}"))?);
        pairs.push(pair);
    }
    pairs.sort_unstable();
    let mut h = Sha256::new();
    for p in &pairs {
        h.update(p);
    }
    Ok(RequestId(h.finalize().into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::map;

    /// The example calculation published in the IC interface specification ("Request ids").
    #[test]
    fn spec_test_vector() {
        let content = map([
            ("request_type", Value::Text("call".into())),
            ("sender", Value::Bytes(vec![0x04])),
            ("ingress_expiry", Value::Integer(1_685_570_400_000_000_000)),
            (
                "canister_id",
                Value::Bytes(vec![0, 0, 0, 0, 0, 0, 0x04, 0xD2]),
            ),
            ("method_name", Value::Text("hello".into())),
            ("arg", Value::Bytes(b"DIDL\x00\xFD*".to_vec())),
        ]);
        assert_eq!(
            hex::encode(hash_of_map(&content).unwrap().0),
            "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101"
        );
    }

    #[test]
    fn leb128_examples_from_the_spec() {
        assert_eq!(uleb128(0), vec![0]);
        assert_eq!(uleb128(624_485), vec![0xE5, 0x8E, 0x26]);
        assert_eq!(sleb128(0), vec![0]);
        assert_eq!(sleb128(-123_456), vec![0xC0, 0xBB, 0x78]);
    }

    #[test]
    fn nested_map_example_from_the_spec() {
        // hash_of_map({ "reply": { "arg": "DIDL\x00\x00" } })
        let inner = map([("arg", Value::Bytes(b"DIDL\x00\x00".to_vec()))]);
        let outer = map([("reply", inner.clone())]);
        let mut expected = Vec::new();
        expected.extend_from_slice(&sha256(b"reply"));
        expected.extend_from_slice(&hash_of_map(&inner).unwrap().0);
        assert_eq!(hash_of_map(&outer).unwrap().0, sha256(&expected));
    }

    #[test]
    fn null_fields_count_as_absent() {
        let with_null = map([("a", Value::Integer(1)), ("nonce", Value::Null)]);
        assert_eq!(
            hash_of_map(&with_null).unwrap(),
            hash_of_map(&map([("a", Value::Integer(1))])).unwrap()
        );
    }

    #[test]
    fn floats_are_refused() {
        let content = map([("x", Value::Float(1.5))]);
        assert!(hash_of_map(&content).unwrap_err().contains("field `x`"));
    }
}
