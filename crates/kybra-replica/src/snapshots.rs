//! Canister snapshots, as data: a canister's installed code and everything it holds
//! ([`SavedCode`]: module, heap, mutable globals, stable memory) plus its certified data,
//! global timer and chunk store, taken at a time under an id — what the management
//! canister's `take_canister_snapshot` keeps and `load_canister_snapshot` brings back.
//! Persistence saves installed code in the same [`SavedCode`] form and rebuilds instances
//! from it with [`SavedCode::instantiate`], so a restart and a snapshot load are one path.
//!
//! Promises: a snapshot is immutable once taken; its id is the IC's layout (the
//! canister-local index as 8 big-endian bytes, then the canister id's bytes), so ids are
//! unique per canister and never reused; at most [`MAX_SNAPSHOTS`] are kept per canister.

use std::collections::BTreeMap;
use std::sync::Arc;

use candid::Principal;
use wasmtime::Val;

use crate::engine::Engine;
use crate::execution::Execution;
use crate::host::Host;

/// Snapshots a canister may keep (the IC's limit).
pub const MAX_SNAPSHOTS: usize = 10;

/// Installed code with its state, as bytes.
#[derive(Clone, Debug)]
pub struct SavedCode {
    /// The module as installed (decompressed).
    pub module: Vec<u8>,
    pub heap: Vec<u8>,
    /// `None`: a reference-typed global, which is not saved (it keeps its initial value).
    pub globals: Vec<Option<Val>>,
    pub stable: Vec<u8>,
}

impl SavedCode {
    /// The committed state of `exec`.
    pub fn of(exec: &Execution) -> Self {
        SavedCode {
            module: exec.prepared.original.clone(),
            heap: exec.committed_heap().to_vec(),
            globals: exec.committed_globals().iter().map(|g| Some(*g)).collect(),
            stable: exec.host().stable.bytes().to_vec(),
        }
    }

    /// A live instance of this code on `engine` (compiled through its cache); `host`
    /// carries the canister's fields and must hold this code's stable memory.
    pub fn instantiate(&self, engine: &Engine, host: Host) -> Result<Execution, String> {
        let prepared = crate::module::prepare(&self.module)
            .map_err(|e| format!("its module is invalid: {e}"))?;
        let prepared = Arc::new(prepared);
        let compiled = engine
            .compile(&prepared.instrumented)
            .map_err(|e| format!("cannot compile its module: {e:#}"))?;
        Execution::from_saved(
            &engine.engine,
            compiled,
            prepared,
            host,
            &self.heap,
            &self.globals,
        )
    }

    pub fn bytes(&self) -> u64 {
        (self.module.len() + self.heap.len() + self.stable.len()) as u64
    }
}

/// One snapshot of a canister.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub id: Vec<u8>,
    pub taken_at: u64,
    /// The canister's version when it was taken.
    pub canister_version: u64,
    pub code: SavedCode,
    pub certified_data: Vec<u8>,
    pub global_timer: u64,
    pub chunks: BTreeMap<[u8; 32], Vec<u8>>,
}

impl Snapshot {
    /// Bytes it holds (what `list_canister_snapshots` reports as `total_size`).
    pub fn total_size(&self) -> u64 {
        let chunks: usize = self.chunks.values().map(Vec::len).sum();
        self.code.bytes() + (self.certified_data.len() + chunks) as u64
    }
}

/// The id of canister `canister`'s snapshot number `index`.
pub fn snapshot_id(canister: &Principal, index: u64) -> Vec<u8> {
    [&index.to_be_bytes()[..], canister.as_slice()].concat()
}
