//! `kybra-replica`: the local Internet Computer as a library.
//!
//! A [`Replica`] owns canisters and the management canister (`aaaaa-aa`) and executes
//! canister code with wasmtime, implementing the `ic0` System API with the IC's
//! semantics: instruction limits (5 B per query, 40 B per update, 300 B per
//! install/upgrade), atomic messages (a trap rolls back heap, globals, stable memory and
//! canister metadata), queries that never persist, the IC's 2 MiB message limits and
//! its reject codes and error codes.
//!
//! All execution happens on one worker thread with a large stack (so callers on small
//! async-runtime stacks are safe); `Replica` is `Send + Sync` and cheap to share in an
//! `Arc`. Canister ids are allocated like dfx's PocketIC-based local network: the first
//! canister is `bkyz2-fmaaa-aaaaa-qaaaq-cai` (see [`ids`]).
//!
//! Besides user canisters, the replica has built-in [`system_canisters`] at their mainnet
//! ids — the cycles minting canister and the cycles ledger — with the few methods tools
//! need to create canisters the mainnet way (`icp deploy`).
//!
//! Canisters call each other (module `calls`: call contexts, callbacks, a FIFO message queue,
//! each message committing on its own; cycles; `raw_rand` and the management canister;
//! composite queries); [`Replica::tick`] runs global timers and heartbeats (see [`timers`]).
//! The management canister also signs with threshold ECDSA (module `threshold`) and makes
//! real outgoing HTTP requests for canisters ([`outcalls`]) without blocking other messages.
//!
//! With [`ReplicaConfig::state_dir`] set ([`Replica::open`]), the state — every canister
//! with its module, memory, settings, chunks and logs, and the id counter — survives
//! restarts and crashes: an update returns only once its changes are on disk
//! (see the `persist` module). Queries change nothing durable.

pub mod bitcoin;
pub(crate) mod calls;
mod canister;
pub mod engine;
mod error;
mod execution;
pub mod ids;
mod limits;
mod logs;
mod management;
mod module;
pub mod outcalls;
mod pages;
mod persist;
mod stable;
mod state;
mod system_api;
pub mod system_canisters;
pub mod testing;
mod threshold;
pub mod timers;

use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex, MutexGuard};

pub use candid::Principal;
pub use error::{Reject, RejectCode};
pub use limits::*;
pub use logs::LogRecord;
pub use persist::PersistError;
pub use timers::TickReport;

use state::State;

/// How the replica's clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeMode {
    /// The host's wall clock (strictly increasing from message to message).
    WallClock,
    /// A fixed time in nanoseconds since the Unix epoch; move it with [`Replica::set_time`].
    Fixed(u64),
}

/// How a replica is set up.
#[derive(Debug, Clone)]
pub struct ReplicaConfig {
    /// Where state is kept (created if missing; one replica at a time). `None`: in memory
    /// only, gone when the replica is dropped.
    pub state_dir: Option<PathBuf>,
    pub time: TimeMode,
}

impl Default for ReplicaConfig {
    fn default() -> Self {
        ReplicaConfig {
            state_dir: None,
            time: TimeMode::WallClock,
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The local IC. See the crate documentation.
pub struct Replica {
    state: Arc<Mutex<State>>,
    worker: Mutex<Option<mpsc::Sender<Job>>>,
    worker_thread: Option<std::thread::JoinHandle<()>>,
}

/// Stack of the execution thread: wasm frames run on it (the wasm stack limit is
/// [`limits::WASM_STACK_BYTES`]), so it has ample room for host frames on top.
const WORKER_STACK_BYTES: usize = 64 << 20;

impl Replica {
    /// A replica as configured: empty, or restored from `config.state_dir`. Compiling
    /// modules uses `$KYBRA_CACHE/wasmtime/` (default `~/.cache/kybra/wasmtime/`) as an
    /// on-disk cache of compiled code.
    ///
    /// Panics if the state folder cannot be opened; use [`Replica::open`] to handle that.
    pub fn new(config: ReplicaConfig) -> Self {
        Replica::open(config).unwrap_or_else(|e| panic!("cannot open the replica's state: {e}"))
    }

    /// Like [`Replica::new`], with an error if the state folder cannot be opened (in use
    /// by another replica, unreadable, damaged).
    pub fn open(config: ReplicaConfig) -> Result<Self, PersistError> {
        let dir = config.state_dir.clone();
        let mut state = State::new(config);
        if let Some(dir) = dir {
            state.persist = Some(persist::Persistence::open(&dir, &mut state)?);
        }
        let state = Arc::new(Mutex::new(state));
        let (tx, rx) = mpsc::channel::<Job>();
        let shared = Arc::clone(&state);
        let worker_thread = std::thread::Builder::new()
            .name("kybra-replica-exec".into())
            .stack_size(WORKER_STACK_BYTES)
            .spawn(move || execution_loop(rx, shared))
            .expect("cannot start the replica's execution thread");
        Ok(Replica {
            state,
            worker: Mutex::new(Some(tx)),
            worker_thread: Some(worker_thread),
        })
    }

    /// Writes a checkpoint of the whole state now and empties the journal (persistent
    /// replicas; a no-op in memory). The replica also does this by itself as the journal
    /// grows, and when it is dropped.
    pub fn checkpoint(&self) -> Result<(), PersistError> {
        self.exec(|s| {
            let (next_index, clock_last) = (s.next_index, s.clock.last());
            match &mut s.persist {
                Some(p) => p.checkpoint(next_index, clock_last, &mut s.canisters),
                None => Ok(()),
            }
        })
        .unwrap_or(Ok(()))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the execution thread with the state locked, and waits for its result,
    /// which is held back until the journal is synced if it depends on unsynced changes.
    /// `None`: those changes could not be made durable.
    fn exec<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut State) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = mpsc::sync_channel(1);
        let state = Arc::clone(&self.state);
        let job: Job = Box::new(move || {
            let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
            let result = f(&mut guard);
            if guard.persist.as_ref().is_some_and(|p| p.waiting()) {
                guard.deferred.push(Box::new(move |durable| {
                    if durable {
                        let _ = tx.send(result);
                    }
                }));
            } else {
                let _ = tx.send(result);
            }
        });
        self.worker
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .expect("replica is shut down")
            .send(job)
            .expect("the replica's execution thread has stopped");
        rx.recv().ok()
    }

    /// An update/ingress message. `canister` may be the management canister
    /// (`Principal::management_canister()`); then `effective_canister_id` names the target
    /// as in the IC HTTP interface. While the call waits for outgoing HTTP requests
    /// ([`outcalls`]), this waits without holding the replica: other messages run meanwhile.
    pub fn update(
        &self,
        sender: Principal,
        canister: Principal,
        effective_canister_id: Option<Principal>,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        let (method, arg) = (method.to_string(), arg.to_vec());
        self.update_waiting_for_outcalls(sender, canister, effective_canister_id, method, arg)
    }

    /// A (non-replicated) query: its state changes are never kept.
    pub fn query(
        &self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        let method = method.to_string();
        let arg = arg.to_vec();
        self.exec(move |s| s.query(sender, canister, &method, arg, None))
            .unwrap_or_else(|| Err(not_saved()))
    }

    /// A non-replicated query that gets a data certificate (`ic0.data_certificate_*`), as
    /// on the IC: `certify` turns the canister's certified data into the certificate (the
    /// embedder holds the keys). Composite queries get none.
    pub fn query_certified(
        &self,
        sender: Principal,
        canister: Principal,
        method: &str,
        arg: &[u8],
        certify: impl FnOnce(&[u8]) -> Vec<u8> + Send + 'static,
    ) -> Result<Vec<u8>, Reject> {
        let method = method.to_string();
        let arg = arg.to_vec();
        let certify: state::Certify = Box::new(certify);
        self.exec(move |s| s.query(sender, canister, &method, arg, Some(certify)))
            .unwrap_or_else(|| Err(not_saved()))
    }

    /// Whether `canister` is a canister of this replica: a user canister or one of the
    /// built-in [`system_canisters`] (which [`Replica::canister_ids`] does not list).
    pub fn canister_exists(&self, canister: Principal) -> bool {
        let state = self.lock();
        state.is_system(&canister) || state.canisters.contains_key(&canister)
    }

    /// sha256 of the module as installed (the gzip bytes, if it was installed gzipped), as the IC.
    pub fn module_hash(&self, canister: Principal) -> Option<[u8; 32]> {
        self.lock().canisters.get(&canister)?.module_hash()
    }

    pub fn controllers(&self, canister: Principal) -> Option<Vec<Principal>> {
        Some(self.lock().canisters.get(&canister)?.controllers.clone())
    }

    /// The custom section `icp:public NAME` or `icp:private NAME` of the installed module.
    pub fn metadata(&self, canister: Principal, name: &str) -> Option<Vec<u8>> {
        self.lock()
            .canisters
            .get(&canister)?
            .metadata(name)
            .map(|m| m.content.clone())
    }

    /// Whether metadata `name` is public (`icp:public`); `None` if there is no such section.
    pub fn metadata_is_public(&self, canister: Principal, name: &str) -> Option<bool> {
        self.lock()
            .canisters
            .get(&canister)?
            .metadata(name)
            .map(|m| m.public)
    }

    /// `debug_print` lines and traps of the canister, oldest first.
    pub fn logs(&self, canister: Principal) -> Vec<LogRecord> {
        self.lock()
            .canisters
            .get(&canister)
            .map(|c| c.logs.records())
            .unwrap_or_default()
    }

    /// The replica's current time (nanoseconds since the Unix epoch).
    pub fn time_nanos(&self) -> u64 {
        self.lock().clock.peek()
    }

    /// Sets the clock (switches a wall-clock replica to fixed time).
    pub fn set_time(&self, nanos: u64) {
        self.lock().clock.set(nanos)
    }

    /// Whether the clock follows the host's wall clock (not fixed by [`Replica::set_time`]).
    pub fn is_wall_clock(&self) -> bool {
        self.lock().clock.is_wall_clock()
    }

    /// Moves the clock forward by `by` (switches a wall-clock replica to fixed time), as
    /// PocketIC's `advance_time`; timers that became due run at the next [`Replica::tick`].
    pub fn advance_time(&self, by: std::time::Duration) {
        let mut s = self.lock();
        let now = s.clock.peek();
        s.clock.set(now.saturating_add(by.as_nanos() as u64));
    }

    /// One round, as PocketIC's `tick()`: runs every due `canister_global_timer`, every
    /// `canister_heartbeat`, then the queued inter-canister messages (at most
    /// [`timers::MAX_MESSAGES_PER_TICK`]). Cheap when nothing is due.
    pub fn tick(&self) -> TickReport {
        self.exec(|s| {
            s.collect_outcalls();
            s.tick()
        })
        .unwrap_or_default()
    }

    /// The canister id ranges of the (single, root) subnet, inclusive, sorted: one
    /// single-id range per built-in [`system_canisters`] canister, then the range new
    /// canisters are allocated from ([`ids::subnet_range`]).
    pub fn root_subnet_canister_ranges(&self) -> Vec<(Principal, Principal)> {
        let state = self.lock();
        let mut ranges: Vec<(Principal, Principal)> = Vec::new();
        if state.system_canisters {
            ranges.extend(system_canisters::ALL.iter().map(|id| (*id, *id)));
        }
        // Canisters created with a `specified_id` outside the range (e.g. the ids the
        // Kybra Book hard-codes) live on this subnet too.
        let (low, high) = ids::subnet_range();
        let outside = state
            .canisters
            .keys()
            .filter(|id| !(low <= **id && **id <= high));
        ranges.extend(outside.map(|id| (*id, *id)));
        // The main range last (embedders and tests read it as the last one).
        ranges.push((low, high));
        ranges
    }

    /// Turns the built-in system canisters (cycles minting canister, cycles ledger) on or
    /// off; off by default, as `dfx start` without `--system-canisters`.
    pub fn set_system_canisters(&self, on: bool) {
        self.lock().system_canisters = on;
    }

    /// Tells the replica the id of its subnet (the HTTP server derives it from its root key
    /// and calls this when it starts serving); the built-in cycles minting canister's
    /// `get_default_subnets` reports it. Not persisted: each server start sets it again.
    pub fn set_subnet_id(&self, subnet: Principal) {
        self.lock().subnet_id = Some(subnet);
    }

    /// The subnet id set with [`Replica::set_subnet_id`], if any.
    pub fn subnet_id(&self) -> Option<Principal> {
        self.lock().subnet_id
    }

    /// Sets the per-message instruction limits (default: the IC's).
    pub fn set_instruction_limits(&self, limits: InstructionLimits) {
        self.lock().limits = limits;
    }

    /// Instructions used by the last message a canister executed (an update, a query,
    /// or the hooks of its last install), for benchmarks.
    pub fn last_instructions(&self, canister: Principal) -> Option<u64> {
        Some(self.lock().canisters.get(&canister)?.last_instructions)
    }

    /// The ids of all user canisters, in order (not the built-in [`system_canisters`]).
    pub fn canister_ids(&self) -> Vec<Principal> {
        self.lock().canisters.keys().copied().collect()
    }

    /// The certified data a canister set with `ic0.certified_data_set` (for certificates).
    pub fn certified_data(&self, canister: Principal) -> Option<Vec<u8>> {
        Some(self.lock().canisters.get(&canister)?.certified_data.clone())
    }
}

/// The reject when a message's effects could not be made durable (or it panicked).
fn not_saved() -> Reject {
    Reject::state_not_saved(
        "the message failed on the execution thread or its changes could not be synced to disk",
    )
}

/// How many queued messages run before one journal sync (group commit).
const MAX_GROUP: usize = 256;

/// The execution thread: runs queued messages in batches, then syncs the journal once
/// and releases the replies that waited for it.
fn execution_loop(rx: mpsc::Receiver<Job>, state: Arc<Mutex<State>>) {
    while let Ok(job) = rx.recv() {
        job();
        for _ in 1..MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => job(),
                Err(_) => break,
            }
        }
        let (durable, deferred) = state.lock().unwrap_or_else(|p| p.into_inner()).sync();
        for reply in deferred {
            reply(durable);
        }
    }
    // Shutting down: leave a checkpoint, so the next start need not replay the journal.
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    let (next_index, clock_last) = (s.next_index, s.clock.last());
    let s = &mut *s;
    if let Some(p) = s.persist.as_mut().filter(|p| p.has_journal()) {
        if let Err(e) = p.checkpoint(next_index, clock_last, &mut s.canisters) {
            eprintln!("kybra-replica: no checkpoint at shutdown (the journal is kept): {e}");
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.worker.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(t) = self.worker_thread.take() {
            let _ = t.join();
        }
    }
}
