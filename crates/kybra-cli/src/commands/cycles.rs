//! `kybra cycles balance|convert|top-up|transfer` and `kybra ledger faucet|balance|transfer`: the
//! identity's ICP and cycles on the system canisters (`crate::system_canisters`), on mainnet
//! (`--network ic`), on a URL, or on the local replica when it runs them (`kybra start
//! --system-canisters` / `--mainnet-like`).
//!
//! Promises: amounts are read as people write them (`--amount 1.5` ICP, `--t 2` trillion
//! cycles) and printed the same way; the faucet exists on replicas of this machine only; a
//! refusal says what to do next.

use std::io::{Read, Write};
use std::net::TcpStream;

use anyhow::{anyhow, bail, Context, Result};
use candid::Principal;

use crate::network::{self, Network};
use crate::system_canisters::{self as sys, icp, tc};

/// What the faucet gives when asked for nothing in particular: 100 ICP and 100 T cycles.
const FAUCET_ICP_E8S: u64 = 100 * 100_000_000;
const FAUCET_CYCLES: u64 = 100_000_000_000_000;

fn resolve(network: Option<&str>) -> Result<Network> {
    let root = super::root_or_cwd()?;
    Ok(network::resolve(network, &root))
}

/// The principal of `--of-principal`, else of the current identity.
fn owner(of_principal: Option<&str>) -> Result<Principal> {
    match of_principal {
        Some(text) => Principal::from_text(text)
            .map_err(|e| anyhow!("--of-principal {text:?} is not a principal ({e})")),
        None => crate::identity::current()?
            .sender()
            .map_err(|e| anyhow!("{e}")),
    }
}

/// `kybra ledger faucet`: ICP and cycles out of nothing, for test identities.
pub fn faucet(
    of_principal: Option<&str>,
    icp_amount: Option<&str>,
    t: Option<u64>,
    network: Option<&str>,
) -> Result<()> {
    let net = resolve(network)?;
    if !net.loopback {
        bail!("the faucet exists on a replica of this machine only ({} is not one): on mainnet, buy ICP", net.url);
    }
    let who = owner(of_principal)?;
    let (icp_e8s, cycles) = match (icp_amount, t) {
        (None, None) => (FAUCET_ICP_E8S, FAUCET_CYCLES),
        (a, t) => (
            a.map(sys::parse_icp).transpose()?.unwrap_or(0),
            t.map(|t| t.saturating_mul(1_000_000_000_000)).unwrap_or(0),
        ),
    };
    let body = serde_json::json!({ "owner": who.to_text(), "icp_e8s": icp_e8s, "cycles": cycles })
        .to_string();
    let answer = post(&net, "/_/faucet", &body)?;
    let balance_icp = answer["icp_e8s_balance"].as_u64().unwrap_or(0);
    let balance_cycles = answer["cycles_balance"].as_u64().unwrap_or(0);
    println!(
        "Funded {who}: it now holds {} ICP on the ICP ledger and {} on the cycles ledger.",
        icp(balance_icp),
        tc(balance_cycles.into())
    );
    Ok(())
}

/// POSTs `body` to the replica's tooling route `path`; its JSON answer.
fn post(net: &Network, path: &str, body: &str) -> Result<serde_json::Value> {
    let host = net
        .url
        .strip_prefix("http://")
        .map(|h| h.trim_end_matches('/'))
        .ok_or_else(|| anyhow!("the faucet needs an http:// replica URL, not {}", net.url))?;
    let mut stream = TcpStream::connect(host).map_err(|e| anyhow!("cannot reach the replica at {}: {e} — start it with `kybra start --background --mainnet-like`", net.url))?;
    write!(stream, "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .context("reading the replica's answer")?;
    let (head, json) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("the replica answered no HTTP response"))?;
    let value: serde_json::Value = serde_json::from_str(json.trim())
        .map_err(|e| anyhow!("the replica answered {head:?} and no JSON: {e}"))?;
    if let Some(error) = value["error"].as_str() {
        bail!("{error}");
    }
    Ok(value)
}

/// `kybra ledger balance`: ICP of the identity (or a principal, or an account identifier).
pub fn icp_balance(
    of_principal: Option<&str>,
    account_id: Option<&str>,
    network: Option<&str>,
) -> Result<()> {
    let net = resolve(network)?;
    let account: [u8; 32] = match account_id {
        Some(text) => hex32(text)?,
        None => sys::account_id(owner(of_principal)?.as_slice(), None),
    };
    let e8s = super::with_agent(&net, async |agent| {
        sys::icp_balance(agent, &net, account).await
    })?;
    println!("{} ICP", icp(e8s));
    Ok(())
}

fn hex32(text: &str) -> Result<[u8; 32]> {
    let bytes = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
        })
        .collect::<Option<Vec<u8>>>();
    bytes
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| anyhow!("{text:?} is not an account identifier: 64 hex digits, as `kybra ledger account-id` prints"))
}

/// `kybra ledger transfer --amount ICP --to ACCOUNT_ID [--memo N]`.
pub fn icp_transfer(to: &str, amount: &str, memo: u64, network: Option<&str>) -> Result<()> {
    let net = resolve(network)?;
    let to = hex32(to)?;
    let e8s = sys::parse_icp(amount)?;
    let block = super::with_agent(&net, async |agent| {
        sys::icp_transfer(agent, &net, to, e8s, memo).await
    })?;
    println!("Transferred {} ICP at block {block}.", icp(e8s));
    Ok(())
}

/// `kybra cycles balance`.
pub fn cycles_balance(of_principal: Option<&str>, network: Option<&str>) -> Result<()> {
    let net = resolve(network)?;
    let who = owner(of_principal)?;
    let cycles = super::with_agent(&net, async |agent| {
        sys::cycles_balance(agent, &net, who).await
    })?;
    println!("{} ({cycles} cycles)", tc(cycles));
    Ok(())
}

/// `kybra cycles convert --amount ICP`: ICP → the identity's cycles (through the CMC).
pub fn convert(amount: &str, network: Option<&str>) -> Result<()> {
    let net = resolve(network)?;
    let e8s = sys::parse_icp(amount)?;
    let minted = super::with_agent(&net, async |agent| sys::convert(agent, &net, e8s).await)?;
    println!(
        "Converted {} ICP into {} ({minted} cycles) on the cycles ledger.",
        icp(e8s),
        tc(minted)
    );
    Ok(())
}

/// `kybra cycles transfer --to PRINCIPAL (--t T | --cycles N)`.
pub fn transfer(to: &str, cycles: u128, network: Option<&str>) -> Result<()> {
    let net = resolve(network)?;
    let to = Principal::from_text(to).map_err(|e| {
        anyhow!("--to {to:?} is not a principal ({e}); `kybra identity get-principal` prints one")
    })?;
    let block = super::with_agent(&net, async |agent| {
        sys::cycles_transfer(agent, &net, to, cycles).await
    })?;
    println!(
        "Transferred {} ({cycles} cycles) to {to} at block {block}.",
        tc(cycles)
    );
    Ok(())
}

/// `kybra cycles top-up CANISTER (--t T | --cycles N | --icp AMOUNT)`: cycles for a canister
/// from the identity's cycles-ledger account, or from its ICP through the CMC.
pub fn top_up(
    canister: &str,
    cycles: Option<u128>,
    icp_amount: Option<&str>,
    network: Option<&str>,
) -> Result<()> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    let id = super::call::canister_id(&root, canister, &net)?;
    let added = super::with_agent(&net, async |agent| {
        match (cycles, icp_amount) {
        (Some(c), None) => {
            sys::withdraw(agent, &net, id, c).await?;
            Ok(c)
        }
        (None, Some(a)) => sys::top_up_with_icp(agent, &net, id, sys::parse_icp(a)?).await,
        _ => bail!("say how: `--t T` or `--cycles N` (from your cycles), or `--icp AMOUNT` (from your ICP)"),
    }
    })?;
    println!(
        "Topped {canister} ({id}) up with {} ({added} cycles).",
        tc(added)
    );
    Ok(())
}
