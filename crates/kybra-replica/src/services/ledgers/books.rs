//! A ledger's books: balances by account identifier, ICRC-2 allowances, the block log, and
//! the rules every transaction follows, as the ICP ledger applies them (the cycles ledger
//! keeps its books the same way, with its own fee).
//!
//! Invariants:
//! - the balances sum to `total_supply`; a transfer moves `amount` and burns the fee, a mint
//!   (from the minting account) adds, a burn (to it) removes, and nothing else changes them;
//! - a refused transaction changes nothing (no block, no balance, no allowance);
//! - every accepted transaction appends exactly one block; its index is the answer;
//! - a transaction with `created_at_time` is refused when older than the 24-hour window (plus
//!   2 minutes of drift) or more than 2 minutes ahead, and is a `Duplicate` of an equal one
//!   inside the window; one without it is never deduplicated.

use std::collections::BTreeMap;

use sha2::{Digest, Sha224, Sha256};

/// The 32-byte account identifier: CRC32 (big endian) of the SHA-224 hash, then the hash.
pub type AccountId = [u8; 32];

/// The ICP ledger's fee: 10,000 e8s (0.0001 ICP).
pub const ICP_FEE: u64 = 10_000;
/// How long a `created_at_time` stays valid, and deduplicated: 24 hours.
pub const WINDOW_NANOS: u64 = 24 * 3600 * 1_000_000_000;
/// The clock drift the ledger tolerates: 2 minutes.
pub const DRIFT_NANOS: u64 = 120 * 1_000_000_000;

/// The account identifier of `owner`'s `subaccount` (all zeros when `None`).
pub fn account_id(owner: &[u8], subaccount: Option<&[u8; 32]>) -> AccountId {
    let mut h = Sha224::new();
    h.update(b"\x0Aaccount-id");
    h.update(owner);
    h.update(subaccount.unwrap_or(&[0; 32]));
    let hash = h.finalize();
    let mut id = [0u8; 32];
    id[..4].copy_from_slice(&crc32fast::hash(&hash).to_be_bytes());
    id[4..].copy_from_slice(&hash);
    id
}

/// Whether `bytes` is an account identifier with a correct checksum.
pub fn valid_account_id(bytes: &[u8]) -> Option<AccountId> {
    let id: AccountId = bytes.try_into().ok()?;
    (crc32fast::hash(&id[4..]).to_be_bytes() == id[..4]).then_some(id)
}

/// Why a transaction was refused (each API maps it to its own error type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    BadFee { expected: u64 },
    BadBurn { min: u64 },
    InsufficientFunds { balance: u64 },
    InsufficientAllowance { allowance: u64 },
    AllowanceChanged { current: u64 },
    Expired { ledger_time: u64 },
    TooOld,
    CreatedInFuture { ledger_time: u64 },
    Duplicate { of: u64 },
    Generic(String),
}

/// What a block records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Mint {
        to: AccountId,
        amount: u64,
    },
    Burn {
        from: AccountId,
        amount: u64,
        spender: Option<AccountId>,
    },
    Transfer {
        from: AccountId,
        to: AccountId,
        amount: u64,
        fee: u64,
        spender: Option<AccountId>,
    },
    Approve {
        from: AccountId,
        spender: AccountId,
        amount: u64,
        expires_at: Option<u64>,
        fee: u64,
    },
}

/// One block of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub time: u64,
    pub op: Op,
    pub memo: Vec<u8>,
    pub created_at_time: Option<u64>,
}

/// An ICRC-2 allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Approval {
    pub amount: u64,
    pub expires_at: Option<u64>,
}

/// A transaction as submitted (before the ledger decides what it is).
#[derive(Debug, Clone)]
pub struct Tx {
    pub from: AccountId,
    pub to: AccountId,
    pub amount: u64,
    /// The fee the caller gave; `None`: whatever the ledger charges.
    pub fee: Option<u64>,
    pub memo: Vec<u8>,
    pub created_at_time: Option<u64>,
    /// The spender of an ICRC-2 `transfer_from`.
    pub spender: Option<AccountId>,
}

/// The books.
#[derive(Debug, Clone)]
pub struct Books {
    pub minting: AccountId,
    /// What a transfer or approval costs (burned); also the smallest burn.
    pub fee: u64,
    balances: BTreeMap<AccountId, u64>,
    allowances: BTreeMap<(AccountId, AccountId), Approval>,
    blocks: Vec<Block>,
    /// Hash of a deduplicated transaction → its block.
    seen: BTreeMap<[u8; 32], u64>,
    total_supply: u64,
}

impl Books {
    pub fn new(minting: AccountId, fee: u64) -> Books {
        Books {
            minting,
            fee,
            balances: BTreeMap::new(),
            allowances: BTreeMap::new(),
            blocks: Vec::new(),
            seen: BTreeMap::new(),
            total_supply: 0,
        }
    }

    pub fn balance(&self, account: &AccountId) -> u64 {
        self.balances.get(account).copied().unwrap_or(0)
    }

    pub fn total_supply(&self) -> u64 {
        self.total_supply
    }

    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// The allowance `owner` gave `spender` at `now` (0 once expired).
    pub fn allowance(&self, owner: &AccountId, spender: &AccountId, now: u64) -> Approval {
        match self.allowances.get(&(*owner, *spender)) {
            Some(a) if a.expires_at.is_none_or(|t| t > now) => *a,
            _ => Approval {
                amount: 0,
                expires_at: None,
            },
        }
    }

    /// Checks `created_at_time` and the deduplication of the transaction hashed `key`.
    fn check_time(
        &self,
        now: u64,
        created_at_time: Option<u64>,
        key: &[u8; 32],
    ) -> Result<(), Refusal> {
        let Some(t) = created_at_time else {
            return Ok(());
        };
        if t.saturating_add(WINDOW_NANOS + DRIFT_NANOS) < now {
            return Err(Refusal::TooOld);
        }
        if t > now.saturating_add(DRIFT_NANOS) {
            return Err(Refusal::CreatedInFuture { ledger_time: now });
        }
        match self.seen.get(key) {
            Some(&of) => Err(Refusal::Duplicate { of }),
            None => Ok(()),
        }
    }

    /// Appends a block and remembers a deduplicated transaction; the block's index.
    fn append(
        &mut self,
        now: u64,
        op: Op,
        memo: Vec<u8>,
        created_at_time: Option<u64>,
        key: [u8; 32],
    ) -> u64 {
        let index = self.blocks.len() as u64;
        if created_at_time.is_some() {
            self.seen.insert(key, index);
        }
        // Forget what left the window: it would be TooOld anyway.
        let blocks = &self.blocks;
        self.seen.retain(|_, b| {
            blocks.get(*b as usize).is_none_or(|blk| {
                blk.created_at_time
                    .is_some_and(|t| t + WINDOW_NANOS + DRIFT_NANOS >= now)
            })
        });
        self.blocks.push(Block {
            time: now,
            op,
            memo,
            created_at_time,
        });
        index
    }

    /// A transfer, mint (from the minting account) or burn (to it); the block index.
    pub fn transfer(&mut self, now: u64, tx: Tx) -> Result<u64, Refusal> {
        let key = hash(&[
            b"xfer",
            &tx.from,
            &tx.to,
            &tx.amount.to_be_bytes(),
            &opt(tx.fee),
            &tx.memo,
            &opt(tx.created_at_time),
            tx.spender.as_ref().map_or(&[][..], |s| &s[..]),
        ]);
        self.check_time(now, tx.created_at_time, &key)?;
        if tx.from == self.minting {
            if tx.spender.is_some() {
                return Err(Refusal::Generic(
                    "the minting account cannot be debited by transfer_from".into(),
                ));
            }
            if tx.fee.is_some_and(|f| f != 0) {
                return Err(Refusal::BadFee { expected: 0 });
            }
            if tx.to == self.minting {
                return Err(Refusal::Generic(
                    "a transfer from the minting account to itself is not allowed".into(),
                ));
            }
            let supply = self
                .total_supply
                .checked_add(tx.amount)
                .ok_or_else(|| Refusal::Generic("the total supply would overflow".into()))?;
            self.total_supply = supply;
            *self.balances.entry(tx.to).or_default() += tx.amount;
            return Ok(self.append(
                now,
                Op::Mint {
                    to: tx.to,
                    amount: tx.amount,
                },
                tx.memo,
                tx.created_at_time,
                key,
            ));
        }
        let burn = tx.to == self.minting;
        let fee = if burn { 0 } else { self.fee };
        if burn {
            if tx.fee.is_some_and(|f| f != 0) {
                return Err(Refusal::BadFee { expected: 0 });
            }
            if tx.amount < self.fee {
                return Err(Refusal::BadBurn { min: self.fee });
            }
        } else if tx.fee.is_some_and(|f| f != self.fee) {
            return Err(Refusal::BadFee { expected: self.fee });
        }
        let debit = tx
            .amount
            .checked_add(fee)
            .ok_or(Refusal::InsufficientFunds {
                balance: self.balance(&tx.from),
            })?;
        if let Some(spender) = &tx.spender {
            let allowance = self.allowance(&tx.from, spender, now);
            if allowance.amount < debit {
                return Err(Refusal::InsufficientAllowance {
                    allowance: allowance.amount,
                });
            }
        }
        let balance = self.balance(&tx.from);
        if balance < debit {
            return Err(Refusal::InsufficientFunds { balance });
        }
        if let Some(spender) = &tx.spender {
            let a = self
                .allowances
                .get_mut(&(tx.from, *spender))
                .expect("checked above");
            a.amount -= debit;
            if a.amount == 0 {
                self.allowances.remove(&(tx.from, *spender));
            }
        }
        self.debit(&tx.from, debit);
        self.total_supply -= fee;
        let op = if burn {
            self.total_supply -= tx.amount;
            Op::Burn {
                from: tx.from,
                amount: tx.amount,
                spender: tx.spender,
            }
        } else {
            *self.balances.entry(tx.to).or_default() += tx.amount;
            Op::Transfer {
                from: tx.from,
                to: tx.to,
                amount: tx.amount,
                fee,
                spender: tx.spender,
            }
        };
        Ok(self.append(now, op, tx.memo, tx.created_at_time, key))
    }

    /// An ICRC-2 approval of `amount` by `from` for `spender`; the block index.
    #[allow(clippy::too_many_arguments)]
    pub fn approve(
        &mut self,
        now: u64,
        from: AccountId,
        spender: AccountId,
        amount: u64,
        expected_allowance: Option<u64>,
        expires_at: Option<u64>,
        fee: Option<u64>,
        memo: Vec<u8>,
        created_at_time: Option<u64>,
    ) -> Result<u64, Refusal> {
        let key = hash(&[
            b"approve",
            &from,
            &spender,
            &amount.to_be_bytes(),
            &opt(expected_allowance),
            &opt(expires_at),
            &opt(fee),
            &memo,
            &opt(created_at_time),
        ]);
        self.check_time(now, created_at_time, &key)?;
        if from == spender {
            return Err(Refusal::Generic("self approval is not allowed".into()));
        }
        if from == self.minting {
            return Err(Refusal::Generic(
                "the minting account cannot approve".into(),
            ));
        }
        if fee.is_some_and(|f| f != self.fee) {
            return Err(Refusal::BadFee { expected: self.fee });
        }
        if let Some(t) = expires_at {
            if t <= now {
                return Err(Refusal::Expired { ledger_time: now });
            }
        }
        let current = self.allowance(&from, &spender, now).amount;
        if let Some(expected) = expected_allowance {
            if expected != current {
                return Err(Refusal::AllowanceChanged { current });
            }
        }
        let balance = self.balance(&from);
        if balance < self.fee {
            return Err(Refusal::InsufficientFunds { balance });
        }
        self.debit(&from, self.fee);
        self.total_supply -= self.fee;
        if amount == 0 {
            self.allowances.remove(&(from, spender));
        } else {
            self.allowances
                .insert((from, spender), Approval { amount, expires_at });
        }
        let op = Op::Approve {
            from,
            spender,
            amount,
            expires_at,
            fee: self.fee,
        };
        Ok(self.append(now, op, memo, created_at_time, key))
    }

    /// The books' contents, for [`super::saved`].
    #[allow(clippy::type_complexity)]
    pub(super) fn parts(
        &self,
    ) -> (
        &BTreeMap<AccountId, u64>,
        &BTreeMap<(AccountId, AccountId), Approval>,
        &[Block],
        &BTreeMap<[u8; 32], u64>,
    ) {
        (&self.balances, &self.allowances, &self.blocks, &self.seen)
    }

    /// Replaces the books' contents (from [`super::saved`]).
    pub(super) fn set_parts(
        &mut self,
        balances: BTreeMap<AccountId, u64>,
        allowances: BTreeMap<(AccountId, AccountId), Approval>,
        blocks: Vec<Block>,
        seen: BTreeMap<[u8; 32], u64>,
        total_supply: u64,
    ) {
        (
            self.balances,
            self.allowances,
            self.blocks,
            self.seen,
            self.total_supply,
        ) = (balances, allowances, blocks, seen, total_supply);
    }

    fn debit(&mut self, account: &AccountId, amount: u64) {
        let b = self
            .balances
            .get_mut(account)
            .expect("a debited account has a balance");
        *b -= amount;
        if *b == 0 {
            self.balances.remove(account);
        }
    }
}

fn opt(v: Option<u64>) -> Vec<u8> {
    match v {
        None => vec![0],
        Some(v) => [&[1u8][..], &v.to_be_bytes()].concat(),
    }
}

/// SHA-256 over length-prefixed parts: equal transactions hash equal, others do not.
fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests;
