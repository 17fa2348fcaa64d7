//! The management canister's bitcoin API on the replica's simulated regtest network, called
//! by the Rust test canister `tests/canisters/rust_bitcoin` (ic-cdk 0.20): funding by
//! mining, balances with `min_confirmations`, UTXOs with paging, transactions built and
//! signed here (P2WPKH and P2PKH, with the `bitcoin` crate and known keys), fee
//! percentiles, cycle costs, and the rejects (malformed, double spend, bad signature,
//! immature coinbase, other networks); a persistent replica keeps its chain.

mod common;

use bitcoin::hashes::Hash;
use bitcoin::key::CompressedPublicKey;
use bitcoin::script::PushBytesBuf;
use bitcoin::secp256k1::{Message, Secp256k1, SecretKey};
use bitcoin::sighash::{EcdsaSighashType, SighashCache};
use bitcoin::{
    absolute::LockTime, transaction::Version, Address, Amount, Network, OutPoint, PublicKey,
    ScriptBuf, Sequence, Transaction, TxIn, TxOut, Txid, Witness,
};
use candid::{CandidType, Deserialize, Principal};
use common::*;
use kybra_replica::{Replica, ReplicaConfig, TimeMode};
use serde_bytes::ByteBuf;

const API_COST: u128 = 100_000_000;
const SEND_BASE: u128 = 5_000_000_000;
const SEND_PER_BYTE: u128 = 20_000_000;
const COIN: u64 = 100_000_000;

#[derive(CandidType, Deserialize, Clone, Copy)]
enum Net {
    #[serde(rename = "regtest")]
    Regtest,
    #[serde(rename = "mainnet")]
    Mainnet,
}

#[derive(CandidType, Deserialize)]
enum Filter {
    #[serde(rename = "min_confirmations")]
    MinConfirmations(u32),
    #[serde(rename = "page")]
    Page(ByteBuf),
}

#[derive(CandidType, Deserialize, Debug)]
struct Outpoint {
    txid: ByteBuf,
    vout: u32,
}

#[derive(CandidType, Deserialize, Debug)]
struct Utxo {
    outpoint: Outpoint,
    value: u64,
    height: u32,
}

#[derive(CandidType, Deserialize, Debug)]
struct UtxosResponse {
    utxos: Vec<Utxo>,
    tip_block_hash: ByteBuf,
    tip_height: u32,
    next_page: Option<ByteBuf>,
}

#[derive(CandidType, Deserialize, Debug)]
enum Answer<T> {
    Ok { value: T, refunded: u128 },
    Err { code: u32, message: String },
}

impl<T: std::fmt::Debug> Answer<T> {
    fn ok(self) -> (T, u128) {
        match self {
            Answer::Ok { value, refunded } => (value, refunded),
            Answer::Err { code, message } => panic!("rejected ({code}): {message}"),
        }
    }
    fn err(self, text: &str) -> String {
        match self {
            Answer::Err { code, message } => {
                assert_eq!(code, 4, "reject code of {message:?}");
                assert!(
                    message.contains(text),
                    "{message:?} should contain {text:?}"
                );
                message
            }
            Answer::Ok { value, .. } => {
                panic!("expected a reject containing {text:?}, got {value:?}")
            }
        }
    }
}

struct Env {
    r: Replica,
    id: Principal,
}

impl Env {
    fn new() -> Env {
        Env::on(replica())
    }
    /// The test canister installed on `r`.
    fn on(r: Replica) -> Env {
        let id = create(&r, user());
        install(&r, user(), id, kybra_test_support::rust_bitcoin()).unwrap();
        Env { r, id }
    }
    fn upd<A: candid::utils::ArgumentEncoder, T: for<'de> Deserialize<'de> + CandidType>(
        &self,
        m: &str,
        a: A,
    ) -> T {
        let out = self
            .r
            .update(user(), self.id, None, m, &candid::encode_args(a).unwrap())
            .unwrap();
        candid::decode_one(&out).unwrap()
    }
    fn balance(&self, address: &str, min: Option<u32>) -> Answer<u64> {
        self.upd("get_balance", (address, min, Net::Regtest, API_COST))
    }
    fn utxos(&self, address: &str, filter: Option<Filter>) -> Answer<UtxosResponse> {
        self.upd("get_utxos", (address, filter, API_COST))
    }
    fn fees(&self) -> Answer<Vec<u64>> {
        self.upd("get_current_fee_percentiles", (API_COST,))
    }
    fn send(&self, tx: &[u8]) -> Answer<()> {
        let cost = SEND_BASE + SEND_PER_BYTE * tx.len() as u128;
        self.upd("send_transaction", (ByteBuf::from(tx.to_vec()), cost))
    }
}

/// A known key and its regtest addresses.
struct Key {
    sk: SecretKey,
    pk: bitcoin::secp256k1::PublicKey,
}

impl Key {
    fn new(byte: u8) -> Key {
        let sk = SecretKey::from_slice(&[byte; 32]).unwrap();
        Key {
            sk,
            pk: sk.public_key(&Secp256k1::new()),
        }
    }
    fn p2wpkh(&self) -> Address {
        Address::p2wpkh(&CompressedPublicKey(self.pk), Network::Regtest)
    }
    fn p2pkh(&self) -> Address {
        Address::p2pkh(PublicKey::new(self.pk), Network::Regtest)
    }
    fn sign(&self, digest: [u8; 32]) -> bitcoin::ecdsa::Signature {
        let signature = Secp256k1::new().sign_ecdsa(&Message::from_digest(digest), &self.sk);
        bitcoin::ecdsa::Signature {
            signature,
            sighash_type: EcdsaSighashType::All,
        }
    }
}

fn subsidy(height: u32) -> u64 {
    (50 * COIN) >> (height / 150)
}

fn outpoint(u: &Utxo) -> OutPoint {
    OutPoint::new(Txid::from_slice(&u.outpoint.txid).unwrap(), u.outpoint.vout)
}

/// A transaction spending `from` (one output) to `outputs`, unsigned.
fn unsigned(from: OutPoint, outputs: &[(&Address, u64)]) -> Transaction {
    Transaction {
        version: Version::TWO,
        lock_time: LockTime::ZERO,
        input: vec![TxIn {
            previous_output: from,
            script_sig: ScriptBuf::new(),
            sequence: Sequence::MAX,
            witness: Witness::new(),
        }],
        output: outputs
            .iter()
            .map(|(a, v)| TxOut {
                value: Amount::from_sat(*v),
                script_pubkey: a.script_pubkey(),
            })
            .collect(),
    }
}

fn sign_p2wpkh(mut tx: Transaction, key: &Key, value: u64) -> Transaction {
    let digest = SighashCache::new(&tx)
        .p2wpkh_signature_hash(
            0,
            &key.p2wpkh().script_pubkey(),
            Amount::from_sat(value),
            EcdsaSighashType::All,
        )
        .unwrap();
    tx.input[0].witness = Witness::p2wpkh(&key.sign(digest.to_byte_array()), &key.pk);
    tx
}

fn sign_p2pkh(mut tx: Transaction, key: &Key) -> Transaction {
    let digest = SighashCache::new(&tx)
        .legacy_signature_hash(
            0,
            &key.p2pkh().script_pubkey(),
            EcdsaSighashType::All.to_u32(),
        )
        .unwrap();
    let sig = PushBytesBuf::try_from(key.sign(digest.to_byte_array()).to_vec()).unwrap();
    tx.input[0].script_sig = ScriptBuf::builder()
        .push_slice(sig)
        .push_key(&PublicKey::new(key.pk))
        .into_script();
    tx
}

fn bytes(tx: &Transaction) -> Vec<u8> {
    bitcoin::consensus::serialize(tx)
}

#[test]
fn fund_read_send_mine_and_fees() {
    let env = Env::new();
    let (alice, bob, carol) = (Key::new(0x11), Key::new(0x22), Key::new(0x33));
    let (a, b) = (alice.p2wpkh().to_string(), bob.p2pkh().to_string());
    let c = carol.p2wpkh().to_string();
    assert!(
        a.starts_with("bcrt1q") && (b.starts_with('m') || b.starts_with('n')),
        "{a} {b}"
    );

    // An empty chain: nothing to read, no fee percentiles.
    assert_eq!(env.balance(&a, None).ok().0, 0);
    assert_eq!(env.fees().ok().0, Vec::<u64>::new());
    assert_eq!(env.utxos(&a, None).ok().0.tip_height, 0);

    // Fund Alice by mining 101 blocks (coinbase outputs mature after 100 confirmations).
    let report = env.r.bitcoin_mine(&a, 101).unwrap();
    assert_eq!(
        (
            report.tip_height,
            report.block_hashes.len(),
            report.transactions
        ),
        (101, 101, 0)
    );
    let funded: u64 = (1..=101).map(subsidy).sum();
    let (balance, refunded) = env.balance(&a, None).ok();
    assert_eq!((balance, refunded), (funded, 0));
    assert_eq!(env.balance(&a, Some(2)).ok().0, funded - subsidy(101));
    assert_eq!(env.balance(&a, Some(101)).ok().0, subsidy(1));
    assert_eq!(env.balance(&a, Some(102)).ok().0, 0);
    env.balance(&a, Some(103)).err("MinConfirmationsTooLarge");
    assert_eq!(env.r.bitcoin_balance(&a, 0).unwrap(), funded);

    let (utxos, _) = env.utxos(&a, None).ok();
    assert_eq!(
        (
            utxos.tip_height,
            utxos.utxos.len(),
            utxos.next_page.is_none()
        ),
        (101, 101, true)
    );
    let mut tip = utxos.tip_block_hash.to_vec();
    tip.reverse();
    assert_eq!(hex::encode(tip), *report.block_hashes.last().unwrap());
    let heights: Vec<u32> = utxos.utxos.iter().map(|u| u.height).collect();
    assert_eq!(heights, (1..=101).rev().collect::<Vec<_>>(), "newest first");
    let only_old = env.utxos(&a, Some(Filter::MinConfirmations(100))).ok().0;
    assert_eq!(
        only_old.utxos.iter().map(|u| u.height).collect::<Vec<_>>(),
        vec![2, 1]
    );

    // Alice pays Bob 10 BTC from her oldest coinbase, with a 10,000 satoshi fee.
    let oldest = utxos.utxos.iter().find(|u| u.height == 1).unwrap();
    let fee = 10_000;
    let change = oldest.value - 10 * COIN - fee;
    let tx = sign_p2wpkh(
        unsigned(
            outpoint(oldest),
            &[(&bob.p2pkh(), 10 * COIN), (&alice.p2wpkh(), change)],
        ),
        &alice,
        oldest.value,
    );
    let (_, refunded) = env.send(&bytes(&tx)).ok();
    assert_eq!(refunded, 0, "the exact cost is kept");
    assert_eq!(env.r.bitcoin_mempool_len(), 1);
    // Not visible before it is mined (the IC sees no mempool).
    assert_eq!(env.balance(&b, None).ok().0, 0);

    // Rejects: the same transaction again, a double spend, a malformed one, a wrong
    // signature, an immature coinbase, outputs above inputs.
    env.send(&bytes(&tx)).err("already in the mempool");
    let double = sign_p2wpkh(
        unsigned(outpoint(oldest), &[(&carol.p2wpkh(), COIN)]),
        &alice,
        oldest.value,
    );
    env.send(&bytes(&double)).err("double spend");
    env.send(&[1, 2, 3]).err("MalformedTransaction");
    let mut truncated = bytes(&tx);
    truncated.pop();
    env.send(&truncated).err("MalformedTransaction");
    let second = utxos.utxos.iter().find(|u| u.height == 2).unwrap();
    let forged = sign_p2wpkh(
        unsigned(outpoint(second), &[(&bob.p2pkh(), COIN)]),
        &bob,
        second.value,
    );
    env.send(&bytes(&forged)).err("public key does not match");
    let mut wrong_sig = sign_p2wpkh(
        unsigned(outpoint(second), &[(&bob.p2pkh(), COIN)]),
        &alice,
        second.value,
    );
    wrong_sig.output[0].value = Amount::from_sat(2 * COIN); // changed after signing
    env.send(&bytes(&wrong_sig))
        .err("signature does not verify");
    let newest = &utxos.utxos[0];
    let immature = sign_p2wpkh(
        unsigned(outpoint(newest), &[(&bob.p2pkh(), COIN)]),
        &alice,
        newest.value,
    );
    env.send(&bytes(&immature)).err("coinbase outputs need 100");
    let greedy = sign_p2wpkh(
        unsigned(outpoint(second), &[(&bob.p2pkh(), second.value + 1)]),
        &alice,
        second.value,
    );
    env.send(&bytes(&greedy)).err("inputs hold only");
    assert_eq!(
        env.r.bitcoin_mempool_len(),
        1,
        "rejected transactions stay out of the mempool"
    );

    // Mine it (the block's coinbase goes to Carol and takes the fee).
    let report = env.r.bitcoin_mine(&c, 1).unwrap();
    assert_eq!((report.tip_height, report.transactions), (102, 1));
    assert_eq!(env.balance(&b, None).ok().0, 10 * COIN);
    assert_eq!(env.balance(&a, None).ok().0, funded - oldest.value + change);
    assert_eq!(env.balance(&c, None).ok().0, subsidy(102) + fee);
    let rate = fee * 1000 / tx.vsize() as u64;
    assert_eq!(env.fees().ok().0, vec![rate; 101]);

    // Bob spends his P2PKH output (not a coinbase: spendable at once) back to Alice.
    let bob_utxo = &env.utxos(&b, None).ok().0.utxos[0];
    assert_eq!((bob_utxo.value, bob_utxo.height), (10 * COIN, 102));
    assert_eq!(
        outpoint(bob_utxo),
        OutPoint::new(tx.compute_txid(), 0),
        "the replica's txid is Bitcoin's"
    );
    let back = sign_p2pkh(
        unsigned(outpoint(bob_utxo), &[(&alice.p2wpkh(), 9 * COIN)]),
        &bob,
    );
    env.send(&bytes(&back)).ok();
    env.r.bitcoin_mine(&c, 1).unwrap();
    assert_eq!(env.balance(&b, None).ok().0, 0);
    assert_eq!(
        env.balance(&a, None).ok().0,
        funded - oldest.value + change + 9 * COIN
    );
    let fees = env.fees().ok().0;
    let rate2 = COIN * 1000 / back.vsize() as u64;
    assert!(rate < rate2);
    // Nearest rank over [rate, rate2]: percentiles 0..=50 are the lower, 51..=100 the higher.
    assert_eq!(
        (fees.len(), fees[0], fees[50], fees[51], fees[100]),
        (101, rate, rate, rate2, rate2)
    );
}

/// A persistent replica keeps its chain — blocks, balances, UTXOs and the mempool (the
/// transaction the canister sent, journaled with its message) — from the journal alone (the
/// folder copied while the replica runs: what a crash leaves) and from the checkpoint a clean
/// shutdown writes; either way the chain goes on as it would have.
#[test]
fn a_persistent_replica_keeps_its_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let (dir, crashed) = (tmp.path().join("state"), tmp.path().join("crashed"));
    let open = |d: &std::path::Path| {
        Replica::open(ReplicaConfig {
            state_dir: Some(d.to_path_buf()),
            time: TimeMode::WallClock,
        })
        .unwrap()
    };
    let alice = Key::new(0x11);
    let a = alice.p2wpkh().to_string();
    let env = Env::on(open(&dir));
    env.r.bitcoin_mine(&a, 101).unwrap();
    let utxos = env.utxos(&a, None).ok().0.utxos;
    let oldest = utxos.iter().find(|u| u.height == 1).unwrap();
    let tx = sign_p2wpkh(
        unsigned(
            outpoint(oldest),
            &[(&alice.p2wpkh(), oldest.value - 10_000)],
        ),
        &alice,
        oldest.value,
    );
    env.send(&bytes(&tx)).ok();
    let seen = |r: &Replica| {
        let utxos = r.bitcoin_utxos(&a).unwrap();
        (r.bitcoin_tip_height(), r.bitcoin_mempool_len(), utxos)
    };
    let before = seen(&env.r);
    assert_eq!((before.0, before.1, before.2.len()), (101, 1, 101));
    std::fs::create_dir_all(&crashed).unwrap();
    for name in ["checkpoint", "journal"] {
        if dir.join(name).exists() {
            std::fs::copy(dir.join(name), crashed.join(name)).unwrap();
        }
    }
    assert!(
        !crashed.join("checkpoint").exists(),
        "the journal alone holds the chain"
    );
    drop(env);
    for folder in [&dir, &crashed] {
        let r = open(folder);
        assert_eq!(seen(&r), before, "{}", folder.display());
        let env = Env {
            id: r.canister_ids()[0],
            r,
        };
        env.send(&bytes(&tx)).err("already in the mempool");
        let report = env.r.bitcoin_mine(&a, 1).unwrap();
        assert_eq!((report.tip_height, report.transactions), (102, 1));
        // Alice paid herself (less the fee) and mined the block that took the fee.
        let funded: u64 = before.2.iter().map(|u| u.value).sum();
        assert_eq!(env.balance(&a, None).ok().0, funded + subsidy(102));
    }
}

#[test]
fn utxo_paging() {
    let env = Env::new();
    let d = Key::new(0x44).p2pkh().to_string();
    env.r.bitcoin_mine(&d, 1005).unwrap();
    let first = env.utxos(&d, None).ok().0;
    assert_eq!(first.utxos.len(), 1000);
    let page = first.next_page.clone().expect("a next page");
    let second = env.utxos(&d, Some(Filter::Page(page.clone()))).ok().0;
    assert_eq!((second.utxos.len(), second.next_page.is_none()), (5, true));
    let mut heights: Vec<u32> = first
        .utxos
        .iter()
        .chain(&second.utxos)
        .map(|u| u.height)
        .collect();
    heights.sort();
    assert_eq!(heights, (1..=1005).collect::<Vec<_>>());
    let total: u64 = first
        .utxos
        .iter()
        .chain(&second.utxos)
        .map(|u| u.value)
        .sum();
    assert_eq!(total, (1..=1005).map(subsidy).sum::<u64>());
    assert_eq!(env.balance(&d, None).ok().0, total);
    // A page from an older tip is refused.
    env.r.bitcoin_mine(&d, 1).unwrap();
    env.utxos(&d, Some(Filter::Page(page)))
        .err("UnknownTipBlockHash");
}

#[test]
fn costs_networks_and_addresses() {
    let env = Env::new();
    let a = Key::new(0x55).p2wpkh().to_string();
    env.r.bitcoin_mine(&a, 1).unwrap();

    // Unused cycles come back; too few are rejected (and refunded).
    let answer: Answer<u64> = env.upd(
        "get_balance",
        (&a, None::<u32>, Net::Regtest, API_COST + 777),
    );
    assert_eq!(answer.ok(), (subsidy(1), 777));
    let answer: Answer<u64> = env.upd("get_balance", (&a, None::<u32>, Net::Regtest, API_COST - 1));
    answer.err("cycles are required");
    let answer: Answer<Vec<u64>> = env.upd("get_current_fee_percentiles", (API_COST - 1,));
    answer.err("cycles are required");
    let tx = [0u8; 100];
    let answer: Answer<()> = env.upd(
        "send_transaction",
        (ByteBuf::from(tx.to_vec()), SEND_BASE + 99 * SEND_PER_BYTE),
    );
    answer.err("cycles are required");

    // Only regtest is simulated, and only regtest addresses are accepted.
    let answer: Answer<u64> = env.upd("get_balance", (&a, None::<u32>, Net::Mainnet, API_COST));
    answer.err("regtest");
    for other in [
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
    ] {
        env.balance(other, None).err("not a regtest address");
    }
    env.balance("not-an-address", None)
        .err("not a bitcoin address");

    // Ingress callers cannot use the bitcoin API (canisters only, as on the IC).
    let arg = candid::encode_args(()).unwrap();
    assert!(env
        .r
        .update(user(), mgmt_id(), None, "bitcoin_get_balance", &arg)
        .is_err());
}
