//! Signature checks of the two key-hash output kinds: P2PKH (legacy sighash) and P2WPKH
//! (BIP 143 sighash), ECDSA over secp256k1 with `k256`.
//!
//! Promises: [`verify_input`] accepts an input only if its signature is strict DER with a
//! defined sighash type (ALL, NONE, SINGLE, each optionally ANYONECANPAY), low-S (BIP 62/146,
//! as Bitcoin Core's policy), by the key whose hash160 the spent output commits to, over the
//! digest Bitcoin computes for that input. Other output kinds are not checked (see
//! [`crate::validate`]).

use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, VerifyingKey};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

use crate::tx::{sha256d, write_bytes, Transaction, TxOut};

const NONE: u32 = 2;
const SINGLE: u32 = 3;
const ANYONECANPAY: u32 = 0x80;

pub fn hash160(data: &[u8]) -> [u8; 20] {
    Ripemd160::digest(Sha256::digest(data)).into()
}

/// Checks input `i` of `tx` spending `spent` when it is P2PKH or P2WPKH; `Err` says why not.
pub fn verify_input(tx: &Transaction, i: usize, spent: &TxOut) -> Result<(), String> {
    let script = &spent.script_pubkey;
    let input = &tx.input[i];
    let (sig, key, hashed) = if is_p2pkh(script) {
        let pushes = pushes(&input.script_sig)
            .filter(|p| p.len() == 2)
            .ok_or("a P2PKH input's scriptSig must push a signature and a public key")?;
        (pushes[0].clone(), pushes[1].clone(), &script[3..23])
    } else if is_p2wpkh(script) {
        if input.witness.len() != 2 {
            return Err("a P2WPKH input's witness must hold a signature and a public key".into());
        }
        (
            input.witness[0].clone(),
            input.witness[1].clone(),
            &script[2..22],
        )
    } else {
        return Ok(());
    };
    if hash160(&key) != hashed {
        return Err("the public key does not match the hash the spent output pays to".into());
    }
    let (&hash_type, der) = sig.split_last().ok_or("the signature is empty")?;
    let hash_type = u32::from(hash_type);
    if !matches!(hash_type & !ANYONECANPAY, 1..=3) {
        return Err(format!("sighash type {hash_type:#04x} is not defined"));
    }
    let signature = Signature::from_der(der).map_err(|_| "the signature is not strict DER")?;
    let key = VerifyingKey::from_sec1_bytes(&key)
        .map_err(|_| "the public key is not a valid secp256k1 point")?;
    let digest = if is_p2pkh(script) {
        legacy_sighash(tx, i, script, hash_type)
    } else {
        let script_code = [&[0x76, 0xa9, 0x14], hashed, &[0x88, 0xac]].concat();
        bip143_sighash(tx, i, &script_code, spent.value, hash_type)
    };
    key.verify_prehash(&digest, &signature).map_err(|_| {
        "the signature does not verify (wrong key, wrong sighash, or a high-S signature)".into()
    })
}

pub fn is_p2pkh(s: &[u8]) -> bool {
    s.len() == 25 && s[..3] == [0x76, 0xa9, 0x14] && s[23..] == [0x88, 0xac]
}

pub fn is_p2wpkh(s: &[u8]) -> bool {
    s.len() == 22 && s[..2] == [0x00, 0x14]
}

/// The data pushes of a push-only script (`None` if it has other opcodes or is cut short).
fn pushes(script: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < script.len() {
        let op = script[i];
        i += 1;
        let len = match op {
            1..=75 => op as usize,
            76 => {
                i += 1;
                *script.get(i - 1)? as usize
            }
            77 => {
                i += 2;
                u16::from_le_bytes(script.get(i - 2..i)?.try_into().ok()?) as usize
            }
            _ => return None,
        };
        out.push(script.get(i..i + len)?.to_vec());
        i += len;
    }
    Some(out)
}

/// The original (pre-segwit) signature hash of input `i`.
fn legacy_sighash(tx: &Transaction, i: usize, script_code: &[u8], hash_type: u32) -> [u8; 32] {
    let base = hash_type & 0x1f;
    if base == SINGLE && i >= tx.output.len() {
        let mut one = [0u8; 32];
        one[0] = 1; // Bitcoin's SIGHASH_SINGLE bug, kept by consensus
        return one;
    }
    let anyone = hash_type & ANYONECANPAY != 0;
    let mut copy = tx.clone();
    for input in &mut copy.input {
        input.witness.clear();
    }
    copy.input = copy
        .input
        .into_iter()
        .enumerate()
        .filter(|(j, _)| !anyone || *j == i)
        .map(|(j, mut input)| {
            input.script_sig = if j == i {
                script_code.to_vec()
            } else {
                Vec::new()
            };
            if j != i && (base == NONE || base == SINGLE) {
                input.sequence = 0;
            }
            input
        })
        .collect();
    match base {
        NONE => copy.output.clear(),
        SINGLE => {
            copy.output.truncate(i + 1);
            for o in &mut copy.output[..i] {
                *o = TxOut {
                    value: u64::MAX,
                    script_pubkey: Vec::new(),
                };
            }
        }
        _ => {}
    }
    let mut data = copy.serialize(false);
    data.extend_from_slice(&hash_type.to_le_bytes());
    sha256d(&data)
}

/// The BIP 143 (segwit v0) signature hash of input `i`.
fn bip143_sighash(
    tx: &Transaction,
    i: usize,
    script_code: &[u8],
    value: u64,
    hash_type: u32,
) -> [u8; 32] {
    let base = hash_type & 0x1f;
    let anyone = hash_type & ANYONECANPAY != 0;
    let hash_of = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut d = Vec::new();
        f(&mut d);
        sha256d(&d)
    };
    let prevouts = if anyone {
        [0; 32]
    } else {
        hash_of(&|d| {
            tx.input.iter().for_each(|x| {
                d.extend_from_slice(&x.previous_output.txid);
                d.extend_from_slice(&x.previous_output.vout.to_le_bytes());
            })
        })
    };
    let sequences = if anyone || base == SINGLE || base == NONE {
        [0; 32]
    } else {
        hash_of(&|d| {
            tx.input
                .iter()
                .for_each(|x| d.extend_from_slice(&x.sequence.to_le_bytes()))
        })
    };
    let write_out = |d: &mut Vec<u8>, o: &TxOut| {
        d.extend_from_slice(&o.value.to_le_bytes());
        write_bytes(d, &o.script_pubkey);
    };
    let outputs = if base != SINGLE && base != NONE {
        hash_of(&|d| tx.output.iter().for_each(|o| write_out(d, o)))
    } else if base == SINGLE && i < tx.output.len() {
        hash_of(&|d| write_out(d, &tx.output[i]))
    } else {
        [0; 32]
    };
    let input = &tx.input[i];
    let mut d = Vec::new();
    d.extend_from_slice(&tx.version.to_le_bytes());
    d.extend_from_slice(&prevouts);
    d.extend_from_slice(&sequences);
    d.extend_from_slice(&input.previous_output.txid);
    d.extend_from_slice(&input.previous_output.vout.to_le_bytes());
    write_bytes(&mut d, script_code);
    d.extend_from_slice(&value.to_le_bytes());
    d.extend_from_slice(&input.sequence.to_le_bytes());
    d.extend_from_slice(&outputs);
    d.extend_from_slice(&tx.lock_time.to_le_bytes());
    d.extend_from_slice(&hash_type.to_le_bytes());
    sha256d(&d)
}
