//! The `ic0` System API: the host functions a canister module imports, with the IC's
//! per-context availability rules and bounds checks (a violation traps, as on the IC).
//! [`Host`] is the wasmtime store's data: the canister's own state that ic0 can change
//! (stable memory, certified data, global timer) and the context of the running message.
//! Functions of the interface spec that the replica does not implement yet are linked
//! to a stub that traps with "ic0.X is not supported by the kybra replica yet".

use candid::Principal;
use wasmtime::{Caller, Extern, FuncType, Linker, Memory, Module, Store};

use crate::limits::*;
use crate::stable::StableMemory;

/// The kinds of execution context, which decide what ic0 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// The module's `start` function.
    Start,
    Init,
    PreUpgrade,
    PostUpgrade,
    Update,
    /// A query executed as an update (replicated): its changes persist.
    ReplicatedQuery,
    /// A non-replicated query: its changes are discarded.
    Query,
    /// `canister_heartbeat` and `canister_global_timer` (run by `Replica::tick`).
    Heartbeat,
    GlobalTimer,
    InspectMessage,
    /// `canister_composite_query` (non-replicated; may call queries).
    CompositeQuery,
    /// A call's reply callback (`Ry`; `CRy` when `Ctx::call.composite`).
    ReplyCallback,
    /// A call's reject callback (`Rt`; `CRt` when `Ctx::call.composite`).
    RejectCallback,
    /// A call's `call_on_cleanup` function, after a callback trapped.
    Cleanup,
}

impl Api {
    pub(crate) fn replies(self) -> bool {
        matches!(
            self,
            Api::Update
                | Api::ReplicatedQuery
                | Api::Query
                | Api::CompositeQuery
                | Api::ReplyCallback
                | Api::RejectCallback
        )
    }
    fn has_arg(self) -> bool {
        matches!(
            self,
            Api::Init
                | Api::CompositeQuery
                | Api::ReplyCallback
                | Api::PostUpgrade
                | Api::Update
                | Api::ReplicatedQuery
                | Api::Query
                | Api::InspectMessage
        )
    }
    pub(crate) fn mutates(self) -> bool {
        !matches!(
            self,
            Api::Query | Api::InspectMessage | Api::Start | Api::CompositeQuery
        )
    }
    pub(crate) fn name(self) -> &'static str {
        match self {
            Api::Start => "start",
            Api::Init => "init",
            Api::PreUpgrade => "pre_upgrade",
            Api::PostUpgrade => "post_upgrade",
            Api::Update => "update",
            Api::ReplicatedQuery => "replicated query",
            Api::Query => "query",
            Api::Heartbeat => "heartbeat",
            Api::GlobalTimer => "global timer",
            Api::InspectMessage => "inspect_message",
            Api::CompositeQuery => "composite query",
            Api::ReplyCallback => "reply callback",
            Api::RejectCallback => "reject callback",
            Api::Cleanup => "cleanup",
        }
    }
}

/// What a message answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Reply(Vec<u8>),
    Reject(String),
}

/// Why host code stopped the canister: turned into the IC's rejects by the executor.
#[derive(Debug, thiserror::Error)]
pub enum HostTrap {
    /// `ic0.trap`.
    #[error("{0}")]
    Explicit(String),
    /// A System API contract violation (bad bounds, call in the wrong context, ...).
    #[error("{0}")]
    Violation(String),
    /// An ic0 function the replica does not implement yet.
    #[error("ic0.{0} is not supported by the kybra replica yet")]
    Unsupported(String),
}

/// The running message's context.
#[derive(Debug)]
pub struct Ctx {
    pub api: Api,
    pub caller: Principal,
    pub arg: Vec<u8>,
    pub method: String,
    pub time: u64,
    pub reply: Vec<u8>,
    pub response: Option<Response>,
    pub accepted: bool,
    /// `debug_print` lines of this message.
    pub logs: Vec<Vec<u8>>,
    /// Fuel given to this message: `performance_counter` = limit - remaining.
    pub fuel_limit: u64,
    pub data_certificate: Option<Vec<u8>>,
    /// Inter-canister call state of this message ([`crate::calls`]).
    pub call: crate::calls::MessageCalls,
}

impl Ctx {
    pub fn new(
        api: Api,
        caller: Principal,
        method: &str,
        arg: Vec<u8>,
        time: u64,
        fuel_limit: u64,
    ) -> Self {
        Ctx {
            api,
            caller,
            arg,
            method: method.to_string(),
            time,
            reply: Vec::new(),
            response: None,
            accepted: false,
            logs: Vec::new(),
            fuel_limit,
            data_certificate: None,
            call: Default::default(),
        }
    }
}

/// The store data of a canister's instance.
pub struct Host {
    pub canister_id: Principal,
    pub controllers: Vec<Principal>,
    pub cycles: u128,
    /// 1 running, 2 stopping, 3 stopped (`ic0.canister_status`).
    pub status: u32,
    pub canister_version: u64,
    pub stable: StableMemory,
    pub certified_data: Vec<u8>,
    pub global_timer: u64,
    pub memory: Option<Memory>,
    pub ctx: Ctx,
    /// Print `debug_print` lines to stderr (like dfx's replica).
    pub echo_logs: bool,
}

pub(crate) type R<T> = Result<T, wasmtime::Error>;

pub(crate) fn violation(msg: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::new(HostTrap::Violation(msg.into()))
}

pub(crate) fn require(caller: &Caller<'_, Host>, ok: impl Fn(Api) -> bool, f: &str) -> R<()> {
    let api = caller.data().ctx.api;
    if ok(api) {
        Ok(())
    } else {
        Err(violation(format!(
            "\"ic0_{f}\" cannot be executed in {} mode",
            api.name()
        )))
    }
}

pub(crate) fn any_but_start(a: Api) -> bool {
    a != Api::Start
}

/// Reads `size` bytes at `src` of the canister's memory.
pub(crate) fn read_mem(caller: &mut Caller<'_, Host>, src: u32, size: u32, f: &str) -> R<Vec<u8>> {
    let memory = caller
        .data()
        .memory
        .ok_or_else(|| violation(format!("{f}: the canister has no memory")))?;
    let data = memory.data(&*caller);
    let (s, e) = (src as usize, src as usize + size as usize);
    if e > data.len() {
        return Err(violation(format!(
            "{f}: src={src} + length={size} exceeds the heap size {}",
            data.len()
        )));
    }
    Ok(data[s..e].to_vec())
}

/// The `*_copy(dst, offset, size)` pattern: copies `source(host)[offset..offset+size]`
/// to the canister's memory at `dst`.
pub(crate) fn copy_out(
    caller: &mut Caller<'_, Host>,
    f: &str,
    dst: u32,
    offset: u32,
    size: u32,
    source: impl Fn(&Host) -> &[u8],
) -> R<()> {
    let memory = caller
        .data()
        .memory
        .ok_or_else(|| violation(format!("{f}: the canister has no memory")))?;
    let (mem, host) = memory.data_and_store_mut(&mut *caller);
    let src = source(host);
    let (o, n, d) = (offset as usize, size as usize, dst as usize);
    if o + n > src.len() {
        return Err(violation(format!(
            "{f}: offset {o} + size {n} exceeds the source's length {}",
            src.len()
        )));
    }
    if d + n > mem.len() {
        return Err(violation(format!(
            "{f}: dst={d} + size={n} exceeds the heap size {}",
            mem.len()
        )));
    }
    mem[d..d + n].copy_from_slice(&src[o..o + n]);
    Ok(())
}

pub(crate) fn write_mem(caller: &mut Caller<'_, Host>, f: &str, dst: u32, bytes: &[u8]) -> R<()> {
    let memory = caller
        .data()
        .memory
        .ok_or_else(|| violation(format!("{f}: the canister has no memory")))?;
    let mem = memory.data_mut(&mut *caller);
    let d = dst as usize;
    if d + bytes.len() > mem.len() {
        return Err(violation(format!(
            "{f}: dst={d} + size={} exceeds the heap size {}",
            bytes.len(),
            mem.len()
        )));
    }
    mem[d..d + bytes.len()].copy_from_slice(bytes);
    Ok(())
}

pub(crate) fn write_u128(caller: &mut Caller<'_, Host>, f: &str, dst: u32, v: u128) -> R<()> {
    write_mem(caller, f, dst, &v.to_le_bytes())
}

/// Instructions used so far by the running message.
pub fn instructions_used(store: &impl wasmtime::AsContext<Data = Host>) -> u64 {
    let ctx = store.as_context();
    let remaining = ctx.get_fuel().unwrap_or(0);
    ctx.data().ctx.fuel_limit.saturating_sub(remaining)
}

/// The names this module implements (with [`crate::calls::ic0::IMPLEMENTED`]; everything
/// else from `ic0` becomes a trap stub).
pub const IMPLEMENTED: &[&str] = &[
    "msg_arg_data_size",
    "msg_arg_data_copy",
    "msg_caller_size",
    "msg_caller_copy",
    "msg_reply_data_append",
    "msg_reply",
    "msg_reject",
    "msg_method_name_size",
    "msg_method_name_copy",
    "accept_message",
    "msg_deadline",
    "cycles_burn128",
    "canister_self_size",
    "canister_self_copy",
    "canister_cycle_balance128",
    "canister_cycle_balance",
    "canister_liquid_cycle_balance128",
    "canister_status",
    "canister_version",
    "debug_print",
    "trap",
    "time",
    "global_timer_set",
    "performance_counter",
    "is_controller",
    "in_replicated_execution",
    "stable_size",
    "stable_grow",
    "stable_read",
    "stable_write",
    "stable64_size",
    "stable64_grow",
    "stable64_read",
    "stable64_write",
    "certified_data_set",
    "data_certificate_present",
    "data_certificate_size",
    "data_certificate_copy",
    "cost_create_canister",
    "cost_call",
    "cost_http_request",
];

/// A linker with every implemented ic0 function.
pub fn linker(engine: &wasmtime::Engine) -> Linker<Host> {
    let mut l: Linker<Host> = Linker::new(engine);
    define(&mut l).expect("ic0 functions are defined once each");
    crate::calls::ic0::define(&mut l).expect("ic0 functions are defined once each");
    l
}

/// Adds a trapping stub for each `ic0` import of `module` the replica does not implement.
pub fn add_unsupported_stubs(linker: &mut Linker<Host>, module: &Module) -> R<()> {
    for import in module.imports() {
        if import.module() != "ic0"
            || IMPLEMENTED.contains(&import.name())
            || crate::calls::ic0::IMPLEMENTED.contains(&import.name())
        {
            continue;
        }
        if let wasmtime::ExternType::Func(ty) = import.ty() {
            let name = import.name().to_string();
            let ty: FuncType = ty.clone();
            linker.allow_shadowing(true);
            linker.func_new(
                "ic0",
                import.name(),
                ty,
                move |_caller, _params, _results| {
                    Err(wasmtime::Error::new(HostTrap::Unsupported(name.clone())))
                },
            )?;
        }
    }
    Ok(())
}

fn define(l: &mut Linker<Host>) -> R<()> {
    // --- message data ---
    l.func_wrap(
        "ic0",
        "msg_arg_data_size",
        |c: Caller<'_, Host>| -> R<u32> {
            require(&c, Api::has_arg, "msg_arg_data_size")?;
            Ok(c.data().ctx.arg.len() as u32)
        },
    )?;
    l.func_wrap(
        "ic0",
        "msg_arg_data_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, Api::has_arg, "msg_arg_data_copy")?;
            copy_out(&mut c, "msg_arg_data_copy", dst, off, size, |h| &h.ctx.arg)
        },
    )?;
    l.func_wrap("ic0", "msg_caller_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, any_but_start, "msg_caller_size")?;
        Ok(c.data().ctx.caller.as_slice().len() as u32)
    })?;
    l.func_wrap(
        "ic0",
        "msg_caller_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, any_but_start, "msg_caller_copy")?;
            copy_out(&mut c, "msg_caller_copy", dst, off, size, |h| {
                h.ctx.caller.as_slice()
            })
        },
    )?;
    l.func_wrap(
        "ic0",
        "msg_method_name_size",
        |c: Caller<'_, Host>| -> R<u32> {
            require(&c, |a| a == Api::InspectMessage, "msg_method_name_size")?;
            Ok(c.data().ctx.method.len() as u32)
        },
    )?;
    l.func_wrap(
        "ic0",
        "msg_method_name_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, |a| a == Api::InspectMessage, "msg_method_name_copy")?;
            copy_out(&mut c, "msg_method_name_copy", dst, off, size, |h| {
                h.ctx.method.as_bytes()
            })
        },
    )?;
    l.func_wrap(
        "ic0",
        "accept_message",
        |mut c: Caller<'_, Host>| -> R<()> {
            require(&c, |a| a == Api::InspectMessage, "accept_message")?;
            if c.data().ctx.accepted {
                return Err(violation(
                    "ic0.accept_message: the message was already accepted",
                ));
            }
            c.data_mut().ctx.accepted = true;
            Ok(())
        },
    )?;
    l.func_wrap("ic0", "msg_deadline", |_c: Caller<'_, Host>| -> R<u64> {
        Ok(0)
    })?;

    // --- replies ---
    l.func_wrap("ic0", "msg_reply_data_append", |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
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
    l.func_wrap("ic0", "msg_reply", |mut c: Caller<'_, Host>| -> R<()> {
        require(&c, Api::replies, "msg_reply")?;
        let ctx = &mut c.data_mut().ctx;
        if ctx.response.is_some() || ctx.call.responded {
            return Err(violation("ic0.msg_reply: the call is already replied"));
        }
        ctx.response = Some(Response::Reply(std::mem::take(&mut ctx.reply)));
        Ok(())
    })?;
    l.func_wrap("ic0", "msg_reject", |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
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

    // --- cycles (the message-level ones are in crate::calls::ic0) ---
    l.func_wrap(
        "ic0",
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
    l.func_wrap(
        "ic0",
        "canister_cycle_balance128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            let v = c.data().cycles;
            write_u128(&mut c, "canister_cycle_balance128", dst, v)
        },
    )?;
    l.func_wrap(
        "ic0",
        "canister_liquid_cycle_balance128",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            let v = c.data().cycles;
            write_u128(&mut c, "canister_liquid_cycle_balance128", dst, v)
        },
    )?;
    l.func_wrap("ic0", "canister_cycle_balance", |c: Caller<'_, Host>| -> R<u64> {
        let v = c.data().cycles;
        if v > u64::MAX as u128 {
            return Err(violation("ic0.canister_cycle_balance: the balance does not fit in 64 bits; use canister_cycle_balance128"));
        }
        Ok(v as u64)
    })?;
    l.func_wrap(
        "ic0",
        "cost_create_canister",
        |mut c: Caller<'_, Host>, dst: u32| -> R<()> {
            write_u128(&mut c, "cost_create_canister", dst, 500_000_000_000)
        },
    )?;
    l.func_wrap(
        "ic0",
        "cost_call",
        |mut c: Caller<'_, Host>, name: u64, payload: u64, dst: u32| -> R<()> {
            let cost = 260_000u128 + 1_000 * (name as u128 + payload as u128);
            write_u128(&mut c, "cost_call", dst, cost)
        },
    )?;
    l.func_wrap(
        "ic0",
        "cost_http_request",
        |mut c: Caller<'_, Host>, req: u64, res: u64, dst: u32| -> R<()> {
            write_u128(
                &mut c,
                "cost_http_request",
                dst,
                crate::outcalls::cost(req, res),
            )
        },
    )?;

    // --- the canister ---
    l.func_wrap(
        "ic0",
        "canister_self_size",
        |c: Caller<'_, Host>| -> R<u32> { Ok(c.data().canister_id.as_slice().len() as u32) },
    )?;
    l.func_wrap(
        "ic0",
        "canister_self_copy",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            copy_out(&mut c, "canister_self_copy", dst, off, size, |h| {
                h.canister_id.as_slice()
            })
        },
    )?;
    l.func_wrap("ic0", "canister_status", |c: Caller<'_, Host>| -> R<u32> {
        Ok(c.data().status)
    })?;
    l.func_wrap("ic0", "canister_version", |c: Caller<'_, Host>| -> R<u64> {
        Ok(c.data().canister_version)
    })?;
    l.func_wrap(
        "ic0",
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
    l.func_wrap(
        "ic0",
        "in_replicated_execution",
        |c: Caller<'_, Host>| -> R<u32> {
            let ctx = &c.data().ctx;
            let non_replicated = matches!(
                ctx.api,
                Api::Query | Api::InspectMessage | Api::CompositeQuery
            ) || ctx.call.composite;
            Ok(!non_replicated as u32)
        },
    )?;
    l.func_wrap("ic0", "certified_data_set", |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
        require(&c, Api::mutates, "certified_data_set")?;
        if size as usize > MAX_CERTIFIED_DATA_BYTES {
            return Err(violation(format!("ic0.certified_data_set: data of {size} bytes exceeds the limit of {MAX_CERTIFIED_DATA_BYTES}")));
        }
        let bytes = read_mem(&mut c, src, size, "certified_data_set")?;
        c.data_mut().certified_data = bytes;
        Ok(())
    })?;
    l.func_wrap(
        "ic0",
        "data_certificate_present",
        |c: Caller<'_, Host>| -> R<u32> { Ok(c.data().ctx.data_certificate.is_some() as u32) },
    )?;
    l.func_wrap("ic0", "data_certificate_size", |c: Caller<'_, Host>| -> R<u32> {
        match &c.data().ctx.data_certificate {
            Some(cert) => Ok(cert.len() as u32),
            None => Err(violation("ic0.data_certificate_size: no certificate is present (only in non-replicated queries)")),
        }
    })?;
    l.func_wrap("ic0", "data_certificate_copy", |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
        if c.data().ctx.data_certificate.is_none() {
            return Err(violation("ic0.data_certificate_copy: no certificate is present (only in non-replicated queries)"));
        }
        copy_out(&mut c, "data_certificate_copy", dst, off, size, |h| h.ctx.data_certificate.as_deref().unwrap_or(&[]))
    })?;

    // --- debugging ---
    l.func_wrap(
        "ic0",
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
    l.func_wrap(
        "ic0",
        "trap",
        |mut c: Caller<'_, Host>, src: u32, size: u32| -> R<()> {
            let size = size.min(MAX_LOG_LINE_BYTES as u32);
            let msg = read_mem(&mut c, src, size, "trap")
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            Err(wasmtime::Error::new(HostTrap::Explicit(msg)))
        },
    )?;

    // --- time, timers, counters ---
    l.func_wrap("ic0", "time", |c: Caller<'_, Host>| -> R<u64> {
        require(&c, any_but_start, "time")?;
        Ok(c.data().ctx.time)
    })?;
    l.func_wrap(
        "ic0",
        "global_timer_set",
        |mut c: Caller<'_, Host>, t: u64| -> R<u64> {
            require(&c, Api::mutates, "global_timer_set")?;
            Ok(std::mem::replace(&mut c.data_mut().global_timer, t))
        },
    )?;
    l.func_wrap("ic0", "performance_counter", |c: Caller<'_, Host>, kind: u32| -> R<u64> {
        match kind {
            0 | 1 => Ok(instructions_used(&c)),
            other => Err(violation(format!("ic0.performance_counter: unknown counter type {other} (0: message, 1: call context)"))),
        }
    })?;

    // --- stable memory ---
    l.func_wrap("ic0", "stable_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, any_but_start, "stable_size")?;
        let pages = c.data().stable.pages();
        if pages > MAX_STABLE32_PAGES {
            return Err(violation(
                "ic0.stable_size: stable memory is larger than 4 GiB; use the stable64_* functions",
            ));
        }
        Ok(pages as u32)
    })?;
    l.func_wrap("ic0", "stable_grow", |mut c: Caller<'_, Host>, n: u32| -> R<i32> {
        require(&c, any_but_start, "stable_grow")?;
        let pages = c.data().stable.pages();
        if pages > MAX_STABLE32_PAGES {
            return Err(violation("ic0.stable_grow: stable memory is larger than 4 GiB; use the stable64_* functions"));
        }
        if pages + n as u64 > MAX_STABLE32_PAGES {
            return Ok(-1);
        }
        Ok(c.data_mut().stable.grow(n as u64).map(|old| old as i32).unwrap_or(-1))
    })?;
    l.func_wrap(
        "ic0",
        "stable_read",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, any_but_start, "stable_read")?;
            stable_read(&mut c, "stable_read", dst as u64, off as u64, size as u64)
        },
    )?;
    l.func_wrap(
        "ic0",
        "stable_write",
        |mut c: Caller<'_, Host>, off: u32, src: u32, size: u32| -> R<()> {
            require(&c, any_but_start, "stable_write")?;
            stable_write(&mut c, "stable_write", off as u64, src as u64, size as u64)
        },
    )?;
    l.func_wrap("ic0", "stable64_size", |c: Caller<'_, Host>| -> R<u64> {
        require(&c, any_but_start, "stable64_size")?;
        Ok(c.data().stable.pages())
    })?;
    l.func_wrap(
        "ic0",
        "stable64_grow",
        |mut c: Caller<'_, Host>, n: u64| -> R<i64> {
            require(&c, any_but_start, "stable64_grow")?;
            let pages = c.data().stable.pages();
            if pages.saturating_add(n) > MAX_STABLE_PAGES {
                return Ok(-1);
            }
            Ok(c.data_mut()
                .stable
                .grow(n)
                .map(|old| old as i64)
                .unwrap_or(-1))
        },
    )?;
    l.func_wrap(
        "ic0",
        "stable64_read",
        |mut c: Caller<'_, Host>, dst: u64, off: u64, size: u64| -> R<()> {
            require(&c, any_but_start, "stable64_read")?;
            stable_read(&mut c, "stable64_read", dst, off, size)
        },
    )?;
    l.func_wrap(
        "ic0",
        "stable64_write",
        |mut c: Caller<'_, Host>, off: u64, src: u64, size: u64| -> R<()> {
            require(&c, any_but_start, "stable64_write")?;
            stable_write(&mut c, "stable64_write", off, src, size)
        },
    )?;
    Ok(())
}

fn stable_read(c: &mut Caller<'_, Host>, f: &str, dst: u64, off: u64, size: u64) -> R<()> {
    let memory = c
        .data()
        .memory
        .ok_or_else(|| violation(format!("{f}: the canister has no memory")))?;
    let (mem, host) = memory.data_and_store_mut(&mut *c);
    let stable = host.stable.bytes();
    if off
        .checked_add(size)
        .is_none_or(|e| e > stable.len() as u64)
    {
        return Err(violation(format!(
            "{f}: stable memory out of bounds (offset {off} + size {size} > {})",
            stable.len()
        )));
    }
    if dst.checked_add(size).is_none_or(|e| e > mem.len() as u64) {
        return Err(violation(format!(
            "{f}: heap out of bounds (dst {dst} + size {size} > {})",
            mem.len()
        )));
    }
    let (d, o, n) = (dst as usize, off as usize, size as usize);
    mem[d..d + n].copy_from_slice(&stable[o..o + n]);
    Ok(())
}

fn stable_write(c: &mut Caller<'_, Host>, f: &str, off: u64, src: u64, size: u64) -> R<()> {
    let memory = c
        .data()
        .memory
        .ok_or_else(|| violation(format!("{f}: the canister has no memory")))?;
    let (mem, host) = memory.data_and_store_mut(&mut *c);
    let len = host.stable.bytes().len() as u64;
    if off.checked_add(size).is_none_or(|e| e > len) {
        return Err(violation(format!(
            "{f}: stable memory out of bounds (offset {off} + size {size} > {len})"
        )));
    }
    if src.checked_add(size).is_none_or(|e| e > mem.len() as u64) {
        return Err(violation(format!(
            "{f}: heap out of bounds (src {src} + size {size} > {})",
            mem.len()
        )));
    }
    host.stable
        .write(off as usize, &mem[src as usize..(src + size) as usize]);
    Ok(())
}

/// A fresh store for a canister instance.
pub fn new_store(engine: &wasmtime::Engine, host: Host) -> Store<Host> {
    Store::new(engine, host)
}

/// The memory of an instance, if it has one (exported by the module or by the replica).
pub fn find_memory(store: &mut Store<Host>, instance: &wasmtime::Instance) -> Option<Memory> {
    if let Some(Extern::Memory(m)) = instance.get_export(&mut *store, crate::module::MEMORY_EXPORT)
    {
        return Some(m);
    }
    let exports: Vec<_> = instance
        .exports(&mut *store)
        .filter_map(|e| e.into_memory())
        .collect();
    exports.into_iter().next()
}
