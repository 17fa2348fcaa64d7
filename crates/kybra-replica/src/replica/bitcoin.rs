//! The replica's bitcoin calls for tests and tools (mining, balances, UTXOs of the
//! simulated regtest chain of [`crate::services::bitcoin`]), each atomic on the execution
//! thread's state like a message.

use kybra_bitcoin::{parse_address, tx, BitcoinError, Chain, MineReport, UtxoInfo};

use super::Replica;
use crate::services::bitcoin::BitcoinRegtest;

impl Replica {
    /// Mines `blocks` regtest blocks (1..=10,000) paying their coinbase to `address`; the
    /// first includes every transaction sent so far.
    pub fn bitcoin_mine(&self, address: &str, blocks: u32) -> Result<MineReport, BitcoinError> {
        let script = parse_address(address)?;
        self.with_chain(|chain| {
            let transactions = chain.mempool_len();
            let hashes = chain.mine(&script, blocks)?;
            Ok(MineReport {
                tip_height: chain.tip_height(),
                block_hashes: hashes.iter().map(tx::display_hex).collect(),
                transactions,
            })
        })?
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
        let mut w = self.lock();
        let service = w
            .services
            .get_mut::<BitcoinRegtest>()
            .ok_or(BitcoinError::Network(
                "regtest (this replica has no bitcoin service)",
            ))?;
        Ok(f(&mut service.chain))
    }
}
