//! The replica's built-in system canisters, at their mainnet ids, so that tools which create
//! canisters the mainnet way (the `icp` CLI: ask the cycles minting canister for subnets, then
//! `create_canister` on the cycles ledger) work against a local replica:
//!
//! * the cycles minting canister (CMC, `rkp4c-7iaaa-aaaaa-aaaca-cai`):
//!   `get_default_subnets : () -> (vec principal) query` (the replica's one subnet, once known:
//!   [`crate::Replica::set_subnet_id`]) and
//!   `get_subnet_types_to_subnets : () -> (record { data : vec record { text; vec principal } }) query`
//!   (no typed subnets);
//! * the cycles ledger (`um5iw-rqaaa-aaaaq-qaaba-cai`): `create_canister`, with the cycles
//!   ledger's Candid types. It creates a canister like `provisional_create_canister_with_cycles`:
//!   `amount` cycles, the given settings, controllers defaulting to the caller. Cycles are not
//!   accounted (no balances, no fee, no block log): `block_id` counts this run's creations and
//!   `created_at_time` deduplication is not done.
//!
//! They are implemented natively (no Wasm): they hold no state a message can change other than
//! the canisters they create, are always running, have no controllers, module or metadata, and
//! are not listed by [`crate::Replica::canister_ids`] (which lists user canisters); they do
//! count for [`crate::Replica::canister_exists`] and lie in the replica's canister ranges. Any
//! of their methods may be called as an update; only the query methods as a query. A bad
//! argument is rejected (IC0406) with a message naming the method and the expected type.

use candid::{CandidType, Deserialize, Nat, Principal};
use ic_management_canister_types as mgmt;

use crate::error::Reject;
use crate::state::State;

/// The cycles minting canister's mainnet id, `rkp4c-7iaaa-aaaaa-aaaca-cai`.
pub const CYCLES_MINTING_CANISTER: Principal =
    Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 4, 1, 1]);
/// The cycles ledger's mainnet id, `um5iw-rqaaa-aaaaq-qaaba-cai`.
pub const CYCLES_LEDGER: Principal = Principal::from_slice(&[0, 0, 0, 0, 2, 16, 0, 2, 1, 1]);

/// The built-in canisters, in id order.
pub const ALL: [Principal; 2] = [CYCLES_MINTING_CANISTER, CYCLES_LEDGER];

/// Whether `id` is one of the built-in system canisters.
pub fn is_system_canister(id: &Principal) -> bool {
    ALL.contains(id)
}

/// Methods of the CMC: (name, is a query).
const CMC_METHODS: [(&str, bool); 2] = [
    ("get_default_subnets", true),
    ("get_subnet_types_to_subnets", true),
];
/// Methods of the cycles ledger: (name, is a query).
const LEDGER_METHODS: [(&str, bool); 1] = [("create_canister", false)];

const CREATE_CANISTER_TYPE: &str = "(record { from_subaccount : opt blob; created_at_time : opt nat64; amount : nat; \
     creation_args : opt record { settings : opt canister_settings; subnet_selection : opt variant { \
     Subnet : record { subnet : principal }; Filter : record { subnet_type : opt text } } } })";

#[derive(CandidType, Deserialize)]
struct CreateCanisterArgs {
    from_subaccount: Option<serde_bytes::ByteBuf>,
    created_at_time: Option<u64>,
    amount: Nat,
    creation_args: Option<CmcCreateCanisterArgs>,
}

#[derive(CandidType, Deserialize)]
struct CmcCreateCanisterArgs {
    settings: Option<mgmt::CanisterSettings>,
    subnet_selection: Option<SubnetSelection>,
}

#[derive(CandidType, Deserialize)]
enum SubnetSelection {
    Subnet { subnet: Principal },
    Filter(SubnetFilter),
}

#[derive(CandidType, Deserialize)]
struct SubnetFilter {
    subnet_type: Option<String>,
}

#[derive(CandidType)]
struct CreateCanisterSuccess {
    block_id: Nat,
    canister_id: Principal,
}

/// The cycles ledger's `CreateCanisterError`, complete as its `.did` declares it.
#[allow(dead_code)]
#[derive(CandidType)]
enum CreateCanisterError {
    InsufficientFunds {
        balance: Nat,
    },
    TooOld,
    CreatedInFuture {
        ledger_time: u64,
    },
    TemporarilyUnavailable,
    Duplicate {
        duplicate_of: Nat,
        canister_id: Option<Principal>,
    },
    FailedToCreate {
        fee_block: Option<Nat>,
        refund_block: Option<Nat>,
        error: String,
    },
    GenericError {
        message: String,
        error_code: Nat,
    },
}

#[derive(CandidType)]
enum CreateCanisterResult {
    Ok(CreateCanisterSuccess),
    Err(CreateCanisterError),
}

#[derive(CandidType)]
struct SubnetTypesToSubnetsResponse {
    data: Vec<(String, Vec<Principal>)>,
}

fn name(id: &Principal) -> &'static str {
    if *id == CYCLES_MINTING_CANISTER {
        "cycles minting canister"
    } else {
        "cycles ledger"
    }
}

fn methods(id: &Principal) -> &'static [(&'static str, bool)] {
    if *id == CYCLES_MINTING_CANISTER {
        &CMC_METHODS
    } else {
        &LEDGER_METHODS
    }
}

/// Rejects a method the built-in canister does not have (as a call of that kind).
fn check_method(id: &Principal, method: &str, as_query: bool) -> Result<(), Reject> {
    let list = methods(id);
    match list.iter().find(|(m, _)| *m == method) {
        Some((_, is_query)) if *is_query || !as_query => Ok(()),
        found => {
            let kind = if as_query { "query" } else { "update" };
            let offered: Vec<&str> = list
                .iter()
                .filter(|(_, q)| *q || !as_query)
                .map(|(m, _)| *m)
                .collect();
            let hint = if found.is_some() {
                " (it is an update method: call it as an update)".to_string()
            } else {
                String::new()
            };
            Err(Reject::ic(
                "IC0536",
                format!(
                    "Canister {id} has no {kind} method '{method}'{hint}: the kybra replica's built-in {} implements only {}",
                    name(id),
                    offered.join(", ")
                ),
            ))
        }
    }
}

fn decode<T: for<'de> Deserialize<'de> + CandidType>(
    id: &Principal,
    method: &str,
    expected: &str,
    arg: &[u8],
) -> Result<T, Reject> {
    candid::decode_one(arg).map_err(|e| {
        Reject::canister_reject(&format!(
            "the kybra replica's built-in {} ({id}) could not decode the argument of {method}: {e}; expected {expected}",
            name(id)
        ))
    })
}

fn decode_empty(id: &Principal, method: &str, arg: &[u8]) -> Result<(), Reject> {
    candid::decode_args::<()>(arg).map_err(|e| {
        Reject::canister_reject(&format!(
            "the kybra replica's built-in {} ({id}) could not decode the argument of {method}: {e}; expected ()",
            name(id)
        ))
    })
}

fn encode<T: CandidType>(value: &T) -> Vec<u8> {
    candid::encode_one(value).expect("system canister results encode")
}

impl State {
    /// An update (ingress) message to a built-in system canister.
    pub fn system_update(
        &mut self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        check_method(&canister, method, false)?;
        match method {
            "create_canister" => self.ledger_create_canister(sender, arg),
            _ => self.system_read(canister, method, arg),
        }
    }

    /// A query to a built-in system canister.
    pub fn system_query(
        &mut self,
        canister: Principal,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        check_method(&canister, method, true)?;
        self.system_read(canister, method, arg)
    }

    /// The query methods (they change nothing).
    fn system_read(
        &self,
        canister: Principal,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        decode_empty(&canister, method, arg)?;
        match method {
            "get_default_subnets" => {
                let subnet = self.subnet_id.ok_or_else(|| {
                    Reject::canister_reject(
                        "the kybra replica does not know its subnet id yet: it is set by the HTTP server \
                         (kybra-http) when it starts serving the replica, or by Replica::set_subnet_id",
                    )
                })?;
                Ok(encode(&vec![subnet]))
            }
            "get_subnet_types_to_subnets" => {
                Ok(encode(&SubnetTypesToSubnetsResponse { data: Vec::new() }))
            }
            _ => unreachable!("check_method admits only implemented methods"),
        }
    }

    /// The cycles ledger's `create_canister`.
    fn ledger_create_canister(&mut self, sender: Principal, arg: &[u8]) -> Result<Vec<u8>, Reject> {
        let a: CreateCanisterArgs =
            decode(&CYCLES_LEDGER, "create_canister", CREATE_CANISTER_TYPE, arg)?;
        let failed = |error: String| {
            Ok(encode(&CreateCanisterResult::Err(
                CreateCanisterError::FailedToCreate {
                    fee_block: None,
                    refund_block: None,
                    error,
                },
            )))
        };
        let Ok(cycles) = u128::try_from(a.amount.0.clone()) else {
            return failed(format!("amount {} does not fit in 128 bits", a.amount));
        };
        let (settings, selection) = match a.creation_args {
            Some(c) => (c.settings, c.subnet_selection),
            None => (None, None),
        };
        match selection {
            // Without a known subnet id (no HTTP server yet) there is nothing to compare with.
            Some(SubnetSelection::Subnet { subnet }) => match self.subnet_id {
                Some(ours) if ours != subnet => {
                    return failed(format!(
                        "subnet {subnet} is not a subnet of the kybra replica: its only subnet is {ours} \
                         (the cycles minting canister's get_default_subnets)"
                    ));
                }
                _ => {}
            },
            Some(SubnetSelection::Filter(SubnetFilter {
                subnet_type: Some(t),
            })) => {
                return failed(format!(
                    "the kybra replica has no subnet of type {t:?}: its one subnet has no type (select it by id, or leave the type out)"
                ));
            }
            _ => {}
        }
        match self.create(sender, settings, cycles, None) {
            Ok(canister_id) => {
                let block_id = Nat::from(self.ledger_blocks);
                self.ledger_blocks += 1;
                Ok(encode(&CreateCanisterResult::Ok(CreateCanisterSuccess {
                    block_id,
                    canister_id,
                })))
            }
            Err(reject) => failed(reject.message),
        }
    }
}
