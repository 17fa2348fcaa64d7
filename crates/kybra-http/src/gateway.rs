//! The HTTP gateway: canisters served over plain HTTP, as dfx's local gateway serves them
//! (`http://<canister-id>.localhost:4943/path`, `http://127.0.0.1:4943/path?canisterId=<id>`),
//! following the HTTP Gateway Protocol.
//!
//! What it promises: the client's method, path and query (`url`), headers and body reach the
//! canister's `http_request` query as the specification's `HttpRequest` record (with
//! `certificate_version = opt 2`), called by the anonymous principal. A response with
//! `upgrade = opt true` is replaced by the answer of the update `http_request_update` (same
//! request). A `Callback` streaming strategy is followed — the callback query is called with
//! each token until it returns none — and the chunks are sent as they come (chunked transfer
//! encoding). Status code, headers (except hop-by-hop and length headers) and body go to the
//! client as the canister gave them. Errors answer in plain text: an unknown canister 404, a
//! reject (no `http_request`, a trap, a stopped canister) 502 with the reject message, a reply
//! that is not an `HttpResponse` 502 saying which field was wrong.
//!
//! The canister's queries get a data certificate (as every query does), so a canister that
//! certifies its responses — the asset canister — sends its `IC-Certificate` and
//! `IC-CertificateExpression` headers, which are passed through untouched. Not done, as
//! dfx's local gateway with `--allow-insecure`: the gateway does not verify them itself, and
//! nothing is decompressed or cached.

mod target;
mod wire;

use crate::error::ApiError;
use crate::handlers::{certified_query, read_body, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use candid::Principal;
use kybra_replica::Reject;
use std::sync::Arc;
use wire::{HttpRequest, HttpResponse, Streaming};

type Shared = Arc<AppState>;

/// Middleware in front of the router: gateway requests are answered here, all others go on.
pub(crate) async fn route(State(s): State<Shared>, req: Request, next: Next) -> Response {
    match target::of(&req) {
        target::Target::Interface => next.run(req).await,
        target::Target::Invalid(message) => ApiError::bad_request(message).into_response(),
        target::Target::Canister(id) => serve(s, id, req)
            .await
            .unwrap_or_else(IntoResponse::into_response),
    }
}

/// Headers that describe one connection or the body's framing, not the resource: never
/// copied from a canister's response.
const NOT_FORWARDED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
];

fn bad_gateway(message: String) -> ApiError {
    ApiError::new(StatusCode::BAD_GATEWAY, message)
}

fn rejected(canister: Principal, method: &str, r: &Reject) -> ApiError {
    let code = r
        .error_code
        .as_deref()
        .map(|c| format!(", error code {c}"))
        .unwrap_or_default();
    bad_gateway(format!(
        "canister {canister} rejected the HTTP gateway's call to `{method}` (reject code {}{code}): {}",
        r.code.as_u64(),
        r.message
    ))
}

fn malformed(canister: Principal, method: &str, e: wire::WireError) -> ApiError {
    bad_gateway(format!(
        "canister {canister} answered `{method}` with a reply that is not an HTTP gateway response: {e}"
    ))
}

/// Runs replica work on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ApiError::internal(format!(
            "the replica failed while serving this HTTP request: {e}"
        ))
    })
}

async fn serve(s: Shared, canister: Principal, req: Request) -> Result<Response, ApiError> {
    let (parts, body) = req.into_parts();
    let body = read_body(&parts.headers, body).await?;
    let request = HttpRequest {
        method: parts.method.as_str().to_string(),
        url: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let s2 = s.clone();
    let (method, reply) = blocking(move || {
        let replica = &s2.replica;
        if !replica.canister_exists(canister) {
            return Err(ApiError::not_found(format!(
                "canister {canister} does not exist on this replica; deploy it first (`kybra deploy`) \
                 and take its id from `kybra canister id NAME`"
            )));
        }
        let reply = certified_query(&s2, Principal::anonymous(), canister, "http_request", &request.encode_query())
            .map_err(|r| rejected(canister, "http_request", &r))?;
        let response = wire::decode_response(&reply).map_err(|e| malformed(canister, "http_request", e))?;
        if !response.upgrade {
            return Ok(("http_request", response));
        }
        let reply = replica
            .update(Principal::anonymous(), canister, None, "http_request_update", &request.encode_update())
            .map_err(|r| rejected(canister, "http_request_update", &r))?;
        let response =
            wire::decode_response(&reply).map_err(|e| malformed(canister, "http_request_update", e))?;
        Ok(("http_request_update", response))
    })
    .await??;
    respond(s, canister, method, reply)
}

/// The client's response: status and headers now, the body at once or streamed.
fn respond(
    s: Shared,
    canister: Principal,
    method: &str,
    r: HttpResponse,
) -> Result<Response, ApiError> {
    let status = StatusCode::from_u16(r.status_code)
        .map_err(|e| malformed(canister, method, field_error("status_code", e.to_string())))?;
    let mut builder = Response::builder().status(status);
    for (name, value) in &r.headers {
        if NOT_FORWARDED.iter().any(|h| name.eq_ignore_ascii_case(h)) {
            continue;
        }
        let name = HeaderName::try_from(name.as_str()).map_err(|e| {
            malformed(
                canister,
                method,
                field_error("headers", format!("header name `{name}`: {e}")),
            )
        })?;
        let value = HeaderValue::try_from(value.as_str()).map_err(|e| {
            malformed(
                canister,
                method,
                field_error("headers", format!("value of `{name}`: {e}")),
            )
        })?;
        builder = builder.header(name, value);
    }
    let body = match r.streaming {
        None => Body::from(r.body),
        Some(streaming) => stream(s, canister, r.body, streaming)?,
    };
    builder
        .body(body)
        .map_err(|e| ApiError::internal(format!("the gateway could not build the response: {e}")))
}

fn field_error(field: &'static str, found: String) -> wire::WireError {
    wire::WireError::Field {
        field,
        expected: "a valid HTTP value",
        found,
    }
}

/// A body that starts with `first` and goes on with the callback's chunks, each fetched when
/// the previous one has been handed to the connection. A reject or a malformed chunk ends the
/// body abnormally (the client sees an incomplete chunked body); so does a callback on
/// another canister, which the gateway does not call.
fn stream(
    s: Shared,
    canister: Principal,
    first: Vec<u8>,
    streaming: Streaming,
) -> Result<Body, ApiError> {
    let (callee, method) = streaming.callback;
    if callee != canister {
        return Err(bad_gateway(format!(
            "canister {canister}'s streaming callback is on another canister ({callee}.{method}); \
             the gateway only calls callbacks of the canister it serves"
        )));
    }
    let (mut tx, body) = http_body_util::channel::Channel::<Bytes, String>::new(2);
    tokio::spawn(async move {
        if !first.is_empty() && tx.send_data(Bytes::from(first)).await.is_err() {
            return;
        }
        let mut token = Some(streaming.token_arg);
        while let Some(arg) = token.take() {
            let (s2, m) = (s.clone(), method.clone());
            let chunk =
                blocking(move || certified_query(&s2, Principal::anonymous(), canister, &m, &arg))
                    .await;
            let chunk = match chunk {
                Ok(Ok(reply)) => {
                    wire::decode_chunk(&reply).map_err(|e| malformed(canister, &method, e))
                }
                Ok(Err(r)) => Err(rejected(canister, &method, &r)),
                Err(e) => Err(e),
            };
            match chunk {
                Ok(chunk) => {
                    token = chunk.next_token_arg;
                    if !chunk.body.is_empty()
                        && tx.send_data(Bytes::from(chunk.body)).await.is_err()
                    {
                        return; // the client went away
                    }
                }
                Err(e) => return tx.abort(e.message),
            }
        }
    });
    Ok(Body::new(body))
}
