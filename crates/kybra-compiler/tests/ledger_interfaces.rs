//! The ledger modules of the `kybra` package, compared as Candid with interfaces defined
//! elsewhere, method by method: `kybra.canisters.icrc`'s `Icrc` with the types of the ledger
//! team's `icrc-ledger-types` crate (ICRC-1, ICRC-2, ICRC-3); `kybra.canisters.cycles_ledger`
//! with those plus the cycles ledger's published methods; `kybra.canisters.cmc` and
//! `kybra.canisters.xrc` with the published `.did` files (transcribed below). Equal means
//! each is a subtype of the other, and every record field and variant case has the same
//! name.

mod common;

use std::collections::HashSet;

use candid::types::internal::TypeContainer;
use candid::types::subtype::equal;
use candid::types::{Function, Type as CType, TypeInner};
use candid::{CandidType, Nat};
use common::{label_problems, load_did as load, Labels, Project};
use icrc_ledger_types::icrc::generic_metadata_value::MetadataValue;
use icrc_ledger_types::icrc1::account::Account;
use icrc_ledger_types::icrc1::transfer::{TransferArg, TransferError};
use icrc_ledger_types::icrc2::allowance::{Allowance, AllowanceArgs};
use icrc_ledger_types::icrc2::approve::{ApproveArgs, ApproveError};
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};
use icrc_ledger_types::icrc3::archive::{GetArchivesArgs, ICRC3ArchiveInfo};
use icrc_ledger_types::icrc3::blocks::{
    GetBlocksRequest, GetBlocksResult, ICRC3DataCertificate, SupportedBlockType,
};

/// `(name, is_query, args, results)` of a reference method, its types from a container.
type Method = (&'static str, bool, Vec<CType>, Vec<CType>);

#[derive(CandidType)]
struct StandardRecord {
    name: String,
    url: String,
}

/// The ICRC-1/2/3 ledger interface, from `icrc-ledger-types`.
fn icrc_reference(c: &mut TypeContainer) -> Vec<Method> {
    vec![
        ("icrc1_name", true, vec![], vec![c.add::<String>()]),
        ("icrc1_symbol", true, vec![], vec![c.add::<String>()]),
        ("icrc1_decimals", true, vec![], vec![c.add::<u8>()]),
        ("icrc1_fee", true, vec![], vec![c.add::<Nat>()]),
        (
            "icrc1_metadata",
            true,
            vec![],
            vec![c.add::<Vec<(String, MetadataValue)>>()],
        ),
        ("icrc1_total_supply", true, vec![], vec![c.add::<Nat>()]),
        (
            "icrc1_minting_account",
            true,
            vec![],
            vec![c.add::<Option<Account>>()],
        ),
        (
            "icrc1_balance_of",
            true,
            vec![c.add::<Account>()],
            vec![c.add::<Nat>()],
        ),
        (
            "icrc1_transfer",
            false,
            vec![c.add::<TransferArg>()],
            vec![c.add::<Result<Nat, TransferError>>()],
        ),
        (
            "icrc1_supported_standards",
            true,
            vec![],
            vec![c.add::<Vec<StandardRecord>>()],
        ),
        (
            "icrc2_approve",
            false,
            vec![c.add::<ApproveArgs>()],
            vec![c.add::<Result<Nat, ApproveError>>()],
        ),
        (
            "icrc2_allowance",
            true,
            vec![c.add::<AllowanceArgs>()],
            vec![c.add::<Allowance>()],
        ),
        (
            "icrc2_transfer_from",
            false,
            vec![c.add::<TransferFromArgs>()],
            vec![c.add::<Result<Nat, TransferFromError>>()],
        ),
        (
            "icrc3_get_blocks",
            true,
            vec![c.add::<Vec<GetBlocksRequest>>()],
            vec![c.add::<GetBlocksResult>()],
        ),
        (
            "icrc3_get_archives",
            true,
            vec![c.add::<GetArchivesArgs>()],
            vec![c.add::<Vec<ICRC3ArchiveInfo>>()],
        ),
        (
            "icrc3_get_tip_certificate",
            true,
            vec![],
            vec![c.add::<Option<ICRC3DataCertificate>>()],
        ),
        (
            "icrc3_supported_block_types",
            true,
            vec![],
            vec![c.add::<Vec<SupportedBlockType>>()],
        ),
    ]
}

/// The `.did` text of a service with `reference`'s methods.
fn crate_did(reference: fn(&mut TypeContainer) -> Vec<Method>) -> String {
    let mut container = TypeContainer::new();
    let methods: Vec<(String, CType)> = reference(&mut container)
        .into_iter()
        .map(|(name, is_query, args, rets)| {
            let modes = if is_query {
                vec![candid::types::FuncMode::Query]
            } else {
                vec![]
            };
            (
                name.to_string(),
                TypeInner::Func(Function { modes, args, rets }).into(),
            )
        })
        .collect();
    candid::pretty::candid::compile(&container.env, &Some(TypeInner::Service(methods).into()))
}

/// Builds a canister whose query `service` returns the Service class `class` of `module`,
/// and checks that its methods are exactly those of the `references` (`.did` texts
/// together), each equal to the reference's.
fn assert_service_equals(module: &str, class: &str, references: &[String]) {
    let main = format!(
        "from kybra import Principal, query\nfrom {module} import {class}\n\n\
         @query\ndef service() -> {class}:\n    return {class}(Principal.from_str(\"aaaaa-aa\"))\n"
    );
    let c = Project::new(&[("src/main.py", &main)])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let (mut env, generated) = load(&c.did);
    let service = env.get_method(&generated, "service").unwrap().rets[0].clone();
    let ours = env.as_service(&service).unwrap().to_vec();
    let mut problems = Vec::new();
    let mut want: Vec<String> = Vec::new();
    for reference_did in references {
        let (theirs_env, theirs) = load(reference_did);
        let theirs = env.merge_type(theirs_env, theirs);
        for (name, reference) in env.as_service(&theirs).unwrap().to_vec() {
            want.push(name.clone());
            let Some((_, ty)) = ours.iter().find(|(n, _)| *n == name) else {
                problems.push(format!("{name}: missing from {class}"));
                continue;
            };
            if let Err(e) = equal(&mut HashSet::new(), &env, ty, &reference) {
                problems.push(format!("{name}: {e}"));
            }
            problems.extend(label_problems(&env, ty, &reference, &name, Labels::Equal));
        }
    }
    for (name, _) in &ours {
        if !want.contains(name) {
            problems.push(format!("{name}: not in the reference interface"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n--- generated\n{}\n--- reference\n{}",
        problems.join("\n"),
        c.did,
        references.join("\n")
    );
}

#[test]
fn icrc_equals_the_icrc_ledger_types_crate() {
    assert_service_equals("kybra.canisters.icrc", "Icrc", &[crate_did(icrc_reference)]);
}

/// The cycles ledger's own methods, transcribed from its published `cycles-ledger.did`
/// (dfinity/cycles-ledger), read for reference.
const CYCLES_LEDGER_DID: &str = r#"
type Account = record { owner : principal; subaccount : opt blob };
type BlockIndex = nat;
type DepositArgs = record { to : Account; memo : opt blob };
type DepositResult = record { block_index : BlockIndex; balance : nat };
type WithdrawArgs = record { amount : nat; from_subaccount : opt blob; to : principal; created_at_time : opt nat64 };
type RejectionCode = variant { NoError; CanisterError; SysTransient; DestinationInvalid; Unknown; SysFatal; CanisterReject };
type WithdrawError = variant {
  BadFee : record { expected_fee : nat };
  InsufficientFunds : record { balance : nat };
  TooOld;
  CreatedInFuture : record { ledger_time : nat64 };
  TemporarilyUnavailable;
  Duplicate : record { duplicate_of : nat };
  FailedToWithdraw : record { fee_block : opt nat; rejection_code : RejectionCode; rejection_reason : text };
  GenericError : record { error_code : nat; message : text };
  InvalidReceiver : record { receiver : principal };
};
type LogVisibility = variant { controllers; public; allowed_viewers : vec principal };
type CanisterSettings = record {
  controllers : opt vec principal; compute_allocation : opt nat; memory_allocation : opt nat;
  freezing_threshold : opt nat; reserved_cycles_limit : opt nat; log_visibility : opt LogVisibility;
  wasm_memory_limit : opt nat; wasm_memory_threshold : opt nat;
};
type SubnetFilter = record { subnet_type : opt text };
type SubnetSelection = variant { Subnet : record { subnet : principal }; Filter : SubnetFilter };
type CmcCreateCanisterArgs = record { settings : opt CanisterSettings; subnet_selection : opt SubnetSelection };
type CreateCanisterArgs = record { from_subaccount : opt blob; created_at_time : opt nat64; amount : nat; creation_args : opt CmcCreateCanisterArgs };
type CreateCanisterSuccess = record { block_id : BlockIndex; canister_id : principal };
type CreateCanisterError = variant {
  InsufficientFunds : record { balance : nat };
  TooOld;
  CreatedInFuture : record { ledger_time : nat64 };
  TemporarilyUnavailable;
  Duplicate : record { duplicate_of : nat; canister_id : opt principal };
  FailedToCreate : record { fee_block : opt BlockIndex; refund_block : opt BlockIndex; error : text };
  GenericError : record { message : text; error_code : nat };
};
service : {
  deposit : (DepositArgs) -> (DepositResult);
  withdraw : (WithdrawArgs) -> (variant { Ok : BlockIndex; Err : WithdrawError });
  create_canister : (CreateCanisterArgs) -> (variant { Ok : CreateCanisterSuccess; Err : CreateCanisterError });
}
"#;

#[test]
fn the_cycles_ledger_is_icrc_plus_its_published_methods() {
    assert_service_equals(
        "kybra.canisters.cycles_ledger",
        "CyclesLedger",
        &[crate_did(icrc_reference), CYCLES_LEDGER_DID.to_string()],
    );
}

/// The methods of the cycles minting canister's published `cmc.did` (dfinity/ic,
/// rs/nns/cmc) that `kybra.canisters.cmc` declares, read for reference.
const CMC_DID: &str = r#"
type BlockIndex = nat64;
type LogVisibility = variant { controllers; public; allowed_viewers : vec principal };
type CanisterSettings = record {
  controllers : opt vec principal; compute_allocation : opt nat; memory_allocation : opt nat;
  freezing_threshold : opt nat; reserved_cycles_limit : opt nat; log_visibility : opt LogVisibility;
  wasm_memory_limit : opt nat; wasm_memory_threshold : opt nat;
};
type SubnetFilter = record { subnet_type : opt text };
type SubnetSelection = variant { Subnet : record { subnet : principal }; Filter : SubnetFilter };
type NotifyError = variant {
  Refunded : record { reason : text; block_index : opt BlockIndex };
  Processing;
  TransactionTooOld : BlockIndex;
  InvalidTransaction : text;
  Other : record { error_code : nat64; error_message : text };
};
type NotifyTopUpArg = record { block_index : BlockIndex; canister_id : principal };
type NotifyCreateCanisterArg = record {
  block_index : BlockIndex; controller : principal; subnet_type : opt text;
  subnet_selection : opt SubnetSelection; settings : opt CanisterSettings;
};
type NotifyMintCyclesArg = record { block_index : BlockIndex; to_subaccount : opt blob; deposit_memo : opt blob };
type NotifyMintCyclesSuccess = record { block_index : nat; minted : nat; balance : nat };
type IcpXdrConversionRate = record { timestamp_seconds : nat64; xdr_permyriad_per_icp : nat64 };
type IcpXdrConversionRateResponse = record { data : IcpXdrConversionRate; hash_tree : blob; certificate : blob };
type SubnetTypesToSubnetsResponse = record { data : vec record { text; vec principal } };
service : {
  notify_top_up : (NotifyTopUpArg) -> (variant { Ok : nat; Err : NotifyError });
  notify_create_canister : (NotifyCreateCanisterArg) -> (variant { Ok : principal; Err : NotifyError });
  notify_mint_cycles : (NotifyMintCyclesArg) -> (variant { Ok : NotifyMintCyclesSuccess; Err : NotifyError });
  get_icp_xdr_conversion_rate : () -> (IcpXdrConversionRateResponse) query;
  get_default_subnets : () -> (vec principal) query;
  get_subnet_types_to_subnets : () -> (SubnetTypesToSubnetsResponse) query;
}
"#;

#[test]
fn the_cmc_equals_its_published_interface() {
    assert_service_equals(
        "kybra.canisters.cmc",
        "CyclesMintingCanister",
        &[CMC_DID.to_string()],
    );
}

/// The exchange rate canister's published `xrc.did` (dfinity/exchange-rate-canister), read
/// for reference.
const XRC_DID: &str = r#"
type AssetClass = variant { Cryptocurrency; FiatCurrency };
type Asset = record { symbol : text; class : AssetClass };
type GetExchangeRateRequest = record { base_asset : Asset; quote_asset : Asset; timestamp : opt nat64 };
type ExchangeRateMetadata = record {
  decimals : nat32;
  base_asset_num_received_rates : nat64; base_asset_num_queried_sources : nat64;
  quote_asset_num_received_rates : nat64; quote_asset_num_queried_sources : nat64;
  standard_deviation : nat64; forex_timestamp : opt nat64;
};
type ExchangeRate = record { base_asset : Asset; quote_asset : Asset; timestamp : nat64; rate : nat64; metadata : ExchangeRateMetadata };
type ExchangeRateError = variant {
  AnonymousPrincipalNotAllowed; Pending; CryptoBaseAssetNotFound; CryptoQuoteAssetNotFound;
  StablecoinRateNotFound; StablecoinRateTooFewRates; StablecoinRateZeroRate; ForexInvalidTimestamp;
  ForexBaseAssetNotFound; ForexQuoteAssetNotFound; ForexAssetsNotFound; RateLimited; NotEnoughCycles;
  FailedToAcceptCycles; InconsistentRatesReceived; Other : record { code : nat32; description : text };
};
type GetExchangeRateResult = variant { Ok : ExchangeRate; Err : ExchangeRateError };
service : {
  get_exchange_rate : (GetExchangeRateRequest) -> (GetExchangeRateResult);
}
"#;

#[test]
fn the_xrc_equals_its_published_interface() {
    assert_service_equals(
        "kybra.canisters.xrc",
        "ExchangeRateCanister",
        &[XRC_DID.to_string()],
    );
}

#[test]
fn a_canister_gets_only_the_icrc_types_it_uses() {
    let main = "from kybra import query\nfrom kybra.canisters.icrc import Account, TransferArg\n\n\
                @query\ndef account(a: TransferArg) -> Account:\n    return a['to']\n";
    let c = Project::new(&[("src/main.py", main)])
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    for wanted in ["type Account", "type TransferArg"] {
        assert!(c.did.contains(wanted), "{}", c.did);
    }
    for unwanted in ["TransferError", "Icrc3Value", "Icrc ="] {
        assert!(!c.did.contains(unwanted), "{unwanted} in\n{}", c.did);
    }
}
