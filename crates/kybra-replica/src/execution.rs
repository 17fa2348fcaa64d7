//! One installed module's live instance and how a message runs on it: fuel as the
//! instruction counter, and atomicity — the heap as of the last committed message is kept
//! (`backup`), and while a message runs the pages it writes are tracked
//! ([`crate::write_tracking`]); a trap (or a query, which never persists) restores exactly
//! those pages, the mutable globals and stable memory, including the heap's size (by
//! re-instantiating when the heap grew), and a commit copies only those pages, so a
//! message costs the same on a heap of any size (when tracking is unavailable, the whole
//! heap is compared and copied instead).
//! A commit notes the heap's changed 4 KiB pages for the journal ([`Execution::take_changes`]),
//! and an instance can be rebuilt from a saved heap and globals ([`Execution::from_saved`]).
//! A message is an exported function ([`Execution::run`]) or an entry of the function
//! table ([`Execution::run_callback`]: a call's reply/reject/cleanup callback); a rollback
//! also restores the canister's cycles, certified data and global timer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use candid::Principal;
use wasmtime::{Global, Instance, Linker, Memory, Module, Store, Trap, Val};

use crate::error::Reject;
use crate::host::{Api, Ctx, Host, HostTrap, Response};
use crate::limits::WASM_PAGE_BYTES;
use crate::module::{PreparedModule, GLOBAL_EXPORT_PREFIX};
use crate::pages::{commit_pages, PageSet, PAGE_BYTES};
use crate::system_api;
use crate::write_tracking::WriteTracker;

/// A module instantiated for a canister, kept between messages.
pub struct Execution {
    pub store: Store<Host>,
    instance: Instance,
    module: Module,
    linker: Linker<Host>,
    pub prepared: Arc<PreparedModule>,
    memory: Option<Memory>,
    globals: Vec<Global>,
    /// The heap as of the last committed message (reused buffer).
    backup: Vec<u8>,
    global_backup: Vec<Val>,
    /// Unique per installed code (install, upgrade, restore), so persistence can tell a
    /// new module instance from the same one.
    pub serial: u64,
    /// The canister-level fields ic0 can change, as at the start of the running message.
    host_backup: HostBackup,
    /// Heap pages changed by commits since the last [`Self::take_changes`].
    dirty: PageSet,
    /// Whether a message committed since the last [`Self::take_changes`].
    committed: bool,
    tracker: WriteTracker,
    /// The heap pages written since the last commit or rollback — by one run, or by several
    /// left pending (a composite query's messages) — or `None` when some were not tracked
    /// (then the whole heap is compared or copied).
    written: Option<PageSet>,
}

static NEXT_SERIAL: AtomicU64 = AtomicU64::new(1);

/// The result of running one exported function.
pub struct Outcome {
    /// `Ok(None)`: returned without replying.
    pub result: Result<Option<Response>, Reject>,
    pub instructions: u64,
    /// `debug_print` lines (and the trap message, if any) to log.
    pub logs: Vec<Vec<u8>>,
}

/// How to treat state changes of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persist {
    /// Keep them if the run succeeds (updates, init, upgrades).
    OnSuccess,
    /// Always discard them (queries).
    Never,
    /// Leave them pending: the caller ends with [`Execution::rollback_pending`] or drops
    /// the execution (a `canister_pre_upgrade` whose upgrade may still fail).
    Pending,
}

impl Execution {
    /// Instantiates `module` (running its start function, if any, under `fuel`).
    pub fn instantiate(
        engine: &wasmtime::Engine,
        module: Module,
        prepared: Arc<PreparedModule>,
        host: Host,
        fuel: u64,
    ) -> Result<(Execution, u64), Reject> {
        let id = host.canister_id;
        let mut linker = system_api::linker(engine);
        system_api::add_unsupported_stubs(&mut linker, &module)
            .map_err(|e| Reject::invalid_module(format!("{e:#}")))?;
        let mut store = system_api::new_store(engine, host);
        store.set_fuel(fuel).expect("fuel is enabled");
        store.data_mut().ctx.fuel_limit = fuel;
        let instance = match linker.instantiate(&mut store, &module) {
            Ok(i) => i,
            Err(e) => return Err(classify(&id, &e, fuel).0),
        };
        let used = system_api::instructions_used(&store);
        let memory = system_api::find_memory(&mut store, &instance);
        store.data_mut().memory = memory;
        let globals = mutable_globals(&mut store, &instance, &prepared);
        let mut exec = Execution {
            store,
            instance,
            module,
            linker,
            prepared,
            memory,
            globals,
            backup: Vec::new(),
            global_backup: Vec::new(),
            host_backup: HostBackup::default(),
            serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
            dirty: PageSet::default(),
            committed: false,
            tracker: WriteTracker::default(),
            written: Some(PageSet::default()),
        };
        exec.tracker.install(&mut exec.store);
        exec.snapshot();
        Ok((exec, used))
    }

    /// An instance of `module` whose heap and mutable globals are `heap` and `globals`
    /// (as saved by persistence); `host` carries stable memory and the rest.
    pub fn from_saved(
        engine: &wasmtime::Engine,
        module: Module,
        prepared: Arc<PreparedModule>,
        host: Host,
        heap: &[u8],
        globals: &[Option<Val>],
    ) -> Result<Execution, String> {
        let mut linker = system_api::linker(engine);
        system_api::add_unsupported_stubs(&mut linker, &module).map_err(|e| format!("{e:#}"))?;
        let (mut store, instance, memory, globals_now) =
            fresh_instance(&linker, &module, &prepared, host, heap.len())?;
        if let Some(m) = memory {
            m.data_mut(&mut store).copy_from_slice(heap);
        } else if !heap.is_empty() {
            return Err("the saved heap does not fit a module without memory".into());
        }
        if globals.len() != globals_now.len() {
            return Err(format!(
                "{} mutable globals were saved, the module has {}",
                globals.len(),
                globals_now.len()
            ));
        }
        for (g, v) in globals_now.iter().zip(globals) {
            if let Some(v) = v {
                g.set(&mut store, *v).map_err(|e| format!("{e:#}"))?;
            }
        }
        let mut exec = Execution {
            store,
            instance,
            module,
            linker,
            prepared,
            memory,
            globals: globals_now,
            backup: Vec::new(),
            global_backup: Vec::new(),
            host_backup: HostBackup::default(),
            serial: NEXT_SERIAL.fetch_add(1, Ordering::Relaxed),
            dirty: PageSet::default(),
            committed: false,
            tracker: WriteTracker::default(),
            written: Some(PageSet::default()),
        };
        exec.tracker.install(&mut exec.store);
        exec.snapshot();
        Ok(exec)
    }

    /// The heap as of the last committed message.
    pub fn committed_heap(&self) -> &[u8] {
        &self.backup
    }

    /// The mutable globals as of the last committed message.
    pub fn committed_globals(&self) -> &[Val] {
        &self.global_backup
    }

    /// If a message committed since the last call: the heap pages it changed (ascending).
    pub fn take_changes(&mut self) -> Option<Vec<usize>> {
        let pages = self.dirty.take();
        std::mem::replace(&mut self.committed, false).then_some(pages)
    }

    pub fn host(&self) -> &Host {
        self.store.data()
    }

    pub fn host_mut(&mut self) -> &mut Host {
        self.store.data_mut()
    }

    /// Heap size in bytes.
    pub fn heap_bytes(&self) -> u64 {
        self.memory
            .map(|m| m.data_size(&self.store) as u64)
            .unwrap_or(0)
    }

    /// Records the current heap and globals as the committed state.
    fn snapshot(&mut self) {
        if let Some(m) = self.memory {
            let data = m.data(&self.store);
            self.backup.clear();
            self.backup.extend_from_slice(data);
        }
        self.global_backup = self
            .globals
            .iter()
            .map(|g| g.get(&mut self.store))
            .collect();
    }

    /// Restores heap and globals to the committed state: the pages the run wrote, or the
    /// whole heap when those are not known or the heap's size changed.
    fn restore(&mut self) {
        let mut written = self.written.replace(PageSet::default());
        if let Some(m) = self.memory {
            if m.data_size(&self.store) != self.backup.len() {
                self.reinstantiate();
                written = None;
            } else if written.is_none() {
                self.tracker.release();
            }
        }
        if let Some(m) = self.memory {
            let pages = written.map(|mut w| w.take());
            if let Some(pages) = &pages {
                // Pages of earlier pending runs were protected again since they were written.
                self.tracker.make_writable(pages);
            }
            let heap = m.data_mut(&mut self.store);
            match pages {
                Some(pages) => {
                    for p in pages {
                        let range = page_range(p, heap.len());
                        heap[range.clone()].copy_from_slice(&self.backup[range]);
                    }
                }
                None => heap.copy_from_slice(&self.backup),
            }
        }
        for (g, v) in self.globals.iter().zip(&self.global_backup) {
            g.set(&mut self.store, *v).expect("a global keeps its type");
        }
    }

    /// A fresh instance whose heap has the committed size (wasm memories cannot shrink).
    fn reinstantiate(&mut self) {
        let engine = self.store.engine().clone();
        let placeholder = Store::new(&engine, Host::placeholder());
        let host = std::mem::replace(&mut self.store, placeholder).into_data();
        let (store, instance, memory, globals) = fresh_instance(
            &self.linker,
            &self.module,
            &self.prepared,
            host,
            self.backup.len(),
        )
        .expect("a module that instantiated once instantiates again");
        self.globals = globals;
        self.memory = memory;
        self.instance = instance;
        self.store = store;
        self.tracker.forget();
        self.tracker.install(&mut self.store);
    }

    /// Runs the exported function `export` in context `ctx` with `ctx.fuel_limit` fuel.
    pub fn run(&mut self, export: &str, ctx: Ctx, persist: Persist) -> Outcome {
        let export = export.to_string();
        self.run_with(ctx, persist, move |store, instance| {
            let func = instance
                .get_typed_func::<(), ()>(&mut *store, &export)
                .map_err(|e| {
                    wasmtime::Error::new(HostTrap::Violation(format!(
                        "export '{export}' is not a function of no arguments and no results: {e}"
                    )))
                })?;
            func.call(store, ())
        })
    }

    /// Runs entry `fun` of the module's function table with argument `env` (a call's
    /// reply/reject callback or cleanup function, `(env : i32) -> ()`), as [`Self::run`].
    pub fn run_callback(&mut self, fun: u32, env: u32, ctx: Ctx, persist: Persist) -> Outcome {
        self.run_with(ctx, persist, move |store, instance| {
            let bad = |why: String| {
                wasmtime::Error::new(HostTrap::Violation(format!(
                    "callback {fun} of the function table: {why}"
                )))
            };
            let table = instance
                .get_table(&mut *store, crate::module::TABLE_EXPORT)
                .ok_or_else(|| bad("the module has no function table".into()))?;
            let func = table
                .get(&mut *store, fun as u64)
                .and_then(|r| r.as_func().flatten().copied())
                .ok_or_else(|| bad("no function at this index".into()))?;
            let typed = func
                .typed::<i32, ()>(&*store)
                .map_err(|e| bad(format!("not a function (i32) -> (): {e}")))?;
            typed.call(store, env as i32)
        })
    }

    fn run_with(
        &mut self,
        ctx: Ctx,
        persist: Persist,
        body: impl FnOnce(&mut Store<Host>, &Instance) -> Result<(), wasmtime::Error>,
    ) -> Outcome {
        let id = self.host().canister_id;
        let limit = ctx.fuel_limit;
        self.store.data_mut().ctx = ctx;
        self.store.data_mut().stable.begin();
        self.host_backup = HostBackup::of(self.store.data());
        self.store.set_fuel(limit).expect("fuel is enabled");
        let instance = self.instance;
        let armed = self.memory.map(|m| {
            let (base, len) = (m.data_ptr(&self.store), m.data_size(&self.store));
            self.tracker.arm(base, len)
        });
        let call = body(&mut self.store, &instance);
        let written = match (self.memory, armed) {
            (Some(m), Some(true)) => self.tracker.disarm(m.data_ptr(&self.store)),
            _ => None,
        };
        self.written = match (self.written.take(), written) {
            (Some(mut before), Some(now)) => {
                before.union(&now);
                Some(before)
            }
            _ => None,
        };
        let instructions = system_api::instructions_used(&self.store);
        let mut logs = std::mem::take(&mut self.store.data_mut().ctx.logs);
        let result = match call {
            Ok(()) => {
                let response = self.store.data_mut().ctx.response.take();
                match persist {
                    Persist::OnSuccess => self.commit(),
                    Persist::Never => self.rollback(),
                    Persist::Pending => {}
                }
                Ok(response)
            }
            Err(e) => {
                let (reject, log) = classify(&id, &e, limit);
                logs.push(log.into_bytes());
                self.rollback();
                Err(reject)
            }
        };
        Outcome {
            result,
            instructions,
            logs,
        }
    }

    fn commit(&mut self) {
        self.store.data_mut().stable.commit();
        let written = self.written.replace(PageSet::default());
        if let Some(m) = self.memory {
            let heap = m.data(&self.store);
            match written {
                Some(mut pages) if heap.len() == self.backup.len() => {
                    for p in pages.take() {
                        let range = page_range(p, heap.len());
                        if self.backup[range.clone()] != heap[range.clone()] {
                            self.backup[range.clone()].copy_from_slice(&heap[range]);
                            self.dirty.insert(p);
                        }
                    }
                }
                _ => commit_pages(&mut self.backup, heap, &mut self.dirty),
            }
        }
        self.global_backup = self
            .globals
            .iter()
            .map(|g| g.get(&mut self.store))
            .collect();
        self.committed = true;
    }

    /// Undoes the changes of a run with [`Persist::Pending`].
    pub fn rollback_pending(&mut self) {
        self.rollback();
    }

    fn rollback(&mut self) {
        self.store.data_mut().stable.rollback();
        self.host_backup.restore(self.store.data_mut());
        self.restore();
    }
}

/// The bytes of 4 KiB page `p` in a heap of `len` bytes.
fn page_range(p: usize, len: usize) -> std::ops::Range<usize> {
    p * PAGE_BYTES..len.min((p + 1) * PAGE_BYTES)
}

/// What a rolled-back message must give back besides memory: cycles (burnt, accepted or
/// attached to calls), certified data and the global timer.
#[derive(Default)]
struct HostBackup {
    cycles: u128,
    certified_data: Vec<u8>,
    global_timer: u64,
}

impl HostBackup {
    fn of(h: &Host) -> Self {
        HostBackup {
            cycles: h.cycles,
            certified_data: h.certified_data.clone(),
            global_timer: h.global_timer,
        }
    }

    fn restore(&self, h: &mut Host) {
        h.cycles = self.cycles;
        h.certified_data.clone_from(&self.certified_data);
        h.global_timer = self.global_timer;
    }
}

/// Turns a wasmtime error into the IC's reject, and the log line the IC records.
fn classify(id: &Principal, e: &wasmtime::Error, limit: u64) -> (Reject, String) {
    if let Some(t) = e.downcast_ref::<HostTrap>() {
        return match t {
            HostTrap::Explicit(msg) => (Reject::explicit_trap(id, msg), format!("[TRAP]: {msg}")),
            HostTrap::Violation(msg) => (
                Reject::contract_violation(id, msg),
                format!("[TRAP]: {msg}"),
            ),
            HostTrap::Unsupported(_) => (Reject::trapped(id, t), format!("[TRAP]: {t}")),
        };
    }
    if let Some(trap) = e.downcast_ref::<Trap>() {
        if *trap == Trap::OutOfFuel {
            return (
                Reject::instruction_limit(id, limit),
                format!("[TRAP]: exceeded the limit of {limit} instructions"),
            );
        }
        let reason = match trap {
            Trap::UnreachableCodeReached => "unreachable".to_string(),
            Trap::MemoryOutOfBounds => "heap out of bounds".to_string(),
            Trap::IntegerDivisionByZero => "integer division by 0".to_string(),
            Trap::IntegerOverflow => "integer overflow".to_string(),
            Trap::StackOverflow => "stack overflow".to_string(),
            Trap::TableOutOfBounds => "table out of bounds".to_string(),
            Trap::IndirectCallToNull => "indirect call to null".to_string(),
            Trap::BadSignature => "indirect call signature mismatch".to_string(),
            Trap::BadConversionToInteger => "invalid conversion to integer".to_string(),
            other => other.to_string(),
        };
        return (Reject::trapped(id, &reason), format!("[TRAP]: {reason}"));
    }
    // Link errors (an ic0 import with the wrong type) and other engine errors.
    let msg = format!("{e:#}");
    if msg.contains("incompatible import type") || msg.contains("unknown import") {
        return (Reject::invalid_module(&msg), msg);
    }
    (Reject::trapped(id, &msg), format!("[TRAP]: {msg}"))
}

/// A new instance, its memory and its mutable globals.
type Fresh = (Store<Host>, Instance, Option<Memory>, Vec<Global>);

/// The instance's mutable globals, through the exports the replica added for them
/// ([`GLOBAL_EXPORT_PREFIX`]), in `prepared.mutable_globals` order.
fn mutable_globals(
    store: &mut Store<Host>,
    instance: &Instance,
    prepared: &PreparedModule,
) -> Vec<Global> {
    prepared
        .mutable_globals
        .iter()
        .map(|g| {
            instance
                .get_global(&mut *store, &format!("{GLOBAL_EXPORT_PREFIX}{g}"))
                .expect("the replica exported every mutable global")
        })
        .collect()
}

/// Instantiates `module` afresh for `host` (its start function runs with ample fuel) and
/// grows its heap to `heap_len` bytes: the instance, its memory and mutable globals.
fn fresh_instance(
    linker: &Linker<Host>,
    module: &Module,
    prepared: &PreparedModule,
    mut host: Host,
    heap_len: usize,
) -> Result<Fresh, String> {
    let engine = module.engine();
    host.memory = None;
    host.ctx = Ctx::new(
        Api::Start,
        Principal::anonymous(),
        "",
        Vec::new(),
        host.ctx.time,
        u64::MAX / 4,
    );
    let echo = std::mem::replace(&mut host.echo_logs, false);
    let mut store = system_api::new_store(engine, host);
    store.set_fuel(u64::MAX / 4).expect("fuel is enabled");
    let instance = linker
        .instantiate(&mut store, module)
        .map_err(|e| format!("cannot instantiate the module: {e:#}"))?;
    store.data_mut().echo_logs = echo;
    let memory = system_api::find_memory(&mut store, &instance);
    if let Some(memory) = memory {
        let pages = (heap_len as u64 / WASM_PAGE_BYTES).saturating_sub(memory.size(&store));
        memory
            .grow(&mut store, pages)
            .map_err(|e| format!("cannot grow the heap to {heap_len} bytes: {e:#}"))?;
        if memory.data_size(&store) != heap_len {
            return Err(format!(
                "the heap has {} bytes, not the {heap_len} expected",
                memory.data_size(&store)
            ));
        }
        store.data_mut().memory = Some(memory);
    }
    let globals = mutable_globals(&mut store, &instance, prepared);
    Ok((store, instance, memory, globals))
}
