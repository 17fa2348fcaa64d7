//! Senders the replica must accept and refuse, through `ic-agent`: ECDSA P-256 keys,
//! delegation chains (as Internet Identity issues them), and the ways a delegation can be
//! wrong — expired, for other canisters, or signed by the wrong key. Refused requests
//! change nothing.
mod common;

use candid::{Decode, Encode, Principal};
use common::{create_and_install, now_nanos, start};
use ic_agent::identity::{
    BasicIdentity, DelegatedIdentity, Delegation, Prime256v1Identity, SignedDelegation,
};
use ic_agent::{Agent, Identity};

async fn whoami(agent: &Agent, id: Principal) -> Result<Principal, String> {
    let bytes = agent
        .query(&id, "whoami")
        .with_arg(Encode!().unwrap())
        .call()
        .await
        .map_err(|e| e.to_string())?;
    Ok(Decode!(&bytes, Principal).unwrap())
}

async fn get_message(agent: &Agent, id: Principal) -> String {
    let bytes = agent
        .query(&id, "get_message")
        .with_arg(Encode!().unwrap())
        .call()
        .await
        .unwrap();
    Decode!(&bytes, String).unwrap()
}

/// A session key acting for `root` through one delegation signed by `signer`.
fn delegated(
    root: &BasicIdentity,
    signer: &BasicIdentity,
    expiration: u64,
    targets: Option<Vec<Principal>>,
) -> DelegatedIdentity {
    let session = BasicIdentity::from_raw_key(&[42; 32]);
    let delegation = Delegation {
        pubkey: session.public_key().unwrap(),
        expiration,
        targets,
    };
    let signature = signer
        .sign_delegation(&delegation)
        .unwrap()
        .signature
        .unwrap();
    DelegatedIdentity::new_unchecked(
        root.public_key().unwrap(),
        Box::new(session),
        vec![SignedDelegation {
            delegation,
            signature,
        }],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p256_and_delegated_senders_are_accepted() {
    let net = start().await;
    let anonymous = net.agent().await;
    let id = create_and_install(&anonymous, &net).await;

    let p256 =
        Prime256v1Identity::from_private_key(p256::SecretKey::from_slice(&[13; 32]).unwrap());
    let me = p256.sender().unwrap();
    assert_eq!(
        whoami(&net.agent_with(Box::new(p256)).await, id)
            .await
            .unwrap(),
        me
    );

    let root = BasicIdentity::from_raw_key(&[21; 32]);
    let hour = 3_600_000_000_000;
    for targets in [None, Some(vec![id])] {
        let agent = net
            .agent_with(Box::new(delegated(
                &root,
                &root,
                now_nanos() + hour,
                targets,
            )))
            .await;
        // The caller is the root key's principal, not the session key's.
        assert_eq!(whoami(&agent, id).await.unwrap(), root.sender().unwrap());
        agent
            .update(&id, "set_message")
            .with_arg(Encode!(&"delegated").unwrap())
            .call_and_wait()
            .await
            .unwrap();
        assert_eq!(get_message(&anonymous, id).await, "delegated");
    }
    net.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_delegations_are_refused_and_change_nothing() {
    let net = start().await;
    let anonymous = net.agent().await;
    let id = create_and_install(&anonymous, &net).await;
    anonymous
        .update(&id, "set_message")
        .with_arg(Encode!(&"before").unwrap())
        .call_and_wait()
        .await
        .unwrap();

    let root = BasicIdentity::from_raw_key(&[21; 32]);
    let stranger = BasicIdentity::from_raw_key(&[99; 32]);
    let hour = 3_600_000_000_000;
    let other_canister = Principal::from_text("ryjl3-tyaaa-aaaaa-aaaba-cai").unwrap();
    let cases = [
        (
            delegated(&root, &root, now_nanos() - 1_000_000_000, None),
            "expired",
        ),
        (
            delegated(&root, &root, now_nanos() + hour, Some(vec![other_canister])),
            "does not allow requests to canister",
        ),
        (
            delegated(&root, &stranger, now_nanos() + hour, None),
            "invalid signature",
        ),
    ];
    for (identity, expected) in cases {
        let agent = net.agent_with(Box::new(identity)).await;
        let err = whoami(&agent, id).await.unwrap_err();
        assert!(err.contains(expected), "query: {err}");
        let err = agent
            .update(&id, "set_message")
            .with_arg(Encode!(&"forged").unwrap())
            .call_and_wait()
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "update: {err}");
        assert_eq!(get_message(&anonymous, id).await, "before");
    }
    net.server.shutdown().await.unwrap();
}
