//! Shared test helpers: a real replica served on a free port, a real `ic-agent` talking to
//! it, the Rust test canister (built once with cargo, cached), and raw envelopes.
#![allow(dead_code)]

use candid::Principal;
use ic_agent::{Agent, Identity};
use ic_utils::interfaces::ManagementCanister;
use kybra_http::{serve_with, ServeConfig, ServerHandle};
use kybra_replica::{Replica, ReplicaConfig, TimeMode};
use serde_cbor::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct Net {
    pub replica: Arc<Replica>,
    pub server: ServerHandle,
}

pub async fn start() -> Net {
    let replica = Arc::new(Replica::new(ReplicaConfig {
        state_dir: None,
        time: TimeMode::WallClock,
    }));
    let server = serve_with(
        replica.clone(),
        ServeConfig::new("127.0.0.1:0".parse().unwrap()),
    )
    .await
    .expect("server starts");
    Net { replica, server }
}

impl Net {
    pub async fn agent_with(&self, identity: Box<dyn Identity>) -> Agent {
        let agent = Agent::builder()
            .with_url(self.server.url())
            .with_boxed_identity(identity)
            .with_verify_query_signatures(true)
            .build()
            .expect("agent builds");
        agent.fetch_root_key().await.expect("fetch_root_key");
        agent
    }

    pub async fn agent(&self) -> Agent {
        self.agent_with(Box::new(ic_agent::identity::AnonymousIdentity))
            .await
    }

    /// Some id inside the replica's canister ranges that no canister has (for provisional
    /// creation): the lower bound of the range canisters are allocated from (the first ranges
    /// are the built-in system canisters').
    pub fn effective_id(&self) -> Principal {
        self.replica.root_subnet_canister_ranges().last().unwrap().0
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }
}

/// The Rust hello canister of `tests/canisters/rust_hello` (built once, shared with the
/// replica's tests and the benchmark).
pub fn rust_hello_wasm() -> Vec<u8> {
    kybra_test_support::rust_hello().to_vec()
}

pub fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

pub fn text_map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (Value::Text(k.into()), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// The `content` of an anonymous request.
pub fn content(
    request_type: &str,
    canister: Principal,
    method: &str,
    arg: Vec<u8>,
    expiry: u64,
) -> Value {
    text_map(vec![
        ("request_type", Value::Text(request_type.into())),
        ("sender", Value::Bytes(vec![4])),
        ("ingress_expiry", Value::Integer(expiry.into())),
        ("canister_id", Value::Bytes(canister.as_slice().to_vec())),
        ("method_name", Value::Text(method.into())),
        ("arg", Value::Bytes(arg)),
        ("nonce", Value::Bytes(now_nanos().to_be_bytes().to_vec())),
    ])
}

pub fn envelope(content: Value) -> Vec<u8> {
    let mut out = vec![0xd9, 0xd9, 0xf7];
    out.extend(serde_cbor::to_vec(&text_map(vec![("content", content)])).unwrap());
    out
}

pub fn expiry() -> u64 {
    now_nanos() + 120_000_000_000
}

pub async fn post(url: &str, body: Vec<u8>) -> (u16, Vec<u8>) {
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/cbor")
        .body(body)
        .send()
        .await
        .expect("request sent");
    let status = resp.status().as_u16();
    (status, resp.bytes().await.unwrap().to_vec())
}

pub fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

/// Creates a canister through the management canister and installs the Rust test canister.
pub async fn create_and_install(agent: &Agent, net: &Net) -> Principal {
    let mgmt = ManagementCanister::create(agent);
    let (id,) = mgmt
        .create_canister()
        .as_provisional_create_with_amount(None)
        .with_effective_canister_id(net.effective_id())
        .call_and_wait()
        .await
        .expect("provisional_create_canister_with_cycles");
    mgmt.install_code(&id, &rust_hello_wasm())
        .call_and_wait()
        .await
        .expect("install_code");
    id
}
