//! Accepting a sent transaction into the mempool, with the checks a regtest node makes.
//!
//! Promises: a transaction is accepted only if it parses completely (consensus encoding,
//! legacy or segwit), is not a coinbase, has inputs and outputs, spends only confirmed
//! unspent outputs that no mempool transaction spends (coinbase outputs after
//! [`COINBASE_MATURITY`] confirmations), pays out no more than it spends, and every input
//! spending a P2PKH or P2WPKH output carries a valid signature ([`crate::sighash`]). Inputs spending other kinds of output (P2SH, P2WSH, P2TR, bare scripts) are
//! accepted without running their scripts. (The IC itself only rejects malformed
//! transactions and forwards the rest; a local node that refuses what bitcoind would
//! refuse makes mistakes visible.)

use std::collections::BTreeSet;

use crate::chain::{Chain, COINBASE_MATURITY};
use crate::error::BitcoinError;
use crate::sighash::verify_input;
use crate::tx::{display_hex, Transaction};

/// 21 million BTC in satoshi: no output may pay more (Bitcoin's `MAX_MONEY`).
const MAX_MONEY: u64 = 21_000_000 * 100_000_000;

impl Chain {
    /// Checks `bytes` and adds the transaction to the mempool; returns its txid.
    pub fn send(&mut self, bytes: &[u8]) -> Result<[u8; 32], BitcoinError> {
        let tx = Transaction::parse(bytes).map_err(BitcoinError::Malformed)?;
        if tx.is_coinbase() {
            return Err(BitcoinError::Rejected(
                "coinbase transactions cannot be sent; mining creates them".into(),
            ));
        }
        let txid = tx.txid();
        if self.mempool.iter().any(|p| p.txid == txid) {
            return Err(BitcoinError::Rejected(format!(
                "transaction {} is already in the mempool; mine a block to confirm it",
                display_hex(&txid)
            )));
        }
        let mut seen = BTreeSet::new();
        let mut spent_value: u64 = 0;
        for (i, input) in tx.input.iter().enumerate() {
            let op = input.previous_output;
            if !seen.insert(op) {
                return Err(BitcoinError::Rejected(format!(
                    "input {i} spends {op}, which an earlier input of the same transaction spends"
                )));
            }
            if let Some(other) = self.mempool_spent.get(&op) {
                return Err(BitcoinError::Rejected(format!(
                    "double spend: input {i} spends {op}, which transaction {} in the mempool already spends",
                    display_hex(other)
                )));
            }
            let coin = self.utxos.get(&op).ok_or_else(|| {
                BitcoinError::Rejected(format!(
                    "input {i} spends {op}, which is not an unspent output of the chain \
                     (unknown, already spent, or not mined yet: outputs become spendable once mined)"
                ))
            })?;
            let confirmations = self.confirmations(coin.height);
            if coin.coinbase && confirmations < COINBASE_MATURITY {
                return Err(BitcoinError::Rejected(format!(
                    "input {i} spends the coinbase output {op}, which has {confirmations} confirmations; \
                     coinbase outputs need {COINBASE_MATURITY}: mine {} more blocks",
                    COINBASE_MATURITY - confirmations
                )));
            }
            spent_value += coin.txout.value;
            verify_input(&tx, i, &coin.txout)
                .map_err(|why| BitcoinError::Rejected(format!("input {i} ({op}): {why}")))?;
        }
        if let Some(o) = tx.output.iter().position(|o| o.value > MAX_MONEY) {
            return Err(BitcoinError::Rejected(format!(
                "output {o} pays more than 21 million BTC"
            )));
        }
        let paid: u128 = tx.output.iter().map(|o| u128::from(o.value)).sum();
        let fee = u64::try_from(u128::from(spent_value).saturating_sub(paid))
            .expect("at most the inputs");
        (u128::from(spent_value) >= paid)
            .then_some(())
            .ok_or_else(|| {
                BitcoinError::Rejected(format!(
                    "the outputs pay {paid} satoshi but the inputs hold only {spent_value}"
                ))
            })?;
        self.add_pending(tx, txid, fee);
        self.generation += 1;
        Ok(txid)
    }
}
