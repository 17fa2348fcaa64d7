//! End to end with the real `ic-agent` (root key fetched, query signatures verified):
//! create a canister through the management canister, install the Rust hello canister,
//! update + query, read_state of module_hash and controllers, signed identities (Ed25519,
//! secp256k1), certified rejects, and the v2 asynchronous call path with polling.

mod common;
use candid::{Decode, Encode, Principal};
use common::*;
use ic_agent::agent::{RejectCode, RequestStatusResponse};
use ic_agent::identity::{BasicIdentity, Secp256k1Identity};
use ic_agent::{Agent, AgentError};
use sha2::{Digest, Sha256};

async fn get_message(agent: &Agent, id: Principal) -> String {
    let bytes = agent
        .query(&id, "get_message")
        .with_arg(Encode!().unwrap())
        .call()
        .await
        .expect("query");
    Decode!(&bytes, String).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_install_update_query_read_state() {
    let net = start().await;
    let agent = net.agent().await;
    let id = create_and_install(&agent, &net).await;

    // Update (v4 synchronous call with a certificate) then query (signature verified).
    agent
        .update(&id, "set_message")
        .with_arg(Encode!(&"Hello, Kybra!").unwrap())
        .call_and_wait()
        .await
        .expect("update");
    assert_eq!(get_message(&agent, id).await, "Hello, Kybra!");

    // read_state: module hash and controllers.
    let hash = agent
        .read_state_canister_module_hash(id)
        .await
        .expect("module_hash");
    assert_eq!(hash, Sha256::digest(rust_hello_wasm()).to_vec());
    let controllers = agent
        .read_state_canister_controllers(id)
        .await
        .expect("controllers");
    assert_eq!(controllers, vec![Principal::anonymous()]);
    // Metadata the module does not have is absent (the lookup fails, the request does not).
    let err = agent
        .read_state_canister_metadata(id, "no:such:section")
        .await
        .unwrap_err();
    assert!(matches!(err, AgentError::LookupPathAbsent(_)), "{err}");

    // A trap is a certified reject with code 5 and the IC's error code; nothing changes.
    let err = agent
        .update(&id, "set_message_then_trap")
        .with_arg(Encode!(&"lost").unwrap())
        .call_and_wait()
        .await
        .unwrap_err();
    match err {
        AgentError::CertifiedReject { reject, .. } => {
            assert_eq!(reject.reject_code, RejectCode::CanisterError);
            assert!(
                reject.reject_message.contains("deliberate trap"),
                "{}",
                reject.reject_message
            );
            assert!(reject.error_code.is_some());
        }
        other => panic!("expected a certified reject, got {other}"),
    }
    assert_eq!(get_message(&agent, id).await, "Hello, Kybra!");

    // Unknown method: a query reject that still carries a verified node signature.
    let err = agent
        .query(&id, "no_such_method")
        .with_arg(Encode!().unwrap())
        .call()
        .await
        .unwrap_err();
    assert!(matches!(err, AgentError::UncertifiedReject { .. }), "{err}");

    // A canister that does not exist: update and query rejects name it.
    let ghost = Principal::from_text("bd3sg-teaaa-aaaaa-qaaba-cai").unwrap();
    if !net.replica.canister_exists(ghost) {
        let err = agent
            .update(&ghost, "m")
            .with_arg(Encode!().unwrap())
            .call_and_wait()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
        let err = agent
            .query(&ghost, "m")
            .with_arg(Encode!().unwrap())
            .call()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("not found"), "{err}");
    }
    net.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_identities_are_verified_and_become_the_caller() {
    let net = start().await;
    let anonymous = net.agent().await;
    let id = create_and_install(&anonymous, &net).await;

    let ed = BasicIdentity::from_raw_key(&[11; 32]);
    let k1 = Secp256k1Identity::from_private_key(k256::SecretKey::from_slice(&[12; 32]).unwrap());
    for identity in [Box::new(ed) as Box<dyn ic_agent::Identity>, Box::new(k1)] {
        let agent = net.agent_with(identity).await;
        let me = agent.get_principal().unwrap();
        let bytes = agent
            .query(&id, "whoami")
            .with_arg(Encode!().unwrap())
            .call()
            .await
            .expect("signed query");
        assert_eq!(Decode!(&bytes, Principal).unwrap(), me);
        // Signed update + read_state of its status by the same sender.
        agent
            .update(&id, "set_message")
            .with_arg(Encode!(&me.to_text()).unwrap())
            .call_and_wait()
            .await
            .expect("signed update");
        assert_eq!(get_message(&anonymous, id).await, me.to_text());
    }
    net.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v2_asynchronous_call_then_poll() {
    let net = start().await;
    let agent = net.agent().await;
    let id = create_and_install(&agent, &net).await;

    let content = content(
        "call",
        id,
        "set_message",
        Encode!(&"via v2").unwrap(),
        expiry(),
    );
    let rid = kybra_http::hash_of_map(&content).unwrap();
    let (status, body) = post(
        &net.url(&format!("/api/v2/canister/{id}/call")),
        envelope(content.clone()),
    )
    .await;
    assert_eq!(status, 202, "{}", text(&body));
    assert!(body.is_empty());

    // Poll with the agent (certificate verified against the root key).
    let rid = ic_agent::RequestId::new(rid.as_bytes());
    let mut replied = false;
    for _ in 0..100 {
        let (status, _cert) = agent
            .request_status_raw(&rid, id)
            .await
            .expect("request_status");
        match status {
            RequestStatusResponse::Replied(_) => {
                replied = true;
                break;
            }
            RequestStatusResponse::Rejected(r) => panic!("rejected: {r:?}"),
            _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
        }
    }
    assert!(replied);
    assert_eq!(get_message(&agent, id).await, "via v2");

    // Submitting the same request again does not execute it again; v4 answers with the
    // certificate of the first execution.
    agent
        .update(&id, "set_message")
        .with_arg(Encode!(&"later").unwrap())
        .call_and_wait()
        .await
        .unwrap();
    let (status, body) = post(
        &net.url(&format!("/api/v4/canister/{id}/call")),
        envelope(content),
    )
    .await;
    assert_eq!(status, 200, "{}", text(&body));
    assert_eq!(get_message(&agent, id).await, "later");

    // Another sender may not read this request's status.
    let other = net
        .agent_with(Box::new(BasicIdentity::from_raw_key(&[5; 32])))
        .await;
    let err = other.request_status_raw(&rid, id).await.unwrap_err();
    assert!(err.to_string().contains("only its sender"), "{err}");
    net.server.shutdown().await.unwrap();
}
