//! Local tooling for the replica's simulated bitcoin regtest network (what `bitcoin-cli
//! generatetoaddress` / `getbalance` are to a regtest node), used by `kybra bitcoin`:
//!
//! * `POST /_/bitcoin/mine` with JSON `{"address": "bcrt1…", "blocks": 101}` (`blocks`
//!   defaults to 1) mines blocks paying to the address (the first confirms the mempool) and
//!   answers `{"tip_height": …, "block_hashes": [...], "transactions": …}`;
//! * `GET /_/bitcoin/balance?address=…[&min_confirmations=N]` answers
//!   `{"address": …, "balance": <satoshi>, "tip_height": …, "utxos": [{"txid", "vout", "value",
//!   "height", "confirmations"}, ...]}`.
//!
//! Promises: a bad request (not JSON, a non-regtest address, a block count outside
//! 1..=10,000) answers 400 with `{"error": "..."}` saying what to change; never a panic.

use crate::handlers::AppState;
use crate::tooling::{answer, bad, blocking};
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The bitcoin routes, merged into the replica's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/_/bitcoin/mine", post(mine))
        .route("/_/bitcoin/balance", get(balance))
}

#[derive(Deserialize)]
struct MineRequest {
    address: String,
    #[serde(default = "one")]
    blocks: u32,
}

fn one() -> u32 {
    1
}

async fn mine(State(s): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let req: MineRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return bad(format!(
                "expected JSON {{\"address\": \"bcrt1…\", \"blocks\": 1}}: {e}"
            ))
        }
    };
    let replica = Arc::clone(&s.replica);
    blocking(move || match replica.bitcoin_mine(&req.address, req.blocks) {
        Ok(r) => answer(
            StatusCode::OK,
            json!({ "tip_height": r.tip_height, "block_hashes": r.block_hashes, "transactions": r.transactions }),
        ),
        Err(e) => bad(e),
    })
    .await
}

async fn balance(State(s): State<Arc<AppState>>, uri: Uri) -> Response {
    let query = uri.query().unwrap_or("");
    let param = |name: &str| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    };
    let Some(address) = param("address") else {
        return bad("add the address: /_/bitcoin/balance?address=bcrt1…");
    };
    let min = match param("min_confirmations").map(|m| m.parse::<u32>()) {
        None => 0,
        Some(Ok(m)) => m,
        Some(Err(_)) => return bad("min_confirmations must be a whole number"),
    };
    let replica = Arc::clone(&s.replica);
    blocking(move || {
        let balance = match replica.bitcoin_balance(&address, min) {
            Ok(b) => b,
            Err(e) => return bad(e),
        };
        let utxos: Vec<Value> = replica
            .bitcoin_utxos(&address)
            .unwrap_or_default()
            .into_iter()
            .filter(|u| u.confirmations >= min)
            .map(|u| json!({ "txid": u.txid, "vout": u.vout, "value": u.value, "height": u.height, "confirmations": u.confirmations }))
            .collect();
        answer(
            StatusCode::OK,
            json!({ "address": address, "balance": balance, "tip_height": replica.bitcoin_tip_height(), "utxos": utxos }),
        )
    })
    .await
}
