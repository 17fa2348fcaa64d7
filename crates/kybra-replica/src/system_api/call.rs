//! ic0 functions of inter-canister calls (interface specification, "Inter-canister
//! method calls"): `call_new`, `call_on_cleanup`, `call_data_append`, `call_cycles_add*`,
//! `call_with_best_effort_response` and `call_perform`. Calls may be made from updates,
//! composite queries, callbacks, timers and heartbeats. Attaching cycles takes them from
//! the balance at once (given back if the call is not performed, and by the rollback if
//! the message traps); a performed call is sent only if its message commits.

use candid::Principal;
use wasmtime::Caller;

use super::access::{read_mem, require, violation, Ic0, R};
use crate::host::{Api, Host, OutgoingCall};
use crate::limits::MAX_MESSAGE_BYTES;

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

fn building<'a>(c: &'a mut Caller<'_, Host>, f: &str) -> R<&'a mut OutgoingCall> {
    c.data_mut().ctx.call.building.as_mut().ok_or_else(|| {
        violation(format!(
            "ic0.{f}: no call is being built (call ic0.call_new first)"
        ))
    })
}

/// The longest timeout of a best-effort call (the IC's `MAX_CALL_TIMEOUT`).
const MAX_CALL_TIMEOUT_SECONDS: u32 = 300;

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

/// Drops a call being built: its cycles go back to the balance.
pub fn discard_building(host: &mut Host) {
    if let Some(call) = host.ctx.call.building.take() {
        host.cycles += call.cycles;
    }
}

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func(
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
                timeout: None,
            });
            Ok(())
        },
    )?;
    l.func(
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
    l.func("call_data_append",
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
    l.func(
        "call_cycles_add",
        |mut c: Caller<'_, Host>, amount: u64| -> R<()> {
            add_cycles(&mut c, "call_cycles_add", amount as u128)
        },
    )?;
    l.func(
        "call_cycles_add128",
        |mut c: Caller<'_, Host>, hi: u64, lo: u64| -> R<()> {
            add_cycles(
                &mut c,
                "call_cycles_add128",
                ((hi as u128) << 64) | lo as u128,
            )
        },
    )?;
    l.func(
        "call_with_best_effort_response",
        |mut c: Caller<'_, Host>, timeout_seconds: u32| -> R<()> {
            require(&c, can_call, "call_with_best_effort_response")?;
            let call = building(&mut c, "call_with_best_effort_response")?;
            if call.timeout.is_some() {
                return Err(violation(
                    "ic0.call_with_best_effort_response: called twice for one call",
                ));
            }
            // The IC clamps the timeout to 1..=300 seconds. Responses here always arrive
            // before it passes (this replica never drops one), so it only sets the deadline.
            call.timeout = Some(timeout_seconds.clamp(1, MAX_CALL_TIMEOUT_SECONDS));
            Ok(())
        },
    )?;
    l.func("call_perform", |mut c: Caller<'_, Host>| -> R<u32> {
        require(&c, can_call, "call_perform")?;
        building(&mut c, "call_perform")?;
        let ctx = &mut c.data_mut().ctx.call;
        let call = ctx.building.take().expect("checked above");
        ctx.performed.push(call);
        Ok(0)
    })?;
    Ok(())
}
