//! The HTTP endpoints: routing, body limits, and the call / query / read_state / status
//! handlers. Replica work (which may take seconds: an install compiles a module) and
//! signing run on the blocking thread pool, never on the async workers.

use crate::cbor::{self, map};
use crate::envelope::{self, Envelope, RequestType};
use crate::error::ApiError;
use crate::ingress::{IngressStore, Status, Submission};
use crate::keys::ReplicaKeys;
use crate::request_id::hash_of_map;
use crate::state_tree::{self, Endpoint};
use crate::tree::certificate;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use candid::Principal;
use http_body_util::BodyExt;
use kybra_replica::{Reject, Replica};
use serde_cbor::Value;
use std::sync::Arc;
use std::time::Duration;

/// Largest accepted request body: the IC's 2 MiB ingress limit plus room for the envelope.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024 + 256 * 1024;

/// Bodies up to this size are read to the end even when too large, so that the client
/// receives the 413 answer; beyond it the connection is closed after the answer.
const DRAIN_LIMIT_BYTES: usize = 16 * 1024 * 1024;

/// Everything the handlers share.
pub struct AppState {
    pub replica: Arc<Replica>,
    pub keys: ReplicaKeys,
    pub ingress: IngressStore,
    pub sync_call_timeout: Duration,
    /// Waited before each update call runs (`ServeConfig::artificial_delay`).
    pub artificial_delay: Duration,
    pub status_body: Vec<u8>,
}

type Shared = Arc<AppState>;

/// The router of the IC HTTP interface.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/api/v2/status", get(status))
        .route("/api/v2/canister/{id}/call", post(call_async))
        .route("/api/v3/canister/{id}/call", post(call_sync))
        .route("/api/v4/canister/{id}/call", post(call_sync))
        .route("/api/v2/canister/{id}/query", post(query))
        .route("/api/v3/canister/{id}/query", post(query))
        .route(
            "/api/v2/canister/{id}/read_state",
            post(read_state_canister),
        )
        .route(
            "/api/v3/canister/{id}/read_state",
            post(read_state_canister),
        )
        .route("/api/v2/subnet/{id}/read_state", post(read_state_subnet))
        .route("/api/v3/subnet/{id}/read_state", post(read_state_subnet))
        .merge(crate::candid_ui::routes())
        .merge(crate::bitcoin::routes())
        .merge(crate::faucet::routes())
        .fallback(unknown_endpoint)
        .method_not_allowed_fallback(wrong_method)
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn(cors))
        // Outermost: requests for a canister's own HTTP interface go to the gateway untouched.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::gateway::route,
        ))
        .with_state(state)
}

/// Lets browser agents (e.g. a Candid UI served from another origin) call the replica, as
/// the IC's boundary nodes do: any origin, preflight answered directly.
async fn cors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let preflight = req.method() == Method::OPTIONS;
    let mut resp = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        header::HeaderValue::from_static("*"),
    );
    if preflight {
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            header::HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            header::HeaderValue::from_static("*"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            header::HeaderValue::from_static("86400"),
        );
    }
    resp
}

const ENDPOINTS: &str = "GET /api/v2/status; POST /api/v2/canister/<id>/call (asynchronous); \
POST /api/v3|v4/canister/<id>/call (synchronous); POST /api/v2|v3/canister/<id>/query; \
POST /api/v2|v3/canister/<id>/read_state; POST /api/v2|v3/subnet/<id>/read_state";

async fn unknown_endpoint(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!(
        "{method} {uri} is not an endpoint of the IC HTTP interface; this replica serves {ENDPOINTS}; \
         a canister's own HTTP interface (http_request) is at http://<canister-id>.localhost:<port>/path \
         or /path?canisterId=<canister-id>"
    ))
}

async fn wrong_method(method: Method, uri: Uri) -> ApiError {
    let expected = if uri.path() == "/api/v2/status" {
        "GET"
    } else {
        "POST with a CBOR envelope"
    };
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{method} is not allowed on {}; use {expected}", uri.path()),
    )
}

fn cbor_response(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, "application/cbor")], body).into_response()
}

async fn status(State(s): State<Shared>) -> Response {
    cbor_response(StatusCode::OK, s.status_body.clone())
}

/// The `/api/v2/status` body.
pub fn status_body(keys: &ReplicaKeys) -> Vec<u8> {
    cbor::encode_tagged(&map([
        ("ic_api_version", Value::Text("0.18.0".into())),
        (
            "impl_version",
            Value::Text(format!("kybra-replica {}", env!("CARGO_PKG_VERSION"))),
        ),
        ("root_key", Value::Bytes(keys.root_key_der().to_vec())),
        ("replica_health_status", Value::Text("healthy".into())),
    ]))
}

pub(crate) async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    let too_big = |n: Option<usize>| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body{} exceeds the limit of {MAX_BODY_BYTES} bytes (IC ingress messages are at most 2 MiB); \
                 upload large modules in chunks (upload_chunk + install_chunked_code)",
                n.map(|n| format!(" ({n} bytes)")).unwrap_or_default()
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if declared.is_some_and(|len| len > DRAIN_LIMIT_BYTES) {
        return Err(too_big(declared));
    }
    // Read the whole body even when it is too large (up to DRAIN_LIMIT_BYTES): a server that
    // answers before the client has finished sending makes the client see a broken pipe
    // instead of the 413 and its explanation.
    let mut kept = Vec::new();
    let mut seen = 0usize;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| {
            ApiError::bad_request(format!("the request body could not be read: {e}"))
        })?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len();
        if seen > DRAIN_LIMIT_BYTES {
            break;
        }
        if seen <= MAX_BODY_BYTES {
            kept.extend_from_slice(&data);
        }
    }
    if seen > MAX_BODY_BYTES {
        return Err(too_big(
            Some(seen)
                .filter(|_| seen <= DRAIN_LIMIT_BYTES)
                .or(declared),
        ));
    }
    Ok(kept)
}

fn parse_principal(text: &str, what: &str) -> Result<Principal, ApiError> {
    Principal::from_text(text).map_err(|e| {
        ApiError::bad_request(format!(
            "the {what} in the URL, `{text}`, is not a valid principal: {e}"
        ))
    })
}

/// Runs replica work on the blocking pool.
async fn blocking<T: Send + 'static>(
    s: &Shared,
    f: impl FnOnce(&AppState) -> T + Send + 'static,
) -> Result<T, ApiError> {
    let s = s.clone();
    tokio::task::spawn_blocking(move || f(&s))
        .await
        .map_err(|e| {
            ApiError::internal(format!(
                "the replica failed while handling this request: {e}"
            ))
        })
}

/// Reads and decodes a request of the expected type (cheap; runs on the async worker).
async fn admit(
    headers: &HeaderMap,
    body: Body,
    expected: RequestType,
) -> Result<Envelope, ApiError> {
    let body = read_body(headers, body).await?;
    let env = envelope::parse(&body)?;
    if env.content.request_type != expected {
        return Err(ApiError::bad_request(format!(
            "this endpoint takes `{}` requests, but the envelope's request_type is `{}`",
            expected.name(),
            env.content.request_type.name()
        )));
    }
    Ok(env)
}

/// Checks expiry and signatures against the replica's clock (blocking: the clock shares the
/// replica's lock, which a long install holds). Returns the replica time used.
fn validate(s: &AppState, env: &Envelope) -> Result<u64, ApiError> {
    let now = s.replica.time_nanos();
    envelope::check_expiry(&env.content, now)?;
    crate::auth::authenticate(env, now)?;
    Ok(now)
}

fn check_target(
    s: &AppState,
    effective: Principal,
    env: &Envelope,
    is_call: bool,
) -> Result<(), ApiError> {
    let c = &env.content;
    crate::effective::check(
        effective,
        c.canister_id,
        &c.method_name,
        &c.arg,
        is_call,
        &s.replica.root_subnet_canister_ranges(),
    )
}

fn not_found_reject(canister: Principal) -> Reject {
    Reject {
        code: kybra_replica::RejectCode::DestinationInvalid,
        message: format!("Canister {canister} not found"),
        error_code: Some("IC0301".into()),
    }
}

fn reject_fields(r: &Reject) -> (u64, String, Option<String>) {
    (r.code.as_u64(), r.message.clone(), r.error_code.clone())
}

fn non_replicated_rejection(r: &Reject) -> Response {
    let (code, message, error_code) = reject_fields(r);
    let mut m = map([
        ("status", Value::Text("non_replicated_rejection".into())),
        ("reject_code", Value::Integer(code.into())),
        ("reject_message", Value::Text(message)),
    ]);
    if let (Value::Map(m), Some(ec)) = (&mut m, error_code) {
        m.insert(Value::Text("error_code".into()), Value::Text(ec));
    }
    cbor_response(StatusCode::OK, cbor::encode_tagged(&m))
}

enum Accepted {
    Running(
        crate::request_id::RequestId,
        tokio::sync::watch::Receiver<bool>,
    ),
    Rejected(Reject),
}

/// Validates a call and starts executing it (once, even if submitted several times).
async fn accept_call(
    s: &Shared,
    id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Accepted, ApiError> {
    let effective = parse_principal(id, "effective canister id")?;
    let env = Arc::new(admit(headers, body, RequestType::Call).await?);
    let e2 = env.clone();
    let exists = blocking(s, move |s| -> Result<bool, ApiError> {
        validate(s, &e2)?;
        check_target(s, effective, &e2, true)?;
        Ok(e2.content.canister_id == Principal::management_canister()
            || s.replica.canister_exists(e2.content.canister_id))
    })
    .await??;
    if !exists {
        return Ok(Accepted::Rejected(not_found_reject(
            env.content.canister_id,
        )));
    }
    let rid = env.request_id;
    let c = &env.content;
    match s.ingress.submit(rid, c.sender, effective, c.ingress_expiry) {
        Submission::Duplicate(rx) => Ok(Accepted::Running(rid, rx)),
        Submission::New(rx) => {
            let s2 = s.clone();
            tokio::task::spawn_blocking(move || {
                let c = &env.content;
                // As a block's time on the IC: the call is received, then runs later.
                if !s2.artificial_delay.is_zero() {
                    std::thread::sleep(s2.artificial_delay);
                }
                s2.ingress.set_processing(&rid);
                let eff = (c.canister_id == Principal::management_canister()).then_some(effective);
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    s2.replica
                        .update(c.sender, c.canister_id, eff, &c.method_name, &c.arg)
                }));
                let status = match result {
                    Ok(Ok(reply)) => Status::Replied(reply),
                    Ok(Err(r)) => {
                        let (code, message, error_code) = reject_fields(&r);
                        Status::Rejected {
                            code,
                            message,
                            error_code,
                        }
                    }
                    Err(_) => Status::Rejected {
                        code: 1,
                        message:
                            "the local replica failed while executing this message (see its log); \
                                  this is a bug in kybra-replica"
                                .into(),
                        error_code: None,
                    },
                };
                s2.ingress.finish(&rid, status, s2.replica.time_nanos());
            });
            Ok(Accepted::Running(rid, rx))
        }
    }
}

async fn call_async(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    match accept_call(&s, &id, &headers, body).await? {
        Accepted::Rejected(r) => Ok(non_replicated_rejection(&r)),
        Accepted::Running(..) => Ok(StatusCode::ACCEPTED.into_response()),
    }
}

async fn call_sync(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let (rid, mut rx) = match accept_call(&s, &id, &headers, body).await? {
        Accepted::Rejected(r) => return Ok(non_replicated_rejection(&r)),
        Accepted::Running(rid, rx) => (rid, rx),
    };
    let finished = matches!(
        tokio::time::timeout(s.sync_call_timeout, rx.wait_for(|done| *done)).await,
        Ok(Ok(_))
    );
    if !finished {
        return Ok(StatusCode::ACCEPTED.into_response());
    }
    let cert = blocking(&s, move |s| {
        let status = s
            .ingress
            .get(&rid)
            .map(|r| r.status)
            .unwrap_or(Status::Done);
        certificate(
            &s.keys,
            &state_tree::call_tree(s.replica.time_nanos(), &rid, &status),
        )
    })
    .await?;
    let body = map([
        ("status", Value::Text("replied".into())),
        ("certificate", Value::Bytes(cert)),
    ]);
    Ok(cbor_response(StatusCode::OK, cbor::encode_tagged(&body)))
}

async fn query(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let effective = parse_principal(&id, "effective canister id")?;
    let env = admit(&headers, body, RequestType::Query).await?;
    let body = blocking(&s, move |s| -> Result<Vec<u8>, ApiError> {
        validate(s, &env)?;
        check_target(s, effective, &env, false)?;
        let c = &env.content;
        let result = if c.canister_id != Principal::management_canister()
            && !s.replica.canister_exists(c.canister_id)
        {
            Err(not_found_reject(c.canister_id))
        } else {
            certified_query(s, c.sender, c.canister_id, &c.method_name, &c.arg)
        };
        Ok(signed_query_response(s, &env, result))
    })
    .await??;
    Ok(cbor_response(StatusCode::OK, body))
}

/// A query that gets a data certificate of the canister's certified data
/// (`/canister/<id>/certified_data` and `/time`, signed by the root key), as the IC gives
/// every non-replicated query (asset canisters put it in their `IC-Certificate` header).
pub(crate) fn certified_query(
    s: &AppState,
    sender: Principal,
    canister: Principal,
    method: &str,
    arg: &[u8],
) -> Result<Vec<u8>, Reject> {
    let keys = s.keys.clone();
    let now = s.replica.time_nanos();
    s.replica
        .query_certified(sender, canister, method, arg, move |data| {
            certificate(
                &keys,
                &state_tree::data_certificate_tree(now, canister, data),
            )
        })
}

/// The query response body with the node's signature, as the specification defines it.
fn signed_query_response(s: &AppState, env: &Envelope, result: Result<Vec<u8>, Reject>) -> Vec<u8> {
    let timestamp = s.replica.time_nanos();
    let mut fields: Vec<(&str, Value)> = match &result {
        Ok(reply) => vec![
            ("status", Value::Text("replied".into())),
            ("reply", map([("arg", Value::Bytes(reply.clone()))])),
        ],
        Err(r) => {
            let (code, message, error_code) = reject_fields(r);
            let mut v = vec![
                ("status", Value::Text("rejected".into())),
                ("reject_code", Value::Integer(code.into())),
                ("reject_message", Value::Text(message)),
            ];
            if let Some(ec) = error_code {
                v.push(("error_code", Value::Text(ec)));
            }
            v
        }
    };
    let to_map = |fields: &[(&str, Value)]| {
        Value::Map(
            fields
                .iter()
                .map(|(k, v)| (Value::Text(k.to_string()), v.clone()))
                .collect(),
        )
    };
    let mut signable = fields.clone();
    signable.push(("timestamp", Value::Integer(timestamp.into())));
    signable.push((
        "request_id",
        Value::Bytes(env.request_id.as_bytes().to_vec()),
    ));
    let hash = hash_of_map(&to_map(&signable)).expect("response maps are hashable");
    let mut msg = b"\x0Bic-response".to_vec();
    msg.extend_from_slice(hash.as_bytes());
    let signature = map([
        ("timestamp", Value::Integer(timestamp.into())),
        ("signature", Value::Bytes(s.keys.node_sign(&msg))),
        (
            "identity",
            Value::Bytes(s.keys.node_id().as_slice().to_vec()),
        ),
    ]);
    fields.push(("signatures", Value::Array(vec![signature])));
    cbor::encode_tagged(&to_map(&fields))
}

async fn read_state(
    s: Shared,
    endpoint: Endpoint,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let env = admit(&headers, body, RequestType::ReadState).await?;
    let cert = blocking(&s, move |s| -> Result<Vec<u8>, ApiError> {
        validate(s, &env)?;
        let paths = &env.content.paths;
        let needs = state_tree::check_paths(paths, endpoint, env.content.sender, &s.ingress)?;
        state_tree::check_private_metadata(&s.replica, &needs, env.content.sender)?;
        let tree = state_tree::read_state_tree(&s.replica, &s.keys, &s.ingress, paths, &needs);
        Ok(certificate(&s.keys, &tree))
    })
    .await??;
    Ok(cbor_response(
        StatusCode::OK,
        cbor::encode_tagged(&map([("certificate", Value::Bytes(cert))])),
    ))
}

async fn read_state_canister(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let effective = parse_principal(&id, "effective canister id")?;
    if !crate::effective::readable(&s.replica.root_subnet_canister_ranges(), effective) {
        return Err(ApiError::bad_request(format!(
            "effective canister id {effective} is not in this replica's canister ranges"
        )));
    }
    read_state(s, Endpoint::Canister(effective), headers, body).await
}

async fn read_state_subnet(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let subnet = parse_principal(&id, "subnet id")?;
    if subnet != s.keys.subnet_id() {
        return Err(ApiError::not_found(format!(
            "subnet {subnet} is not served here; this replica's only subnet is {}",
            s.keys.subnet_id()
        )));
    }
    read_state(s, Endpoint::Subnet(subnet), headers, body).await
}

/// Prunes old request statuses every `period` until `stop` fires.
pub async fn prune_loop(s: Shared, period: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(period) => {
                let s2 = s.clone();
                let _ = tokio::task::spawn_blocking(move || s2.ingress.prune(s2.replica.time_nanos())).await;
            }
            _ = stop.changed() => return,
        }
    }
}
