//! ICRC-1 and ICRC-2 over a ledger's [`Books`], with the `icrc-ledger-types` crate's Candid
//! types: what the ICP ledger and the cycles ledger both answer. [`answer`] handles one of
//! [`METHODS`] and leaves every other method to its ledger.

use std::sync::{Arc, Mutex, MutexGuard};

use candid::{CandidType, Nat, Principal};
use icrc_ledger_types::icrc::generic_metadata_value::MetadataValue;
use icrc_ledger_types::icrc1::account::Account;
use icrc_ledger_types::icrc1::transfer::{TransferArg, TransferError};
use icrc_ledger_types::icrc2::allowance::{Allowance, AllowanceArgs};
use icrc_ledger_types::icrc2::approve::{ApproveArgs, ApproveError};
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};

use super::books::{account_id, AccountId, Books, Refusal, Tx};
use crate::error::Reject;
use crate::services::api::{MethodKind, Request};
use crate::services::system_canisters::{decode, decode_empty, encode};

/// Books shared by the services that move a ledger's tokens (the ledger, the CMC).
pub type Shared = Arc<Mutex<Books>>;

/// The books, locked (a panic while they were held leaves them as they were).
pub fn lock(books: &Shared) -> MutexGuard<'_, Books> {
    books.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a ledger says about its token.
pub struct Token {
    /// The service's name, for messages.
    pub service: &'static str,
    pub id: Principal,
    pub name: &'static str,
    pub symbol: &'static str,
    pub decimals: u8,
    /// What `icrc1_minting_account` answers.
    pub minting_account: Option<Account>,
}

/// The ICRC-1 and ICRC-2 methods.
pub const METHODS: [(&str, MethodKind); 13] = [
    ("icrc1_balance_of", MethodKind::Query),
    ("icrc1_decimals", MethodKind::Query),
    ("icrc1_fee", MethodKind::Query),
    ("icrc1_metadata", MethodKind::Query),
    ("icrc1_minting_account", MethodKind::Query),
    ("icrc1_name", MethodKind::Query),
    ("icrc1_supported_standards", MethodKind::Query),
    ("icrc1_symbol", MethodKind::Query),
    ("icrc1_total_supply", MethodKind::Query),
    ("icrc1_transfer", MethodKind::Update),
    ("icrc2_allowance", MethodKind::Query),
    ("icrc2_approve", MethodKind::Update),
    ("icrc2_transfer_from", MethodKind::Update),
];

/// A ledger's methods: ICRC-1/2's and its `own`, sorted by name (as rejects list them).
pub fn methods_with(own: &[(&'static str, MethodKind)]) -> Vec<(&'static str, MethodKind)> {
    let mut all: Vec<_> = METHODS.iter().chain(own).copied().collect();
    all.sort_by_key(|(name, _)| *name);
    all
}

const ACCOUNT: &str = "record { owner : principal; subaccount : opt blob }";

#[derive(CandidType)]
struct StandardRecord {
    name: String,
    url: String,
}

#[derive(CandidType)]
enum IcrcResult<E> {
    Ok(Nat),
    Err(E),
}

/// The account identifier of an ICRC account (how the books key it).
pub fn key(a: &Account) -> AccountId {
    account_id(a.owner.as_slice(), a.subaccount.as_ref())
}

pub fn nat(n: u64) -> Nat {
    Nat::from(n)
}

/// An amount as a `u64`; more than that is more than any balance (saturates).
pub fn amount(n: &Nat) -> u64 {
    u64::try_from(&n.0).unwrap_or(u64::MAX)
}

/// The answer to `r` if it calls an ICRC-1/ICRC-2 method, else `None`.
pub fn answer(
    books: &Shared,
    token: &Token,
    r: &Request<'_>,
    now: u64,
) -> Option<Result<Vec<u8>, Reject>> {
    METHODS.iter().any(|(m, _)| *m == r.method).then(|| {
        let at = (token.service, &token.id);
        let empty = || decode_empty(at, r.method, r.arg);
        let mut b = lock(books);
        Ok(match r.method {
            "icrc1_name" => empty().map(|()| encode(&token.name))?,
            "icrc1_symbol" => empty().map(|()| encode(&token.symbol))?,
            "icrc1_decimals" => empty().map(|()| encode(&token.decimals))?,
            "icrc1_fee" => empty().map(|()| encode(&nat(b.fee)))?,
            "icrc1_total_supply" => empty().map(|()| encode(&nat(b.total_supply())))?,
            "icrc1_minting_account" => empty().map(|()| encode(&token.minting_account))?,
            "icrc1_metadata" => empty().map(|()| {
                encode(&vec![
                    (
                        "icrc1:decimals",
                        MetadataValue::Nat(nat(token.decimals.into())),
                    ),
                    ("icrc1:name", MetadataValue::Text(token.name.into())),
                    ("icrc1:symbol", MetadataValue::Text(token.symbol.into())),
                    ("icrc1:fee", MetadataValue::Nat(nat(b.fee))),
                ])
            })?,
            "icrc1_supported_standards" => empty().map(|()| {
                let standard = |n: &str| StandardRecord {
                    name: n.to_string(),
                    url: format!("https://github.com/dfinity/ICRC-1/tree/main/standards/{n}"),
                };
                encode(&vec![standard("ICRC-1"), standard("ICRC-2")])
            })?,
            "icrc1_balance_of" => {
                let a: Account = decode(at, r.method, ACCOUNT, r.arg)?;
                encode(&nat(b.balance(&key(&a))))
            }
            "icrc1_transfer" => {
                let a: TransferArg = decode(at, r.method, "TransferArg (ICRC-1)", r.arg)?;
                let from = Account {
                    owner: r.caller,
                    subaccount: a.from_subaccount,
                };
                let tx = Tx {
                    from: key(&from),
                    to: key(&a.to),
                    amount: amount(&a.amount),
                    fee: a.fee.as_ref().map(amount),
                    memo: a.memo.map(|m| m.0.into_vec()).unwrap_or_default(),
                    created_at_time: a.created_at_time,
                    spender: None,
                };
                encode(&match b.transfer(now, tx) {
                    Ok(i) => IcrcResult::Ok(nat(i)),
                    Err(e) => IcrcResult::Err(transfer_error(e)),
                })
            }
            "icrc2_approve" => {
                let a: ApproveArgs = decode(at, r.method, "ApproveArgs (ICRC-2)", r.arg)?;
                let from = Account {
                    owner: r.caller,
                    subaccount: a.from_subaccount,
                };
                let result = b.approve(
                    now,
                    key(&from),
                    key(&a.spender),
                    amount(&a.amount),
                    a.expected_allowance.as_ref().map(amount),
                    a.expires_at,
                    a.fee.as_ref().map(amount),
                    a.memo.map(|m| m.0.into_vec()).unwrap_or_default(),
                    a.created_at_time,
                );
                encode(&match result {
                    Ok(i) => IcrcResult::Ok(nat(i)),
                    Err(e) => IcrcResult::Err(approve_error(e)),
                })
            }
            "icrc2_allowance" => {
                let a: AllowanceArgs = decode(at, r.method, "AllowanceArgs (ICRC-2)", r.arg)?;
                let got = b.allowance(&key(&a.account), &key(&a.spender), now);
                encode(&Allowance {
                    allowance: nat(got.amount),
                    expires_at: got.expires_at,
                })
            }
            _ => {
                let a: TransferFromArgs = decode(at, r.method, "TransferFromArgs (ICRC-2)", r.arg)?;
                let spender = Account {
                    owner: r.caller,
                    subaccount: a.spender_subaccount,
                };
                let tx = Tx {
                    from: key(&a.from),
                    to: key(&a.to),
                    amount: amount(&a.amount),
                    fee: a.fee.as_ref().map(amount),
                    memo: a.memo.map(|m| m.0.into_vec()).unwrap_or_default(),
                    created_at_time: a.created_at_time,
                    spender: Some(key(&spender)),
                };
                encode(&match b.transfer(now, tx) {
                    Ok(i) => IcrcResult::Ok(nat(i)),
                    Err(e) => IcrcResult::Err(transfer_from_error(e)),
                })
            }
        })
    })
}

/// A refusal in words (for the variants an interface has no case for).
pub fn describe(r: &Refusal) -> String {
    match r {
        Refusal::BadBurn { min } => format!("a burn must be at least {min}"),
        Refusal::Generic(m) => m.clone(),
        other => format!("{other:?}"),
    }
}

pub fn transfer_error(r: Refusal) -> TransferError {
    match r {
        Refusal::BadFee { expected } => TransferError::BadFee {
            expected_fee: nat(expected),
        },
        Refusal::BadBurn { min } => TransferError::BadBurn {
            min_burn_amount: nat(min),
        },
        Refusal::InsufficientFunds { balance } => TransferError::InsufficientFunds {
            balance: nat(balance),
        },
        Refusal::TooOld => TransferError::TooOld,
        Refusal::CreatedInFuture { ledger_time } => TransferError::CreatedInFuture { ledger_time },
        Refusal::Duplicate { of } => TransferError::Duplicate {
            duplicate_of: nat(of),
        },
        other => TransferError::GenericError {
            error_code: nat(0),
            message: describe(&other),
        },
    }
}

fn approve_error(r: Refusal) -> ApproveError {
    match r {
        Refusal::BadFee { expected } => ApproveError::BadFee {
            expected_fee: nat(expected),
        },
        Refusal::InsufficientFunds { balance } => ApproveError::InsufficientFunds {
            balance: nat(balance),
        },
        Refusal::AllowanceChanged { current } => ApproveError::AllowanceChanged {
            current_allowance: nat(current),
        },
        Refusal::Expired { ledger_time } => ApproveError::Expired { ledger_time },
        Refusal::TooOld => ApproveError::TooOld,
        Refusal::CreatedInFuture { ledger_time } => ApproveError::CreatedInFuture { ledger_time },
        Refusal::Duplicate { of } => ApproveError::Duplicate {
            duplicate_of: nat(of),
        },
        other => ApproveError::GenericError {
            error_code: nat(0),
            message: describe(&other),
        },
    }
}

fn transfer_from_error(r: Refusal) -> TransferFromError {
    match r {
        Refusal::BadFee { expected } => TransferFromError::BadFee {
            expected_fee: nat(expected),
        },
        Refusal::BadBurn { min } => TransferFromError::BadBurn {
            min_burn_amount: nat(min),
        },
        Refusal::InsufficientFunds { balance } => TransferFromError::InsufficientFunds {
            balance: nat(balance),
        },
        Refusal::InsufficientAllowance { allowance } => TransferFromError::InsufficientAllowance {
            allowance: nat(allowance),
        },
        Refusal::TooOld => TransferFromError::TooOld,
        Refusal::CreatedInFuture { ledger_time } => {
            TransferFromError::CreatedInFuture { ledger_time }
        }
        Refusal::Duplicate { of } => TransferFromError::Duplicate {
            duplicate_of: nat(of),
        },
        other => TransferFromError::GenericError {
            error_code: nat(0),
            message: describe(&other),
        },
    }
}
