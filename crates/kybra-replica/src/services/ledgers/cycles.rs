//! The cycles ledger at `um5iw-rqaaa-aaaaq-qaaba-cai`, as the service [`CyclesLedger`], with
//! the cycles ledger's Candid types and real books (`super::books`, fee 100,000,000 cycles):
//! ICRC-1 and ICRC-2 (`super::icrc`), `deposit` (the cycles a canister attaches go to an
//! account), `withdraw` (cycles of an account go to a canister) and `create_canister`.
//!
//! `create_canister` makes a canister like `provisional_create_canister_with_cycles`
//! (`amount` cycles, the settings, controllers defaulting to the caller). On a mainnet-like
//! replica it is paid as on mainnet: `amount` plus the fee leave the caller's account first
//! (`InsufficientFunds` otherwise, nothing created), and a failed creation refunds them. On a
//! plain local replica (`--system-canisters`, as with dfx) it is free, so tools that create
//! canisters the mainnet way work without funding an identity first.

use std::any::Any;
use std::sync::LazyLock;

use candid::{CandidType, Deserialize, Nat, Principal};
use ic_management_canister_types as mgmt;
use icrc_ledger_types::icrc1::account::Account;
use serde_bytes::ByteBuf;

use super::books::{account_id, Books, Refusal, Tx};
use super::icrc::{self, amount, nat, Shared, Token};
use crate::error::Reject;
use crate::services::api::{Address, Answer, Env, MethodKind, Reply, Request, SystemService};
use crate::services::system_canisters::{decode, encode, CYCLES_LEDGER};

/// The service's name.
pub const NAME: &str = "cycles ledger";

const CREATE_CANISTER_TYPE: &str = "(record { from_subaccount : opt blob; created_at_time : opt nat64; amount : nat; \
     creation_args : opt record { settings : opt canister_settings; subnet_selection : opt variant { \
     Subnet : record { subnet : principal }; Filter : record { subnet_type : opt text } } } })";

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct CreateCanisterArgs {
    pub from_subaccount: Option<serde_bytes::ByteBuf>,
    pub created_at_time: Option<u64>,
    pub amount: Nat,
    pub creation_args: Option<CmcCreateCanisterArgs>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct CmcCreateCanisterArgs {
    pub settings: Option<mgmt::CanisterSettings>,
    pub subnet_selection: Option<SubnetSelection>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum SubnetSelection {
    Subnet { subnet: Principal },
    Filter(SubnetFilter),
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct SubnetFilter {
    pub subnet_type: Option<String>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct CreateCanisterSuccess {
    pub block_id: Nat,
    pub canister_id: Principal,
}

/// The cycles ledger's `CreateCanisterError`, complete as its `.did` declares it.
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum CreateCanisterError {
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

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum CreateCanisterResult {
    Ok(CreateCanisterSuccess),
    Err(CreateCanisterError),
}

/// The cycles ledger's fee: 100,000,000 cycles.
pub const FEE: u64 = 100_000_000;

const TOKEN: Token = Token {
    service: NAME,
    id: CYCLES_LEDGER,
    name: "Trillion Cycles",
    symbol: "TCYCLES",
    decimals: 12,
    minting_account: None,
};

/// The methods, as `Address::Canister` lists them: ICRC-1/2's and the ledger's own.
static METHODS: LazyLock<Vec<(&'static str, MethodKind)>> = LazyLock::new(|| {
    icrc::methods_with(&[
        ("create_canister", MethodKind::Update),
        ("deposit", MethodKind::Update),
        ("withdraw", MethodKind::Update),
    ])
});

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct DepositArgs {
    pub to: Account,
    pub memo: Option<ByteBuf>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct DepositResult {
    pub block_index: Nat,
    pub balance: Nat,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct WithdrawArgs {
    pub amount: Nat,
    pub from_subaccount: Option<ByteBuf>,
    pub to: Principal,
    pub created_at_time: Option<u64>,
}

/// The cycles ledger's `RejectionCode` (of a failed withdrawal).
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum RejectionCode {
    NoError,
    CanisterError,
    SysTransient,
    DestinationInvalid,
    Unknown,
    SysFatal,
    CanisterReject,
}

/// The cycles ledger's `WithdrawError`, complete as its `.did` declares it.
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum WithdrawError {
    BadFee {
        expected_fee: Nat,
    },
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
    },
    FailedToWithdraw {
        fee_block: Option<Nat>,
        rejection_code: RejectionCode,
        rejection_reason: String,
    },
    GenericError {
        error_code: Nat,
        message: String,
    },
    InvalidReceiver {
        receiver: Principal,
    },
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum WithdrawResult {
    Ok(Nat),
    Err(WithdrawError),
}

/// The cycles ledger.
pub struct CyclesLedger {
    books: Shared,
    /// `block_id`s of free creations (a plain local replica keeps no blocks for them).
    blocks: u64,
    /// Whether `create_canister` is paid from the caller's balance (a mainnet-like replica).
    charge: bool,
}

impl Default for CyclesLedger {
    fn default() -> Self {
        CyclesLedger::new(new_books(), false)
    }
}

/// Empty cycles books (the fee of 100,000,000 cycles; deposits mint, withdrawals burn).
pub fn new_books() -> Shared {
    // No principal can send as the cycles ledger itself: its own account is the minting one.
    let minting = account_id(CYCLES_LEDGER.as_slice(), Some(&[0xff; 32]));
    Shared::new(std::sync::Mutex::new(Books::new(minting, FEE)))
}

/// `subaccount` as 32 bytes, or a reject naming `what`.
fn subaccount(what: &str, s: Option<ByteBuf>) -> Result<Option<[u8; 32]>, Reject> {
    s.map(|b| {
        <[u8; 32]>::try_from(b.as_slice()).map_err(|_| {
            Reject::canister_reject(&format!(
                "the cycles ledger's {what}: a subaccount must be 32 bytes, got {}",
                b.len()
            ))
        })
    })
    .transpose()
}

impl CyclesLedger {
    pub fn new(books: Shared, charge: bool) -> CyclesLedger {
        CyclesLedger {
            books,
            blocks: 0,
            charge,
        }
    }

    /// The books (shared with the cycles minting canister, which mints converted ICP).
    pub fn books(&self) -> Shared {
        self.books.clone()
    }

    /// Whether `create_canister` is paid.
    pub fn set_charge(&mut self, charge: bool) {
        self.charge = charge;
    }

    /// Mints `cycles` into `to` (the faucet); the block index.
    pub fn mint(
        &mut self,
        now: u64,
        to: super::books::AccountId,
        cycles: u64,
    ) -> Result<u64, String> {
        let mut b = icrc::lock(&self.books);
        let tx = Tx {
            from: b.minting,
            to,
            amount: cycles,
            fee: None,
            memo: b"kybra faucet".to_vec(),
            created_at_time: None,
            spender: None,
        };
        b.transfer(now, tx).map_err(|r| icrc::describe(&r))
    }

    /// The balance of `account`.
    pub fn balance(&self, account: &super::books::AccountId) -> u64 {
        icrc::lock(&self.books).balance(account)
    }

    fn answer(&mut self, r: &Request<'_>, env: &mut dyn Env) -> Result<(Vec<u8>, u128), Reject> {
        let now = env.time();
        if let Some(answer) = icrc::answer(&self.books, &TOKEN, r, now) {
            return answer.map(|b| (b, 0));
        }
        let at = (NAME, &CYCLES_LEDGER);
        match r.method {
            "deposit" => {
                let a: DepositArgs = decode(at, r.method, "record { to : record { owner : principal; subaccount : opt blob }; memo : opt blob }", r.arg)?;
                let cycles = u64::try_from(r.cycles).map_err(|_| {
                    Reject::canister_reject(
                        "the cycles ledger's deposit: more cycles than a balance holds",
                    )
                })?;
                if cycles == 0 {
                    return Err(Reject::canister_reject("the cycles ledger's deposit: no cycles attached — call it from a canister, attaching the cycles to deposit"));
                }
                let mut b = icrc::lock(&self.books);
                let to = icrc::key(&a.to);
                let tx = Tx {
                    from: b.minting,
                    to,
                    amount: cycles,
                    fee: None,
                    memo: a.memo.map(|m| m.into_vec()).unwrap_or_default(),
                    created_at_time: None,
                    spender: None,
                };
                let block = b.transfer(now, tx).map_err(|e| {
                    Reject::canister_reject(&format!(
                        "the cycles ledger's deposit: {}",
                        icrc::describe(&e)
                    ))
                })?;
                Ok((
                    encode(&DepositResult {
                        block_index: nat(block),
                        balance: nat(b.balance(&to)),
                    }),
                    r.cycles,
                ))
            }
            "withdraw" => {
                let a: WithdrawArgs = decode(at, r.method, "record { amount : nat; from_subaccount : opt blob; to : principal; created_at_time : opt nat64 }", r.arg)?;
                Ok((encode(&self.withdraw(r.caller, a, env)?), 0))
            }
            _ => Ok((self.create_canister(r.caller, r.arg, env)?, 0)),
        }
    }

    fn withdraw(
        &mut self,
        caller: Principal,
        a: WithdrawArgs,
        env: &mut dyn Env,
    ) -> Result<WithdrawResult, Reject> {
        let sub = subaccount("withdraw", a.from_subaccount)?;
        // A receiver that does not exist is refused before anything moves.
        if env.deposit_cycles(a.to, 0).is_err() {
            return Ok(WithdrawResult::Err(WithdrawError::InvalidReceiver {
                receiver: a.to,
            }));
        }
        let cycles = amount(&a.amount);
        let mut b = icrc::lock(&self.books);
        let from = account_id(caller.as_slice(), sub.as_ref());
        let balance = b.balance(&from);
        let Some(debit) = cycles.checked_add(b.fee).filter(|d| *d <= balance) else {
            return Ok(WithdrawResult::Err(WithdrawError::InsufficientFunds {
                balance: nat(balance),
            }));
        };
        let tx = Tx {
            from,
            to: b.minting,
            amount: debit,
            fee: None,
            memo: Vec::new(),
            created_at_time: a.created_at_time,
            spender: None,
        };
        let now = env.time();
        Ok(match b.transfer(now, tx) {
            Ok(block) => {
                env.deposit_cycles(a.to, u128::from(cycles))
                    .expect("the receiver exists (checked above)");
                WithdrawResult::Ok(nat(block))
            }
            Err(e) => WithdrawResult::Err(match e {
                Refusal::InsufficientFunds { balance } => WithdrawError::InsufficientFunds {
                    balance: nat(balance),
                },
                Refusal::TooOld => WithdrawError::TooOld,
                Refusal::CreatedInFuture { ledger_time } => {
                    WithdrawError::CreatedInFuture { ledger_time }
                }
                Refusal::Duplicate { of } => WithdrawError::Duplicate {
                    duplicate_of: nat(of),
                },
                other => WithdrawError::GenericError {
                    error_code: nat(0),
                    message: icrc::describe(&other),
                },
            }),
        })
    }
}

impl SystemService for CyclesLedger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn address(&self) -> Address {
        Address::Canister {
            id: CYCLES_LEDGER,
            methods: METHODS.as_slice(),
        }
    }

    fn call(&mut self, r: Request<'_>, env: &mut dyn Env) -> Reply {
        Reply::Now(match self.answer(&r, env) {
            Ok((bytes, charged)) => Answer::reply(bytes, r.cycles, charged),
            Err(reject) => Answer::reject(reject, r.cycles),
        })
    }

    fn query(&mut self, r: Request<'_>, env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
        self.answer(&r, env).map(|(bytes, _)| bytes)
    }

    fn state_generation(&self) -> u64 {
        icrc::lock(&self.books).blocks().len() as u64 + self.blocks
    }

    fn save_state(&self) -> Option<Vec<u8>> {
        Some(super::saved::save(&icrc::lock(&self.books)))
    }

    fn restore_state(&mut self, saved: &[u8]) -> Result<(), String> {
        *icrc::lock(&self.books) = super::saved::restore(saved)?;
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

impl CyclesLedger {
    /// The cycles ledger's `create_canister`, paid when [`Self::charge`] says so.
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
        let sub = subaccount("create_canister", a.from_subaccount)?;
        let from = account_id(sender.as_slice(), sub.as_ref());
        // On a mainnet-like replica, amount + fee leave the caller's account first.
        let mut paid: Option<(u64, u64)> = None;
        if self.charge {
            let mut b = icrc::lock(&self.books);
            let balance = b.balance(&from);
            let debit = u64::try_from(cycles)
                .ok()
                .and_then(|c| c.checked_add(b.fee))
                .filter(|d| *d <= balance);
            let Some(debit) = debit else {
                return Ok(encode(&CreateCanisterResult::Err(
                    CreateCanisterError::InsufficientFunds {
                        balance: nat(balance),
                    },
                )));
            };
            let tx = Tx {
                from,
                to: b.minting,
                amount: debit,
                fee: None,
                memo: Vec::new(),
                created_at_time: a.created_at_time,
                spender: None,
            };
            match b.transfer(env.time(), tx) {
                Ok(block) => paid = Some((block, debit)),
                Err(e) => {
                    return Ok(encode(&CreateCanisterResult::Err(match e {
                        Refusal::TooOld => CreateCanisterError::TooOld,
                        Refusal::CreatedInFuture { ledger_time } => {
                            CreateCanisterError::CreatedInFuture { ledger_time }
                        }
                        Refusal::Duplicate { of } => CreateCanisterError::Duplicate {
                            duplicate_of: nat(of),
                            canister_id: None,
                        },
                        Refusal::InsufficientFunds { balance } => {
                            CreateCanisterError::InsufficientFunds {
                                balance: nat(balance),
                            }
                        }
                        other => CreateCanisterError::GenericError {
                            message: icrc::describe(&other),
                            error_code: nat(0),
                        },
                    })))
                }
            }
        }
        match env.create_canister(sender, settings, cycles) {
            Ok(canister_id) => {
                let block_id = match paid {
                    Some((block, _)) => nat(block),
                    None => {
                        self.blocks += 1;
                        nat(self.blocks - 1)
                    }
                };
                Ok(encode(&CreateCanisterResult::Ok(CreateCanisterSuccess {
                    block_id,
                    canister_id,
                })))
            }
            Err(reject) => {
                // A paid creation that failed gives the cycles back.
                let (fee_block, refund_block) = match paid {
                    Some((block, debit)) => {
                        let refund = self.mint(env.time(), from, debit).ok();
                        (Some(nat(block)), refund.map(nat))
                    }
                    None => (None, None),
                };
                Ok(encode(&CreateCanisterResult::Err(
                    CreateCanisterError::FailedToCreate {
                        fee_block,
                        refund_block,
                        error: reject.message,
                    },
                )))
            }
        }
    }
}
