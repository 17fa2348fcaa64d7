//! The local faucet (`kybra ledger faucet`): `POST /_/faucet` with JSON
//! `{"owner": "<principal>", "icp_e8s": 1000000000, "cycles": 10000000000000}` mints ICP on the
//! built-in ICP ledger and/or cycles on the built-in cycles ledger into the owner's default
//! accounts, and answers `{"icp_block", "cycles_block", "icp_e8s_balance", "cycles_balance"}`
//! (a block is `null` when nothing of that kind was asked for).
//!
//! Promises: it only mints on a replica with the system canisters (`kybra start
//! --system-canisters` or `--mainnet-like`); anything else answers 400 with `{"error": …}`
//! saying what to change.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use candid::Principal;
use kybra_replica::ledgers::books::account_id;
use serde::Deserialize;
use serde_json::json;

use crate::handlers::AppState;
use crate::tooling::{answer, bad, blocking};

/// The faucet's route, merged into the replica's router.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new().route("/_/faucet", post(faucet))
}

#[derive(Deserialize)]
struct FaucetRequest {
    owner: String,
    #[serde(default)]
    icp_e8s: u64,
    #[serde(default)]
    cycles: u64,
}

async fn faucet(State(s): State<Arc<AppState>>, body: axum::body::Bytes) -> Response {
    let req: FaucetRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return bad(format!(
                "expected JSON {{\"owner\": \"<principal>\", \"icp_e8s\": 100000000, \"cycles\": 1000000000000}}: {e}"
            ))
        }
    };
    let owner = match Principal::from_text(&req.owner) {
        Ok(p) => p,
        Err(e) => return bad(format!("owner {:?} is not a principal: {e}", req.owner)),
    };
    if req.icp_e8s == 0 && req.cycles == 0 {
        return bad("ask for something: icp_e8s and/or cycles");
    }
    let replica = Arc::clone(&s.replica);
    blocking(move || {
        let account = account_id(owner.as_slice(), None);
        let icp_block = match (req.icp_e8s > 0).then(|| replica.icp_mint(account, req.icp_e8s)) {
            Some(Err(e)) => return bad(e),
            other => other.map(Result::unwrap),
        };
        let cycles_block = match (req.cycles > 0).then(|| replica.cycles_mint(account, req.cycles))
        {
            Some(Err(e)) => return bad(e),
            other => other.map(Result::unwrap),
        };
        answer(
            StatusCode::OK,
            json!({
                "icp_block": icp_block,
                "cycles_block": cycles_block,
                "icp_e8s_balance": replica.icp_balance(&account),
                "cycles_balance": replica.cycles_balance(&account),
            }),
        )
    })
    .await
}
