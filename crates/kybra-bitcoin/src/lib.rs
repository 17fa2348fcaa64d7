//! A simulated bitcoin regtest network, behind the local replica's bitcoin API
//! (`bitcoin_get_balance`, `bitcoin_get_utxos`, `bitcoin_get_current_fee_percentiles`,
//! `bitcoin_send_transaction`: the replica's `services::bitcoin` answers them from a
//! [`Chain`]). It knows nothing of the replica: no wasmtime, no canisters.
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
//! * [`saved`]: the chain as bytes for a persistent replica's state folder (a pinned format).
//!
//! Tests and tools fund addresses by mining (`Replica::bitcoin_mine`) and read the chain
//! with `Replica::bitcoin_balance`, `Replica::bitcoin_utxos` and
//! `Replica::bitcoin_tip_height`. Addresses are regtest's: base58 P2PKH (`m…`/`n…`) and
//! P2SH (`2…`), bech32/bech32m `bcrt1…`; other networks' addresses are refused.
//!
//! The chain lives in memory; a persistent replica saves it with its canisters
//! ([`Chain::save`], [`Chain::restore`]), so blocks, balances and the mempool survive a
//! restart. Every change happens inside one message (a
//! management call) or one `Replica` call on the execution thread, so it is atomic like the
//! messages around it: a canister that traps after its call does not undo the call, as on the IC.

mod address;
pub mod chain;
mod error;
pub mod saved;
mod sighash;
pub mod tx;
pub mod types;
mod validate;

pub use chain::Chain;
pub use error::BitcoinError;

/// The output script of a regtest address.
pub fn parse_address(address: &str) -> Result<Vec<u8>, BitcoinError> {
    address::script_of(address)
}

/// The result of `Replica::bitcoin_mine`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MineReport {
    /// The new tip's height.
    pub tip_height: u32,
    /// The new blocks' hashes, as Bitcoin displays them (hex, big-endian), oldest first.
    pub block_hashes: Vec<String>,
    /// How many mempool transactions the first new block confirmed.
    pub transactions: usize,
}

/// An unspent output as `Replica::bitcoin_utxos` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UtxoInfo {
    /// The transaction id as Bitcoin displays it (hex, big-endian).
    pub txid: String,
    pub vout: u32,
    pub value: u64,
    pub height: u32,
    pub confirmations: u32,
}
