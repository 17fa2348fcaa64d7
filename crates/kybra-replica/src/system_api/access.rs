//! What every ic0 function needs: [`Ic0`], the linker that records the name of each
//! function it defines (so the list of implemented functions is the linker's, not a second
//! list), the availability check [`require`], traps for contract violations, and bounds-
//! checked copies between the canister's memory and the host.

use wasmtime::{Caller, IntoFunc, Linker};

use crate::host::{Api, Host, HostTrap};

/// A linker being filled with ic0 functions, and the names defined so far.
pub struct Ic0<'a> {
    linker: &'a mut Linker<Host>,
    pub names: Vec<&'static str>,
}

impl<'a> Ic0<'a> {
    pub fn new(linker: &'a mut Linker<Host>) -> Self {
        Ic0 {
            linker,
            names: Vec::new(),
        }
    }

    /// Defines `ic0.<name>` as `f`.
    pub fn func<Params, Results>(
        &mut self,
        name: &'static str,
        f: impl IntoFunc<Host, Params, Results>,
    ) -> R<()> {
        self.linker.func_wrap("ic0", name, f)?;
        self.names.push(name);
        Ok(())
    }
}

pub type R<T> = Result<T, wasmtime::Error>;

pub fn violation(msg: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::new(HostTrap::Violation(msg.into()))
}

pub fn require(caller: &Caller<'_, Host>, ok: impl Fn(Api) -> bool, f: &str) -> R<()> {
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

pub fn any_but_start(a: Api) -> bool {
    a != Api::Start
}

/// Reads `size` bytes at `src` of the canister's memory.
pub fn read_mem(caller: &mut Caller<'_, Host>, src: u32, size: u32, f: &str) -> R<Vec<u8>> {
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
pub fn copy_out(
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

pub fn write_mem(caller: &mut Caller<'_, Host>, f: &str, dst: u32, bytes: &[u8]) -> R<()> {
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

pub fn write_u128(caller: &mut Caller<'_, Host>, f: &str, dst: u32, v: u128) -> R<()> {
    write_mem(caller, f, dst, &v.to_le_bytes())
}

/// Instructions used so far by the running message.
pub fn instructions_used(store: &impl wasmtime::AsContext<Data = Host>) -> u64 {
    let ctx = store.as_context();
    let remaining = ctx.get_fuel().unwrap_or(0);
    ctx.data().ctx.fuel_limit.saturating_sub(remaining)
}
