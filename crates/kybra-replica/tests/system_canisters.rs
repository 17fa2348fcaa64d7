//! The built-in system canisters at their mainnet ids: the cycles minting canister's
//! `get_default_subnets` / `get_subnet_types_to_subnets` and the cycles ledger's
//! `create_canister`, called with Candid the way the `icp` CLI calls them (the argument and
//! result types below are the cycles ledger's `.did`, dfinity/cycles-ledger).

mod common;

use candid::{CandidType, Deserialize, Nat, Principal};
use common::*;
use ic_management_canister_types as mgmt;
use kybra_replica::system_canisters::{CYCLES_LEDGER, CYCLES_MINTING_CANISTER};
use kybra_replica::{Replica, ReplicaConfig, TimeMode};

#[derive(CandidType, Deserialize, Debug)]
struct SubnetTypesToSubnetsResponse {
    data: Vec<(String, Vec<Principal>)>,
}

fn subnet() -> Principal {
    Principal::self_authenticating(b"the subnet's root key")
}

fn args(amount: u128, creation_args: Option<CreationArgs>) -> CreateCanisterArgs {
    CreateCanisterArgs {
        from_subaccount: None,
        created_at_time: None,
        amount: Nat::from(amount),
        creation_args,
    }
}

fn ledger_create(r: &Replica, sender: Principal, a: &CreateCanisterArgs) -> CreateCanisterResponse {
    let out = r
        .update(sender, CYCLES_LEDGER, None, "create_canister", &enc(a))
        .unwrap();
    dec(&out)
}

fn created(response: CreateCanisterResponse) -> (Nat, Principal) {
    match response {
        CreateCanisterResponse::Ok {
            block_id,
            canister_id,
        } => (block_id, canister_id),
        other => panic!("create_canister failed: {other:?}"),
    }
}

fn failed(response: CreateCanisterResponse) -> String {
    match response {
        CreateCanisterResponse::Err(CreateCanisterError::FailedToCreate { error, .. }) => error,
        other => panic!("expected FailedToCreate, got {other:?}"),
    }
}

#[test]
fn system_canisters_have_their_mainnet_ids_and_lie_in_the_ranges() {
    let r = replica();
    r.set_system_canisters(true);
    assert_eq!(
        CYCLES_MINTING_CANISTER.to_text(),
        "rkp4c-7iaaa-aaaaa-aaaca-cai"
    );
    assert_eq!(CYCLES_LEDGER.to_text(), "um5iw-rqaaa-aaaaq-qaaba-cai");
    let ranges = r.root_subnet_canister_ranges();
    for id in [CYCLES_MINTING_CANISTER, CYCLES_LEDGER] {
        assert!(r.canister_exists(id));
        assert!(ranges
            .iter()
            .any(|(lo, hi)| lo.as_slice() <= id.as_slice() && id.as_slice() <= hi.as_slice()));
    }
    let mut sorted = ranges.clone();
    sorted.sort_by(|a, b| a.0.as_slice().cmp(b.0.as_slice()));
    assert_eq!(ranges, sorted, "ranges are sorted");
    // They are built in, not user canisters: no listing, no module, no controllers.
    assert!(r.canister_ids().is_empty());
    assert_eq!(r.module_hash(CYCLES_LEDGER), None);
    // Nobody takes their ids.
    let arg = mgmt::ProvisionalCreateCanisterWithCyclesArgs {
        amount: None,
        settings: None,
        specified_id: Some(CYCLES_LEDGER),
        sender_canister_version: None,
    };
    assert_reject(
        r.update(
            user(),
            mgmt_id(),
            None,
            "provisional_create_canister_with_cycles",
            &enc(&arg),
        ),
        2,
        "IC0205",
        "built-in system canister",
    );
    assert_eq!(r.controllers(CYCLES_MINTING_CANISTER), None);
}

#[test]
fn cmc_reports_the_replica_subnet() {
    let r = replica();
    r.set_system_canisters(true);
    let empty = candid::encode_args(()).unwrap();
    assert_reject(
        r.query(
            user(),
            CYCLES_MINTING_CANISTER,
            "get_default_subnets",
            &empty,
        ),
        4,
        "IC0406",
        "does not know its subnet id",
    );
    r.set_subnet_id(subnet());
    assert_eq!(r.subnet_id(), Some(subnet()));
    let as_query = r
        .query(
            user(),
            CYCLES_MINTING_CANISTER,
            "get_default_subnets",
            &empty,
        )
        .unwrap();
    assert_eq!(dec::<Vec<Principal>>(&as_query), vec![subnet()]);
    // A query method may also be called as an update (replicated query).
    let as_update = r
        .update(
            Principal::anonymous(),
            CYCLES_MINTING_CANISTER,
            None,
            "get_default_subnets",
            &empty,
        )
        .unwrap();
    assert_eq!(dec::<Vec<Principal>>(&as_update), vec![subnet()]);
    let types = r
        .query(
            user(),
            CYCLES_MINTING_CANISTER,
            "get_subnet_types_to_subnets",
            &empty,
        )
        .unwrap();
    assert!(dec::<SubnetTypesToSubnetsResponse>(&types).data.is_empty());
}

#[test]
fn cycles_ledger_creates_canisters_with_settings_and_cycles() {
    let r = replica();
    r.set_system_canisters(true);
    r.set_subnet_id(subnet());
    let settings = mgmt::CanisterSettings {
        controllers: Some(vec![other_user(), user()]),
        freezing_threshold: Some(Nat::from(1234u32)),
        ..Default::default()
    };
    let selection = SubnetSelection::Subnet { subnet: subnet() };
    let a = args(
        3_000_000_000_000,
        Some(CreationArgs {
            subnet_selection: Some(selection),
            settings: Some(settings),
        }),
    );
    let (block, id) = created(ledger_create(&r, user(), &a));
    assert_eq!(block, Nat::from(0u8));
    assert_eq!(
        id.to_text(),
        "bkyz2-fmaaa-aaaaa-qaaaq-cai",
        "allocated like any canister"
    );
    assert_eq!(r.canister_ids(), vec![id]);
    let st = status(&r, other_user(), id).unwrap();
    assert_eq!(st.settings.controllers, vec![other_user(), user()]);
    assert_eq!(st.settings.freezing_threshold, Nat::from(1234u32));
    assert_eq!(st.cycles, Nat::from(3_000_000_000_000u128));
    // The created canister takes code like any other.
    install(&r, user(), id, hello_wasm()).unwrap();
    set_message(&r, id, "made by the cycles ledger");
    assert_eq!(get_message(&r, id), "made by the cycles ledger");

    // No creation arguments: the caller controls it; block ids count up.
    let (block, second) = created(ledger_create(&r, other_user(), &args(7, None)));
    assert_eq!(block, Nat::from(1u8));
    assert_ne!(second, id);
    assert_eq!(r.controllers(second), Some(vec![other_user()]));
    assert_eq!(
        status(&r, other_user(), second).unwrap().cycles,
        Nat::from(7u8)
    );
    // A filter without a subnet type picks the one subnet.
    let filter = SubnetSelection::Filter(SubnetFilter { subnet_type: None });
    let a = args(
        1,
        Some(CreationArgs {
            subnet_selection: Some(filter),
            settings: None,
        }),
    );
    created(ledger_create(&r, user(), &a));
}

#[test]
fn cycles_ledger_refuses_other_subnets_and_bad_settings() {
    let r = replica();
    r.set_system_canisters(true);
    r.set_subnet_id(subnet());
    let elsewhere = Principal::self_authenticating(b"another subnet");
    let a = args(
        1,
        Some(CreationArgs {
            subnet_selection: Some(SubnetSelection::Subnet { subnet: elsewhere }),
            settings: None,
        }),
    );
    let error = failed(ledger_create(&r, user(), &a));
    assert!(
        error.contains(&elsewhere.to_text()) && error.contains(&subnet().to_text()),
        "{error}"
    );
    let typed = SubnetSelection::Filter(SubnetFilter {
        subnet_type: Some("fiduciary".into()),
    });
    let a = args(
        1,
        Some(CreationArgs {
            subnet_selection: Some(typed),
            settings: None,
        }),
    );
    assert!(failed(ledger_create(&r, user(), &a)).contains("\"fiduciary\""));
    let eleven = mgmt::CanisterSettings {
        controllers: Some((0..11u8).map(|i| Principal::from_slice(&[i; 29])).collect()),
        ..Default::default()
    };
    let a = args(
        1,
        Some(CreationArgs {
            subnet_selection: None,
            settings: Some(eleven),
        }),
    );
    assert!(failed(ledger_create(&r, user(), &a)).contains("at most 10"));
    assert!(r.canister_ids().is_empty(), "nothing was created");
}

#[test]
fn bad_arguments_and_unknown_methods_are_rejected_clearly() {
    let r = replica();
    r.set_system_canisters(true);
    // A text where the record belongs: a reject naming the method and the expected type.
    let reject = assert_reject(
        r.update(
            user(),
            CYCLES_LEDGER,
            None,
            "create_canister",
            &enc(&"hello".to_string()),
        ),
        4,
        "IC0406",
        "could not decode the argument of create_canister",
    );
    assert!(
        reject.message.contains("amount : nat"),
        "{}",
        reject.message
    );
    assert_reject(
        r.query(
            user(),
            CYCLES_MINTING_CANISTER,
            "get_default_subnets",
            b"not candid",
        ),
        4,
        "IC0406",
        "expected ()",
    );
    let empty = candid::encode_args(()).unwrap();
    assert_reject(
        r.update(user(), CYCLES_LEDGER, None, "icrc3_get_blocks", &empty),
        5,
        "IC0536",
        "create_canister, deposit, icrc1_balance_of",
    );
    assert_reject(
        r.query(user(), CYCLES_LEDGER, "create_canister", &empty),
        5,
        "IC0536",
        "call it as an update",
    );
    assert_reject(
        r.query(
            user(),
            CYCLES_MINTING_CANISTER,
            "notify_create_canister",
            &empty,
        ),
        5,
        "IC0536",
        "get_default_subnets, get_icp_xdr_conversion_rate, get_subnet_types_to_subnets",
    );
}

#[test]
fn canisters_the_ledger_creates_are_persisted() {
    let dir = tempfile::tempdir().unwrap();
    let config = || ReplicaConfig {
        state_dir: Some(dir.path().to_path_buf()),
        time: TimeMode::WallClock,
    };
    let id = {
        let r = Replica::open(config()).unwrap();
        r.set_system_canisters(true);
        let (_, id) = created(ledger_create(&r, user(), &args(42, None)));
        id
    };
    let r = Replica::open(config()).unwrap();
    r.set_system_canisters(true);
    assert_eq!(r.canister_ids(), vec![id]);
    assert_eq!(r.controllers(id), Some(vec![user()]));
    assert_eq!(status(&r, user(), id).unwrap().cycles, Nat::from(42u8));
}
