//! `kybra.canisters.management`: canisters that import it (in any import style) get its
//! types in their `.did` — only the ones their methods use, under the book's names — and
//! its modules in the payload as source; its `ManagementCanister` service agrees with the
//! IC interface specification's `ic.did` for every method it declares.
mod common;

use std::collections::HashSet;

use candid::types::subtype::{equal, subtype};
use candid::types::TypeInner;
use common::{label_problems, load_did as load, Labels, Project};
use kybra_interface::ModuleCode;

/// The names of the `type X = ...;` definitions of a `.did`, sorted.
fn defined(did: &str) -> Vec<String> {
    let mut names: Vec<String> = did
        .lines()
        .filter_map(|l| Some(l.strip_prefix("type ")?.split(' ').next()?.to_string()))
        .collect();
    names.sort();
    names
}

/// Builds `main` and checks its `.did` is the same service as `expected` and defines
/// exactly the named types `names`. Returns the `.did`.
fn assert_candid(main: &str, expected: &str, names: &[&str]) -> String {
    let c = Project::new(&[("src/main.py", main)])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (mut env, generated) = load(&c.did);
    let (env2, wanted) = load(expected);
    let wanted = env.merge_type(env2, wanted);
    if let Err(e) = equal(&mut HashSet::new(), &env, &generated, &wanted) {
        panic!("generated .did differs from the expected one: {e}\n--- generated\n{}\n--- expected\n{expected}", c.did);
    }
    let mut names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    names.sort();
    assert_eq!(defined(&c.did), names, "{}", c.did);
    c.did
}

const HTTP_TYPES: &str = r#"
    type HttpHeader = record { name: text; value: text };
    type HttpResponse = record { status: nat; headers: vec HttpHeader; body: blob };
    type HttpTransformArgs = record { response: HttpResponse; context: blob };
"#;

/// The transform function of the book's outgoing HTTP samples (`xkcd_transform`,
/// `eth_transform`), with the book's import.
const TRANSFORM: &str = r#"from kybra import query
from kybra.canisters.management import (
    HttpResponse,
    HttpTransformArgs,
    management_canister,
)


@query
def xkcd_transform(args: HttpTransformArgs) -> HttpResponse:
    http_response = args["response"]
    http_response["headers"] = []
    return http_response
"#;

#[test]
fn the_books_http_transform_uses_the_management_types() {
    let expected = format!(
        "{HTTP_TYPES} service : {{ xkcd_transform: (HttpTransformArgs) -> (HttpResponse) query }}"
    );
    assert_candid(
        TRANSFORM,
        &expected,
        &["HttpHeader", "HttpResponse", "HttpTransformArgs"],
    );
}

#[test]
fn every_import_style_reaches_the_same_types() {
    let expected =
        format!("{HTTP_TYPES} service : {{ t: (HttpTransformArgs) -> (HttpResponse) query }}");
    let names = ["HttpHeader", "HttpResponse", "HttpTransformArgs"];
    let styles = [
        "import kybra.canisters.management as m\n@query\ndef t(a: m.HttpTransformArgs) -> m.HttpResponse:\n    return a['response']\n",
        "import kybra.canisters.management\n@query\ndef t(a: kybra.canisters.management.HttpTransformArgs) -> kybra.canisters.management.HttpResponse:\n    return a['response']\n",
        "from kybra.canisters import management\n@query\ndef t(a: management.HttpTransformArgs) -> management.HttpResponse:\n    return a['response']\n",
        "from kybra.canisters.management.http import HttpResponse as R, HttpTransformArgs\n@query\ndef t(a: HttpTransformArgs) -> R:\n    return a['response']\n",
        "from kybra.canisters.management import http\n@query\ndef t(a: 'http.HttpTransformArgs') -> 'http.HttpResponse':\n    return a['response']\n",
    ];
    for body in styles {
        assert_candid(
            &format!("from kybra import query\n{body}"),
            &expected,
            &names,
        );
    }
}

#[test]
fn a_users_own_http_response_keeps_its_name() {
    // Incoming HTTP (the user's HttpResponse) beside outgoing HTTP (management's).
    let main = r#"from kybra import Vec, blob, nat16, query, Record
import kybra.canisters.management as management


class HttpResponse(Record):
    status_code: nat16
    body: blob


@query
def http_request(url: str) -> HttpResponse:
    return {"status_code": 200, "body": url.encode()}


@query
def transform(args: management.HttpTransformArgs) -> management.HttpResponse:
    return args["response"]
"#;
    let expected = r#"
        type HttpResponse = record { status_code: nat16; body: blob };
        type HttpHeader = record { name: text; value: text };
        type kybra_canisters_management_http_HttpResponse = record { status: nat; headers: vec HttpHeader; body: blob };
        type HttpTransformArgs = record { response: kybra_canisters_management_http_HttpResponse; context: blob };
        service : {
            http_request: (text) -> (HttpResponse) query;
            transform: (HttpTransformArgs) -> (kybra_canisters_management_http_HttpResponse) query;
        }"#;
    assert_candid(
        main,
        expected,
        &[
            "HttpHeader",
            "HttpResponse",
            "HttpTransformArgs",
            "kybra_canisters_management_http_HttpResponse",
        ],
    );
}

#[test]
fn create_canister_and_raw_rand_types() {
    let main = r#"from kybra import blob, query, update
from kybra.canisters.management import (
    CanisterStatusArgs,
    CanisterStatusResult,
    CreateCanisterArgs,
    CreateCanisterResult,
    management_canister,
)


@query
def create_args(result: CreateCanisterResult) -> CreateCanisterArgs:
    return {"settings": {"controllers": [result["canister_id"]], "compute_allocation": None, "memory_allocation": None, "freezing_threshold": None}}


@update
def status(args: CanisterStatusArgs) -> CanisterStatusResult:
    raise NotImplementedError


@query
def randomness() -> blob:
    return bytes(32)
"#;
    let expected = r#"
        type LogVisibility = variant { controllers; public; allowed_viewers: vec principal };
        type CanisterSettings = record {
            controllers: opt vec principal; compute_allocation: opt nat;
            memory_allocation: opt nat; freezing_threshold: opt nat;
            reserved_cycles_limit: opt nat; log_visibility: opt LogVisibility;
            wasm_memory_limit: opt nat;
        };
        type CreateCanisterArgs = record { settings: opt CanisterSettings };
        type CreateCanisterResult = record { canister_id: principal };
        type CanisterStatusArgs = record { canister_id: principal };
        type CanisterStatus = variant { running; stopping; stopped };
        type DefiniteCanisterSettings = record {
            controllers: vec principal; compute_allocation: nat; memory_allocation: nat; freezing_threshold: nat;
            reserved_cycles_limit: nat; log_visibility: LogVisibility; wasm_memory_limit: nat;
        };
        type CanisterStatusResult = record {
            status: CanisterStatus; settings: DefiniteCanisterSettings; module_hash: opt blob;
            memory_size: nat; cycles: nat; idle_cycles_burned_per_day: nat;
        };
        service : {
            create_args: (CreateCanisterResult) -> (CreateCanisterArgs) query;
            status: (CanisterStatusArgs) -> (CanisterStatusResult);
            randomness: () -> (blob) query;
        }"#;
    assert_candid(
        main,
        expected,
        &[
            "CanisterSettings",
            "CanisterStatus",
            "CanisterStatusArgs",
            "CanisterStatusResult",
            "CreateCanisterArgs",
            "CreateCanisterResult",
            "DefiniteCanisterSettings",
            "LogVisibility",
        ],
    );
}

#[test]
fn the_library_modules_are_shipped_as_source_after_the_users() {
    let p = Project::new(&[("src/main.py", TRANSFORM)]);
    let (index, code) = common::stdlib();
    let stdlib = kybra_compiler::stdlib::Stdlib::parse(index.as_bytes(), &code).unwrap();
    let (payload, user) = kybra_compiler::analyse_project(&p.main(), &p.root, &stdlib).unwrap();
    assert_eq!(user, 1);
    let sources: Vec<(&str, &str)> = payload
        .modules
        .iter()
        .filter_map(|m| match &m.code {
            ModuleCode::Source { filename, .. } => Some((m.name.as_str(), filename.as_str())),
            ModuleCode::Bytecode(_) => None,
        })
        .collect();
    assert_eq!(sources[0], ("main", "src/main.py"));
    for sub in ["basic", "bitcoin", "chunks", "http", "schnorr", "tecdsa"] {
        let name = format!("kybra.canisters.management.{sub}");
        let file = format!("kybra/canisters/management/{sub}.py");
        assert!(
            sources.contains(&(name.as_str(), file.as_str())),
            "{name} missing from {sources:?}"
        );
    }
    let packages: Vec<&str> = payload
        .modules
        .iter()
        .filter(|m| m.is_package)
        .map(|m| m.name.as_str())
        .collect();
    for p in ["kybra", "kybra.canisters", "kybra.canisters.management"] {
        assert!(
            packages.contains(&p),
            "{p} is not a package of the payload: {packages:?}"
        );
    }
    // `kybra` itself still comes from the bundle.
    assert!(payload
        .modules
        .iter()
        .any(|m| m.name == "kybra" && matches!(m.code, ModuleCode::Bytecode(_))));
}

#[test]
fn an_unknown_library_module_is_a_clear_error() {
    let errors = Project::new(&[(
        "src/main.py",
        "from kybra.canisters.nowhere import Ledger\n",
    )])
    .errors();
    assert!(
        errors.iter().any(|e| e.contains("src/main.py:1:1")
            && e.contains("no module `kybra.canisters.nowhere`")
            && e.contains("kybra.canisters.management")),
        "{errors:?}"
    );
}

/// The IC interface specification's management canister (`ic.did`, dfinity/interface-spec),
/// for the methods `kybra.canisters.management` declares. The Bitcoin methods take
/// `bitcoin_network` as the IC decodes it (`NetworkInRequest` of `ic-btc-interface`: the
/// spec's lowercase cases and the capitalised ones the book uses) and the `filter` cases
/// the IC accepts (lowercase as in the spec, or capitalised).
const IC_DID: &str = r#"
type canister_id = principal;
type wasm_module = blob;
type log_visibility = variant { controllers; public; allowed_viewers : vec principal };
type canister_settings = record {
  controllers : opt vec principal; compute_allocation : opt nat;
  memory_allocation : opt nat; freezing_threshold : opt nat;
  reserved_cycles_limit : opt nat; log_visibility : opt log_visibility;
  wasm_memory_limit : opt nat; wasm_memory_threshold : opt nat;
};
type definite_canister_settings = record {
  controllers : vec principal; compute_allocation : nat; memory_allocation : nat; freezing_threshold : nat;
  reserved_cycles_limit : nat; log_visibility : log_visibility; wasm_memory_limit : nat;
  wasm_memory_threshold : nat;
};
type http_header = record { name: text; value: text };
type http_response = record { status: nat; headers: vec http_header; body: blob };
type ecdsa_curve = variant { secp256k1; };
type satoshi = nat64;
type bitcoin_network = variant { mainnet; testnet; regtest; Mainnet; Testnet; Regtest };
type bitcoin_address = text;
type block_hash = blob;
type outpoint = record { txid : blob; vout : nat32 };
type utxo = record { outpoint: outpoint; value: satoshi; height: nat32 };
type get_utxos_request = record {
  address : bitcoin_address; network: bitcoin_network;
  filter: opt variant { min_confirmations: nat32; page: blob; MinConfirmations: nat32; Page: blob };
};
type get_current_fee_percentiles_request = record { network: bitcoin_network };
type get_utxos_response = record { utxos: vec utxo; tip_block_hash: block_hash; tip_height: nat32; next_page: opt blob };
type get_balance_request = record { address : bitcoin_address; network: bitcoin_network; min_confirmations: opt nat32 };
type send_transaction_request = record { transaction: blob; network: bitcoin_network };
type millisatoshi_per_byte = nat64;
type schnorr_algorithm = variant { bip340secp256k1; ed25519 };
type chunk_hash = record { hash : blob };
type canister_install_mode = variant {
  install; reinstall;
  upgrade : opt record { skip_pre_upgrade : opt bool; wasm_memory_persistence : opt variant { keep; replace } };
};
type schnorr_aux = variant { bip341 : record { merkle_root_hash : blob } };
type vetkd_curve = variant { bls12_381_g2 };
type snapshot_id = blob;
type snapshot = record { id : snapshot_id; taken_at_timestamp : nat64; total_size : nat64 };
type change_origin = variant {
  from_user : record { user_id : principal };
  from_canister : record { canister_id : principal; canister_version : opt nat64 };
};
type change_details = variant {
  creation : record { controllers : vec principal; environment_variables_hash : opt blob };
  code_uninstall;
  code_deployment : record { mode : variant { install; reinstall; upgrade }; module_hash : blob };
  load_snapshot : record {
    canister_version : nat64; snapshot_id : snapshot_id; taken_at_timestamp : nat64;
    source : variant { taken_from_canister : reserved; metadata_upload : reserved };
    from_canister_id : opt principal;
  };
  controllers_change : record { controllers : vec principal };
  rename_canister : record {
    canister_id : principal; total_num_changes : nat64; requested_by : principal;
    rename_to : record { canister_id : principal; version : nat64; total_num_changes : nat64 };
  };
};
type change = record {
  timestamp_nanos : nat64; canister_version : nat64; origin : change_origin; details : change_details;
};
service ic : {
  create_canister : (record { settings : opt canister_settings; sender_canister_version : opt nat64 })
    -> (record {canister_id : canister_id});
  update_settings : (record { canister_id : principal; settings : canister_settings; sender_canister_version : opt nat64 }) -> ();
  install_code : (record {
    mode : variant {install; reinstall; upgrade}; canister_id : canister_id; wasm_module : wasm_module;
    arg : blob; sender_canister_version : opt nat64;
  }) -> ();
  uninstall_code : (record { canister_id : canister_id; sender_canister_version : opt nat64 }) -> ();
  start_canister : (record {canister_id : canister_id}) -> ();
  stop_canister : (record {canister_id : canister_id}) -> ();
  canister_status : (record {canister_id : canister_id}) -> (record {
      status : variant { running; stopping; stopped }; settings: definite_canister_settings;
      module_hash: opt blob; memory_size: nat; cycles: nat; idle_cycles_burned_per_day: nat;
  });
  delete_canister : (record {canister_id : canister_id}) -> ();
  deposit_cycles : (record {canister_id : canister_id}) -> ();
  raw_rand : () -> (blob);
  http_request : (record {
    url : text; max_response_bytes: opt nat64; method : variant { get; head; post };
    headers: vec http_header; body : opt blob;
    transform : opt record {
      function : func (record {response : http_response; context : blob}) -> (http_response) query;
      context : blob
    };
  }) -> (http_response);
  ecdsa_public_key : (record {
    canister_id : opt canister_id; derivation_path : vec blob; key_id : record { curve: ecdsa_curve; name: text };
  }) -> (record { public_key : blob; chain_code : blob; });
  sign_with_ecdsa : (record {
    message_hash : blob; derivation_path : vec blob; key_id : record { curve: ecdsa_curve; name: text };
  }) -> (record { signature : blob });
  upload_chunk : (record { canister_id : principal; chunk : blob }) -> (chunk_hash);
  clear_chunk_store : (record { canister_id : canister_id }) -> ();
  stored_chunks : (record { canister_id : canister_id }) -> (vec chunk_hash);
  install_chunked_code : (record {
    mode : canister_install_mode; target_canister : canister_id; store_canister : opt canister_id;
    chunk_hashes_list : vec chunk_hash; wasm_module_hash : blob; arg : blob;
    sender_canister_version : opt nat64;
  }) -> ();
  schnorr_public_key : (record {
    canister_id : opt canister_id; derivation_path : vec blob;
    key_id : record { algorithm : schnorr_algorithm; name : text };
  }) -> (record { public_key : blob; chain_code : blob });
  sign_with_schnorr : (record {
    message : blob; derivation_path : vec blob;
    key_id : record { algorithm : schnorr_algorithm; name : text }; aux : opt schnorr_aux;
  }) -> (record { signature : blob });
  vetkd_public_key : (record {
    canister_id : opt canister_id; context : blob; key_id : record { curve : vetkd_curve; name : text };
  }) -> (record { public_key : blob });
  vetkd_derive_key : (record {
    input : blob; context : blob; transport_public_key : blob;
    key_id : record { curve : vetkd_curve; name : text };
  }) -> (record { encrypted_key : blob });
  take_canister_snapshot : (record {
    canister_id : canister_id; replace_snapshot : opt snapshot_id; uninstall_code : opt bool;
    sender_canister_version : opt nat64;
  }) -> (snapshot);
  load_canister_snapshot : (record {
    canister_id : canister_id; snapshot_id : snapshot_id; sender_canister_version : opt nat64;
  }) -> ();
  list_canister_snapshots : (record { canister_id : canister_id }) -> (vec snapshot);
  delete_canister_snapshot : (record { canister_id : canister_id; snapshot_id : snapshot_id }) -> ();
  canister_info : (record { canister_id : canister_id; num_requested_changes : opt nat64 }) -> (record {
    total_num_changes : nat64; recent_changes : vec change; module_hash : opt blob;
    controllers : vec principal;
  });
  bitcoin_get_balance: (get_balance_request) -> (satoshi);
  bitcoin_get_utxos: (get_utxos_request) -> (get_utxos_response);
  bitcoin_send_transaction: (send_transaction_request) -> ();
  bitcoin_get_current_fee_percentiles: (get_current_fee_percentiles_request) -> (vec millisatoshi_per_byte);
  provisional_create_canister_with_cycles : (record {
    amount: opt nat; settings : opt canister_settings; specified_id: opt canister_id;
  }) -> (record {canister_id : canister_id});
  provisional_top_up_canister : (record { canister_id: canister_id; amount: nat }) -> ();
}
"#;

/// The methods the Kybra Book lists for the management canister, and the newer ones:
/// threshold Schnorr, vetKD, the chunk store, snapshots and `canister_info`.
const BOOK_METHODS: &[&str] = &[
    "bitcoin_get_balance",
    "bitcoin_get_current_fee_percentiles",
    "bitcoin_get_utxos",
    "bitcoin_send_transaction",
    "canister_info",
    "canister_status",
    "clear_chunk_store",
    "create_canister",
    "delete_canister",
    "delete_canister_snapshot",
    "deposit_cycles",
    "ecdsa_public_key",
    "http_request",
    "install_chunked_code",
    "install_code",
    "list_canister_snapshots",
    "load_canister_snapshot",
    "provisional_create_canister_with_cycles",
    "provisional_top_up_canister",
    "raw_rand",
    "schnorr_public_key",
    "sign_with_ecdsa",
    "sign_with_schnorr",
    "start_canister",
    "stop_canister",
    "stored_chunks",
    "take_canister_snapshot",
    "uninstall_code",
    "update_settings",
    "upload_chunk",
    "vetkd_derive_key",
    "vetkd_public_key",
];

#[test]
fn the_service_agrees_with_the_ic_interface_spec() {
    let main = "from kybra import query\nfrom kybra.canisters.management import ManagementCanister, management_canister\n\n\
                @query\ndef management() -> ManagementCanister:\n    return management_canister\n";
    let c = Project::new(&[("src/main.py", main)])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (mut env, generated) = load(&c.did);
    let (ic_env, ic) = load(IC_DID);
    let ic = env.merge_type(ic_env, ic);
    let service_ty = env.get_method(&generated, "management").unwrap().rets[0].clone();
    let ours = env.as_service(&service_ty).unwrap().to_vec();
    let names: Vec<&str> = ours.iter().map(|(n, _)| n.as_str()).collect();
    let mut want = BOOK_METHODS.to_vec();
    want.sort();
    assert_eq!(names, want, "{}", c.did);
    let mut problems = Vec::new();
    for (name, ty) in &ours {
        let spec = env
            .get_method(&ic, name)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let spec = TypeInner::Func(spec.clone()).into();
        // A call through our type is a call of the IC's method: what we send must decode
        // as its arguments and what it answers as our results, i.e. ic <: ours.
        if let Err(e) = subtype(&mut HashSet::new(), &env, &spec, ty) {
            problems.push(format!(
                "{name}: the IC's method is not a subtype of ours: {e}"
            ));
        }
        problems.extend(label_problems(&env, ty, &spec, name, Labels::Within));
    }
    assert!(
        problems.is_empty(),
        "{}\n--- generated\n{}",
        problems.join("\n"),
        c.did
    );
    // All methods are updates (the management canister has no query methods to call).
    assert!(
        c.did.contains("type ManagementCanister = service"),
        "{}",
        c.did
    );
}

/// The example of the book's management canister samples builds.
#[test]
fn the_management_canister_example_builds() {
    let main = include_str!("../../../examples/management_canister/src/main.py");
    let c = Project::new(&[("src/main.py", main)])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    for name in [
        "random_bytes",
        "execute_create_canister",
        "get_canister_status",
        "xkcd",
        "xkcd_transform",
        "get_utxos",
        "sign",
    ] {
        assert!(
            c.did.contains(&format!("{name} :")) || c.did.contains(&format!("{name}:")),
            "{name} missing:\n{}",
            c.did
        );
    }
    assert!(
        !c.did.contains("ManagementCanister"),
        "only the types the methods use:\n{}",
        c.did
    );
}
