//! A simulated bitcoin regtest network inside the replica, behind the management
//! canister's bitcoin API (`bitcoin_get_balance`, `bitcoin_get_utxos`,
//! `bitcoin_get_current_fee_percentiles`, `bitcoin_send_transaction`; see [`api`]).
//!
//! * [`chain`]: blocks from regtest's genesis, the UTXO set indexed by output script, the
//!   mempool, deterministic mining, fee percentiles.
//! * [`validate`]: what `bitcoin_send_transaction` accepts (parsing, unspent inputs, no
//!   double spends, coinbase maturity, value, P2PKH/P2WPKH signatures).
//! * [`tx`], [`sighash`], [`address`]: transactions in their consensus encoding, signature
//!   checks, regtest addresses — small and hand-written: the `bitcoin` crate would do it too,
//!   but its blanket `AsRef<PushBytes>` impls for byte arrays break type inference (`b"…".as_ref()`)
//!   in every crate that links the replica; the tests use it as an independent wallet.
//! * [`types`]: the Candid types of the API.
//!
//! Tests and tools fund addresses by mining ([`Replica::bitcoin_mine`]) and read the chain
//! with [`Replica::bitcoin_balance`], [`Replica::bitcoin_utxos`] and
//! [`Replica::bitcoin_tip_height`]. Addresses are regtest's: base58 P2PKH (`m…`/`n…`) and
//! P2SH (`2…`), bech32/bech32m `bcrt1…`; other networks' addresses are refused.
//!
//! The chain lives in memory, one per replica start: it is not persisted (a persistent
//! replica starts again from the genesis block). Every change happens inside one message (a
//! management call) or one `Replica` call on the execution thread, so it is atomic like the
//! messages around it: a canister that traps after its call does not undo the call, as on the IC.

mod address;
pub mod api;
pub mod chain;
mod sighash;
pub mod tx;
pub mod types;
mod validate;

use crate::Replica;

pub use chain::Chain;

/// What went wrong with a bitcoin request or a [`Replica`] bitcoin call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BitcoinError {
    #[error("`{0}` is not a bitcoin address ({1})")]
    Address(String, String),
    #[error("`{0}` is not a regtest address (regtest addresses start with m, n, 2 or bcrt1)")]
    WrongNetwork(String),
    #[error("this replica simulates the bitcoin regtest network only; network `{0}` is not available: use variant {{ regtest }}")]
    Network(&'static str),
    #[error("MalformedTransaction: {0}")]
    Malformed(String),
    #[error("the transaction was rejected: {0}")]
    Rejected(String),
    #[error("cannot mine {0} blocks: mine between 1 and 10000 per call")]
    BlockCount(u32),
}

/// The output script of a regtest address.
pub fn parse_address(address: &str) -> Result<Vec<u8>, BitcoinError> {
    address::script_of(address)
}

/// The result of [`Replica::bitcoin_mine`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MineReport {
    /// The new tip's height.
    pub tip_height: u32,
    /// The new blocks' hashes, as Bitcoin displays them (hex, big-endian), oldest first.
    pub block_hashes: Vec<String>,
    /// How many mempool transactions the first new block confirmed.
    pub transactions: usize,
}

/// An unspent output as [`Replica::bitcoin_utxos`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtxoInfo {
    /// The transaction id as Bitcoin displays it (hex, big-endian).
    pub txid: String,
    pub vout: u32,
    pub value: u64,
    pub height: u32,
    pub confirmations: u32,
}

impl Replica {
    /// Mines `blocks` regtest blocks (1..=10,000) paying their coinbase to `address`; the
    /// first includes every transaction sent so far.
    pub fn bitcoin_mine(&self, address: &str, blocks: u32) -> Result<MineReport, BitcoinError> {
        let script = parse_address(address)?;
        let mut s = self.lock();
        let transactions = s.bitcoin.mempool.len();
        let hashes = s.bitcoin.mine(&script, blocks)?;
        Ok(MineReport {
            tip_height: s.bitcoin.tip_height(),
            block_hashes: hashes.iter().map(tx::display_hex).collect(),
            transactions,
        })
    }

    /// The balance of `address` in satoshi, counting outputs with at least `min_confirmations`.
    pub fn bitcoin_balance(
        &self,
        address: &str,
        min_confirmations: u32,
    ) -> Result<u64, BitcoinError> {
        let script = parse_address(address)?;
        let s = self.lock();
        Ok(s.bitcoin
            .utxos_of(&script, min_confirmations)
            .iter()
            .map(|(_, c)| c.txout.value)
            .sum())
    }

    /// The unspent outputs paying to `address`, newest first.
    pub fn bitcoin_utxos(&self, address: &str) -> Result<Vec<UtxoInfo>, BitcoinError> {
        let script = parse_address(address)?;
        let s = self.lock();
        Ok(s.bitcoin
            .utxos_of(&script, 0)
            .iter()
            .map(|(op, c)| UtxoInfo {
                txid: tx::display_hex(&op.txid),
                vout: op.vout,
                value: c.txout.value,
                height: c.height,
                confirmations: s.bitcoin.confirmations(c.height),
            })
            .collect())
    }

    /// The height of the chain's tip (0: only the genesis block).
    pub fn bitcoin_tip_height(&self) -> u32 {
        self.lock().bitcoin.tip_height()
    }

    /// How many sent transactions wait in the mempool for the next mined block.
    pub fn bitcoin_mempool_len(&self) -> usize {
        self.lock().bitcoin.mempool.len()
    }
}
