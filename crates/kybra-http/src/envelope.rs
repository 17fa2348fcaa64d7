//! Request envelopes: `{content, sender_pubkey?, sender_sig?, sender_delegation?}` decoded
//! from CBOR into typed [`Content`], with the request id computed over `content` as received
//! and the `ingress_expiry` window checked. Every failure names the field and what was expected.

use crate::cbor::{self, kind};
use crate::error::ApiError;
use crate::request_id::{hash_of_map, RequestId};
use candid::Principal;
use serde_cbor::Value;
use std::collections::BTreeMap;

/// How far in the future `ingress_expiry` may be: the IC's 5 minutes plus 60 s of clock drift.
pub const MAX_INGRESS_TTL_NANOS: u64 = (5 * 60 + 60) * 1_000_000_000;

/// The three kinds of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestType {
    Call,
    Query,
    ReadState,
}

impl RequestType {
    pub fn name(self) -> &'static str {
        match self {
            RequestType::Call => "call",
            RequestType::Query => "query",
            RequestType::ReadState => "read_state",
        }
    }
}

/// The typed `content` of a request.
#[derive(Debug, Clone)]
pub struct Content {
    pub request_type: RequestType,
    pub sender: Principal,
    pub ingress_expiry: u64,
    /// For calls and queries.
    pub canister_id: Principal,
    pub method_name: String,
    pub arg: Vec<u8>,
    /// For `read_state`.
    pub paths: Vec<Vec<Vec<u8>>>,
}

/// One delegation of `sender_delegation`, with the hash its signature covers.
#[derive(Debug, Clone)]
pub struct SignedDelegation {
    pub pubkey: Vec<u8>,
    pub expiration: u64,
    pub targets: Option<Vec<Principal>>,
    /// The representation-independent hash of the `delegation` map.
    pub hash: RequestId,
    pub signature: Vec<u8>,
}

/// A decoded request.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub content: Content,
    pub request_id: RequestId,
    pub sender_pubkey: Option<Vec<u8>>,
    pub sender_sig: Option<Vec<u8>>,
    pub sender_delegation: Option<Vec<SignedDelegation>>,
}

type Map = BTreeMap<Value, Value>;

/// A field's value; `null` counts as absent (some agents, e.g. ic-py, send `null` for
/// missing optional fields, and the IC accepts that).
fn field<'a>(m: &'a Map, name: &str) -> Option<&'a Value> {
    m.get(&Value::Text(name.to_string()))
        .filter(|v| !matches!(v, Value::Null))
}

fn as_map<'a>(v: &'a Value, what: &str) -> Result<&'a Map, ApiError> {
    match v {
        Value::Map(m) => Ok(m),
        Value::Tag(_, inner) => as_map(inner, what),
        other => Err(ApiError::bad_request(format!(
            "{what} must be a CBOR map, found {}",
            kind(other)
        ))),
    }
}

fn req<'a>(m: &'a Map, name: &str, what: &str) -> Result<&'a Value, ApiError> {
    field(m, name).ok_or_else(|| {
        ApiError::bad_request(format!("{what} is missing the required field `{name}`"))
    })
}

fn bytes(v: &Value, what: &str) -> Result<Vec<u8>, ApiError> {
    match v {
        Value::Bytes(b) => Ok(b.clone()),
        Value::Tag(_, inner) => bytes(inner, what),
        other => Err(ApiError::bad_request(format!(
            "`{what}` must be a byte string, found {}",
            kind(other)
        ))),
    }
}

fn text(v: &Value, what: &str) -> Result<String, ApiError> {
    match v {
        Value::Text(t) => Ok(t.clone()),
        other => Err(ApiError::bad_request(format!(
            "`{what}` must be a text string, found {}",
            kind(other)
        ))),
    }
}

fn nat64(v: &Value, what: &str) -> Result<u64, ApiError> {
    match v {
        Value::Integer(i) => u64::try_from(*i).map_err(|_| {
            ApiError::bad_request(format!(
                "`{what}` must be a natural number below 2^64, found {i}"
            ))
        }),
        other => Err(ApiError::bad_request(format!(
            "`{what}` must be a natural number, found {}",
            kind(other)
        ))),
    }
}

fn principal(v: &Value, what: &str) -> Result<Principal, ApiError> {
    let b = bytes(v, what)?;
    Principal::try_from_slice(&b).map_err(|e| {
        ApiError::bad_request(format!(
            "`{what}` is not a valid principal ({} bytes): {e}",
            b.len()
        ))
    })
}

/// Decodes a request body into an [`Envelope`].
pub fn parse(body: &[u8]) -> Result<Envelope, ApiError> {
    let value = cbor::decode(body).map_err(ApiError::bad_request)?;
    let env = as_map(&value, "the request envelope")?;
    for key in env.keys() {
        match key {
            Value::Text(k) if ["content", "sender_pubkey", "sender_sig", "sender_delegation"].contains(&k.as_str()) => {}
            Value::Text(k) => {
                return Err(ApiError::bad_request(format!(
                    "unknown envelope field `{k}`; an envelope has `content`, `sender_pubkey`, `sender_sig` and `sender_delegation`"
                )))
            }
            other => return Err(ApiError::bad_request(format!("envelope keys must be text, found {}", kind(other)))),
        }
    }
    let content_value = req(env, "content", "the envelope")?;
    let content_map = as_map(content_value, "`content`")?;
    let request_id = hash_of_map(&cbor::untag(content_value.clone())).map_err(|e| {
        ApiError::bad_request(format!("cannot compute the request id of `content`: {e}"))
    })?;
    let content = parse_content(content_map)?;
    let sender_pubkey = field(env, "sender_pubkey")
        .map(|v| bytes(v, "sender_pubkey"))
        .transpose()?;
    let sender_sig = field(env, "sender_sig")
        .map(|v| bytes(v, "sender_sig"))
        .transpose()?;
    let sender_delegation = field(env, "sender_delegation")
        .map(parse_delegations)
        .transpose()?;
    Ok(Envelope {
        content,
        request_id,
        sender_pubkey,
        sender_sig,
        sender_delegation,
    })
}

fn parse_content(m: &Map) -> Result<Content, ApiError> {
    let what = "`content`";
    let request_type = match text(req(m, "request_type", what)?, "request_type")?.as_str() {
        "call" => RequestType::Call,
        "query" => RequestType::Query,
        "read_state" => RequestType::ReadState,
        other => {
            return Err(ApiError::bad_request(format!(
                "unknown request_type `{other}`; expected `call`, `query` or `read_state`"
            )))
        }
    };
    let sender = principal(req(m, "sender", what)?, "sender")?;
    let ingress_expiry = nat64(req(m, "ingress_expiry", what)?, "ingress_expiry")?;
    if let Some(nonce) = field(m, "nonce") {
        let n = bytes(nonce, "nonce")?;
        if n.len() > 32 {
            return Err(ApiError::bad_request(format!(
                "`nonce` is {} bytes; at most 32 are allowed",
                n.len()
            )));
        }
    }
    let mut content = Content {
        request_type,
        sender,
        ingress_expiry,
        canister_id: Principal::management_canister(),
        method_name: String::new(),
        arg: Vec::new(),
        paths: Vec::new(),
    };
    match request_type {
        RequestType::Call | RequestType::Query => {
            content.canister_id = principal(req(m, "canister_id", what)?, "canister_id")?;
            content.method_name = text(req(m, "method_name", what)?, "method_name")?;
            content.arg = bytes(req(m, "arg", what)?, "arg")?;
        }
        RequestType::ReadState => {
            let Value::Array(paths) = req(m, "paths", what)? else {
                return Err(ApiError::bad_request(
                    "`paths` must be an array of paths (arrays of byte strings)",
                ));
            };
            if paths.len() > 1000 {
                return Err(ApiError::bad_request(format!(
                    "{} paths requested; at most 1000 are allowed",
                    paths.len()
                )));
            }
            for p in paths {
                let Value::Array(labels) = p else {
                    return Err(ApiError::bad_request(format!(
                        "each path must be an array of byte strings, found {}",
                        kind(p)
                    )));
                };
                if labels.len() > 127 {
                    return Err(ApiError::bad_request("a path may have at most 127 labels"));
                }
                content.paths.push(
                    labels
                        .iter()
                        .map(|l| bytes(l, "paths[..][..]"))
                        .collect::<Result<_, _>>()?,
                );
            }
        }
    }
    Ok(content)
}

fn parse_delegations(v: &Value) -> Result<Vec<SignedDelegation>, ApiError> {
    let Value::Array(items) = v else {
        return Err(ApiError::bad_request(format!(
            "`sender_delegation` must be an array, found {}",
            kind(v)
        )));
    };
    if items.len() > 20 {
        return Err(ApiError::bad_request(format!(
            "{} delegations given; at most 20 are allowed",
            items.len()
        )));
    }
    items
        .iter()
        .map(|item| {
            let m = as_map(item, "each signed delegation")?;
            let dv = req(m, "delegation", "a signed delegation")?;
            let d = as_map(dv, "`delegation`")?;
            let hash = hash_of_map(&cbor::untag(dv.clone()))
                .map_err(|e| ApiError::bad_request(format!("cannot hash a delegation: {e}")))?;
            let targets = match field(d, "targets") {
                None => None,
                Some(Value::Array(ts)) => {
                    if ts.len() > 1000 {
                        return Err(ApiError::bad_request(
                            "a delegation may list at most 1000 targets",
                        ));
                    }
                    Some(
                        ts.iter()
                            .map(|t| principal(t, "targets[..]"))
                            .collect::<Result<_, _>>()?,
                    )
                }
                Some(other) => {
                    return Err(ApiError::bad_request(format!(
                        "`targets` must be an array, found {}",
                        kind(other)
                    )))
                }
            };
            Ok(SignedDelegation {
                pubkey: bytes(req(d, "pubkey", "a delegation")?, "pubkey")?,
                expiration: nat64(req(d, "expiration", "a delegation")?, "expiration")?,
                targets,
                hash,
                signature: bytes(req(m, "signature", "a signed delegation")?, "signature")?,
            })
        })
        .collect()
}

fn fmt_time(nanos: u64) -> String {
    // RFC 3339 in UTC without pulling in a date crate.
    let secs = (nanos / 1_000_000_000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z ({nanos} ns)",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Checks `ingress_expiry` against the replica's time `now`.
pub fn check_expiry(content: &Content, now: u64) -> Result<(), ApiError> {
    let max = now.saturating_add(MAX_INGRESS_TTL_NANOS);
    if content.ingress_expiry < now || content.ingress_expiry > max {
        return Err(ApiError::bad_request(format!(
            "Invalid request expiry: Specified ingress_expiry not within expected range: \
             Minimum allowed expiry: {}, Maximum allowed expiry: {}, Provided expiry: {}. \
             Check that your computer's clock is right (the replica's clock is its host's).",
            fmt_time(now),
            fmt_time(max),
            fmt_time(content.ingress_expiry)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cbor::{encode_tagged, map};

    fn call_content() -> Value {
        map([
            ("request_type", Value::Text("call".into())),
            ("sender", Value::Bytes(vec![4])),
            ("ingress_expiry", Value::Integer(1_685_570_400_000_000_000)),
            (
                "canister_id",
                Value::Bytes(vec![0, 0, 0, 0, 0, 0, 0x04, 0xD2]),
            ),
            ("method_name", Value::Text("hello".into())),
            ("arg", Value::Bytes(b"DIDL\x00\xFD*".to_vec())),
        ])
    }

    #[test]
    fn parses_a_call_and_computes_the_spec_request_id() {
        let body = encode_tagged(&map([("content", call_content())]));
        let env = parse(&body).unwrap();
        assert_eq!(env.content.request_type, RequestType::Call);
        assert_eq!(env.content.method_name, "hello");
        assert_eq!(env.content.sender, Principal::anonymous());
        assert_eq!(
            hex::encode(env.request_id.0),
            "1d1091364d6bb8a6c16b203ee75467d59ead468f523eb058880ae8ec80e2b101"
        );
    }

    #[test]
    fn reports_missing_and_mistyped_fields() {
        let Value::Map(mut m) = call_content() else {
            unreachable!()
        };
        m.remove(&Value::Text("method_name".into()));
        let err = parse(&encode_tagged(&map([("content", Value::Map(m.clone()))]))).unwrap_err();
        assert!(err.message.contains("`method_name`"), "{}", err.message);
        m.insert(Value::Text("method_name".into()), Value::Integer(3));
        let err = parse(&encode_tagged(&map([("content", Value::Map(m))]))).unwrap_err();
        assert!(
            err.message.contains("must be a text string"),
            "{}",
            err.message
        );
        assert!(parse(b"\xff\x00garbage")
            .unwrap_err()
            .message
            .contains("not valid CBOR"));
        assert!(parse(b"").unwrap_err().message.contains("empty"));
    }

    #[test]
    fn expiry_window() {
        let env = parse(&encode_tagged(&map([("content", call_content())]))).unwrap();
        let exp = env.content.ingress_expiry;
        assert!(check_expiry(&env.content, exp - 60_000_000_000).is_ok());
        let err = check_expiry(&env.content, exp + 1).unwrap_err();
        assert!(
            err.message.contains("Invalid request expiry"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("2023-05-31T22:00:00Z"),
            "{}",
            err.message
        );
        assert!(check_expiry(&env.content, exp - MAX_INGRESS_TTL_NANOS - 1).is_err());
    }
}
