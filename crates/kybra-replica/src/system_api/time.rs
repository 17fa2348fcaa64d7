//! ic0 functions of time: `time` (fixed for the whole message), the global timer and the
//! performance counter (instructions used, from wasmtime fuel).

use wasmtime::Caller;

use super::access::{any_but_start, instructions_used, require, violation, Ic0, R};
use crate::host::{Api, Host};

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func("time", |c: Caller<'_, Host>| -> R<u64> {
        require(&c, any_but_start, "time")?;
        Ok(c.data().ctx.time)
    })?;
    l.func(
        "global_timer_set",
        |mut c: Caller<'_, Host>, t: u64| -> R<u64> {
            require(&c, Api::mutates, "global_timer_set")?;
            Ok(std::mem::replace(&mut c.data_mut().global_timer, t))
        },
    )?;
    l.func("performance_counter", |c: Caller<'_, Host>, kind: u32| -> R<u64> {
        match kind {
            0 | 1 => Ok(instructions_used(&c)),
            other => Err(violation(format!("ic0.performance_counter: unknown counter type {other} (0: message, 1: call context)"))),
        }
    })?;
    Ok(())
}
