//! Every fee the replica charges or reports, in one place, with the figures it models:
//! a local subnet of [`SUBNET_SIZE`] node(s), as dfx's local replica (mainnet's 13-node
//! application subnets cost about 15 times more for outcalls: size payments with
//! `ic0.cost_*` there). What a canister is charged and what `ic0.cost_*` answers come
//! from the same functions.

/// Nodes of the subnet the local replica models: one, as dfx's local replica (the Kybra
/// Book's samples attach cycles for that: 50M for a 2,000-byte outcall).
pub const SUBNET_SIZE: u128 = 1;

/// `ic0.cost_create_canister`: what creating a canister costs (not charged locally).
pub const CREATE_CANISTER: u128 = 500_000_000_000;

/// `ic0.cost_call`: the IC's formula for a call with a method name and payload of these
/// sizes (not charged locally).
pub fn call(method_name_bytes: u64, payload_bytes: u64) -> u128 {
    260_000 + 1_000 * (method_name_bytes as u128 + payload_bytes as u128)
}

/// Cycles an HTTP outcall costs: `(3_000_000 + 60_000·n)·n + 400·n·request_size +
/// 800·n·max_response_bytes` for a subnet of `n` nodes, the IC's formula (also what
/// `ic0.cost_http_request` answers).
pub fn http_request(request_size: u64, max_response_bytes: u64) -> u128 {
    let n = SUBNET_SIZE;
    (3_000_000 + 60_000 * n) * n
        + 400 * n * request_size as u128
        + 800 * n * max_response_bytes as u128
}

/// Cycles `sign_with_ecdsa` costs: the IC's fee on a 13-node application subnet.
pub const SIGN_WITH_ECDSA: u128 = 10_000_000_000;

/// The threshold key names the replica holds (for ECDSA; `ic0.cost_sign_with_*` answers for
/// these): the local test key and mainnet's test and production key names.
pub const THRESHOLD_KEY_NAMES: [&str; 3] = ["dfx_test_key", "test_key_1", "key_1"];

/// What a threshold operation costs (`ic0.cost_sign_with_ecdsa`, `cost_sign_with_schnorr`,
/// `cost_vetkd_derive_key`) with `key_name` and curve or algorithm number `kind`, of which
/// `kinds` are defined: the cost, or the IC's error code (1: no such curve or algorithm,
/// 2: no such key).
pub fn threshold(key_name: &[u8], kind: u32, kinds: u32) -> Result<u128, u32> {
    if kind >= kinds {
        return Err(1);
    }
    if !THRESHOLD_KEY_NAMES.iter().any(|k| k.as_bytes() == key_name) {
        return Err(2);
    }
    Ok(SIGN_WITH_ECDSA)
}

/// Cycles `bitcoin_get_balance`, `bitcoin_get_utxos` and
/// `bitcoin_get_current_fee_percentiles` cost (the book's `BITCOIN_API_CYCLE_COST`).
pub const BITCOIN_READ: u128 = 100_000_000;
/// `bitcoin_send_transaction`: a base cost plus a cost per byte of the transaction.
pub const BITCOIN_SEND_BASE: u128 = 5_000_000_000;
pub const BITCOIN_SEND_PER_BYTE: u128 = 20_000_000;

/// Cycles a bitcoin API call costs: `method` with a transaction of `transaction_len` bytes
/// (0 for the reads).
pub fn bitcoin(method: &str, transaction_len: usize) -> u128 {
    match method {
        "bitcoin_send_transaction" => {
            BITCOIN_SEND_BASE + BITCOIN_SEND_PER_BYTE * transaction_len as u128
        }
        _ => BITCOIN_READ,
    }
}
