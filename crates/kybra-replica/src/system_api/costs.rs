//! ic0 functions that report what things cost (`cost_create_canister`, `cost_call`,
//! `cost_http_request`), from the same formulas the replica charges ([`crate::fees`]).

use wasmtime::Caller;

use super::access::{write_u128, Ic0, R};
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
    Ok(())
}
