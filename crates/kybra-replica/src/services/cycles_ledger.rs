//! The cycles ledger at `um5iw-rqaaa-aaaaq-qaaba-cai`, as the service [`CyclesLedger`]:
//! `create_canister`, with the cycles ledger's Candid types. It creates a canister like
//! `provisional_create_canister_with_cycles`: `amount` cycles, the given settings,
//! controllers defaulting to the caller. Cycles are not accounted (no balances, no fee, no
//! block log): `block_id` counts this run's creations and `created_at_time` deduplication
//! is not done.

use std::any::Any;

use candid::{CandidType, Deserialize, Nat, Principal};
use ic_management_canister_types as mgmt;

use super::api::{Address, Answer, Env, MethodKind, Reply, Request, SystemService};
use super::system_canisters::{decode, encode, CYCLES_LEDGER};
use crate::error::Reject;

/// The service's name.
pub const NAME: &str = "cycles ledger";

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

/// The cycles ledger.
#[derive(Default)]
pub struct CyclesLedger {
    /// Canisters created in this run (their `block_id`s).
    blocks: u64,
}

impl SystemService for CyclesLedger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn address(&self) -> Address {
        Address::Canister {
            id: CYCLES_LEDGER,
            methods: &[("create_canister", MethodKind::Update)],
        }
    }

    fn call(&mut self, r: Request<'_>, env: &mut dyn Env) -> Reply {
        Reply::Now(match self.create_canister(r.caller, r.arg, env) {
            Ok(bytes) => Answer::reply(bytes, r.cycles, 0),
            Err(reject) => Answer::reject(reject, r.cycles),
        })
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl CyclesLedger {
    /// The cycles ledger's `create_canister`.
    fn create_canister(
        &mut self,
        sender: Principal,
        arg: &[u8],
        env: &mut dyn Env,
    ) -> Result<Vec<u8>, Reject> {
        let a: CreateCanisterArgs = decode(
            (NAME, &CYCLES_LEDGER),
            "create_canister",
            CREATE_CANISTER_TYPE,
            arg,
        )?;
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
            Some(SubnetSelection::Subnet { subnet }) => match env.subnet_id() {
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
        match env.create_canister(sender, settings, cycles) {
            Ok(canister_id) => {
                let block_id = Nat::from(self.blocks);
                self.blocks += 1;
                Ok(encode(&CreateCanisterResult::Ok(CreateCanisterSuccess {
                    block_id,
                    canister_id,
                })))
            }
            Err(reject) => failed(reject.message),
        }
    }
}
