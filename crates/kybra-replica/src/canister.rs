//! A canister's state as the replica keeps it: settings (controllers), status, cycles,
//! the chunk store, its log, its snapshots and history, and — once code is installed —
//! the live [`Execution`].
//! The ic0-visible parts (stable memory, certified data, timer) live in the execution's
//! [`Host`] while code is installed.

use std::collections::BTreeMap;
use std::sync::Arc;

use candid::Principal;

use crate::execution::Execution;
use crate::history::History;
use crate::host::{Api, Ctx, Host, SubnetInfo};
use crate::logs::CanisterLog;
use crate::module::Metadata;
use crate::snapshots::Snapshot;
use crate::stable::StableMemory;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Running,
    /// Never entered yet: without open call contexts, stopping completes at once.
    #[allow(dead_code)]
    Stopping,
    Stopped,
}

impl Status {
    /// The value of `ic0.canister_status`.
    pub fn code(self) -> u32 {
        match self {
            Status::Running => 1,
            Status::Stopping => 2,
            Status::Stopped => 3,
        }
    }
}

pub struct Canister {
    pub id: Principal,
    pub controllers: Vec<Principal>,
    pub status: Status,
    pub cycles: u128,
    pub chunks: BTreeMap<[u8; 32], Vec<u8>>,
    pub exec: Option<Execution>,
    pub logs: CanisterLog,
    pub certified_data: Vec<u8>,
    /// Incremented by every install/upgrade/uninstall and settings change (as on the IC).
    pub version: u64,
    pub settings: Settings,
    /// Instructions of the last message executed (for benchmarks).
    pub last_instructions: u64,
    /// Snapshots, oldest first ([`crate::snapshots`]).
    pub snapshots: Vec<Snapshot>,
    /// The index of the next snapshot (ids are never reused).
    pub next_snapshot: u64,
    pub history: History,
}

/// Settings kept only to report them back in `canister_status`.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub compute_allocation: u128,
    pub memory_allocation: u128,
    pub freezing_threshold: u128,
    pub reserved_cycles_limit: u128,
    pub wasm_memory_limit: u128,
    pub wasm_memory_threshold: u128,
    pub log_visibility_public: bool,
}

impl Canister {
    pub fn new(id: Principal, controllers: Vec<Principal>, cycles: u128) -> Self {
        Canister {
            id,
            controllers,
            status: Status::Running,
            cycles,
            chunks: BTreeMap::new(),
            exec: None,
            logs: CanisterLog::default(),
            certified_data: Vec::new(),
            version: 0,
            last_instructions: 0,
            snapshots: Vec::new(),
            next_snapshot: 0,
            history: History::default(),
            settings: Settings {
                freezing_threshold: 2_592_000,
                reserved_cycles_limit: 5_000_000_000_000,
                wasm_memory_limit: 3 << 30,
                ..Default::default()
            },
        }
    }

    pub fn module_hash(&self) -> Option<[u8; 32]> {
        self.exec.as_ref().map(|e| e.prepared.hash)
    }

    pub fn metadata(&self, name: &str) -> Option<&Metadata> {
        self.exec.as_ref()?.prepared.metadata.get(name)
    }

    pub fn is_controller(&self, p: &Principal) -> bool {
        self.controllers.contains(p)
    }

    /// A host for a new instance of this canister on `subnet`.
    pub fn new_host(&self, stable: StableMemory, time: u64, subnet: &Arc<SubnetInfo>) -> Host {
        Host {
            canister_id: self.id,
            controllers: self.controllers.clone(),
            cycles: self.cycles,
            status: self.status.code(),
            canister_version: self.version,
            stable,
            certified_data: self.certified_data.clone(),
            global_timer: 0,
            memory: None,
            ctx: Ctx::new(Api::Start, Principal::anonymous(), "", Vec::new(), time, 0),
            echo_logs: true,
            subnet: Arc::clone(subnet),
        }
    }

    /// Copies the canister-level fields ic0 reads into the instance's host, and what the
    /// replica knows of its subnet.
    pub fn sync_into_host(&mut self, subnet: &Arc<SubnetInfo>) {
        let (controllers, cycles, status, version) = (
            self.controllers.clone(),
            self.cycles,
            self.status.code(),
            self.version,
        );
        if let Some(exec) = &mut self.exec {
            let h = exec.host_mut();
            h.controllers = controllers;
            h.cycles = cycles;
            h.status = status;
            h.canister_version = version;
            if !Arc::ptr_eq(&h.subnet, subnet) {
                h.subnet = Arc::clone(subnet);
            }
        }
    }

    /// Takes back the fields a committed message may have changed.
    pub fn sync_from_host(&mut self) {
        if let Some(exec) = &self.exec {
            let h = exec.host();
            self.cycles = h.cycles;
            self.certified_data = h.certified_data.clone();
        }
    }

    /// Bytes used: heap + stable memory + code + chunks + snapshots.
    pub fn memory_size(&self) -> u64 {
        let chunks: usize = self.chunks.values().map(|c| c.len()).sum();
        let snapshots: u64 = self.snapshots.iter().map(Snapshot::total_size).sum();
        let (heap, stable, code) = match &self.exec {
            Some(e) => (
                e.heap_bytes(),
                e.host().stable.bytes().len() as u64,
                e.prepared.instrumented.len() as u64,
            ),
            None => (0, 0, 0),
        };
        heap + stable + code + chunks as u64 + snapshots
    }

    /// Appends log lines of a message.
    pub fn log(&mut self, time: u64, lines: Vec<Vec<u8>>) {
        for l in lines {
            self.logs.push(time, l);
        }
    }
}
