//! Bad input over raw HTTP: each case gets the right 4xx and a plain-text message saying what
//! is wrong; the server keeps serving and nothing changes state. Also: the v2 asynchronous
//! call + polling path with a hand-made envelope, and status over raw HTTP.

mod common;
use candid::Principal;
use common::*;
use serde_cbor::Value;

async fn assert_rejects(url: &str, body: Vec<u8>, status: u16, needle: &str) {
    let (got, body) = post(url, body).await;
    let msg = text(&body);
    assert_eq!(got, status, "{url}: expected {status}, got {got}: {msg}");
    assert!(
        msg.contains(needle),
        "{url}: message {msg:?} should mention {needle:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_4xx_answers() {
    let net = start().await;
    let eff = net.effective_id();
    let query_url = net.url(&format!("/api/v3/canister/{eff}/query"));
    let call_url = net.url(&format!("/api/v3/canister/{eff}/call"));
    let rs_url = net.url(&format!("/api/v3/canister/{eff}/read_state"));

    // Malformed CBOR and empty bodies.
    assert_rejects(
        &query_url,
        b"\xff\xfe not cbor".to_vec(),
        400,
        "not valid CBOR",
    )
    .await;
    assert_rejects(&call_url, Vec::new(), 400, "empty").await;
    // CBOR that is not an envelope, and missing fields.
    assert_rejects(
        &query_url,
        serde_cbor::to_vec(&Value::Integer(3)).unwrap(),
        400,
        "must be a CBOR map",
    )
    .await;
    assert_rejects(
        &query_url,
        envelope(text_map(vec![(
            "request_type",
            Value::Text("query".into()),
        )])),
        400,
        "sender",
    )
    .await;
    let mut c = content("query", eff, "m", vec![], expiry());
    if let Value::Map(m) = &mut c {
        m.remove(&Value::Text("method_name".into()));
    }
    assert_rejects(&query_url, envelope(c), 400, "`method_name`").await;
    // Wrong request type for the endpoint.
    assert_rejects(
        &query_url,
        envelope(content("call", eff, "m", vec![], expiry())),
        400,
        "takes `query` requests",
    )
    .await;
    // Expired and too-far-future requests.
    assert_rejects(
        &call_url,
        envelope(content(
            "call",
            eff,
            "m",
            vec![],
            now_nanos() - 1_000_000_000,
        )),
        400,
        "Invalid request expiry",
    )
    .await;
    assert_rejects(
        &call_url,
        envelope(content(
            "call",
            eff,
            "m",
            vec![],
            now_nanos() + 3_600_000_000_000,
        )),
        400,
        "Invalid request expiry",
    )
    .await;
    // Effective canister id does not match the target.
    let other = Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 9, 1, 1]);
    assert_rejects(
        &call_url,
        envelope(content("call", other, "m", vec![], expiry())),
        400,
        "does not match",
    )
    .await;
    // Management canister call without a canister_id argument.
    assert_rejects(
        &call_url,
        envelope(content(
            "call",
            Principal::management_canister(),
            "install_code",
            b"DIDL\x00\x00".to_vec(),
            expiry(),
        )),
        400,
        "canister_id",
    )
    .await;
    // Invalid principal in the URL, and a canister id outside the ranges.
    assert_rejects(
        &net.url("/api/v3/canister/not-a-principal/query"),
        envelope(content("query", eff, "m", vec![], expiry())),
        400,
        "not a valid principal",
    )
    .await;
    let outside = Principal::from_slice(&[0xff; 10]);
    assert_rejects(
        &net.url(&format!("/api/v3/canister/{outside}/query")),
        envelope(content("query", outside, "m", vec![], expiry())),
        400,
        "canister ranges",
    )
    .await;
    // A non-anonymous sender without a signature.
    let mut c = content("call", eff, "m", vec![], expiry());
    if let Value::Map(m) = &mut c {
        m.insert(Value::Text("sender".into()), Value::Bytes(vec![7; 29]));
    }
    assert_rejects(&call_url, envelope(c), 400, "sender_sig").await;
    // A read_state of a path that is not in the state tree.
    let rs = text_map(vec![
        ("request_type", Value::Text("read_state".into())),
        ("sender", Value::Bytes(vec![4])),
        ("ingress_expiry", Value::Integer(expiry().into())),
        (
            "paths",
            Value::Array(vec![Value::Array(vec![Value::Bytes(b"secrets".to_vec())])]),
        ),
    ]);
    assert_rejects(&rs_url, envelope(rs), 404, "not part of the state tree").await;
    // Oversized body.
    let big = envelope(content(
        "call",
        eff,
        "m",
        vec![0; 3 * 1024 * 1024],
        expiry(),
    ));
    assert_rejects(&call_url, big, 413, "exceeds the limit").await;
    // Unknown endpoint and wrong HTTP method.
    assert_rejects(
        &net.url("/api/v9/whatever"),
        vec![1],
        404,
        "not an endpoint",
    )
    .await;
    let resp = reqwest::get(net.url(&format!("/api/v3/canister/{eff}/query")))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    assert!(resp.text().await.unwrap().contains("use POST"));
    // A query to a canister that does not exist: a signed reject (code 3, IC0301).
    let (status, body) = post(
        &query_url,
        envelope(content("query", eff, "m", vec![], expiry())),
    )
    .await;
    assert_eq!(status, 200, "{}", text(&body));
    let v: Value = serde_cbor::from_slice(&body).unwrap();
    let Value::Map(m) = v else { panic!("map") };
    assert_eq!(
        m[&Value::Text("status".into())],
        Value::Text("rejected".into())
    );
    assert_eq!(m[&Value::Text("reject_code".into())], Value::Integer(3));
    assert_eq!(
        m[&Value::Text("error_code".into())],
        Value::Text("IC0301".into())
    );
    // An update to a canister that does not exist: a non-replicated rejection.
    let (status, body) = post(
        &call_url,
        envelope(content("call", eff, "m", vec![], expiry())),
    )
    .await;
    assert_eq!(status, 200, "{}", text(&body));
    let v: Value = serde_cbor::from_slice(&body).unwrap();
    let Value::Map(m) = v else { panic!("map") };
    assert_eq!(
        m[&Value::Text("status".into())],
        Value::Text("non_replicated_rejection".into())
    );
    // The server still answers.
    let status = reqwest::get(net.url("/api/v2/status")).await.unwrap();
    assert_eq!(status.status().as_u16(), 200);
    assert_eq!(status.headers()["content-type"], "application/cbor");
    net.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_subnet_read_state_through_ic_agent() {
    let net = start().await;
    let agent = net.agent().await;
    let status = agent.status().await.unwrap();
    assert_eq!(status.replica_health_status.as_deref(), Some("healthy"));
    assert_eq!(
        status.root_key.as_deref(),
        Some(net.server.keys().root_key_der())
    );
    // Subnet read_state, verified by the agent against the fetched root key.
    let subnet = net.server.keys().subnet_id();
    let ranges = agent
        .read_state_subnet_canister_ranges(subnet)
        .await
        .unwrap();
    assert_eq!(ranges, net.replica.root_subnet_canister_ranges());
    let info = agent.fetch_subnet_by_id(&subnet).await.unwrap();
    assert_eq!(
        info.get_node_key(&net.server.keys().node_id()),
        Some(net.server.keys().node_key_der())
    );
    assert_eq!(info.self_reported_key(), net.server.keys().root_key_der());
    // Wrong subnet id: 404 with a message.
    let other = Principal::self_authenticating(b"another key");
    let err = agent
        .read_state_subnet_canister_ranges(other)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not served here"), "{err}");
}
