//! ic0 functions that report what things cost (`cost_create_canister`, `cost_call`,
//! `cost_http_request`, and the threshold operations' `cost_sign_with_ecdsa`,
//! `cost_sign_with_schnorr`, `cost_vetkd_derive_key`), from the same formulas the replica
//! charges ([`crate::fees`]). A threshold cost with an unknown curve or algorithm returns 1,
//! with an unknown key name 2, as on the IC, and writes nothing.

use wasmtime::Caller;

use super::access::{read_mem, write_u128, Ic0, R};
use crate::fees;
use crate::host::Host;

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func(
        "cost_create_canister",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            write_u128(&mut c, "cost_create_canister", dst, fees::CREATE_CANISTER)
        },
    )?;
    l.func(
        "cost_call",
        |mut c: Caller<'_, Host>, name: u64, payload: u64, dst: u32| -> R<()> {
            let cost = fees::call(name, payload);
            write_u128(&mut c, "cost_call", dst, cost)
        },
    )?;
    l.func(
        "cost_http_request",
        |mut c: Caller<'_, Host>, req: u64, res: u64, dst: u32| -> R<()> {
            write_u128(
                &mut c,
                "cost_http_request",
                dst,
                fees::http_request(req, res),
            )
        },
    )?;
    // (name, how many curves or algorithms it knows: ECDSA secp256k1; Schnorr
    // bip340secp256k1 and ed25519; vetKD bls12_381_g2)
    for (name, kinds) in [
        ("cost_sign_with_ecdsa", 1),
        ("cost_sign_with_schnorr", 2),
        ("cost_vetkd_derive_key", 1),
    ] {
        l.func(
            name,
            move |mut c: Caller<'_, Host>, src: u32, size: u32, kind: u32, dst: u32| -> R<u32> {
                let key = read_mem(&mut c, src, size, name)?;
                match fees::threshold(&key, kind, kinds) {
                    Ok(cost) => write_u128(&mut c, name, dst, cost).map(|()| 0),
                    Err(code) => Ok(code),
                }
            },
        )?;
    }
    Ok(())
}
