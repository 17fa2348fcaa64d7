//! The simulated regtest chain: blocks from the regtest genesis block on, a UTXO set
//! indexed by output script, a mempool, and the fee rates of recently mined transactions.
//!
//! Promises: mining is deterministic (coinbase to the given address with the regtest
//! subsidy — 50 BTC halving every 150 blocks — plus the fees of the transactions it
//! includes; header time = genesis time + 10 minutes per block; a real regtest proof of
//! work); confirmations of an output are `tip height − its block's height + 1`; the
//! mempool's transactions go into the next mined block, in the order they were sent;
//! outputs are never visible before they are mined (as on the IC, which sees no mempool).

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::error::BitcoinError;
use crate::tx::{sha256d, OutPoint, Transaction, TxIn, TxOut};

/// Blocks between halvings of the subsidy (Bitcoin Core's regtest).
pub const HALVING_INTERVAL: u32 = 150;
/// Confirmations a coinbase output needs before it may be spent (Bitcoin's rule).
pub const COINBASE_MATURITY: u32 = 100;
/// Fee percentiles are computed over at most this many recent transactions (as the IC).
pub const FEE_WINDOW: usize = 10_000;
/// Blocks one call may mine at most.
pub const MAX_BLOCKS_PER_MINE: u32 = 10_000;

/// An unspent output.
#[derive(Debug, Clone)]
pub struct Coin {
    pub txout: TxOut,
    pub height: u32,
    pub coinbase: bool,
}

/// A transaction accepted into the mempool, with its fee.
#[derive(Debug, Clone)]
pub struct Pending {
    pub tx: Transaction,
    pub txid: [u8; 32],
    pub fee: u64,
    pub vsize: u64,
}

/// An 80-byte block header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub version: i32,
    pub prev_blockhash: [u8; 32],
    pub merkle_root: [u8; 32],
    pub time: u32,
    pub bits: u32,
    pub nonce: u32,
}

impl Header {
    /// Regtest's genesis block header (Bitcoin Core's `chainparams.cpp`).
    pub fn regtest_genesis() -> Header {
        let mut merkle_root: [u8; 32] =
            hex::decode("4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b")
                .expect("hex")
                .try_into()
                .expect("32 bytes");
        merkle_root.reverse();
        Header {
            version: 1,
            prev_blockhash: [0; 32],
            merkle_root,
            time: 1_296_688_602,
            bits: 0x207f_ffff,
            nonce: 2,
        }
    }

    /// The header's 80 bytes as Bitcoin encodes them.
    pub fn encode(&self) -> [u8; 80] {
        let mut d = [0u8; 80];
        d[..4].copy_from_slice(&self.version.to_le_bytes());
        d[4..36].copy_from_slice(&self.prev_blockhash);
        d[36..68].copy_from_slice(&self.merkle_root);
        d[68..72].copy_from_slice(&self.time.to_le_bytes());
        d[72..76].copy_from_slice(&self.bits.to_le_bytes());
        d[76..].copy_from_slice(&self.nonce.to_le_bytes());
        d
    }

    /// The header in `bytes` (as [`Self::encode`] writes it).
    pub fn decode(bytes: &[u8; 80]) -> Header {
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4"));
        Header {
            version: u32_at(0) as i32,
            prev_blockhash: bytes[4..36].try_into().expect("32"),
            merkle_root: bytes[36..68].try_into().expect("32"),
            time: u32_at(68),
            bits: u32_at(72),
            nonce: u32_at(76),
        }
    }

    /// The block hash (sha256d of the header), in internal byte order.
    pub fn block_hash(&self) -> [u8; 32] {
        sha256d(&self.encode())
    }

    /// Whether the hash meets the target `bits` encode (compact form; regtest's is easy).
    fn meets_target(&self) -> bool {
        let (exponent, mantissa) = ((self.bits >> 24) as usize, self.bits & 0x00ff_ffff);
        let mut target = [0u8; 32]; // big-endian
        for (k, byte) in mantissa.to_be_bytes()[1..].iter().enumerate() {
            if let Some(pos) = (32 + k).checked_sub(exponent) {
                if pos < 32 {
                    target[pos] = *byte;
                }
            }
        }
        let mut hash = self.block_hash();
        hash.reverse();
        hash <= target
    }
}

/// The merkle root of the txids (Bitcoin's, duplicating the last of an odd level).
fn merkle_root(mut level: Vec<[u8; 32]>) -> [u8; 32] {
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| sha256d(&[p[0], *p.last().expect("non-empty")].concat()))
            .collect();
    }
    level[0]
}

/// The chain (see the module documentation).
pub struct Chain {
    /// `headers[h]` is the header of the block at height `h`; `headers[0]` is regtest's genesis.
    pub(super) headers: Vec<Header>,
    pub(super) utxos: BTreeMap<OutPoint, Coin>,
    pub(super) by_script: BTreeMap<Vec<u8>, BTreeSet<OutPoint>>,
    pub(super) mempool: Vec<Pending>,
    /// Outpoints the mempool's transactions spend, and which transaction spends each.
    pub(super) mempool_spent: BTreeMap<OutPoint, [u8; 32]>,
    /// Millisatoshi per virtual byte of the last [`FEE_WINDOW`] mined transactions, oldest first.
    pub(super) fee_rates: VecDeque<u64>,
    /// Counts the changes (mined blocks, accepted transactions) since the chain was made or
    /// restored: the replica saves the chain when it moved (not itself saved).
    pub(super) generation: u64,
}

impl Default for Chain {
    fn default() -> Self {
        // The genesis coinbase is unspendable, as in Bitcoin: it is not in the UTXO set.
        Chain {
            headers: vec![Header::regtest_genesis()],
            utxos: BTreeMap::new(),
            by_script: BTreeMap::new(),
            mempool: Vec::new(),
            mempool_spent: BTreeMap::new(),
            fee_rates: VecDeque::new(),
            generation: 0,
        }
    }
}

/// The block subsidy at `height` in satoshi.
pub fn subsidy(height: u32) -> u64 {
    let halvings = height / HALVING_INTERVAL;
    if halvings >= 64 {
        0
    } else {
        (50 * 100_000_000u64) >> halvings
    }
}

impl Chain {
    /// Changes whenever the chain does (see [`crate::saved`] for saving it).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How many sent transactions wait for the next mined block.
    pub fn mempool_len(&self) -> usize {
        self.mempool.len()
    }

    pub fn tip_height(&self) -> u32 {
        (self.headers.len() - 1) as u32
    }

    pub fn tip_hash(&self) -> [u8; 32] {
        self.headers
            .last()
            .expect("genesis is always there")
            .block_hash()
    }

    /// Confirmations of an output mined at `height`.
    pub fn confirmations(&self, height: u32) -> u32 {
        self.tip_height() + 1 - height
    }

    /// Mines `blocks` blocks paying their coinbase to `script`; the first takes the mempool.
    /// Returns the new blocks' hashes.
    pub fn mine(&mut self, script: &[u8], blocks: u32) -> Result<Vec<[u8; 32]>, BitcoinError> {
        if blocks == 0 || blocks > MAX_BLOCKS_PER_MINE {
            return Err(BitcoinError::BlockCount(blocks));
        }
        let mut hashes = Vec::with_capacity(blocks as usize);
        for _ in 0..blocks {
            let pending = std::mem::take(&mut self.mempool);
            self.mempool_spent.clear();
            hashes.push(self.mine_one(script, pending));
        }
        self.generation += 1;
        Ok(hashes)
    }

    fn mine_one(&mut self, script: &[u8], pending: Vec<Pending>) -> [u8; 32] {
        let height = self.tip_height() + 1;
        let fees: u64 = pending.iter().map(|p| p.fee).sum();
        // BIP 34: the height first (it also makes every coinbase's txid unique).
        let mut script_sig = vec![4];
        script_sig.extend_from_slice(&height.to_le_bytes());
        script_sig.extend_from_slice(&[5, b'k', b'y', b'b', b'r', b'a']);
        let coinbase = Transaction {
            version: 2,
            lock_time: 0,
            input: vec![TxIn {
                previous_output: OutPoint::NULL,
                script_sig,
                sequence: u32::MAX,
                witness: Vec::new(),
            }],
            output: vec![TxOut {
                value: subsidy(height) + fees,
                script_pubkey: script.to_vec(),
            }],
        };
        for p in &pending {
            if self.fee_rates.len() == FEE_WINDOW {
                self.fee_rates.pop_front();
            }
            self.fee_rates
                .push_back(p.fee.saturating_mul(1000) / p.vsize.max(1));
        }
        let mut txdata = vec![coinbase];
        txdata.extend(pending.into_iter().map(|p| p.tx));
        let prev = *self.headers.last().expect("genesis is always there");
        let mut header = Header {
            version: 0x2000_0000,
            prev_blockhash: prev.block_hash(),
            merkle_root: merkle_root(txdata.iter().map(Transaction::txid).collect()),
            time: prev.time + 600,
            bits: prev.bits,
            nonce: 0,
        };
        // Regtest's target accepts about every other hash.
        while !header.meets_target() {
            header.nonce += 1;
        }
        for tx in &txdata {
            self.apply(tx, height);
        }
        self.headers.push(header);
        header.block_hash()
    }

    /// Adds an accepted transaction to the mempool, with the outputs it spends.
    pub(super) fn add_pending(&mut self, tx: Transaction, txid: [u8; 32], fee: u64) {
        for input in &tx.input {
            self.mempool_spent.insert(input.previous_output, txid);
        }
        let vsize = tx.vsize();
        self.mempool.push(Pending {
            tx,
            txid,
            fee,
            vsize,
        });
    }

    /// Adds an unspent output to the set and its script's index.
    pub(super) fn add_coin(&mut self, outpoint: OutPoint, coin: Coin) {
        self.by_script
            .entry(coin.txout.script_pubkey.clone())
            .or_default()
            .insert(outpoint);
        self.utxos.insert(outpoint, coin);
    }

    /// Spends a mined transaction's inputs and adds its outputs.
    fn apply(&mut self, tx: &Transaction, height: u32) {
        let coinbase = tx.is_coinbase();
        if !coinbase {
            for input in &tx.input {
                if let Some(coin) = self.utxos.remove(&input.previous_output) {
                    if let Some(set) = self.by_script.get_mut(&coin.txout.script_pubkey) {
                        set.remove(&input.previous_output);
                        if set.is_empty() {
                            self.by_script.remove(&coin.txout.script_pubkey);
                        }
                    }
                }
            }
        }
        let txid = tx.txid();
        for (vout, txout) in tx.output.iter().enumerate() {
            if txout.script_pubkey.first() == Some(&0x6a) {
                continue; // OP_RETURN: provably unspendable
            }
            let outpoint = OutPoint {
                txid,
                vout: vout as u32,
            };
            let coin = Coin {
                txout: txout.clone(),
                height,
                coinbase,
            };
            self.add_coin(outpoint, coin);
        }
    }

    /// The unspent outputs paying to `script` with at least `min_confirmations`, newest
    /// block first (ties by outpoint).
    pub fn utxos_of(&self, script: &[u8], min_confirmations: u32) -> Vec<(OutPoint, &Coin)> {
        let mut out: Vec<(OutPoint, &Coin)> = self
            .by_script
            .get(script)
            .into_iter()
            .flatten()
            .map(|op| (*op, &self.utxos[op]))
            .filter(|(_, c)| self.confirmations(c.height) >= min_confirmations)
            .collect();
        out.sort_by(|a, b| b.1.height.cmp(&a.1.height).then(a.0.cmp(&b.0)));
        out
    }

    /// The fee rates of recently mined transactions (millisatoshi per vbyte), oldest first.
    pub fn fee_rates(&self) -> impl Iterator<Item = u64> + '_ {
        self.fee_rates.iter().copied()
    }
}

/// The 101 percentiles (0th..100th, nearest rank) of `values`; empty when there are none.
pub fn percentiles(mut values: Vec<u64>) -> Vec<u64> {
    if values.is_empty() {
        return Vec::new();
    }
    values.sort_unstable();
    let n = values.len();
    (0..=100usize)
        .map(|p| values[(p * n).div_ceil(100).saturating_sub(1).min(n - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regtest_genesis_hash() {
        let hash = crate::tx::display_hex(&Header::regtest_genesis().block_hash());
        assert_eq!(
            hash,
            "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"
        );
        assert!(Header::regtest_genesis().meets_target());
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        assert_eq!(percentiles(vec![]), Vec::<u64>::new());
        let p = percentiles((1..=100).rev().collect());
        assert_eq!((p.len(), p[0], p[1], p[50], p[100]), (101, 1, 1, 50, 100));
    }
}
