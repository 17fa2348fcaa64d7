//! ic0 functions about the message itself: its argument, caller and method name,
//! `accept_message` (inspect_message only), the deadline, and in callbacks the reject code
//! and message of the call that came back.

use wasmtime::Caller;

use super::access::{any_but_start, copy_out, require, violation, Ic0, R};
use crate::host::{Api, Host};

fn in_callback(a: Api) -> bool {
    matches!(a, Api::ReplyCallback | Api::RejectCallback)
}

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func("msg_arg_data_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, Api::has_arg, "msg_arg_data_size")?;
        Ok(c.data().ctx.arg.len() as u32)
    })?;
    l.func(
        "msg_arg_data_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, Api::has_arg, "msg_arg_data_copy")?;
            copy_out(&mut c, "msg_arg_data_copy", dst, off, size, |h| &h.ctx.arg)
        },
    )?;
    l.func("msg_caller_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, any_but_start, "msg_caller_size")?;
        Ok(c.data().ctx.caller.as_slice().len() as u32)
    })?;
    l.func(
        "msg_caller_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, any_but_start, "msg_caller_copy")?;
            copy_out(&mut c, "msg_caller_copy", dst, off, size, |h| {
                h.ctx.caller.as_slice()
            })
        },
    )?;
    l.func("msg_method_name_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, |a| a == Api::InspectMessage, "msg_method_name_size")?;
        Ok(c.data().ctx.method.len() as u32)
    })?;
    l.func(
        "msg_method_name_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, |a| a == Api::InspectMessage, "msg_method_name_copy")?;
            copy_out(&mut c, "msg_method_name_copy", dst, off, size, |h| {
                h.ctx.method.as_bytes()
            })
        },
    )?;
    l.func("accept_message", |mut c: Caller<'_, Host>| -> R<()> {
        require(&c, |a| a == Api::InspectMessage, "accept_message")?;
        if c.data().ctx.accepted {
            return Err(violation(
                "ic0.accept_message: the message was already accepted",
            ));
        }
        c.data_mut().ctx.accepted = true;
        Ok(())
    })?;
    l.func("msg_deadline", |c: Caller<'_, Host>| -> R<u64> {
        Ok(c.data().ctx.call.deadline)
    })?;
    l.func("msg_reject_code", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, in_callback, "msg_reject_code")?;
        Ok(c.data().ctx.call.reject.as_ref().map_or(0, |r| r.0))
    })?;
    l.func("msg_reject_msg_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, |a| a == Api::RejectCallback, "msg_reject_msg_size")?;
        Ok(c.data()
            .ctx
            .call
            .reject
            .as_ref()
            .map_or(0, |r| r.1.len() as u32))
    })?;
    l.func(
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
    Ok(())
}
