//! The ICP ledger at its mainnet id `ryjl3-tyaaa-aaaaa-aaaba-cai`, as the service
//! [`IcpLedger`]: a local stand-in with the real ledger's semantics (`super::books`: balances,
//! the 10,000 e8s fee, deduplication, allowances, a block log) behind its official Candid
//! interfaces:
//! - ICRC-1: `icrc1_name`, `icrc1_symbol`, `icrc1_decimals`, `icrc1_fee`, `icrc1_metadata`,
//!   `icrc1_total_supply`, `icrc1_minting_account`, `icrc1_balance_of`,
//!   `icrc1_supported_standards`, `icrc1_transfer`;
//! - ICRC-2: `icrc2_approve`, `icrc2_allowance`, `icrc2_transfer_from`;
//! - its own: `account_balance`, `transfer`, `transfer_fee`, `name`, `symbol`, `decimals`.
//!
//! ICRC-1/2 are `super::icrc`'s (the `icrc-ledger-types` crate's types); the ledger's own
//! types are in `super::icp_legacy`.
//! An ICRC account is kept under its account identifier, as the ICP ledger does, so both
//! interfaces see one balance. The minting account is the governance canister's default
//! account: tokens come into being only by [`IcpLedger::mint`] (the replica's faucet) or a
//! transfer from it. Its books are shared with the cycles minting canister, which burns the
//! ICP sent to it. Registered with the other system canisters
//! (`Replica::set_system_canisters`).

use std::any::Any;
use std::sync::LazyLock;

use candid::Principal;
use icrc_ledger_types::icrc1::account::Account;

use super::books::{account_id, valid_account_id, AccountId, Refusal, Tx, ICP_FEE, WINDOW_NANOS};
use super::icp_legacy as legacy;
use super::icrc::{self, Shared, Token};
use crate::error::Reject;
use crate::services::api::{Address, Answer, Env, MethodKind, Reply, Request, SystemService};
use crate::services::system_canisters::{decode, decode_empty, encode, ICP_LEDGER};

/// The service's name.
pub const NAME: &str = "ICP ledger";

/// The governance canister (`rrkah-fqaaa-aaaaa-aaaaq-cai`), whose default account is the
/// ICP ledger's minting account, as on mainnet.
pub const GOVERNANCE: Principal = Principal::from_slice(&[0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);

/// The methods, as `Address::Canister` lists them.
/// The methods, as `Address::Canister` lists them: ICRC-1/2's and the ledger's own.
static METHODS: LazyLock<Vec<(&'static str, MethodKind)>> = LazyLock::new(|| {
    icrc::methods_with(&[
        ("account_balance", MethodKind::Query),
        ("archives", MethodKind::Query),
        ("query_blocks", MethodKind::Query),
        ("decimals", MethodKind::Query),
        ("name", MethodKind::Query),
        ("symbol", MethodKind::Query),
        ("transfer", MethodKind::Update),
        ("transfer_fee", MethodKind::Query),
    ])
});

const TOKEN: Token = Token {
    service: NAME,
    id: ICP_LEDGER,
    name: "Internet Computer",
    symbol: "ICP",
    decimals: 8,
    minting_account: Some(Account {
        owner: GOVERNANCE,
        subaccount: None,
    }),
};

/// The ICP ledger.
pub struct IcpLedger {
    books: Shared,
}

impl IcpLedger {
    /// The ledger over `books` (made by [`new_books`]).
    pub fn new(books: Shared) -> IcpLedger {
        IcpLedger { books }
    }
}

/// Empty ICP books: the governance canister's minting account, the 10,000 e8s fee.
pub fn new_books() -> Shared {
    Shared::new(std::sync::Mutex::new(super::books::Books::new(
        account_id(GOVERNANCE.as_slice(), None),
        ICP_FEE,
    )))
}

impl IcpLedger {
    /// Mints `e8s` into `to` (the faucet): a transfer from the minting account; its block.
    pub fn mint(&mut self, now: u64, to: AccountId, e8s: u64) -> Result<u64, String> {
        let mut books = icrc::lock(&self.books);
        let tx = Tx {
            from: books.minting,
            to,
            amount: e8s,
            fee: None,
            memo: b"kybra faucet".to_vec(),
            created_at_time: None,
            spender: None,
        };
        books.transfer(now, tx).map_err(|r| icrc::describe(&r))
    }

    /// The balance of `account`.
    pub fn balance(&self, account: &AccountId) -> u64 {
        icrc::lock(&self.books).balance(account)
    }

    fn answer(&mut self, r: &Request<'_>, now: u64) -> Result<Vec<u8>, Reject> {
        if let Some(answer) = icrc::answer(&self.books, &TOKEN, r, now) {
            return answer;
        }
        let at = (NAME, &ICP_LEDGER);
        let empty = |m| decode_empty(at, m, r.arg);
        Ok(match r.method {
            "account_balance" => {
                let a: legacy::AccountBalanceArgs =
                    decode(at, r.method, "record { account : blob }", r.arg)?;
                let account = valid_account_id(&a.account).ok_or_else(|| {
                    Reject::canister_reject(&format!(
                        "the ICP ledger's account_balance: {} is not an account identifier (32 bytes whose first 4 are the CRC32 of the other 28)",
                        hex::encode(&a.account)
                    ))
                })?;
                encode(&legacy::Tokens {
                    e8s: self.balance(&account),
                })
            }
            "transfer" => {
                let a: legacy::TransferArgs =
                    decode(at, r.method, "TransferArgs (the ICP ledger's)", r.arg)?;
                encode(&self.legacy_transfer(r.caller, a, now)?)
            }
            "archives" => encode(&legacy::Archives {
                archives: Vec::new(),
            }),
            "query_blocks" => {
                let a: legacy::GetBlocksArgs = decode(
                    at,
                    r.method,
                    "record { start : nat64; length : nat64 }",
                    r.arg,
                )?;
                encode(&self.query_blocks(a))
            }
            "transfer_fee" => encode(&legacy::TransferFee {
                transfer_fee: legacy::Tokens { e8s: ICP_FEE },
            }),
            "name" => empty(r.method).map(|()| {
                encode(&legacy::Name {
                    name: "Internet Computer".into(),
                })
            })?,
            "symbol" => empty(r.method).map(|()| {
                encode(&legacy::Symbol {
                    symbol: "ICP".into(),
                })
            })?,
            _ => empty(r.method).map(|()| encode(&legacy::Decimals { decimals: 8 }))?,
        })
    }

    /// The blocks `[start, start + length)` (at most 2,000 at a time, as the ledger answers),
    /// each with the hash of the one before (SHA-256 of its Candid: this replica's chain, not
    /// mainnet's block hashes); no archives.
    fn query_blocks(&self, a: legacy::GetBlocksArgs) -> legacy::QueryBlocksResponse {
        let books = icrc::lock(&self.books);
        let all = books.blocks();
        let start = a.start.min(all.len() as u64);
        let end = start
            .saturating_add(a.length.min(2_000))
            .min(all.len() as u64);
        let show = |b: &super::books::Block| {
            let t = |e8s| legacy::Tokens { e8s };
            let id = |a: &AccountId| serde_bytes::ByteBuf::from(a.to_vec());
            use super::books::Op;
            let operation = match &b.op {
                Op::Mint { to, amount } => legacy::Operation::Mint {
                    to: id(to),
                    amount: t(*amount),
                },
                Op::Burn {
                    from,
                    amount,
                    spender,
                } => legacy::Operation::Burn {
                    from: id(from),
                    spender: spender.as_ref().map(id),
                    amount: t(*amount),
                },
                Op::Transfer {
                    from,
                    to,
                    amount,
                    fee,
                    spender,
                } => legacy::Operation::Transfer {
                    from: id(from),
                    to: id(to),
                    amount: t(*amount),
                    fee: t(*fee),
                    spender: spender.as_ref().map(id),
                },
                Op::Approve {
                    from,
                    spender,
                    amount,
                    expires_at,
                    fee,
                } => legacy::Operation::Approve {
                    from: id(from),
                    spender: id(spender),
                    allowance: t(*amount),
                    fee: t(*fee),
                    expires_at: expires_at.map(|n| legacy::TimeStamp { timestamp_nanos: n }),
                },
            };
            let memo = <[u8; 8]>::try_from(b.memo.as_slice())
                .map(u64::from_be_bytes)
                .ok();
            legacy::Transaction {
                memo: memo.unwrap_or(0),
                icrc1_memo: memo
                    .is_none()
                    .then(|| serde_bytes::ByteBuf::from(b.memo.clone()))
                    .filter(|m| !m.is_empty()),
                operation: Some(operation),
                created_at_time: legacy::TimeStamp {
                    timestamp_nanos: b.created_at_time.unwrap_or(b.time),
                },
            }
        };
        let mut parent: Option<serde_bytes::ByteBuf> = None;
        let mut blocks = Vec::new();
        for (i, b) in all[..end as usize].iter().enumerate() {
            let block = legacy::Block {
                parent_hash: parent.clone(),
                transaction: show(b),
                timestamp: legacy::TimeStamp {
                    timestamp_nanos: b.time,
                },
            };
            parent = Some(serde_bytes::ByteBuf::from(
                <sha2::Sha256 as sha2::Digest>::digest(encode(&block)).to_vec(),
            ));
            if i as u64 >= start {
                blocks.push(block);
            }
        }
        legacy::QueryBlocksResponse {
            chain_length: all.len() as u64,
            certificate: None,
            blocks,
            first_block_index: start,
            archived_blocks: Vec::new(),
        }
    }

    fn legacy_transfer(
        &mut self,
        caller: Principal,
        a: legacy::TransferArgs,
        now: u64,
    ) -> Result<legacy::TransferResult, Reject> {
        let to = valid_account_id(&a.to).ok_or_else(|| {
            Reject::canister_reject(&format!(
                "the ICP ledger's transfer: `to` ({}) is not an account identifier (32 bytes whose first 4 are the CRC32 of the other 28)",
                hex::encode(&a.to)
            ))
        })?;
        let sub: Option<[u8; 32]> = match a.from_subaccount {
            None => None,
            Some(s) => Some(s.as_slice().try_into().map_err(|_| {
                Reject::canister_reject(
                    "the ICP ledger's transfer: from_subaccount must be 32 bytes",
                )
            })?),
        };
        // Its own interface always names the fee: 10,000 e8s, or 0 for a mint or burn.
        let tx = Tx {
            from: account_id(caller.as_slice(), sub.as_ref()),
            to,
            amount: a.amount.e8s,
            fee: Some(a.fee.e8s),
            memo: a.memo.to_be_bytes().to_vec(),
            created_at_time: a.created_at_time.map(|t| t.timestamp_nanos),
            spender: None,
        };
        let result = icrc::lock(&self.books).transfer(now, tx);
        Ok(match result {
            Ok(i) => legacy::TransferResult::Ok(i),
            Err(e) => legacy::TransferResult::Err(match e {
                Refusal::BadFee { expected } => legacy::TransferError::BadFee {
                    expected_fee: legacy::Tokens { e8s: expected },
                },
                Refusal::InsufficientFunds { balance } => {
                    legacy::TransferError::InsufficientFunds {
                        balance: legacy::Tokens { e8s: balance },
                    }
                }
                Refusal::TooOld => legacy::TransferError::TxTooOld {
                    allowed_window_nanos: WINDOW_NANOS,
                },
                Refusal::CreatedInFuture { .. } => legacy::TransferError::TxCreatedInFuture,
                Refusal::Duplicate { of } => {
                    legacy::TransferError::TxDuplicate { duplicate_of: of }
                }
                other => {
                    return Err(Reject::canister_reject(&format!(
                        "the ICP ledger's transfer: {}",
                        icrc::describe(&other)
                    )))
                }
            }),
        })
    }
}

impl SystemService for IcpLedger {
    fn name(&self) -> &'static str {
        NAME
    }

    fn address(&self) -> Address {
        Address::Canister {
            id: ICP_LEDGER,
            methods: METHODS.as_slice(),
        }
    }

    fn call(&mut self, r: Request<'_>, env: &mut dyn Env) -> Reply {
        let now = env.time();
        Reply::Now(match self.answer(&r, now) {
            Ok(bytes) => Answer::reply(bytes, r.cycles, 0),
            Err(reject) => Answer::reject(reject, r.cycles),
        })
    }

    fn query(&mut self, r: Request<'_>, env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
        // Only the query methods arrive here, and they read the books.
        let now = env.time();
        self.answer(&r, now)
    }

    fn state_generation(&self) -> u64 {
        icrc::lock(&self.books).blocks().len() as u64
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
