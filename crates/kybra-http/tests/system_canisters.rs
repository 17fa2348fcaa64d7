//! The replica's built-in system canisters over HTTP, as the `icp` CLI reaches them through
//! `ic-agent`: a verified query to the cycles minting canister (its id must lie in the
//! certified canister ranges), an update to the cycles ledger's `create_canister`, and a
//! provisional creation sent with `aaaaa-aa` as effective canister id.

mod common;

use candid::{CandidType, Decode, Deserialize, Encode, Nat, Principal};
use common::start;
use ic_agent::agent::SubnetType;
use ic_utils::interfaces::management_canister::builders::CanisterSettings;
use kybra_replica::system_canisters::{CYCLES_LEDGER, CYCLES_MINTING_CANISTER};

#[derive(CandidType)]
struct CreateCanisterArgs {
    from_subaccount: Option<Vec<u8>>,
    created_at_time: Option<u64>,
    amount: Nat,
    creation_args: Option<CreationArgs>,
}

#[derive(CandidType)]
struct CreationArgs {
    subnet_selection: Option<SubnetSelection>,
    settings: Option<CanisterSettings>,
}

#[derive(CandidType)]
enum SubnetSelection {
    Subnet { subnet: Principal },
}

#[derive(CandidType, Deserialize)]
struct CanisterIdRecord {
    canister_id: Principal,
}

#[derive(CandidType, Deserialize, Debug)]
enum CreateCanisterResponse {
    Ok {
        block_id: Nat,
        canister_id: Principal,
    },
    Err(candid::Reserved),
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn icp_style_creation_through_the_cycles_ledger() {
    let net = start().await;
    net.replica.set_system_canisters(true);
    let agent = net.agent().await;
    // A query with its signature verified: ic-agent checks that the CMC lies in the subnet's
    // certified canister ranges.
    let reply = agent
        .query(&CYCLES_MINTING_CANISTER, "get_default_subnets")
        .with_arg(Encode!().unwrap())
        .call()
        .await
        .unwrap();
    let subnets = Decode!(&reply, Vec<Principal>).unwrap();
    assert_eq!(subnets, vec![net.server.keys().subnet_id()]);
    let info = agent.get_subnet_by_id(&subnets[0]).await.unwrap();
    assert_ne!(info.subnet_type(), Some(&SubnetType::CloudEngine));

    let arg = CreateCanisterArgs {
        from_subaccount: None,
        created_at_time: None,
        amount: Nat::from(2_000_000_000_000u128),
        creation_args: Some(CreationArgs {
            subnet_selection: Some(SubnetSelection::Subnet { subnet: subnets[0] }),
            settings: None,
        }),
    };
    let reply = agent
        .update(&CYCLES_LEDGER, "create_canister")
        .with_arg(Encode!(&arg).unwrap())
        .call_and_wait()
        .await
        .unwrap();
    let CreateCanisterResponse::Ok { canister_id, .. } =
        Decode!(&reply, CreateCanisterResponse).unwrap()
    else {
        panic!("create_canister failed")
    };
    assert!(net.replica.canister_ids().contains(&canister_id));
    assert_eq!(
        net.replica.controllers(canister_id),
        Some(vec![Principal::anonymous()])
    );
    net.server.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provisional_creation_accepts_the_management_canister_as_effective_id() {
    let net = start().await;
    net.replica.set_system_canisters(true);
    let agent = net.agent().await;
    #[derive(CandidType)]
    struct Provisional {
        amount: Option<Nat>,
        settings: Option<CanisterSettings>,
    }
    let mgmt = Principal::management_canister();
    let reply = agent
        .update(&mgmt, "provisional_create_canister_with_cycles")
        .with_effective_canister_id(mgmt)
        .with_arg(
            Encode!(&Provisional {
                amount: None,
                settings: None
            })
            .unwrap(),
        )
        .call_and_wait()
        .await
        .unwrap();
    let created = Decode!(&reply, CanisterIdRecord).unwrap();
    assert!(net.replica.canister_exists(created.canister_id));
    // Other management calls still need the canister they name as effective id.
    let err = agent
        .update(&mgmt, "canister_status")
        .with_effective_canister_id(mgmt)
        .with_arg(
            Encode!(&CanisterIdRecord {
                canister_id: created.canister_id
            })
            .unwrap(),
        )
        .call_and_wait()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not match"), "{err}");
    net.server.shutdown().await.unwrap();
}

/// The faucet route (`POST /_/faucet`): each bad request answers 400 with a JSON
/// `{"error": …}` that says what to change, and mints nothing; a good one mints into the
/// owner's accounts and reports the balances.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_faucet_answers_bad_requests_with_what_to_change() {
    let net = start().await;
    let url = net.url("/_/faucet");
    let owner = Principal::from_slice(&[7; 29]).to_text();
    let error_of = |(status, body): (u16, Vec<u8>)| -> String {
        assert_eq!(status, 400, "{}", common::text(&body));
        let v: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        v["error"].as_str().expect("an error text").to_string()
    };
    let post = |body: String| common::post(&url, body.into_bytes());

    // Without the system canisters there is nothing to mint on.
    let ask = format!(r#"{{"owner": "{owner}", "icp_e8s": 100}}"#);
    let off = error_of(post(ask.clone()).await);
    assert!(off.contains("--system-canisters"), "{off}");

    net.replica.set_system_canisters(true);
    let not_json = error_of(post("owner=me".into()).await);
    assert!(not_json.contains("expected JSON"), "{not_json}");
    let not_principal = error_of(post(r#"{"owner": "me", "icp_e8s": 1}"#.into()).await);
    assert!(
        not_principal.contains("is not a principal"),
        "{not_principal}"
    );
    let nothing = error_of(post(format!(r#"{{"owner": "{owner}"}}"#)).await);
    assert!(nothing.contains("ask for something"), "{nothing}");
    let negative = error_of(post(format!(r#"{{"owner": "{owner}", "cycles": -5}}"#)).await);
    assert!(negative.contains("expected JSON"), "{negative}");

    let (status, body) = post(format!(
        r#"{{"owner": "{owner}", "icp_e8s": 100, "cycles": 7}}"#
    ))
    .await;
    assert_eq!(status, 200, "{}", common::text(&body));
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["icp_e8s_balance"], 100, "{v}");
    assert_eq!(v["cycles_balance"], 7, "{v}");
}
