//! The management canister's four bitcoin methods as canisters call them —
//! `bitcoin_get_balance`, `bitcoin_get_utxos`, `bitcoin_get_current_fee_percentiles` and
//! `bitcoin_send_transaction` — answered from a simulated regtest chain
//! ([`kybra_bitcoin::Chain`]) by the service [`BitcoinRegtest`] (cargo feature `bitcoin`).
//!
//! Promises: each call must carry at least the method's cost in cycles
//! ([`fees::bitcoin`]: the figures of the Kybra book and the IC's mainnet price list), else
//! it is rejected and all cycles are refunded; a successful call keeps exactly its cost and
//! refunds the rest, a rejected one refunds everything. Requests for `mainnet`/`testnet`
//! are rejected (only regtest is simulated), as are addresses of other networks. Bad
//! requests reject with code 4 and a message that names the method and what to change.
//! A persistent replica keeps the chain across restarts ([`Chain::save`]).

use std::any::Any;

use candid::CandidType;
use kybra_bitcoin::types::*;
use kybra_bitcoin::{chain, parse_address, BitcoinError, Chain};
use serde::de::DeserializeOwned;

use super::api::{Address, Answer, Env, Reply, Request, SystemService};
use crate::error::Reject;
use crate::fees;

/// Utxos per `bitcoin_get_utxos` answer; more come with `next_page`.
pub const UTXOS_PER_PAGE: usize = 1_000;

/// The bitcoin service and its chain.
#[derive(Default)]
pub struct BitcoinRegtest {
    pub chain: Chain,
}

impl SystemService for BitcoinRegtest {
    fn name(&self) -> &'static str {
        "bitcoin"
    }

    fn address(&self) -> Address {
        Address::Management(&[
            "bitcoin_get_balance",
            "bitcoin_get_utxos",
            "bitcoin_get_current_fee_percentiles",
            "bitcoin_send_transaction",
        ])
    }

    fn call(&mut self, r: Request<'_>, _env: &mut dyn Env) -> Reply {
        Reply::Now(match answer(&mut self.chain, r.method, r.arg, r.cycles) {
            Ok((bytes, charged)) => Answer::reply(bytes, r.cycles, charged),
            Err(reject) => Answer::reject(reject, r.cycles),
        })
    }

    fn state_generation(&self) -> u64 {
        self.chain.generation()
    }

    fn save_state(&self) -> Option<Vec<u8>> {
        Some(self.chain.save())
    }

    fn restore_state(&mut self, saved: &[u8]) -> Result<(), String> {
        self.chain = Chain::restore(saved)?;
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn reject(method: &str, e: impl std::fmt::Display) -> Reject {
    Reject::canister_reject(&format!("{method}: {e}"))
}

fn decode<T: DeserializeOwned + CandidType>(method: &str, arg: &[u8]) -> Result<T, Reject> {
    candid::decode_one(arg).map_err(|e| Reject::invalid_management_payload(method, e))
}

fn regtest(method: &str, network: Network) -> Result<(), Reject> {
    if network.is_regtest() {
        Ok(())
    } else {
        Err(reject(method, BitcoinError::Network(network.name())))
    }
}

fn check_cycles(method: &str, attached: u128, needed: u128) -> Result<(), Reject> {
    if attached < needed {
        return Err(reject(
            method,
            format!("received {attached} cycles, but {needed} cycles are required; attach them to the call"),
        ));
    }
    Ok(())
}

fn encode<T: CandidType>(value: &T) -> Vec<u8> {
    candid::encode_one(value).expect("bitcoin results encode")
}

fn answer(
    chain: &mut Chain,
    method: &str,
    arg: &[u8],
    cycles: u128,
) -> Result<(Vec<u8>, u128), Reject> {
    match method {
        "bitcoin_get_balance" => {
            let a: GetBalanceArgs = decode(method, arg)?;
            regtest(method, a.network)?;
            check_cycles(method, cycles, fees::bitcoin(method, 0))?;
            let script = parse_address(&a.address).map_err(|e| reject(method, e))?;
            let min = a.min_confirmations.unwrap_or(0);
            check_min_confirmations(method, chain, min)?;
            let balance: Satoshi = chain
                .utxos_of(&script, min)
                .iter()
                .map(|(_, c)| c.txout.value)
                .sum();
            Ok((encode(&balance), fees::bitcoin(method, 0)))
        }
        "bitcoin_get_utxos" => {
            let a: GetUtxosArgs = decode(method, arg)?;
            regtest(method, a.network)?;
            check_cycles(method, cycles, fees::bitcoin(method, 0))?;
            let script = parse_address(&a.address).map_err(|e| reject(method, e))?;
            let (min, offset) = match a.filter {
                None => (0, 0),
                Some(UtxosFilter::MinConfirmations(m) | UtxosFilter::MinConfirmationsLower(m)) => {
                    (m, 0)
                }
                Some(UtxosFilter::Page(p) | UtxosFilter::PageLower(p)) => {
                    read_page(method, chain, &p)?
                }
            };
            check_min_confirmations(method, chain, min)?;
            let all = chain.utxos_of(&script, min);
            let end = (offset + UTXOS_PER_PAGE).min(all.len());
            let utxos = all
                .get(offset..end)
                .unwrap_or_default()
                .iter()
                .map(|(op, c)| Utxo {
                    outpoint: Outpoint {
                        txid: op.txid.to_vec(),
                        vout: op.vout,
                    },
                    value: c.txout.value,
                    height: c.height,
                });
            let tip = chain.tip_hash();
            let next_page =
                (end < all.len()).then(|| serde_bytes::ByteBuf::from(page_token(&tip, end, min)));
            let response = GetUtxosResponse {
                utxos: utxos.collect(),
                tip_block_hash: tip.to_vec(),
                tip_height: chain.tip_height(),
                next_page,
            };
            Ok((encode(&response), fees::bitcoin(method, 0)))
        }
        "bitcoin_get_current_fee_percentiles" => {
            let a: GetCurrentFeePercentilesArgs = decode(method, arg)?;
            regtest(method, a.network)?;
            check_cycles(method, cycles, fees::bitcoin(method, 0))?;
            let p: Vec<MillisatoshiPerByte> = chain::percentiles(chain.fee_rates().collect());
            Ok((encode(&p), fees::bitcoin(method, 0)))
        }
        "bitcoin_send_transaction" => {
            let a: SendTransactionArgs = decode(method, arg)?;
            regtest(method, a.network)?;
            let needed = fees::bitcoin(method, a.transaction.len());
            check_cycles(method, cycles, needed)?;
            chain.send(&a.transaction).map_err(|e| reject(method, e))?;
            Ok((candid::encode_args(()).expect("() encodes"), needed))
        }
        _ => unreachable!("bitcoin_call is only called for bitcoin methods"),
    }
}

fn check_min_confirmations(method: &str, chain: &Chain, min: u32) -> Result<(), Reject> {
    let max = chain.tip_height() + 1;
    if min > max {
        return Err(reject(method, format!("MinConfirmationsTooLarge: min_confirmations {min} exceeds the chain's length {max}; mine more blocks or ask for fewer")));
    }
    Ok(())
}

/// A page token: the tip's hash, then the offset and the min_confirmations (u32 big-endian each).
fn page_token(tip: &[u8; 32], offset: usize, min: u32) -> Vec<u8> {
    let mut t = tip.to_vec();
    t.extend_from_slice(&(offset as u32).to_be_bytes());
    t.extend_from_slice(&min.to_be_bytes());
    t
}

fn read_page(method: &str, chain: &Chain, page: &[u8]) -> Result<(u32, usize), Reject> {
    if page.len() != 40 {
        return Err(reject(
            method,
            "MalformedPage: the page is not a next_page this replica returned",
        ));
    }
    if page[..32] != chain.tip_hash() {
        return Err(reject(method, "UnknownTipBlockHash: the chain's tip changed since this page was issued; start again without a page"));
    }
    let offset = u32::from_be_bytes(page[32..36].try_into().expect("4 bytes")) as usize;
    let min = u32::from_be_bytes(page[36..40].try_into().expect("4 bytes"));
    Ok((min, offset))
}
