//! ic0 functions of stable memory: the 32-bit `stable_*` (at most 4 GiB) and the 64-bit
//! `stable64_*` functions, bounds-checked against both memories; writes go through
//! [`crate::stable::StableMemory`], which keeps what a trap must undo.

use wasmtime::Caller;

use super::access::{any_but_start, require, violation, Ic0, R};
use crate::host::Host;
use crate::limits::{MAX_STABLE32_PAGES, MAX_STABLE_PAGES};

/// Adds the functions of this theme.
pub fn define(l: &mut Ic0<'_>) -> R<()> {
    l.func("stable_size", |c: Caller<'_, Host>| -> R<u32> {
        require(&c, any_but_start, "stable_size")?;
        let pages = c.data().stable.pages();
        if pages > MAX_STABLE32_PAGES {
            return Err(violation(
                "ic0.stable_size: stable memory is larger than 4 GiB; use the stable64_* functions",
            ));
        }
        Ok(pages as u32)
    })?;
    l.func("stable_grow", |mut c: Caller<'_, Host>, n: u32| -> R<i32> {
        require(&c, any_but_start, "stable_grow")?;
        let pages = c.data().stable.pages();
        if pages > MAX_STABLE32_PAGES {
            return Err(violation(
                "ic0.stable_grow: stable memory is larger than 4 GiB; use the stable64_* functions",
            ));
        }
        if pages + n as u64 > MAX_STABLE32_PAGES {
            return Ok(-1);
        }
        Ok(c.data_mut()
            .stable
            .grow(n as u64)
            .map(|old| old as i32)
            .unwrap_or(-1))
    })?;
    l.func(
        "stable_read",
        |mut c: Caller<'_, Host>, dst: u32, off: u32, size: u32| -> R<()> {
            require(&c, any_but_start, "stable_read")?;
            stable_read(&mut c, "stable_read", dst as u64, off as u64, size as u64)
        },
    )?;
    l.func(
        "stable_write",
        |mut c: Caller<'_, Host>, off: u32, src: u32, size: u32| -> R<()> {
            require(&c, any_but_start, "stable_write")?;
            stable_write(&mut c, "stable_write", off as u64, src as u64, size as u64)
        },
    )?;
    l.func("stable64_size", |c: Caller<'_, Host>| -> R<u64> {
        require(&c, any_but_start, "stable64_size")?;
        Ok(c.data().stable.pages())
    })?;
    l.func(
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
    l.func(
        "stable64_read",
        |mut c: Caller<'_, Host>, dst: u64, off: u64, size: u64| -> R<()> {
            require(&c, any_but_start, "stable64_read")?;
            stable_read(&mut c, "stable64_read", dst, off, size)
        },
    )?;
    l.func(
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
