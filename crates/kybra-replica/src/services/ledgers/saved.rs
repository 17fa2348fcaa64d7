//! The saved form of a ledger's books (what a persistent replica keeps across restarts):
//! Candid of a versioned record with byte-string keys, pinned by the golden file
//! `tests/golden/ledger-books-v1.hex` of this crate. A change of layout must bump
//! [`VERSION`] and keep reading version 1.

use candid::{CandidType, Deserialize};
use serde_bytes::ByteBuf;

use super::books::{AccountId, Approval, Block, Books, Op};

/// The layout's version.
pub const VERSION: u32 = 1;

#[derive(CandidType, Deserialize)]
struct Saved {
    version: u32,
    fee: u64,
    minting: ByteBuf,
    total_supply: u64,
    balances: Vec<(ByteBuf, u64)>,
    allowances: Vec<SavedApproval>,
    blocks: Vec<SavedBlock>,
    seen: Vec<(ByteBuf, u64)>,
}

#[derive(CandidType, Deserialize)]
struct SavedApproval {
    owner: ByteBuf,
    spender: ByteBuf,
    amount: u64,
    expires_at: Option<u64>,
}

#[derive(CandidType, Deserialize)]
struct SavedBlock {
    time: u64,
    op: SavedOp,
    memo: ByteBuf,
    created_at_time: Option<u64>,
}

#[derive(CandidType, Deserialize)]
enum SavedOp {
    Mint {
        to: ByteBuf,
        amount: u64,
    },
    Burn {
        from: ByteBuf,
        amount: u64,
        spender: Option<ByteBuf>,
    },
    Transfer {
        from: ByteBuf,
        to: ByteBuf,
        amount: u64,
        fee: u64,
        spender: Option<ByteBuf>,
    },
    Approve {
        from: ByteBuf,
        spender: ByteBuf,
        amount: u64,
        expires_at: Option<u64>,
        fee: u64,
    },
}

fn b(id: &AccountId) -> ByteBuf {
    ByteBuf::from(id.to_vec())
}

fn id(bytes: &ByteBuf) -> Result<AccountId, String> {
    bytes
        .as_slice()
        .try_into()
        .map_err(|_| format!("an account identifier of {} bytes, not 32", bytes.len()))
}

fn opt_id(bytes: &Option<ByteBuf>) -> Result<Option<AccountId>, String> {
    bytes.as_ref().map(id).transpose()
}

/// The books' bytes.
pub fn save(books: &Books) -> Vec<u8> {
    let (balances, allowances, blocks, seen) = books.parts();
    let saved = Saved {
        version: VERSION,
        fee: books.fee,
        minting: b(&books.minting),
        total_supply: books.total_supply(),
        balances: balances.iter().map(|(k, v)| (b(k), *v)).collect(),
        allowances: allowances
            .iter()
            .map(|((owner, spender), a)| SavedApproval {
                owner: b(owner),
                spender: b(spender),
                amount: a.amount,
                expires_at: a.expires_at,
            })
            .collect(),
        blocks: blocks
            .iter()
            .map(|blk| SavedBlock {
                time: blk.time,
                op: match &blk.op {
                    Op::Mint { to, amount } => SavedOp::Mint {
                        to: b(to),
                        amount: *amount,
                    },
                    Op::Burn {
                        from,
                        amount,
                        spender,
                    } => SavedOp::Burn {
                        from: b(from),
                        amount: *amount,
                        spender: spender.as_ref().map(b),
                    },
                    Op::Transfer {
                        from,
                        to,
                        amount,
                        fee,
                        spender,
                    } => SavedOp::Transfer {
                        from: b(from),
                        to: b(to),
                        amount: *amount,
                        fee: *fee,
                        spender: spender.as_ref().map(b),
                    },
                    Op::Approve {
                        from,
                        spender,
                        amount,
                        expires_at,
                        fee,
                    } => SavedOp::Approve {
                        from: b(from),
                        spender: b(spender),
                        amount: *amount,
                        expires_at: *expires_at,
                        fee: *fee,
                    },
                },
                memo: ByteBuf::from(blk.memo.clone()),
                created_at_time: blk.created_at_time,
            })
            .collect(),
        seen: seen
            .iter()
            .map(|(k, v)| (ByteBuf::from(k.to_vec()), *v))
            .collect(),
    };
    candid::encode_one(saved).expect("saved books encode")
}

/// The books `bytes` hold.
pub fn restore(bytes: &[u8]) -> Result<Books, String> {
    let s: Saved = candid::decode_one(bytes).map_err(|e| format!("saved ledger books: {e}"))?;
    if s.version != VERSION {
        return Err(format!(
            "saved ledger books of version {}, this replica reads {VERSION}",
            s.version
        ));
    }
    let mut books = Books::new(id(&s.minting)?, s.fee);
    let blocks = s
        .blocks
        .into_iter()
        .map(|blk| {
            Ok(Block {
                time: blk.time,
                op: match blk.op {
                    SavedOp::Mint { to, amount } => Op::Mint {
                        to: id(&to)?,
                        amount,
                    },
                    SavedOp::Burn {
                        from,
                        amount,
                        spender,
                    } => Op::Burn {
                        from: id(&from)?,
                        amount,
                        spender: opt_id(&spender)?,
                    },
                    SavedOp::Transfer {
                        from,
                        to,
                        amount,
                        fee,
                        spender,
                    } => Op::Transfer {
                        from: id(&from)?,
                        to: id(&to)?,
                        amount,
                        fee,
                        spender: opt_id(&spender)?,
                    },
                    SavedOp::Approve {
                        from,
                        spender,
                        amount,
                        expires_at,
                        fee,
                    } => Op::Approve {
                        from: id(&from)?,
                        spender: id(&spender)?,
                        amount,
                        expires_at,
                        fee,
                    },
                },
                memo: blk.memo.into_vec(),
                created_at_time: blk.created_at_time,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let balances = s
        .balances
        .iter()
        .map(|(k, v)| Ok((id(k)?, *v)))
        .collect::<Result<_, String>>()?;
    let allowances = s
        .allowances
        .iter()
        .map(|a| {
            Ok((
                (id(&a.owner)?, id(&a.spender)?),
                Approval {
                    amount: a.amount,
                    expires_at: a.expires_at,
                },
            ))
        })
        .collect::<Result<_, String>>()?;
    let seen = s
        .seen
        .iter()
        .map(|(k, v)| Ok((id(k)?, *v)))
        .collect::<Result<_, String>>()?;
    books.set_parts(balances, allowances, blocks, seen, s.total_supply);
    Ok(books)
}

#[cfg(test)]
mod tests {
    use super::super::books::{account_id, Tx};
    use super::*;

    const GOLDEN: &str = include_str!("../../../tests/golden/ledger-books-v1.hex");

    /// Books with one of every kind of block, an allowance, a deduplicated transaction.
    fn sample() -> Books {
        let now = 1_700_000_000_000_000_000;
        let (a, s) = (
            account_id(b"alice", None),
            account_id(b"spender", Some(&[7; 32])),
        );
        let mut books = Books::new(account_id(b"minting", None), 10_000);
        let tx = |from, to, amount, created_at_time| Tx {
            from,
            to,
            amount,
            fee: None,
            memo: b"m".to_vec(),
            created_at_time,
            spender: None,
        };
        books
            .transfer(now, tx(books.minting, a, 1_000_000, None))
            .unwrap();
        books.transfer(now, tx(a, s, 1_000, Some(now))).unwrap();
        books
            .transfer(now, tx(a, books.minting, 20_000, None))
            .unwrap();
        books
            .approve(
                now,
                a,
                s,
                5_000,
                None,
                Some(now + 1),
                None,
                Vec::new(),
                None,
            )
            .unwrap();
        books
    }

    #[test]
    fn the_saved_layout_is_pinned_and_read_back() {
        let bytes = save(&sample());
        if std::env::var("KYBRA_REGENERATE_GOLDEN").as_deref() == Ok("1") {
            let path = concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/golden/ledger-books-v1.hex"
            );
            std::fs::write(path, hex::encode(&bytes) + "\n").unwrap();
        }
        assert_eq!(
            hex::encode(&bytes),
            GOLDEN.trim(),
            "the saved ledger layout changed: bump saved::VERSION and keep reading version 1"
        );
        let restored = restore(&hex::decode(GOLDEN.trim()).unwrap()).unwrap();
        assert_eq!(save(&restored), bytes);
        assert_eq!(
            restored.balance(&account_id(b"alice", None)),
            sample().balance(&account_id(b"alice", None))
        );
        assert!(restore(b"garbage").is_err());
    }
}
