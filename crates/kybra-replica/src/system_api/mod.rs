//! The `ic0` System API: the host functions a canister module imports, with the IC's
//! per-context availability rules and bounds checks (a violation traps, as on the IC).
//! One module per theme — [`msg`], [`reply`], [`cycles`], [`call`], [`canister`],
//! [`stable`], [`time`], [`costs`] — each adding its functions to one linker
//! ([`access::Ic0`]); [`implemented`] is what that linker holds. Functions of the interface
//! spec that the replica does not implement yet are linked to a stub that traps with
//! "ic0.X is not supported by the kybra replica yet".

mod access;
pub mod call;
mod canister;
mod costs;
mod cycles;
mod msg;
mod reply;
mod stable;
mod time;

use std::sync::OnceLock;

use wasmtime::{Extern, FuncType, Linker, Memory, Module, Store};

use access::Ic0;
pub use access::{instructions_used, R};

use crate::host::{Host, HostTrap};
use crate::module::MEMORY_EXPORT;

/// Adds every implemented ic0 function to `linker`; returns their names.
fn define_all(linker: &mut Linker<Host>) -> Vec<&'static str> {
    let mut l = Ic0::new(linker);
    let themes: [fn(&mut Ic0<'_>) -> R<()>; 8] = [
        msg::define,
        reply::define,
        cycles::define,
        call::define,
        canister::define,
        stable::define,
        time::define,
        costs::define,
    ];
    for define in themes {
        define(&mut l).expect("ic0 functions are defined once each");
    }
    l.names
}

/// A linker with every implemented ic0 function.
pub fn linker(engine: &wasmtime::Engine) -> Linker<Host> {
    let mut l: Linker<Host> = Linker::new(engine);
    define_all(&mut l);
    l
}

/// The names of the ic0 functions the replica implements (what [`linker`] defines).
pub fn implemented() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let engine = wasmtime::Engine::default();
        define_all(&mut Linker::new(&engine))
    })
}

/// Adds a trapping stub for each `ic0` import of `module` the replica does not implement.
pub fn add_unsupported_stubs(linker: &mut Linker<Host>, module: &Module) -> R<()> {
    let implemented = implemented();
    for import in module.imports() {
        if import.module() != "ic0" || implemented.contains(&import.name()) {
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

/// A fresh store for a canister instance.
pub fn new_store(engine: &wasmtime::Engine, host: Host) -> Store<Host> {
    Store::new(engine, host)
}

/// The memory of an instance, if it has one (exported by the module or by the replica).
pub fn find_memory(store: &mut Store<Host>, instance: &wasmtime::Instance) -> Option<Memory> {
    if let Some(Extern::Memory(m)) = instance.get_export(&mut *store, MEMORY_EXPORT) {
        return Some(m);
    }
    let exports: Vec<_> = instance
        .exports(&mut *store)
        .filter_map(|e| e.into_memory())
        .collect();
    exports.into_iter().next()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_implemented_list_is_the_linkers() {
        let names = super::implemented();
        assert!(names.len() >= 57, "{names:?}");
        for name in [
            "msg_reply",
            "call_perform",
            "stable64_write",
            "cost_http_request",
        ] {
            assert!(names.contains(&name), "{name} missing from {names:?}");
        }
        let mut sorted = names.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len(), "a function is defined twice");
    }
}
