//! `kybra canister logs NAME|ID [--follow]`: a canister's log (what it printed, and its
//! traps), from the management canister's `fetch_canister_logs`, as dfx prints it:
//! `[IDX. TIMESTAMP]: CONTENT`, the timestamp in RFC 3339 (UTC, nanoseconds).
//!
//! Promises: only the canister's controllers (or anyone, with public log visibility) may
//! read it, as on the IC: the replica's refusal is the error; `--follow` prints each new
//! record once, polling every second, until interrupted.

use std::time::Duration;

use anyhow::{Context, Result};
use candid::{CandidType, Deserialize, Principal};
use ic_agent::Agent;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::network::{self, Network};

#[derive(CandidType)]
struct FetchArgs {
    canister_id: Principal,
}

#[derive(CandidType, Deserialize)]
struct Record {
    idx: u64,
    timestamp_nanos: u64,
    content: serde_bytes::ByteBuf,
}

#[derive(CandidType, Deserialize)]
struct Logs {
    canister_log_records: Vec<Record>,
}

/// An IC time (nanoseconds since the epoch) in RFC 3339, UTC.
pub(super) fn timestamp(nanos: u64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| nanos.to_string())
}

/// One record as dfx prints it.
fn line(r: &Record) -> String {
    let at = timestamp(r.timestamp_nanos);
    format!("[{}. {at}]: {}", r.idx, String::from_utf8_lossy(&r.content))
}

async fn fetch(agent: &Agent, net: &Network, id: Principal) -> Result<Vec<Record>> {
    let reply = agent
        .query(&Principal::management_canister(), "fetch_canister_logs")
        .with_effective_canister_id(id)
        .with_arg(candid::encode_one(FetchArgs { canister_id: id })?)
        .call()
        .await
        .map_err(|e| network::explain(e, net))?;
    let (logs,): (Logs,) =
        candid::decode_args(&reply).context("cannot decode the fetch_canister_logs reply")?;
    Ok(logs.canister_log_records)
}

/// `kybra canister logs`.
pub fn run(canister: &str, follow: bool, network: Option<&str>) -> Result<()> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    let id = super::call::canister_id(&root, canister, &net)?;
    super::runtime()?.block_on(async {
        let agent = network::connect(&net).await?;
        let mut next = 0u64;
        loop {
            let records = fetch(&agent, &net, id)
                .await
                .with_context(|| format!("cannot read the log of {canister} ({id})"))?;
            let from = next;
            for r in records.iter().filter(|r| r.idx >= from) {
                println!("{}", line(r));
                next = r.idx + 1;
            }
            if !follow {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_print_as_dfx_prints_them() {
        let r = Record {
            idx: 3,
            timestamp_nanos: 1_620_328_630_000_000_001,
            content: serde_bytes::ByteBuf::from(b"hello".to_vec()),
        };
        assert_eq!(line(&r), "[3. 2021-05-06T19:17:10.000000001Z]: hello");
    }
}
