//! Regtest addresses and the output scripts they stand for: base58check P2PKH (version
//! 0x6f, `m…`/`n…`) and P2SH (0xc4, `2…`), and segwit `bcrt1…` (BIP 173 bech32 for
//! version 0, BIP 350 bech32m for versions 1–16, e.g. P2TR).
//!
//! Promises: [`script_of`] returns the exact `scriptPubKey` a regtest node pays to, and
//! refuses with [`BitcoinError::WrongNetwork`] an address that is valid on mainnet or
//! testnet (base58 0x00/0x05, `bc1`/`tb1`; base58 testnet addresses are also regtest's),
//! and with [`BitcoinError::Address`] anything else that is not an address.

use crate::error::BitcoinError;
use crate::tx::sha256d;

const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BECH32: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
const BECH32_CONST: u32 = 1;
const BECH32M_CONST: u32 = 0x2bc8_30a3;

/// The output script a regtest `address` pays to.
pub fn script_of(address: &str) -> Result<Vec<u8>, BitcoinError> {
    let bad = |why: &str| BitcoinError::Address(address.to_string(), why.to_string());
    let wrong = || BitcoinError::WrongNetwork(address.to_string());
    let lower = address.to_ascii_lowercase();
    if let Some((hrp, _)) = lower
        .rsplit_once('1')
        .filter(|(h, _)| matches!(*h, "bc" | "tb" | "bcrt"))
    {
        let (hrp_found, version, program) = segwit_decode(address).map_err(|e| bad(&e))?;
        debug_assert_eq!(hrp, hrp_found);
        if hrp_found != "bcrt" {
            return Err(wrong());
        }
        let mut script = vec![
            if version == 0 { 0 } else { 0x50 + version },
            program.len() as u8,
        ];
        script.extend_from_slice(&program);
        return Ok(script);
    }
    let payload = base58check(address).map_err(|e| bad(&e))?;
    if payload.len() != 21 {
        return Err(bad(
            "a base58 address holds a version byte and a 20-byte hash",
        ));
    }
    let hash = &payload[1..];
    match payload[0] {
        0x6f => Ok([&[0x76, 0xa9, 0x14], hash, &[0x88, 0xac]].concat()),
        0xc4 => Ok([&[0xa9, 0x14], hash, &[0x87]].concat()),
        0x00 | 0x05 => Err(wrong()),
        v => Err(bad(&format!("unknown base58 version byte {v:#04x}"))),
    }
}

/// Decodes base58check: the payload without its 4-byte checksum.
fn base58check(s: &str) -> Result<Vec<u8>, String> {
    let mut bytes: Vec<u8> = Vec::new(); // big-endian number, without leading zeros
    for c in s.bytes() {
        let mut carry = BASE58
            .iter()
            .position(|&d| d == c)
            .ok_or("it is neither bech32 nor base58")? as u32;
        for b in bytes.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = carry as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.insert(0, carry as u8);
            carry >>= 8;
        }
    }
    let zeros = s.bytes().take_while(|&c| c == b'1').count();
    let mut out = vec![0u8; zeros];
    out.extend(bytes);
    if out.len() < 5 {
        return Err("it is too short for a base58check address".into());
    }
    let (payload, check) = out.split_at(out.len() - 4);
    if sha256d(payload)[..4] != *check {
        return Err("its base58 checksum is wrong (a typo?)".into());
    }
    Ok(payload.to_vec())
}

fn polymod(values: &[u8]) -> u32 {
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let mut chk: u32 = 1;
    for &v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// Decodes a segwit address: (hrp, witness version, program), checking BIP 173/350 rules.
fn segwit_decode(address: &str) -> Result<(String, u8, Vec<u8>), String> {
    if address.len() > 90
        || (address.to_ascii_lowercase() != address && address.to_ascii_uppercase() != address)
    {
        return Err(
            "a bech32 address is at most 90 characters, all lower or all upper case".into(),
        );
    }
    let lower = address.to_ascii_lowercase();
    let (hrp, data) = lower.rsplit_once('1').ok_or("it has no bech32 separator")?;
    let values: Vec<u8> = data
        .bytes()
        .map(|c| BECH32.iter().position(|&d| d == c).map(|p| p as u8))
        .collect::<Option<_>>()
        .ok_or("it has a character bech32 does not use")?;
    if values.len() < 7 {
        return Err("its bech32 data part is too short".into());
    }
    let mut expanded: Vec<u8> = hrp.bytes().map(|c| c >> 5).collect();
    expanded.push(0);
    expanded.extend(hrp.bytes().map(|c| c & 31));
    expanded.extend(&values);
    let constant = polymod(&expanded);
    let (version, five_bit) = (values[0], &values[1..values.len() - 6]);
    let expected = if version == 0 {
        BECH32_CONST
    } else {
        BECH32M_CONST
    };
    if constant != expected {
        return Err("its bech32 checksum is wrong (a typo?)".into());
    }
    if version > 16 {
        return Err(format!("witness version {version} does not exist"));
    }
    // 5-bit groups to bytes, no padding beyond 4 zero bits.
    let (mut acc, mut bits, mut program) = (0u32, 0u32, Vec::new());
    for &v in five_bit {
        acc = (acc << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            program.push((acc >> bits) as u8);
        }
    }
    if bits >= 5 || (acc & ((1 << bits) - 1)) != 0 {
        return Err("its bech32 padding is invalid".into());
    }
    if !(2..=40).contains(&program.len())
        || (version == 0 && program.len() != 20 && program.len() != 32)
    {
        return Err(format!(
            "a version {version} witness program of {} bytes is invalid",
            program.len()
        ));
    }
    Ok((hrp.to_string(), version, program))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bip173_and_bip350_vectors() {
        // BIP 173: regtest P2WPKH; BIP 350: a mainnet v1 address is refused as mainnet.
        let s = script_of("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080").unwrap();
        assert_eq!(
            hex::encode(s),
            "0014751e76e8199196d454941c45d1b3a323f1433bd6"
        );
        assert!(matches!(
            script_of("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
            Err(BitcoinError::WrongNetwork(_))
        ));
        assert!(matches!(
            script_of("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081"),
            Err(BitcoinError::Address(..))
        ));
        // A testnet/regtest P2PKH and P2SH.
        let p2pkh = script_of("mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn").unwrap();
        assert_eq!(p2pkh.len(), 25);
        assert_eq!(
            script_of("2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc")
                .unwrap()
                .len(),
            23
        );
    }
}
