//! The replica's bitcoin calls for tests and tools (mining, balances, UTXOs of the
//! simulated regtest chain of [`crate::services::bitcoin`]), each atomic on the execution
//! thread's state like a message. Mining is journaled like one too: a persistent replica
//! keeps the blocks (answered once durable).

use candid::Principal;
use kybra_bitcoin::{parse_address, tx, BitcoinError, Chain, MineReport, UtxoInfo};

use super::Replica;
use crate::services::bitcoin::BitcoinRegtest;
use crate::services::Services;

impl Replica {
    /// Mines `blocks` regtest blocks (1..=10,000) paying their coinbase to `address`; the
    /// first includes every transaction sent so far.
    pub fn bitcoin_mine(&self, address: &str, blocks: u32) -> Result<MineReport, BitcoinError> {
        let script = parse_address(address)?;
        self.exec(move |w| {
            let chain = chain_of(&mut w.services)?;
            let transactions = chain.mempool_len();
            let hashes = chain.mine(&script, blocks)?;
            let report = MineReport {
                tip_height: chain.tip_height(),
                block_hashes: hashes.iter().map(tx::display_hex).collect(),
                transactions,
            };
            w.journal(Some(Principal::management_canister()));
            Ok(report)
        })
        .unwrap_or(Err(BitcoinError::NotSaved))
    }

    /// The balance of `address` in satoshi, counting outputs with at least `min_confirmations`.
    pub fn bitcoin_balance(
        &self,
        address: &str,
        min_confirmations: u32,
    ) -> Result<u64, BitcoinError> {
        let script = parse_address(address)?;
        self.with_chain(|chain| {
            chain
                .utxos_of(&script, min_confirmations)
                .iter()
                .map(|(_, c)| c.txout.value)
                .sum()
        })
    }

    /// The unspent outputs paying to `address`, newest first.
    pub fn bitcoin_utxos(&self, address: &str) -> Result<Vec<UtxoInfo>, BitcoinError> {
        let script = parse_address(address)?;
        self.with_chain(|chain| {
            chain
                .utxos_of(&script, 0)
                .iter()
                .map(|(op, c)| UtxoInfo {
                    txid: tx::display_hex(&op.txid),
                    vout: op.vout,
                    value: c.txout.value,
                    height: c.height,
                    confirmations: chain.confirmations(c.height),
                })
                .collect()
        })
    }

    /// The height of the chain's tip (0: only the genesis block).
    pub fn bitcoin_tip_height(&self) -> u32 {
        self.with_chain(|chain| chain.tip_height()).unwrap_or(0)
    }

    /// How many sent transactions wait in the mempool for the next mined block.
    pub fn bitcoin_mempool_len(&self) -> usize {
        self.with_chain(|chain| chain.mempool_len()).unwrap_or(0)
    }

    /// `f` on the chain of the bitcoin service, or an error if the replica has none.
    fn with_chain<R>(&self, f: impl FnOnce(&mut Chain) -> R) -> Result<R, BitcoinError> {
        Ok(f(chain_of(&mut self.lock().services)?))
    }
}

/// The chain of the bitcoin service, or an error if the replica has none.
fn chain_of(services: &mut Services) -> Result<&mut Chain, BitcoinError> {
    let service = services
        .get_mut::<BitcoinRegtest>()
        .ok_or(BitcoinError::Network(
            "regtest (this replica has no bitcoin service)",
        ))?;
    Ok(&mut service.chain)
}
