//! ic0 functions about the canister itself: its id, status and version, controller
//! checks, whether execution is replicated, its subnet (`subnet_self_*`) and the root key
//! (`root_key_*`, replicated execution only), certified data and data certificates, and
//! the debug log (`debug_print`, `trap`).

use candid::Principal;
use wasmtime::Caller;

use super::access::{any_but_start, copy_out, read_mem, require, violation, Ic0, R};
use crate::host::{Api, Host, HostTrap};
use crate::limits::{MAX_CERTIFIED_DATA_BYTES, MAX_LOG_LINE_BYTES};

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func("canister_self_size", |c: Caller<'_, Host>| -> R<u32> {
        Ok(c.data().canister_id.as_slice().len() as u32)
    })?;
    l.func(
        "canister_self_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            copy_out(&mut c, "canister_self_copy", dst, off, size, |h| {
                h.canister_id.as_slice()
            })
        },
    )?;
    l.func("canister_status", |c: Caller<'_, Host>| -> R<u32> {
        Ok(c.data().status)
    })?;
    l.func("canister_version", |c: Caller<'_, Host>| -> R<u64> {
        Ok(c.data().canister_version)
    })?;
    l.func(
        "is_controller",
        |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<u32> {
            require(&c, any_but_start, "is_controller")?;
            if size > 29 {
                return Err(violation(format!(
                    "ic0.is_controller: invalid principal of {size} bytes (at most 29)"
                )));
            }
            let bytes = read_mem(&mut c, src, size, "is_controller")?;
            let p = Principal::try_from_slice(&bytes)
                .map_err(|e| violation(format!("ic0.is_controller: invalid principal: {e}")))?;
            Ok(c.data().controllers.contains(&p) as u32)
        },
    )?;
    l.func("in_replicated_execution", |c: Caller<'_, Host>| -> R<u32> {
        Ok(replicated(c.data()) as u32)
    })?;
    l.func("subnet_self_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, any_but_start, "subnet_self_size")?;
        Ok(subnet_id(c.data(), "subnet_self_size")?.as_slice().len() as u32)
    })?;
    l.func(
        "subnet_self_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, any_but_start, "subnet_self_copy")?;
            subnet_id(c.data(), "subnet_self_copy")?;
            copy_out(&mut c, "subnet_self_copy", dst, off, size, |h| {
                h.subnet.id.as_ref().map_or(&[][..], Principal::as_slice)
            })
        },
    )?;
    l.func("subnet_self_node_count", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, any_but_start, "subnet_self_node_count")?;
        // The local replica is one node (its HTTP outcalls cost a one-node subnet's fee).
        Ok(1)
    })?;
    l.func("root_key_size", |c: Caller<'_, Host>| -> R<u32> {
        Ok(root_key(c.data(), "root_key_size")?.len() as u32)
    })?;
    l.func(
        "root_key_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            root_key(c.data(), "root_key_copy")?;
            copy_out(&mut c, "root_key_copy", dst, off, size, |h| {
                h.subnet.root_key.as_deref().unwrap_or_default()
            })
        },
    )?;
    l.func("certified_data_set", |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
        require(&c, Api::mutates, "certified_data_set")?;
        if size as usize > MAX_CERTIFIED_DATA_BYTES {
            return Err(violation(format!("ic0.certified_data_set: data of {size} bytes exceeds the limit of {MAX_CERTIFIED_DATA_BYTES}")));
        }
        let bytes = read_mem(&mut c, src, size, "certified_data_set")?;
        c.data_mut().certified_data = bytes;
        Ok(())
    })?;
    l.func(
        "data_certificate_present",
        |c: Caller<'_, Host>| -> R<u32> { Ok(c.data().ctx.data_certificate.is_some() as u32) },
    )?;
    l.func("data_certificate_size", |c: Caller<'_, Host>| -> R<u32> {
        match &c.data().ctx.data_certificate {
            Some(cert) => Ok(cert.len() as u32),
            None => Err(violation("ic0.data_certificate_size: no certificate is present (only in non-replicated queries)")),
        }
    })?;
    l.func("data_certificate_copy", |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
        if c.data().ctx.data_certificate.is_none() {
            return Err(violation("ic0.data_certificate_copy: no certificate is present (only in non-replicated queries)"));
        }
        copy_out(&mut c, "data_certificate_copy", dst, off, size, |h| h.ctx.data_certificate.as_deref().unwrap_or(&[]))
    })?;
    l.func(
        "debug_print",
        |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
            let size = size.min(MAX_LOG_LINE_BYTES as u32);
            // A debug_print with a bad address prints nothing, as on the IC.
            let Ok(bytes) = read_mem(&mut c, src, size, "debug_print") else {
                return Ok(());
            };
            let host = c.data_mut();
            if host.echo_logs {
                eprintln!(
                    "[Canister {}] {}",
                    host.canister_id,
                    String::from_utf8_lossy(&bytes)
                );
            }
            host.ctx.logs.push(bytes);
            Ok(())
        },
    )?;
    l.func(
        "trap",
        |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
            let size = size.min(MAX_LOG_LINE_BYTES as u32);
            let msg = read_mem(&mut c, src, size, "trap")
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            Err(wasmtime::Error::new(HostTrap::Explicit(msg)))
        },
    )?;
    Ok(())
}

/// Whether the running message executes on every node (not a query called as a query).
fn replicated(h: &Host) -> bool {
    let non_replicated = matches!(
        h.ctx.api,
        Api::Query | Api::InspectMessage | Api::CompositeQuery
    ) || h.ctx.call.composite;
    !non_replicated
}

fn subnet_id(h: &Host, f: &str) -> R<Principal> {
    h.subnet.id.ok_or_else(|| {
        violation(format!(
            "ic0.{f}: this replica does not know its subnet id yet (the embedder sets it: Replica::set_subnet_id)"
        ))
    })
}

fn root_key<'h>(h: &'h Host, f: &str) -> R<&'h [u8]> {
    if !replicated(h) {
        return Err(violation(format!(
            "\"ic0_{f}\" cannot be executed in non-replicated execution (a query called as a query)"
        )));
    }
    h.subnet.root_key.as_deref().ok_or_else(|| {
        violation(format!(
            "ic0.{f}: this replica has no root key: it signs no certificates unless it is served over HTTP (kybra start)"
        ))
    })
}
