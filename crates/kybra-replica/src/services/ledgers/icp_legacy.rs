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

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct GetBlocksArgs {
    pub start: u64,
    pub length: u64,
}

/// A block's operation, as the ICP ledger's `query_blocks` shows it.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    Mint {
        to: ByteBuf,
        amount: Tokens,
    },
    Burn {
        from: ByteBuf,
        spender: Option<ByteBuf>,
        amount: Tokens,
    },
    Transfer {
        from: ByteBuf,
        to: ByteBuf,
        amount: Tokens,
        fee: Tokens,
        spender: Option<ByteBuf>,
    },
    Approve {
        from: ByteBuf,
        spender: ByteBuf,
        allowance: Tokens,
        fee: Tokens,
        expires_at: Option<TimeStamp>,
    },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub memo: u64,
    pub icrc1_memo: Option<ByteBuf>,
    pub operation: Option<Operation>,
    pub created_at_time: TimeStamp,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub parent_hash: Option<ByteBuf>,
    pub transaction: Transaction,
    pub timestamp: TimeStamp,
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct BlockRange {
    pub blocks: Vec<Block>,
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub enum QueryArchiveError {
    BadFirstBlockIndex {
        requested_index: u64,
        first_valid_index: u64,
    },
    Other {
        error_code: u64,
        error_message: String,
    },
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub enum QueryArchiveResult {
    Ok(BlockRange),
    Err(QueryArchiveError),
}

candid::define_function!(pub QueryArchiveFn : (GetBlocksArgs) -> (QueryArchiveResult) query);

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct ArchivedBlocksRange {
    pub start: u64,
    pub length: u64,
    pub callback: QueryArchiveFn,
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct QueryBlocksResponse {
    pub chain_length: u64,
    pub certificate: Option<ByteBuf>,
    pub blocks: Vec<Block>,
    pub first_block_index: u64,
    pub archived_blocks: Vec<ArchivedBlocksRange>,
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct Archive {
    pub canister_id: candid::Principal,
}

#[derive(CandidType, Deserialize, Clone, Debug)]
pub struct Archives {
    pub archives: Vec<Archive>,
}
