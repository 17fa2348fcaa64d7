//! The Candid side of the HTTP gateway protocol: encoding the `HttpRequest` record and
//! decoding `HttpResponse` / `StreamingCallbackHttpResponse` by field name.
//!
//! Promises: responses are read with the types they were sent with (the message's own type
//! table), so any canister type that has the specification's fields works — extra fields
//! are ignored, `opt` fields may be missing, any number type in range is a status code. The
//! streaming token is passed back exactly as the canister sent it: its value is re-encoded
//! with its wire type, whatever that type is. Every malformed response is a [`WireError`]
//! that says which field was wrong.

use candid::binary_parser::Header;
use candid::types::value::{IDLArgs, IDLField, IDLValue};
use candid::types::{Type, TypeEnv, TypeInner};
use candid::{idl_hash, CandidType, Principal};
use serde_bytes::ByteBuf;

/// What was wrong with a canister's answer.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    /// Not a Candid message at all.
    #[error("the reply is not valid Candid: {0}")]
    Candid(String),
    /// A Candid message without the expected record.
    #[error("the reply has no arguments; expected one record")]
    NoValue,
    /// A required field is missing.
    #[error("the reply's record has no field `{0}`")]
    Missing(&'static str),
    /// A field has a value of the wrong type or out of range.
    #[error("field `{field}` is {found}; expected {expected}")]
    Field {
        field: &'static str,
        expected: &'static str,
        found: String,
    },
}

type Result<T> = std::result::Result<T, WireError>;

/// The request record of `http_request` (query) and `http_request_update` (update).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    /// The path and query string, as the client sent them.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(CandidType)]
struct QueryRequest<'a> {
    method: &'a str,
    url: &'a str,
    headers: &'a [(String, String)],
    body: ByteBuf,
    certificate_version: Option<u16>,
}

#[derive(CandidType)]
struct UpdateRequest<'a> {
    method: &'a str,
    url: &'a str,
    headers: &'a [(String, String)],
    body: ByteBuf,
}

impl HttpRequest {
    /// The argument of `http_request`: the specification's record with
    /// `certificate_version = opt 2` (canisters that do not declare it skip it).
    pub fn encode_query(&self) -> Vec<u8> {
        let r = QueryRequest {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: ByteBuf::from(self.body.clone()),
            certificate_version: Some(2),
        };
        candid::encode_one(r).expect("an HttpRequest always encodes")
    }

    /// The argument of `http_request_update` (the specification's `HttpUpdateRequest`).
    pub fn encode_update(&self) -> Vec<u8> {
        let r = UpdateRequest {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            body: ByteBuf::from(self.body.clone()),
        };
        candid::encode_one(r).expect("an HttpRequest always encodes")
    }
}

/// A decoded `HttpResponse`.
#[derive(Debug)]
pub struct HttpResponse {
    pub status_code: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub streaming: Option<Streaming>,
    pub upgrade: bool,
}

/// `streaming_strategy = opt variant { Callback = record { callback; token } }`.
#[derive(Debug, Clone)]
pub struct Streaming {
    /// The callback query: canister and method.
    pub callback: (Principal, String),
    /// The Candid argument of the first callback call (the token, with its own type).
    pub token_arg: Vec<u8>,
}

/// A decoded `StreamingCallbackHttpResponse`.
#[derive(Debug)]
pub struct Chunk {
    pub body: Vec<u8>,
    /// The argument of the next callback call, or `None` when the body is complete.
    pub next_token_arg: Option<Vec<u8>>,
}

/// A value together with the type it was sent with.
struct Typed<'a> {
    env: &'a TypeEnv,
    value: &'a IDLValue,
    ty: Type,
}

/// The first value of a Candid message and its wire type.
struct Message {
    env: TypeEnv,
    value: IDLValue,
    ty: Type,
}

fn read(bytes: &[u8]) -> Result<Message> {
    use binrw::BinRead;
    let header = Header::read_le_args(&mut std::io::Cursor::new(bytes), (None,))
        .map_err(|e| WireError::Candid(e.to_string()))?;
    let (env, types) = header
        .to_types()
        .map_err(|e| WireError::Candid(e.to_string()))?;
    let args = IDLArgs::from_bytes(bytes).map_err(|e| WireError::Candid(e.to_string()))?;
    match (args.args.into_iter().next(), types.into_iter().next()) {
        (Some(value), Some(ty)) => Ok(Message { env, value, ty }),
        _ => Err(WireError::NoValue),
    }
}

impl Message {
    fn typed(&self) -> Typed<'_> {
        Typed {
            env: &self.env,
            value: &self.value,
            ty: self.ty.clone(),
        }
    }
}

fn describe(v: &IDLValue) -> String {
    let text = v.to_string();
    if text.len() > 80 {
        format!("{}…", &text[..text.floor_char_boundary(80)])
    } else {
        text
    }
}

fn wrong(field: &'static str, expected: &'static str, v: &IDLValue) -> WireError {
    WireError::Field {
        field,
        expected,
        found: describe(v),
    }
}

impl<'a> Typed<'a> {
    fn resolved(&self) -> Type {
        self.env
            .trace_type(&self.ty)
            .unwrap_or_else(|_| self.ty.clone())
    }

    /// Field `name` of a record (`None` when absent).
    fn field(&self, name: &'static str) -> Option<Typed<'a>> {
        let IDLValue::Record(fields) = self.value else {
            return None;
        };
        let id = idl_hash(name);
        let value = &fields.iter().find(|f: &&IDLField| f.id.get_id() == id)?.val;
        let ty = match self.resolved().as_ref() {
            TypeInner::Record(fs) => fs
                .iter()
                .find(|f| f.id.get_id() == id)
                .map(|f| f.ty.clone()),
            _ => None,
        };
        Some(Typed {
            env: self.env,
            value,
            ty: ty.unwrap_or_else(|| value.value_ty()),
        })
    }

    /// The value inside an `opt` (`None` for `null`/absent); a bare value is taken as is.
    fn opt(self) -> Option<Typed<'a>> {
        match self.value {
            IDLValue::None | IDLValue::Null | IDLValue::Reserved => None,
            IDLValue::Opt(inner) => {
                let ty = match self.resolved().as_ref() {
                    TypeInner::Opt(t) => t.clone(),
                    _ => inner.value_ty(),
                };
                Some(Typed {
                    env: self.env,
                    value: inner,
                    ty,
                })
            }
            _ => Some(self),
        }
    }

    /// The value re-encoded as a one-argument message with its own type.
    fn encode(&self) -> Result<Vec<u8>> {
        IDLArgs::new(std::slice::from_ref(self.value))
            .to_bytes_with_types(self.env, std::slice::from_ref(&self.ty))
            .map_err(|e| {
                WireError::Candid(format!("the streaming token cannot be re-encoded: {e}"))
            })
    }
}

fn blob(field: &'static str, v: &IDLValue) -> Result<Vec<u8>> {
    match v {
        IDLValue::Blob(b) => Ok(b.clone()),
        IDLValue::Vec(items) => items
            .iter()
            .map(|i| match i {
                IDLValue::Nat8(b) => Ok(*b),
                other => Err(wrong(field, "blob", other)),
            })
            .collect(),
        other => Err(wrong(field, "blob", other)),
    }
}

fn text<'v>(field: &'static str, v: &'v IDLValue) -> Result<&'v str> {
    match v {
        IDLValue::Text(t) => Ok(t),
        other => Err(wrong(field, "text", other)),
    }
}

fn status_code(v: &IDLValue) -> Result<u16> {
    let n: Option<u64> = match v {
        IDLValue::Nat16(n) => Some((*n).into()),
        IDLValue::Nat8(n) => Some((*n).into()),
        IDLValue::Nat32(n) => Some((*n).into()),
        IDLValue::Nat64(n) => Some(*n),
        IDLValue::Nat(n) => n.0.to_string().parse().ok(),
        _ => None,
    };
    n.and_then(|n| u16::try_from(n).ok())
        .filter(|n| (100..=999).contains(n))
        .ok_or_else(|| wrong("status_code", "an HTTP status code (nat16, 100 to 999)", v))
}

fn headers(v: &IDLValue) -> Result<Vec<(String, String)>> {
    let IDLValue::Vec(items) = v else {
        return Err(wrong("headers", "vec record { text; text }", v));
    };
    items
        .iter()
        .map(|item| match item {
            IDLValue::Record(fs) if fs.len() == 2 => Ok((
                text("headers", &fs[0].val)?.to_string(),
                text("headers", &fs[1].val)?.to_string(),
            )),
            other => Err(wrong("headers", "record { text; text }", other)),
        })
        .collect()
}

fn streaming(t: Typed<'_>) -> Result<Option<Streaming>> {
    let Some(strategy) = t.opt() else {
        return Ok(None);
    };
    let IDLValue::Variant(v) = strategy.value else {
        return Err(wrong(
            "streaming_strategy",
            "variant { Callback = record { callback; token } }",
            strategy.value,
        ));
    };
    if v.0.id.get_id() != idl_hash("Callback") {
        return Err(wrong(
            "streaming_strategy",
            "variant { Callback = record { callback; token } }",
            strategy.value,
        ));
    }
    let ty = match strategy.resolved().as_ref() {
        TypeInner::Variant(fs) => fs
            .iter()
            .find(|f| f.id.get_id() == v.0.id.get_id())
            .map(|f| f.ty.clone()),
        _ => None,
    };
    let record = Typed {
        env: strategy.env,
        value: &v.0.val,
        ty: ty.unwrap_or_else(|| v.0.val.value_ty()),
    };
    let callback = record
        .field("callback")
        .ok_or(WireError::Missing("streaming_strategy.Callback.callback"))?;
    let IDLValue::Func(canister, method) = callback.value else {
        return Err(wrong(
            "streaming_strategy.Callback.callback",
            "func",
            callback.value,
        ));
    };
    let token = record
        .field("token")
        .ok_or(WireError::Missing("streaming_strategy.Callback.token"))?;
    Ok(Some(Streaming {
        callback: (*canister, method.clone()),
        token_arg: token.encode()?,
    }))
}

/// Decodes the reply of `http_request` / `http_request_update`.
pub fn decode_response(bytes: &[u8]) -> Result<HttpResponse> {
    let msg = read(bytes)?;
    let r = msg.typed();
    if !matches!(r.value, IDLValue::Record(_)) {
        return Err(wrong("(the reply)", "record HttpResponse", r.value));
    }
    let status_code = status_code(
        r.field("status_code")
            .ok_or(WireError::Missing("status_code"))?
            .value,
    )?;
    let headers = headers(
        r.field("headers")
            .ok_or(WireError::Missing("headers"))?
            .value,
    )?;
    let body = blob(
        "body",
        r.field("body").ok_or(WireError::Missing("body"))?.value,
    )?;
    let streaming = match r.field("streaming_strategy") {
        Some(s) => streaming(s)?,
        None => None,
    };
    let upgrade = match r.field("upgrade").and_then(Typed::opt) {
        None => false,
        Some(Typed {
            value: IDLValue::Bool(b),
            ..
        }) => *b,
        Some(other) => return Err(wrong("upgrade", "opt bool", other.value)),
    };
    Ok(HttpResponse {
        status_code,
        headers,
        body,
        streaming,
        upgrade,
    })
}

/// Decodes the reply of a streaming callback.
pub fn decode_chunk(bytes: &[u8]) -> Result<Chunk> {
    let msg = read(bytes)?;
    let r = msg.typed();
    if !matches!(r.value, IDLValue::Record(_)) {
        return Err(wrong(
            "(the reply)",
            "record StreamingCallbackHttpResponse",
            r.value,
        ));
    }
    let body = blob(
        "body",
        r.field("body").ok_or(WireError::Missing("body"))?.value,
    )?;
    let next_token_arg = match r.field("token").and_then(Typed::opt) {
        Some(token) => Some(token.encode()?),
        None => None,
    };
    Ok(Chunk {
        body,
        next_token_arg,
    })
}
