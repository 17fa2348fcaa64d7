//! JSON answers of the replica's local tooling routes (`/_/bitcoin/…`, `/_/faucet`): a
//! status with a JSON body, a 400 with `{"error": …}`, and work run off the async runtime.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

pub fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub fn bad(message: impl std::fmt::Display) -> Response {
    answer(
        StatusCode::BAD_REQUEST,
        json!({ "error": message.to_string() }),
    )
}

pub async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "error": e.to_string() }),
        )
    })
}
