//! The `ic0` functions of inter-canister calls and of the messages that take part in them
//! (interface specification, "Inter-canister method calls" and "Cycles"), with the spec's
//! availability per context: calls may be made from updates, composite queries, callbacks,
//! timers and heartbeats; `msg_reject_code` only in callbacks, `msg_reject_msg_*` only in
//! reject callbacks; cycles are accepted in updates and callbacks. A call attaches cycles
//! by taking them from the balance at once (given back if the call is not performed, and
//! by the rollback if the message traps).

use candid::Principal;
use wasmtime::{Caller, Linker};

use super::OutgoingCall;
use crate::limits::MAX_MESSAGE_BYTES;
use crate::system_api::{copy_out, read_mem, require, violation, write_u128, Api, Host, R};

/// The names this module implements.
pub const IMPLEMENTED: &[&str] = &[
    "call_new",
    "call_on_cleanup",
    "call_data_append",
    "call_cycles_add",
    "call_cycles_add128",
    "call_with_best_effort_response",
    "call_perform",
    "msg_reject_code",
    "msg_reject_msg_size",
    "msg_reject_msg_copy",
    "msg_cycles_available128",
    "msg_cycles_refunded128",
    "msg_cycles_accept128",
    "msg_cycles_available",
    "msg_cycles_refunded",
    "msg_cycles_accept",
];

fn can_call(a: Api) -> bool {
    matches!(
        a,
        Api::Update
            | Api::CompositeQuery
            | Api::ReplyCallback
            | Api::RejectCallback
            | Api::GlobalTimer
            | Api::Heartbeat
    )
}

fn in_callback(a: Api) -> bool {
    matches!(a, Api::ReplyCallback | Api::RejectCallback)
}

fn accepts_cycles(a: Api) -> bool {
    matches!(
        a,
        Api::Update | Api::ReplicatedQuery | Api::ReplyCallback | Api::RejectCallback
    )
}

fn building<'a>(c: &'a mut Caller<'_, Host>, f: &str) -> R<&'a mut OutgoingCall> {
    c.data_mut().ctx.call.building.as_mut().ok_or_else(|| {
        violation(format!(
            "ic0.{f}: no call is being built (call ic0.call_new first)"
        ))
    })
}

/// Moves `amount` cycles from the balance into the call being built.
fn add_cycles(c: &mut Caller<'_, Host>, f: &str, amount: u128) -> R<()> {
    require(c, can_call, f)?;
    building(c, f)?;
    let host = c.data_mut();
    if host.cycles < amount {
        return Err(violation(format!(
            "ic0.{f}: cannot attach {amount} cycles: the balance is only {}",
            host.cycles
        )));
    }
    host.cycles -= amount;
    let call = host.ctx.call.building.as_mut().expect("checked above");
    call.cycles += amount;
    Ok(())
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

/// Drops a call being built: its cycles go back to the balance.
pub fn discard_building(host: &mut Host) {
    if let Some(call) = host.ctx.call.building.take() {
        host.cycles += call.cycles;
    }
}

pub fn define(l: &mut Linker<Host>) -> R<()> {
    l.func_wrap(
        "ic0",
        "call_new",
        |mut c: Caller<'_, Host>,
         callee_src: u32,
         callee_size: u32,
         name_src: u32,
         name_size: u32,
         reply_fun: u32,
         reply_env: u32,
         reject_fun: u32,
         reject_env: u32|
         -> R<()> {
            require(&c, can_call, "call_new")?;
            let callee = read_mem(&mut c, callee_src, callee_size, "call_new")?;
            let callee = Principal::try_from_slice(&callee)
                .map_err(|e| violation(format!("ic0.call_new: invalid callee: {e}")))?;
            let name = read_mem(&mut c, name_src, name_size, "call_new")?;
            let method = String::from_utf8(name)
                .map_err(|_| violation("ic0.call_new: the method name is not UTF-8"))?;
            discard_building(c.data_mut());
            c.data_mut().ctx.call.building = Some(OutgoingCall {
                callee,
                method,
                arg: Vec::new(),
                cycles: 0,
                reply: (reply_fun, reply_env),
                reject: (reject_fun, reject_env),
                cleanup: None,
            });
            Ok(())
        },
    )?;
    l.func_wrap(
        "ic0",
        "call_on_cleanup",
        |mut c: Caller<'_, Host>, fun: u32, env: u32| -> R<()> {
            require(&c, can_call, "call_on_cleanup")?;
            let call = building(&mut c, "call_on_cleanup")?;
            if call.cleanup.is_some() {
                return Err(violation("ic0.call_on_cleanup: called twice for one call"));
            }
            call.cleanup = Some((fun, env));
            Ok(())
        },
    )?;
    l.func_wrap(
        "ic0",
        "call_data_append",
        |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
            require(&c, can_call, "call_data_append")?;
            building(&mut c, "call_data_append")?;
            let bytes = read_mem(&mut c, src, size, "call_data_append")?;
            let call = building(&mut c, "call_data_append")?;
            if call.arg.len() + bytes.len() > MAX_MESSAGE_BYTES {
                return Err(violation(format!(
                    "ic0.call_data_append: the call's payload would exceed {MAX_MESSAGE_BYTES} bytes"
                )));
            }
            call.arg.extend_from_slice(&bytes);
            Ok(())
        },
    )?;
    l.func_wrap(
        "ic0",
        "call_cycles_add",
        |mut c: Caller<'_, Host>, amount: u64| -> R<()> {
            add_cycles(&mut c, "call_cycles_add", amount as u128)
        },
    )?;
    l.func_wrap(
        "ic0",
        "call_cycles_add128",
        |mut c: Caller<'_, Host>, hi: u64, lo: u64| -> R<()> {
            add_cycles(
                &mut c,
                "call_cycles_add128",
                ((hi as u128) << 64) | lo as u128,
            )
        },
    )?;
    l.func_wrap(
        "ic0",
        "call_with_best_effort_response",
        |mut c: Caller<'_, Host>, _timeout_seconds: u32| -> R<()> {
            require(&c, can_call, "call_with_best_effort_response")?;
            // Accepted; responses here always arrive, so the deadline never expires.
            building(&mut c, "call_with_best_effort_response").map(|_| ())
        },
    )?;
    l.func_wrap("ic0", "call_perform", |mut c: Caller<'_, Host>| -> R<u32> {
        require(&c, can_call, "call_perform")?;
        building(&mut c, "call_perform")?;
        let ctx = &mut c.data_mut().ctx.call;
        let call = ctx.building.take().expect("checked above");
        ctx.performed.push(call);
        Ok(0)
    })?;

    l.func_wrap("ic0", "msg_reject_code", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, in_callback, "msg_reject_code")?;
        Ok(c.data().ctx.call.reject.as_ref().map_or(0, |r| r.0))
    })?;
    l.func_wrap(
        "ic0",
        "msg_reject_msg_size",
        |c: Caller<'_, Host>| -> R<u32> {
            require(&c, |a| a == Api::RejectCallback, "msg_reject_msg_size")?;
            Ok(c.data()
                .ctx
                .call
                .reject
                .as_ref()
                .map_or(0, |r| r.1.len() as u32))
        },
    )?;
    l.func_wrap(
        "ic0",
        "msg_reject_msg_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, |a| a == Api::RejectCallback, "msg_reject_msg_copy")?;
            copy_out(&mut c, "msg_reject_msg_copy", dst, off, size, |h| {
                h.ctx
                    .call
                    .reject
                    .as_ref()
                    .map_or(&[][..], |r| r.1.as_bytes())
            })
        },
    )?;

    l.func_wrap(
        "ic0",
        "msg_cycles_available128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            require(&c, accepts_cycles, "msg_cycles_available128")?;
            let v = c.data().ctx.call.available;
            write_u128(&mut c, "msg_cycles_available128", dst, v)
        },
    )?;
    l.func_wrap(
        "ic0",
        "msg_cycles_available",
        |c: Caller<'_, Host>| -> R<u64> {
            require(&c, accepts_cycles, "msg_cycles_available")?;
            Ok(c.data().ctx.call.available.min(u64::MAX as u128) as u64)
        },
    )?;
    l.func_wrap(
        "ic0",
        "msg_cycles_refunded128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            require(&c, in_callback, "msg_cycles_refunded128")?;
            let v = c.data().ctx.call.refunded;
            write_u128(&mut c, "msg_cycles_refunded128", dst, v)
        },
    )?;
    l.func_wrap(
        "ic0",
        "msg_cycles_refunded",
        |c: Caller<'_, Host>| -> R<u64> {
            require(&c, in_callback, "msg_cycles_refunded")?;
            Ok(c.data().ctx.call.refunded.min(u64::MAX as u128) as u64)
        },
    )?;
    l.func_wrap(
        "ic0",
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
    l.func_wrap(
        "ic0",
        "msg_cycles_accept",
        |mut c: Caller<'_, Host>, max: u64| -> R<u64> {
            Ok(accept(&mut c, "msg_cycles_accept", max as u128)? as u64)
        },
    )?;
    Ok(())
}
