//! CBOR helpers: decoding request bodies into a generic value (tolerating the self-describe
//! tag 55799 anywhere) and encoding responses with that tag, as the IC does.

use serde::Serialize;
use serde_cbor::Value;
use std::collections::BTreeMap;

/// Decodes a complete CBOR item, or says why it is not one.
pub fn decode(bytes: &[u8]) -> Result<Value, String> {
    if bytes.is_empty() {
        return Err("the request body is empty; expected a CBOR-encoded envelope".into());
    }
    serde_cbor::from_slice::<Value>(bytes)
        .map(untag)
        .map_err(|e| format!("the request body is not valid CBOR: {e}"))
}

/// Removes semantic tags (e.g. 55799) around a value.
pub fn untag(v: Value) -> Value {
    match v {
        Value::Tag(_, inner) => untag(*inner),
        other => other,
    }
}

/// Encodes `value` as CBOR preceded by the self-describe tag.
pub fn encode_tagged<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut ser = serde_cbor::Serializer::new(Vec::new());
    ser.self_describe().expect("writing to a Vec cannot fail");
    value
        .serialize(&mut ser)
        .expect("our response types always serialize");
    ser.into_inner()
}

/// Builds a CBOR map with text keys.
pub fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    let m: BTreeMap<Value, Value> = entries
        .into_iter()
        .map(|(k, v)| (Value::Text(k.to_string()), v))
        .collect();
    Value::Map(m)
}

/// A short name of a value's CBOR kind, for error messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Bytes(_) => "a byte string",
        Value::Text(_) => "a text string",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        Value::Tag(..) => "a tagged value",
        _ => "an unknown CBOR item",
    }
}
