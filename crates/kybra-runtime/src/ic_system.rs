//! The part of `_kybra_ic` for the IC's newer system API: controllers, the canister's
//! version, replicated execution, the subnet and the root key, burning cycles, a
//! best-effort call's deadline, and what calls, canister creation, HTTP outcalls and
//! threshold signatures cost.
//!
//! Promises: each is the `ic0` function of the same name (through `ic_cdk::api`); where the
//! IC would trap — `cycles_burn` in a query or `@inspect_message`, `msg_deadline` outside a
//! message that has a caller, `root_key` in non-replicated execution — it raises `IcError`
//! first; a threshold cost for an unknown
//! key name or curve raises `ValueError` naming what the replica knows.

use candid::Principal;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::context::{IcError, Kind};
use crate::ic_api::only;
use crate::principal::principal;

/// Whether `principal` (a `kybra.Principal`) controls this canister.
#[pyfunction]
fn is_controller(principal: &Bound<'_, PyAny>) -> PyResult<bool> {
    let bytes: Vec<u8> = principal.getattr("bytes")?.extract()?;
    let p = Principal::try_from_slice(&bytes)
        .map_err(|e| PyTypeError::new_err(format!("ic.is_controller(): not a principal: {e}")))?;
    Ok(ic_cdk::api::is_controller(&p))
}

/// How many times the canister's code or settings changed (installs, upgrades, settings
/// updates, ...), as the IC counts.
#[pyfunction]
fn canister_version() -> u64 {
    ic_cdk::api::canister_version()
}

/// Whether this message runs on every replica of the subnet (updates and the like: yes;
/// queries called directly: no).
#[pyfunction]
fn in_replicated_execution() -> bool {
    ic_cdk::api::in_replicated_execution()
}

/// The id of the subnet this canister runs on (a `kybra.Principal`).
#[pyfunction]
fn subnet_self(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    principal(py, ic_cdk::api::subnet_self().as_slice())
}

/// The IC's root public key (DER), which signs every certificate; only in replicated
/// execution (the IC traps in a query called as a query).
#[pyfunction]
fn root_key(py: Python<'_>) -> PyResult<Bound<'_, PyBytes>> {
    if !ic_cdk::api::in_replicated_execution() {
        return Err(IcError::new_err(
            "ic.root_key(): not available in a query called as a query (non-replicated execution); call it in an update, or call the query as an update",
        ));
    }
    Ok(PyBytes::new(py, &ic_cdk::api::root_key()))
}

/// Burns up to `amount` cycles of the canister's balance (not below its freezing
/// threshold); the cycles burnt.
#[pyfunction]
fn cycles_burn(amount: u128) -> PyResult<u128> {
    only(
        "cycles_burn",
        &[
            Kind::Init,
            Kind::PreUpgrade,
            Kind::PostUpgrade,
            Kind::Update,
            Kind::Heartbeat,
            Kind::Timer,
        ],
        "may not be called in a query or in @inspect_message: they cannot change the balance",
    )?;
    Ok(ic_cdk::api::cycles_burn(amount))
}

/// The deadline of the running best-effort call, in nanoseconds since the epoch, or `None`
/// when its caller waits for the answer without a deadline.
#[pyfunction]
fn msg_deadline() -> PyResult<Option<u64>> {
    only(
        "msg_deadline",
        &[Kind::Update, Kind::Query, Kind::CompositeQuery],
        "exists only in a message someone called (an update or a query)",
    )?;
    Ok(ic_cdk::api::msg_deadline().map(u64::from))
}

/// Cycles a call to a method named `method_name_size` bytes with `payload_size` bytes of
/// arguments costs (not counting the cycles it carries).
#[pyfunction]
fn cost_call(method_name_size: u64, payload_size: u64) -> u128 {
    ic_cdk::api::cost_call(method_name_size, payload_size)
}

/// Cycles creating a canister costs.
#[pyfunction]
fn cost_create_canister() -> u128 {
    ic_cdk::api::cost_create_canister()
}

/// Cycles an HTTP outcall of `request_size` bytes with `max_res_bytes` costs.
#[pyfunction]
fn cost_http_request(request_size: u64, max_res_bytes: u64) -> u128 {
    ic_cdk::api::cost_http_request(request_size, max_res_bytes)
}

fn sign_cost(
    api: &str,
    what: &str,
    known: &[&str],
    result: Result<u128, ic_cdk::api::SignCostError>,
) -> PyResult<u128> {
    result.map_err(|e| {
        let why = match e {
            ic_cdk::api::SignCostError::InvalidCurveOrAlgorithm => {
                format!("no such {what}: use one of {}", known.join(", "))
            }
            ic_cdk::api::SignCostError::InvalidKeyName => {
                "no key of that name on this subnet".to_string()
            }
            ic_cdk::api::SignCostError::UnrecognizedError(code) => {
                format!("the system API answered the unknown code {code}")
            }
        };
        PyValueError::new_err(format!("ic.{api}(): {why}"))
    })
}

/// Cycles `sign_with_ecdsa` costs with key `key_name` on `curve` (`"secp256k1"`).
#[pyfunction]
#[pyo3(signature = (key_name, curve = "secp256k1"))]
fn cost_sign_with_ecdsa(key_name: &str, curve: &str) -> PyResult<u128> {
    const CURVES: [&str; 1] = ["secp256k1"];
    let n = position(&CURVES, curve);
    sign_cost(
        "cost_sign_with_ecdsa",
        "curve",
        &CURVES,
        ic_cdk::api::cost_sign_with_ecdsa(key_name, n),
    )
}

/// Cycles `sign_with_schnorr` costs with key `key_name` and `algorithm`
/// (`"bip340secp256k1"` or `"ed25519"`).
#[pyfunction]
fn cost_sign_with_schnorr(key_name: &str, algorithm: &str) -> PyResult<u128> {
    const ALGORITHMS: [&str; 2] = ["bip340secp256k1", "ed25519"];
    let n = position(&ALGORITHMS, algorithm);
    sign_cost(
        "cost_sign_with_schnorr",
        "algorithm",
        &ALGORITHMS,
        ic_cdk::api::cost_sign_with_schnorr(key_name, n),
    )
}

/// Cycles `vetkd_derive_key` costs with key `key_name` on `curve` (`"bls12_381_g2"`).
#[pyfunction]
#[pyo3(signature = (key_name, curve = "bls12_381_g2"))]
fn cost_vetkd_derive_key(key_name: &str, curve: &str) -> PyResult<u128> {
    const CURVES: [&str; 1] = ["bls12_381_g2"];
    let n = position(&CURVES, curve);
    sign_cost(
        "cost_vetkd_derive_key",
        "curve",
        &CURVES,
        ic_cdk::api::cost_vetkd_derive_key(key_name, n),
    )
}

/// The IC's number of `name` among `names` (an unknown name gets one past the end, which the
/// IC answers as an unknown curve or algorithm).
fn position(names: &[&str], name: &str) -> u32 {
    names.iter().position(|n| *n == name).unwrap_or(names.len()) as u32
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(is_controller, m)?)?;
    m.add_function(wrap_pyfunction!(canister_version, m)?)?;
    m.add_function(wrap_pyfunction!(in_replicated_execution, m)?)?;
    m.add_function(wrap_pyfunction!(subnet_self, m)?)?;
    m.add_function(wrap_pyfunction!(root_key, m)?)?;
    m.add_function(wrap_pyfunction!(cycles_burn, m)?)?;
    m.add_function(wrap_pyfunction!(msg_deadline, m)?)?;
    m.add_function(wrap_pyfunction!(cost_call, m)?)?;
    m.add_function(wrap_pyfunction!(cost_create_canister, m)?)?;
    m.add_function(wrap_pyfunction!(cost_http_request, m)?)?;
    m.add_function(wrap_pyfunction!(cost_sign_with_ecdsa, m)?)?;
    m.add_function(wrap_pyfunction!(cost_sign_with_schnorr, m)?)?;
    m.add_function(wrap_pyfunction!(cost_vetkd_derive_key, m)?)?;
    Ok(())
}
