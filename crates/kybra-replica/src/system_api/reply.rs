//! ic0 functions that answer the call: `msg_reply_data_append`, `msg_reply` and
//! `msg_reject`, each allowed once per call context and only where a message may reply,
//! with the IC's 2 MiB bound on replies and reject messages.

use wasmtime::Caller;

use super::access::{read_mem, require, violation, Ic0, R};
use crate::host::{Api, Host, Response};
use crate::limits::MAX_MESSAGE_BYTES;

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func("msg_reply_data_append", |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
        require(&c, Api::replies, "msg_reply_data_append")?;
        if c.data().ctx.response.is_some() || c.data().ctx.call.responded {
            return Err(violation("msg_reply_data_append may only be invoked before canister responds"));
        }
        let total = c.data().ctx.reply.len() + size as usize;
        if total > MAX_MESSAGE_BYTES {
            return Err(violation(format!(
                "ic0.msg_reply_data_append: application payload size ({total}) cannot be larger than {MAX_MESSAGE_BYTES}"
            )));
        }
        let bytes = read_mem(&mut c, src, size, "msg_reply_data_append")?;
        c.data_mut().ctx.reply.extend_from_slice(&bytes);
        Ok(())
    })?;
    l.func("msg_reply", |mut c: Caller<'_, Host>| -> R<()> {
        require(&c, Api::replies, "msg_reply")?;
        let ctx = &mut c.data_mut().ctx;
        if ctx.response.is_some() || ctx.call.responded {
            return Err(violation("ic0.msg_reply: the call is already replied"));
        }
        ctx.response = Some(Response::Reply(std::mem::take(&mut ctx.reply)));
        Ok(())
    })?;
    l.func("msg_reject", |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
        require(&c, Api::replies, "msg_reject")?;
        if c.data().ctx.response.is_some() || c.data().ctx.call.responded {
            return Err(violation("ic0.msg_reject: the call is already replied"));
        }
        if size as usize > MAX_MESSAGE_BYTES {
            return Err(violation(format!("ic0.msg_reject: reject message size ({size}) cannot be larger than {MAX_MESSAGE_BYTES}")));
        }
        let bytes = read_mem(&mut c, src, size, "msg_reject")?;
        c.data_mut().ctx.response = Some(Response::Reject(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(())
    })?;
    Ok(())
}
