//! The Candid types of the management canister's bitcoin API, as the IC interface
//! specification declares them (`bitcoin_get_balance_args`, `bitcoin_get_utxos_args`,
//! `get_utxos_response`, `utxo`, `outpoint`, `millisatoshi_per_byte`, ...).
//!
//! Like the IC's bitcoin canister (`NetworkInRequest` in `ic-btc-interface`), requests may
//! spell the network and the filter either as the spec does (`regtest`, `min_confirmations`)
//! or capitalised as the Kybra/Azle management-canister types do (`Regtest`,
//! `MinConfirmations`).

use candid::CandidType;
use serde::Deserialize;

pub type Satoshi = u64;
pub type MillisatoshiPerByte = u64;

/// `network` of a request: the spec's lowercase labels or the capitalised ones.
#[derive(CandidType, Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    #[serde(rename = "mainnet")]
    MainnetLower,
    #[serde(rename = "testnet")]
    TestnetLower,
    #[serde(rename = "regtest")]
    RegtestLower,
    Mainnet,
    Testnet,
    Regtest,
}

impl Network {
    /// The spec's name of the network.
    pub fn name(self) -> &'static str {
        match self {
            Network::MainnetLower | Network::Mainnet => "mainnet",
            Network::TestnetLower | Network::Testnet => "testnet",
            Network::RegtestLower | Network::Regtest => "regtest",
        }
    }

    pub fn is_regtest(self) -> bool {
        self.name() == "regtest"
    }
}

#[derive(CandidType, Deserialize, Debug, Clone)]
pub struct GetBalanceArgs {
    pub address: String,
    pub network: Network,
    pub min_confirmations: Option<u32>,
}

/// `filter` of `bitcoin_get_utxos`.
#[derive(CandidType, Deserialize, Debug, Clone)]
pub enum UtxosFilter {
    #[serde(rename = "min_confirmations")]
    MinConfirmationsLower(u32),
    #[serde(rename = "page")]
    PageLower(serde_bytes::ByteBuf),
    MinConfirmations(u32),
    Page(serde_bytes::ByteBuf),
}

#[derive(CandidType, Deserialize, Debug, Clone)]
pub struct GetUtxosArgs {
    pub address: String,
    pub network: Network,
    pub filter: Option<UtxosFilter>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Outpoint {
    /// The transaction id in Bitcoin's internal byte order (the reverse of its hex display).
    #[serde(with = "serde_bytes")]
    pub txid: Vec<u8>,
    pub vout: u32,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Utxo {
    pub outpoint: Outpoint,
    pub value: Satoshi,
    pub height: u32,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct GetUtxosResponse {
    pub utxos: Vec<Utxo>,
    /// The tip's block hash in Bitcoin's internal byte order.
    #[serde(with = "serde_bytes")]
    pub tip_block_hash: Vec<u8>,
    pub tip_height: u32,
    pub next_page: Option<serde_bytes::ByteBuf>,
}

#[derive(CandidType, Deserialize, Debug, Clone)]
pub struct GetCurrentFeePercentilesArgs {
    pub network: Network,
}

#[derive(CandidType, Deserialize, Debug, Clone)]
pub struct SendTransactionArgs {
    #[serde(with = "serde_bytes")]
    pub transaction: Vec<u8>,
    pub network: Network,
}
