//! [`Replica`]: the local IC as one object that many threads share. All execution
//! happens on one worker thread with a large stack (so callers on small async-runtime
//! stacks are safe), in batches: the journal is synced once per batch and the replies that
//! depend on it are released then (group commit).

mod bitcoin;
mod ledger;

use std::sync::{mpsc, Arc, Mutex, MutexGuard};
use std::time::Duration;

use candid::Principal;

use crate::config::ReplicaConfig;
use crate::error::Reject;
use crate::host::SubnetInfo;
use crate::ids;
use crate::limits::InstructionLimits;
use crate::logs::LogRecord;
use crate::persist::{PersistError, Persistence};
use crate::scheduler::{TickReport, World};
use crate::services::Services;
use crate::state::State;

type Job = Box<dyn FnOnce() + Send>;

/// The local IC. See the crate documentation.
pub struct Replica {
    world: Arc<Mutex<World>>,
    worker: Mutex<Option<mpsc::Sender<Job>>>,
    worker_thread: Option<std::thread::JoinHandle<()>>,
}

/// Stack of the execution thread: wasm frames run on it (the wasm stack limit is
/// `WASM_STACK_BYTES`), so it has ample room for host frames on top.
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
        Replica::open_with(config, Services::standard())
    }

    /// [`Replica::open`] with the system services `services` (see [`crate::services`]):
    /// e.g. `Services::none()` plus the ones wanted.
    pub fn open_with(config: ReplicaConfig, mut services: Services) -> Result<Self, PersistError> {
        let mut state = State::new(&config);
        let persist = match &config.state_dir {
            Some(dir) => Some(Persistence::open(dir, &mut state, &mut services)?),
            None => None,
        };
        let mut world = World::new(state, services);
        if let Some((p, calls)) = persist {
            world.persist = Some(p);
            world.calls = calls;
        }
        let world = Arc::new(Mutex::new(world));
        let (tx, rx) = mpsc::channel::<Job>();
        let shared = Arc::clone(&world);
        let worker_thread = std::thread::Builder::new()
            .name("kybra-replica-exec".into())
            .stack_size(WORKER_STACK_BYTES)
            .spawn(move || execution_loop(rx, shared))
            .expect("cannot start the replica's execution thread");
        Ok(Replica {
            world,
            worker: Mutex::new(Some(tx)),
            worker_thread: Some(worker_thread),
        })
    }

    /// Writes a checkpoint of the whole state now and empties the journal (persistent
    /// replicas; a no-op in memory). The replica also does this by itself as the journal
    /// grows, and when it is dropped.
    pub fn checkpoint(&self) -> Result<(), PersistError> {
        self.exec(|w| w.checkpoint()).unwrap_or(Ok(()))
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        self.world
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on the execution thread with the state locked, and waits for its result,
    /// which is held back until the journal is synced if it depends on unsynced changes.
    /// `None`: those changes could not be made durable.
    pub(crate) fn exec<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut World) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = mpsc::sync_channel(1);
        let world = Arc::clone(&self.world);
        let job: Job = Box::new(move || {
            let mut guard = world.lock().unwrap_or_else(|p| p.into_inner());
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
    /// (a service answering later), this waits without holding the replica: other
    /// messages run meanwhile.
    pub fn update(
        &self,
        sender: Principal,
        canister: Principal,
        effective_canister_id: Option<Principal>,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        let (method, arg) = (method.to_string(), arg.to_vec());
        let mut step = self.exec(move |w| {
            let r = w.ingress_update(sender, canister, effective_canister_id, &method, arg);
            (r, w.parked.take())
        });
        loop {
            match step {
                None => return Err(not_saved()),
                Some((r, None)) => return r,
                Some((_, Some(parked))) => {
                    // Wait for the service off the replica's lock, then run on.
                    parked
                        .signal
                        .wait_after(parked.seen, Duration::from_secs(1));
                    let (id, canister) = (parked.context, parked.canister);
                    step = self.exec(move |w| {
                        let r = w.run_until_answered(id, &canister);
                        (r, w.parked.take())
                    });
                }
            }
        }
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
        self.exec(move |w| w.ingress_query(sender, canister, &method, arg, None))
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
        let certify: crate::state::Certify = Box::new(certify);
        self.exec(move |w| w.ingress_query(sender, canister, &method, arg, Some(certify)))
            .unwrap_or_else(|| Err(not_saved()))
    }

    /// Whether `canister` is a canister of this replica: a user canister or one of the
    /// built-in system canisters (which [`Replica::canister_ids`] does not list).
    pub fn canister_exists(&self, canister: Principal) -> bool {
        let w = self.lock();
        w.services.for_canister(&canister).is_some() || w.state.canisters.contains_key(&canister)
    }

    /// sha256 of the module as installed (the gzip bytes, if it was installed gzipped), as the IC.
    pub fn module_hash(&self, canister: Principal) -> Option<[u8; 32]> {
        self.lock().state.canisters.get(&canister)?.module_hash()
    }

    pub fn controllers(&self, canister: Principal) -> Option<Vec<Principal>> {
        Some(
            self.lock()
                .state
                .canisters
                .get(&canister)?
                .controllers
                .clone(),
        )
    }

    /// The custom section `icp:public NAME` or `icp:private NAME` of the installed module.
    pub fn metadata(&self, canister: Principal, name: &str) -> Option<Vec<u8>> {
        self.lock()
            .state
            .canisters
            .get(&canister)?
            .metadata(name)
            .map(|m| m.content.clone())
    }

    /// Whether metadata `name` is public (`icp:public`); `None` if there is no such section.
    pub fn metadata_is_public(&self, canister: Principal, name: &str) -> Option<bool> {
        self.lock()
            .state
            .canisters
            .get(&canister)?
            .metadata(name)
            .map(|m| m.public)
    }

    /// `debug_print` lines and traps of the canister, oldest first.
    pub fn logs(&self, canister: Principal) -> Vec<LogRecord> {
        self.lock()
            .state
            .canisters
            .get(&canister)
            .map(|c| c.logs.records())
            .unwrap_or_default()
    }

    /// The replica's current time (nanoseconds since the Unix epoch).
    pub fn time_nanos(&self) -> u64 {
        self.lock().state.clock.peek()
    }

    /// Sets the clock (switches a wall-clock replica to fixed time).
    pub fn set_time(&self, nanos: u64) {
        self.lock().state.clock.set(nanos)
    }

    /// Whether the clock follows the host's wall clock (not fixed by [`Replica::set_time`]).
    pub fn is_wall_clock(&self) -> bool {
        self.lock().state.clock.is_wall_clock()
    }

    /// Moves the clock forward by `by` (switches a wall-clock replica to fixed time), as
    /// PocketIC's `advance_time`; timers that became due run at the next [`Replica::tick`].
    pub fn advance_time(&self, by: std::time::Duration) {
        let clock = &mut self.lock().state.clock;
        let now = clock.peek();
        clock.set(now.saturating_add(by.as_nanos() as u64));
    }

    /// One round, as PocketIC's `tick()`: runs every due `canister_global_timer`, every
    /// `canister_heartbeat`, then the queued inter-canister messages (at most
    /// [`crate::MAX_MESSAGES_PER_TICK`]). Cheap when nothing is due.
    pub fn tick(&self) -> TickReport {
        self.exec(|w| w.tick()).unwrap_or_default()
    }

    /// The canister id ranges of the (single, root) subnet, inclusive, sorted: one
    /// single-id range per service canister (the built-in system canisters), then the range new
    /// canisters are allocated from ([`ids::subnet_range`]).
    pub fn root_subnet_canister_ranges(&self) -> Vec<(Principal, Principal)> {
        let w = self.lock();
        let mut ranges: Vec<(Principal, Principal)> = Vec::new();
        ranges.extend(w.services.canister_ids().iter().map(|id| (*id, *id)));
        // Canisters created with a `specified_id` outside the range (e.g. the ids the
        // Kybra Book hard-codes) live on this subnet too.
        let (low, high) = ids::subnet_range();
        let outside = w
            .state
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
        self.lock().services.set_system_canisters(on);
    }

    /// Makes the replica mainnet-like (`kybra start --mainnet-like`): the system canisters
    /// run, creating a canister through the cycles ledger is paid from the caller's cycles
    /// balance, and neither users nor canisters may call the provisional API
    /// (`provisional_create_canister_with_cycles`, `provisional_top_up_canister`), as on
    /// mainnet (the embedder's `create_canister_with_cycles` goes the same way: create
    /// through the cycles ledger instead).
    pub fn set_mainnet_like(&self, on: bool) {
        self.lock().services.set_mainnet_like(on);
    }

    /// Tells the replica the id of its subnet (the HTTP server derives it from its root key
    /// and calls this when it starts serving); canisters read it with `ic0.subnet_self_*`
    /// and the built-in cycles minting canister's `get_default_subnets` reports it. Not
    /// persisted: each server start sets it again.
    pub fn set_subnet_id(&self, subnet: Principal) {
        let mut inner = self.lock();
        let root_key = inner.state.subnet.root_key.clone();
        inner.state.subnet = Arc::new(SubnetInfo {
            id: Some(subnet),
            root_key,
        });
    }

    /// The subnet id set with [`Replica::set_subnet_id`], if any.
    pub fn subnet_id(&self) -> Option<Principal> {
        self.lock().state.subnet.id
    }

    /// Tells the replica the DER-encoded root public key its certificates are signed with
    /// (the HTTP server's); canisters read it with `ic0.root_key_*`. Not persisted.
    pub fn set_root_key(&self, der: Vec<u8>) {
        let mut inner = self.lock();
        let id = inner.state.subnet.id;
        inner.state.subnet = Arc::new(SubnetInfo {
            id,
            root_key: Some(der),
        });
    }

    /// Sets the per-message instruction limits (default: the IC's).
    pub fn set_instruction_limits(&self, limits: InstructionLimits) {
        self.lock().state.limits = limits;
    }

    /// Instructions used by the last message a canister executed (an update, a query,
    /// or the hooks of its last install), for benchmarks.
    pub fn last_instructions(&self, canister: Principal) -> Option<u64> {
        Some(
            self.lock()
                .state
                .canisters
                .get(&canister)?
                .last_instructions,
        )
    }

    /// The ids of all user canisters, in order (not the built-in system canisters).
    pub fn canister_ids(&self) -> Vec<Principal> {
        self.lock().state.canisters.keys().copied().collect()
    }

    /// The certified data a canister set with `ic0.certified_data_set` (for certificates).
    pub fn certified_data(&self, canister: Principal) -> Option<Vec<u8>> {
        Some(
            self.lock()
                .state
                .canisters
                .get(&canister)?
                .certified_data
                .clone(),
        )
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
fn execution_loop(rx: mpsc::Receiver<Job>, world: Arc<Mutex<World>>) {
    while let Ok(job) = rx.recv() {
        job();
        for _ in 1..MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => job(),
                Err(_) => break,
            }
        }
        let (durable, deferred) = world.lock().unwrap_or_else(|p| p.into_inner()).sync();
        for reply in deferred {
            reply(durable);
        }
    }
    // Shutting down: leave a checkpoint, so the next start need not replay the journal.
    let mut guard = world.lock().unwrap_or_else(|p| p.into_inner());
    if guard.persist.as_ref().is_some_and(|p| p.has_journal()) {
        if let Err(e) = guard.checkpoint() {
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
