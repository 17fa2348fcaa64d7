//! The chain as bytes, for a persistent replica's state folder: [`Chain::save`] and
//! [`Chain::restore`].
//!
//! Format version 1 (pinned by `tests/golden/chain-v1`; a change needs a new version that
//! still reads this one): the version byte `1`, then four lists, each a CompactSize count and
//! its items —
//!
//! * the block headers from genesis to the tip, 80 bytes each (Bitcoin's encoding);
//! * the unspent outputs, by outpoint: txid (32 bytes, internal order), output index (u32),
//!   value (u64), output script (CompactSize length and bytes), height (u32), coinbase (a
//!   byte, 0 or 1);
//! * the mempool, in the order sent: each transaction's consensus encoding (with
//!   witnesses; CompactSize length and bytes) and its fee (u64);
//! * the recent fee rates, oldest first (u64 each).
//!
//! Integers are little-endian, as in Bitcoin. Promises: `restore(save(c))` answers every
//! question as `c` does; `restore` accepts exactly one complete encoding whose headers chain
//! from regtest's genesis block, and says what is wrong with anything else.

use std::collections::VecDeque;

use crate::chain::{Chain, Coin, Header};
use crate::tx::{write_bytes, write_compact, OutPoint, Reader, Transaction, TxOut};

/// The format [`Chain::save`] writes.
pub const FORMAT_VERSION: u8 = 1;

impl Chain {
    /// The whole chain as bytes (see the module documentation).
    pub fn save(&self) -> Vec<u8> {
        let mut out = vec![FORMAT_VERSION];
        write_compact(&mut out, self.headers.len() as u64);
        for h in &self.headers {
            out.extend_from_slice(&h.encode());
        }
        write_compact(&mut out, self.utxos.len() as u64);
        for (op, coin) in &self.utxos {
            out.extend_from_slice(&op.txid);
            out.extend_from_slice(&op.vout.to_le_bytes());
            out.extend_from_slice(&coin.txout.value.to_le_bytes());
            write_bytes(&mut out, &coin.txout.script_pubkey);
            out.extend_from_slice(&coin.height.to_le_bytes());
            out.push(u8::from(coin.coinbase));
        }
        write_compact(&mut out, self.mempool.len() as u64);
        for p in &self.mempool {
            write_bytes(&mut out, &p.tx.serialize(true));
            out.extend_from_slice(&p.fee.to_le_bytes());
        }
        write_compact(&mut out, self.fee_rates.len() as u64);
        for rate in &self.fee_rates {
            out.extend_from_slice(&rate.to_le_bytes());
        }
        out
    }

    /// The chain [`Self::save`] wrote into `bytes`.
    pub fn restore(bytes: &[u8]) -> Result<Chain, String> {
        let mut r = Reader::new(bytes);
        let version = r.take(1, "the format version")?[0];
        if version != FORMAT_VERSION {
            return Err(format!(
                "saved chain format {version}; this kybra reads format {FORMAT_VERSION} (a newer kybra wrote it: use that one)"
            ));
        }
        let mut chain = Chain {
            headers: Vec::new(),
            ..Chain::default()
        };
        for h in 0..r.count("the header count", 80)? {
            let bytes: &[u8; 80] = r.take(80, "a header")?.try_into().expect("80 bytes");
            let header = Header::decode(bytes);
            let expected = match chain.headers.last() {
                None => Header::regtest_genesis(),
                Some(prev) if header.prev_blockhash == prev.block_hash() => header,
                Some(_) => {
                    return Err(format!(
                        "the header at height {h} does not follow the one before it"
                    ))
                }
            };
            if header != expected {
                return Err("the first header is not regtest's genesis block".into());
            }
            chain.headers.push(header);
        }
        if chain.headers.is_empty() {
            return Err("the chain has no blocks (not even regtest's genesis)".into());
        }
        let tip = chain.tip_height();
        for _ in 0..r.count("the unspent output count", 50)? {
            let txid: [u8; 32] = r
                .take(32, "an output's txid")?
                .try_into()
                .expect("32 bytes");
            let vout = r.u32("an output's index")?;
            let value = r.u64("an output's value")?;
            let script_pubkey = r.bytes("an output's script")?;
            let height = r.u32("an output's height")?;
            let coinbase = match r.take(1, "an output's coinbase flag")?[0] {
                0 => false,
                1 => true,
                other => return Err(format!("coinbase flag {other} (0 or 1 expected)")),
            };
            if height == 0 || height > tip {
                return Err(format!(
                    "an output at height {height}, outside the chain's 1..={tip}"
                ));
            }
            let coin = Coin {
                txout: TxOut {
                    value,
                    script_pubkey,
                },
                height,
                coinbase,
            };
            chain.add_coin(OutPoint { txid, vout }, coin);
        }
        for i in 0..r.count("the mempool size", 69)? {
            let tx = Transaction::parse(&r.bytes("a mempool transaction")?)
                .map_err(|e| format!("mempool transaction {i}: {e}"))?;
            let fee = r.u64("a mempool transaction's fee")?;
            let txid = tx.txid();
            chain.add_pending(tx, txid, fee);
        }
        let rates = r.count("the fee rate count", 8)?;
        chain.fee_rates = (0..rates)
            .map(|_| r.u64("a fee rate"))
            .collect::<Result<VecDeque<u64>, String>>()?;
        if !r.is_done() {
            return Err("bytes follow the saved chain's end".into());
        }
        Ok(chain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tx::TxIn;

    /// A P2WPKH output script (its key hash is made up).
    fn script(k: u8) -> Vec<u8> {
        let mut s = vec![0x00, 0x14];
        s.extend_from_slice(&[k; 20]);
        s
    }

    /// A chain with blocks, spendable and coinbase outputs, a mempool transaction (sent
    /// through the checks would need a signature; built here as the mempool holds it) and
    /// fee rates.
    fn sample() -> Chain {
        let mut c = Chain::default();
        c.mine(&script(1), 3).unwrap();
        let (op, coin) = c.utxos_of(&script(1), 0)[0];
        let (op, value) = (op, coin.txout.value);
        let tx = Transaction {
            version: 2,
            input: vec![TxIn {
                previous_output: op,
                script_sig: Vec::new(),
                sequence: u32::MAX,
                witness: vec![vec![7; 71], vec![2; 33]],
            }],
            output: vec![TxOut {
                value: value - 1_000,
                script_pubkey: script(2),
            }],
            lock_time: 0,
        };
        let txid = tx.txid();
        c.add_pending(tx, txid, 1_000);
        c.fee_rates.extend([5_000, 12_345]);
        c
    }

    fn summary(c: &Chain) -> String {
        let utxos: Vec<_> = [script(1), script(2)]
            .iter()
            .map(|s| {
                c.utxos_of(s, 0)
                    .iter()
                    .map(|(op, coin)| (*op, coin.txout.value, coin.height, coin.coinbase))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mempool: Vec<_> = c.mempool.iter().map(|p| (p.txid, p.fee, p.vsize)).collect();
        format!(
            "{} {:?} {utxos:?} {mempool:?} {:?} {:?}",
            c.tip_height(),
            c.tip_hash(),
            c.mempool_spent,
            c.fee_rates().collect::<Vec<_>>()
        )
    }

    #[test]
    fn a_restored_chain_is_the_saved_one() {
        for c in [Chain::default(), sample()] {
            let mut back = Chain::restore(&c.save()).unwrap();
            assert_eq!(summary(&back), summary(&c));
            assert_eq!(back.save(), c.save());
            // It goes on as the original would: mining takes the restored mempool.
            let mut c = c;
            assert_eq!(back.mine(&script(3), 1), c.mine(&script(3), 1));
            assert_eq!(summary(&back), summary(&c));
        }
    }

    #[test]
    fn every_cut_and_trailing_bytes_are_refused() {
        let bytes = sample().save();
        for cut in 0..bytes.len() {
            assert!(Chain::restore(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(
            Chain::restore(&longer).err().as_deref(),
            Some("bytes follow the saved chain's end")
        );
    }

    #[test]
    fn a_broken_chain_of_headers_is_refused() {
        let mut bytes = sample().save();
        bytes[1 + 1 + 80 + 8] ^= 1; // the second header's previous-block hash
        let e = Chain::restore(&bytes).err().unwrap();
        assert_eq!(
            e,
            "the header at height 1 does not follow the one before it"
        );
        let mut bytes = sample().save();
        bytes[2] ^= 1; // genesis's version
        let e = Chain::restore(&bytes).err().unwrap();
        assert_eq!(e, "the first header is not regtest's genesis block");
        let e = Chain::restore(&[2]).err().unwrap();
        assert!(e.starts_with("saved chain format 2;"), "{e}");
    }

    /// The format is pinned: the sample chain saves to exactly the golden bytes, and the
    /// golden bytes restore to it. `KYBRA_REGENERATE_GOLDEN=1` rewrites them — only with a
    /// new format version that still reads this one.
    #[test]
    fn the_format_is_pinned_by_golden_bytes() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/chain-v1");
        let bytes = sample().save();
        if std::env::var_os("KYBRA_REGENERATE_GOLDEN").is_some() {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let golden = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            bytes == golden,
            "Chain::save no longer writes tests/golden/chain-v1 as pinned: a replica's saved chain is \
             users' data; add a format version that still reads version 1"
        );
        assert_eq!(
            summary(&Chain::restore(&golden).unwrap()),
            summary(&sample())
        );
    }
}
