//! ic0 functions about cycles: the balance (`canister_cycle_balance*`), burning, and the
//! cycles a message was sent with (`msg_cycles_available*`, accepted in updates and
//! callbacks with `msg_cycles_accept*`, and in callbacks `msg_cycles_refunded*`).

use wasmtime::Caller;

use super::access::{require, violation, write_u128, Ic0, R};
use crate::host::{Api, Host};

fn in_callback(a: Api) -> bool {
    matches!(a, Api::ReplyCallback | Api::RejectCallback)
}

fn accepts_cycles(a: Api) -> bool {
    matches!(
        a,
        Api::Update | Api::ReplicatedQuery | Api::ReplyCallback | Api::RejectCallback
    )
}

/// Takes up to `max` of the available cycles into the balance; returns how many.
fn accept(c: &mut Caller<'_, Host>, f: &str, max: u128) -> R<u128> {
    require(c, accepts_cycles, f)?;
    let host = c.data_mut();
    let n = max.min(host.ctx.call.available);
    host.ctx.call.available -= n;
    host.cycles += n;
    Ok(n)
}

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func(
        "cycles_burn128",
        |mut c: Caller<'_, Host>, hi: u64, lo: u64, dst: u32| -> R<()> {
            let want = ((hi as u128) << 64) | lo as u128;
            let burnt = if c.data().ctx.api.mutates() {
                want.min(c.data().cycles)
            } else {
                0
            };
            c.data_mut().cycles -= burnt;
            write_u128(&mut c, "cycles_burn128", dst, burnt)
        },
    )?;
    l.func(
        "canister_cycle_balance128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            let v = c.data().cycles;
            write_u128(&mut c, "canister_cycle_balance128", dst, v)
        },
    )?;
    l.func(
        "canister_liquid_cycle_balance128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            let v = c.data().cycles;
            write_u128(&mut c, "canister_liquid_cycle_balance128", dst, v)
        },
    )?;
    l.func("canister_cycle_balance", |c: Caller<'_, Host>| -> R<u64> {
        let v = c.data().cycles;
        if v > u64::MAX as u128 {
            return Err(violation("ic0.canister_cycle_balance: the balance does not fit in 64 bits; use canister_cycle_balance128"));
        }
        Ok(v as u64)
    })?;
    l.func(
        "msg_cycles_available128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            require(&c, accepts_cycles, "msg_cycles_available128")?;
            let v = c.data().ctx.call.available;
            write_u128(&mut c, "msg_cycles_available128", dst, v)
        },
    )?;
    l.func("msg_cycles_available", |c: Caller<'_, Host>| -> R<u64> {
        require(&c, accepts_cycles, "msg_cycles_available")?;
        Ok(c.data().ctx.call.available.min(u64::MAX as u128) as u64)
    })?;
    l.func(
        "msg_cycles_refunded128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            require(&c, in_callback, "msg_cycles_refunded128")?;
            let v = c.data().ctx.call.refunded;
            write_u128(&mut c, "msg_cycles_refunded128", dst, v)
        },
    )?;
    l.func("msg_cycles_refunded", |c: Caller<'_, Host>| -> R<u64> {
        require(&c, in_callback, "msg_cycles_refunded")?;
        Ok(c.data().ctx.call.refunded.min(u64::MAX as u128) as u64)
    })?;
    l.func(
        "msg_cycles_accept128",
        |mut c: Caller<'_, Host>, hi: u64, lo: u64, dst: u32| -> R<()> {
            let n = accept(
                &mut c,
                "msg_cycles_accept128",
                ((hi as u128) << 64) | lo as u128,
            )?;
            write_u128(&mut c, "msg_cycles_accept128", dst, n)
        },
    )?;
    l.func(
        "msg_cycles_accept",
        |mut c: Caller<'_, Host>, max: u64| -> R<u64> {
            Ok(accept(&mut c, "msg_cycles_accept", max as u128)? as u64)
        },
    )?;
    Ok(())
}
