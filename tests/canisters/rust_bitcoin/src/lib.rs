//! A Rust canister for the replica's bitcoin tests: each method calls one of the management
//! canister's bitcoin methods on the regtest network with the cycles the caller names, and
//! reports the answer (decoded with the IC interface specification's types) and the refund,
//! or the reject code and message.

use candid::{CandidType, Deserialize, Principal};
use ic_cdk::call::{Call, CallFailed};
use ic_cdk::update;
use serde_bytes::ByteBuf;

#[derive(CandidType, Deserialize, Clone, Copy)]
pub enum Network {
    #[serde(rename = "regtest")]
    Regtest,
    #[serde(rename = "mainnet")]
    Mainnet,
}

#[derive(CandidType, Deserialize)]
pub enum UtxosFilter {
    #[serde(rename = "min_confirmations")]
    MinConfirmations(u32),
    #[serde(rename = "page")]
    Page(ByteBuf),
}

#[derive(CandidType, Deserialize)]
pub struct Outpoint {
    pub txid: ByteBuf,
    pub vout: u32,
}

#[derive(CandidType, Deserialize)]
pub struct Utxo {
    pub outpoint: Outpoint,
    pub value: u64,
    pub height: u32,
}

#[derive(CandidType, Deserialize)]
pub struct GetUtxosResponse {
    pub utxos: Vec<Utxo>,
    pub tip_block_hash: ByteBuf,
    pub tip_height: u32,
    pub next_page: Option<ByteBuf>,
}

/// A call's outcome: the decoded reply and the cycles refunded, or the reject.
#[derive(CandidType, Deserialize)]
pub enum Answer<T> {
    Ok { value: T, refunded: u128 },
    Err { code: u32, message: String },
}

async fn call<A: CandidType, T: CandidType + for<'de> Deserialize<'de>>(
    method: &str,
    arg: A,
    cycles: u128,
) -> Answer<T> {
    let result = Call::unbounded_wait(Principal::management_canister(), method)
        .with_arg(arg)
        .with_cycles(cycles)
        .await;
    match result {
        Ok(reply) => Answer::Ok {
            value: reply
                .candid::<T>()
                .unwrap_or_else(|e| ic_cdk::trap(format!("{method}: bad reply: {e}"))),
            refunded: ic_cdk::api::msg_cycles_refunded(),
        },
        Err(CallFailed::CallRejected(e)) => Answer::Err {
            code: e.raw_reject_code(),
            message: e.reject_message().to_string(),
        },
        Err(other) => ic_cdk::trap(format!("{method}: call failed: {other}")),
    }
}

#[derive(CandidType)]
struct GetBalanceArgs {
    address: String,
    network: Network,
    min_confirmations: Option<u32>,
}

#[derive(CandidType)]
struct GetUtxosArgs {
    address: String,
    network: Network,
    filter: Option<UtxosFilter>,
}

#[derive(CandidType)]
struct NetworkArgs {
    network: Network,
}

#[derive(CandidType)]
struct SendTransactionArgs {
    transaction: ByteBuf,
    network: Network,
}

#[update]
async fn get_balance(address: String, min_confirmations: Option<u32>, network: Network, cycles: u128) -> Answer<u64> {
    let arg = GetBalanceArgs { address, network, min_confirmations };
    call("bitcoin_get_balance", arg, cycles).await
}

#[update]
async fn get_utxos(address: String, filter: Option<UtxosFilter>, cycles: u128) -> Answer<GetUtxosResponse> {
    let arg = GetUtxosArgs { address, network: Network::Regtest, filter };
    call("bitcoin_get_utxos", arg, cycles).await
}

#[update]
async fn get_current_fee_percentiles(cycles: u128) -> Answer<Vec<u64>> {
    let arg = NetworkArgs { network: Network::Regtest };
    call("bitcoin_get_current_fee_percentiles", arg, cycles).await
}

#[update]
async fn send_transaction(transaction: ByteBuf, cycles: u128) -> Answer<()> {
    let arg = SendTransactionArgs { transaction, network: Network::Regtest };
    call("bitcoin_send_transaction", arg, cycles).await
}
