//! The ICP ledger's own (pre-ICRC) interface types, as its `.did` declares them:
//! `account_balance`, `transfer`, `transfer_fee`, `name`, `symbol`, `decimals`.
//! `tests/ledgers.rs` checks them against the `ic-ledger-types` crate's.

use candid::{CandidType, Deserialize};
use serde_bytes::ByteBuf;

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tokens {
    pub e8s: u64,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeStamp {
    pub timestamp_nanos: u64,
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct TransferArgs {
    pub memo: u64,
    pub amount: Tokens,
    pub fee: Tokens,
    pub from_subaccount: Option<ByteBuf>,
    pub to: ByteBuf,
    pub created_at_time: Option<TimeStamp>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum TransferError {
    BadFee { expected_fee: Tokens },
    InsufficientFunds { balance: Tokens },
    TxTooOld { allowed_window_nanos: u64 },
    TxCreatedInFuture,
    TxDuplicate { duplicate_of: u64 },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum TransferResult {
    Ok(u64),
    Err(TransferError),
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct AccountBalanceArgs {
    pub account: ByteBuf,
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct TransferFee {
    pub transfer_fee: Tokens,
}

#[derive(CandidType, Deserialize)]
pub struct Name {
    pub name: String,
}

#[derive(CandidType, Deserialize)]
pub struct Symbol {
    pub symbol: String,
}

#[derive(CandidType, Deserialize)]
pub struct Decimals {
    pub decimals: u32,
}
