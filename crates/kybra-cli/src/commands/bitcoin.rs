//! `kybra bitcoin mine ADDRESS [--blocks N]` and `kybra bitcoin balance ADDRESS`: fund and
//! inspect addresses on the local replica's simulated bitcoin regtest network (what
//! `bitcoin-cli -regtest generatetoaddress` / `getbalance` do for a regtest node), through
//! the replica's `/_/bitcoin/*` endpoints (kybra-http's `bitcoin` module).
//!
//! Promises: talks only to a local replica (plain HTTP on the loopback address); a replica
//! that is not running, or an answer with an error, ends in a message saying what to do.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

use crate::network;

/// `kybra bitcoin mine`.
pub fn mine(address: &str, blocks: u32, network: Option<&str>) -> Result<()> {
    let body = serde_json::json!({ "address": address, "blocks": blocks }).to_string();
    let answer = request(network, "POST", "/_/bitcoin/mine", Some(&body))?;
    let tip = answer["tip_height"].as_u64().unwrap_or_default();
    let confirmed = answer["transactions"].as_u64().unwrap_or_default();
    println!("Mined {blocks} block(s) to {address}: the tip is now at height {tip}; {confirmed} sent transaction(s) confirmed.");
    Ok(())
}

/// `kybra bitcoin balance`.
pub fn balance(address: &str, min_confirmations: u32, network: Option<&str>) -> Result<()> {
    let path =
        format!("/_/bitcoin/balance?address={address}&min_confirmations={min_confirmations}");
    let answer = request(network, "GET", &path, None)?;
    let sat = answer["balance"].as_u64().unwrap_or_default();
    let utxos = answer["utxos"].as_array().map(Vec::len).unwrap_or_default();
    let tip = answer["tip_height"].as_u64().unwrap_or_default();
    println!(
        "{address}: {}.{:08} BTC ({sat} satoshi) in {utxos} UTXO(s), tip height {tip}",
        sat / 100_000_000,
        sat % 100_000_000
    );
    Ok(())
}

/// One HTTP/1.1 request to the local replica; the JSON answer, or its `error` as an error.
fn request(network: Option<&str>, method: &str, path: &str, body: Option<&str>) -> Result<Value> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    let host = net
        .url
        .strip_prefix("http://")
        .map(|h| h.trim_end_matches('/'))
        .filter(|_| net.loopback)
        .ok_or_else(|| {
            anyhow!(
                "`kybra bitcoin` works with a local replica only (got {})",
                net.url
            )
        })?;
    let mut stream = TcpStream::connect(host).map_err(|e| {
        anyhow!(
            "cannot reach the local replica at {}: {e}; start it with `kybra start --background`",
            net.url
        )
    })?;
    stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let body = body.unwrap_or("");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body.as_bytes()))
        .context("cannot send the request to the replica")?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .context("cannot read the replica's answer")?;
    let text = String::from_utf8_lossy(&raw);
    let (head, content) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("the replica sent a malformed answer"))?;
    let status = head.split_whitespace().nth(1).unwrap_or("");
    if status == "404" {
        bail!("the replica at {} has no bitcoin endpoints: is it an older kybra? restart it with `kybra start`", net.url);
    }
    let json: Value = serde_json::from_str(content).with_context(|| {
        format!("the replica answered {status} with something that is not JSON: {content}")
    })?;
    if let Some(error) = json["error"].as_str() {
        bail!("{error}");
    }
    Ok(json)
}
