//! Persistence: the replica's state survives restarts and crashes (`ReplicaConfig::state_dir`).
//!
//! Design: a checkpoint (the whole state) plus a write-ahead journal of what each
//! message changed — canister metadata, chunks, logs, the calls in flight ([`calls`]), the
//! system services' saved states (the bitcoin chain, when it moved), and
//! for executed messages only the
//! heap's and stable memory's changed 4 KiB pages and the mutable globals; installs save
//! their code and memory in full ([`record`]). An update is acknowledged only once its
//! entry is `fdatasync`ed; the replica's execution thread syncs once per batch of queued
//! messages (group commit). When the journal outgrows the checkpoint, a new checkpoint
//! is written and the journal restarts ([`files`]). Recovery = checkpoint + complete
//! journal entries; a torn last entry was never acknowledged and is dropped.
//! A failed write or sync stops persistence for good: updates are then rejected (the
//! replica must be restarted), since their durability can no longer be promised.

mod calls;
mod codec;
mod error;
mod files;
mod image;
mod record;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use candid::Principal;

use crate::calls::Calls;
use crate::canister::Canister;
use crate::error::Reject;
use crate::services::Services;
use crate::stable::StableMemory;
use crate::state::State;
use codec::{Reader, Writer};
use files::Files;
use image::StateImage;
use record::Recorder;

pub use error::PersistError;

/// The journal grows to at least this before a checkpoint replaces it (unless
/// `KYBRA_REPLICA_JOURNAL_BYTES` says otherwise, e.g. for tests that want checkpoints).
const MIN_JOURNAL_BEFORE_CHECKPOINT: u64 = 64 << 20;

fn min_journal_before_checkpoint() -> u64 {
    std::env::var("KYBRA_REPLICA_JOURNAL_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MIN_JOURNAL_BEFORE_CHECKPOINT)
}

/// A state folder in use.
pub struct Persistence {
    dir: PathBuf,
    files: Files,
    recorder: Recorder,
    /// Set once a write or sync failed.
    failed: Option<String>,
    checkpoint_bytes: u64,
    min_journal: u64,
}

impl Persistence {
    /// Opens `dir` (creating it) and restores its state into `state`, which is empty, and
    /// `services` (their saved states); returns it with the calls that were in flight.
    pub fn open(
        dir: &Path,
        state: &mut State,
        services: &mut Services,
    ) -> Result<(Persistence, Calls), PersistError> {
        let (files, recovered) = Files::open(dir)?;
        let mut image =
            match &recovered.checkpoint {
                Some(bytes) => image::read_state(&mut Reader::new(bytes), recovered.version)
                    .map_err(|e| PersistError::Corrupt {
                        path: dir.join("checkpoint"),
                        detail: e.0,
                    })?,
                None => StateImage {
                    next_index: state.next_index,
                    ..StateImage::default()
                },
            };
        for entry in &recovered.entries {
            record::apply_entry(&mut image, entry).map_err(|e| files.corrupt(e))?;
        }
        let saved_calls = image.calls.take();
        if let Some(bytes) = image.services.take() {
            let saved =
                image::read_services(&mut Reader::new(&bytes)).map_err(|e| files.corrupt(e))?;
            services
                .restore_states(saved)
                .map_err(|detail| PersistError::Corrupt {
                    path: dir.to_path_buf(),
                    detail,
                })?;
        }
        restore(dir, state, image)?;
        let live_calls = match saved_calls {
            Some(bytes) => {
                let saved =
                    calls::read_calls(&mut Reader::new(&bytes)).map_err(|e| files.corrupt(e))?;
                calls::restore(saved, &state.canisters, &services.tickets())
            }
            None => Calls::default(),
        };
        let mut p = Persistence {
            dir: dir.to_path_buf(),
            files,
            recorder: Recorder::default(),
            failed: None,
            checkpoint_bytes: recovered.checkpoint.map_or(0, |c| c.len() as u64),
            min_journal: min_journal_before_checkpoint(),
        };
        p.recorder
            .reset(&mut state.canisters, &live_calls, services);
        Ok((p, live_calls))
    }

    /// Rejects new updates once persistence has failed.
    pub fn check(&self) -> Result<(), Reject> {
        match &self.failed {
            Some(why) => Err(Reject::state_not_saved(why)),
            None => Ok(()),
        }
    }

    /// Journals what the last message changed (`touched`: the canister it could change,
    /// `None` for any). Durable only after [`Self::sync`].
    pub fn record(
        &mut self,
        next_index: u64,
        clock_last: u64,
        canisters: &mut BTreeMap<Principal, Canister>,
        calls: Option<&Calls>,
        services: &Services,
        touched: Option<Principal>,
    ) {
        if self.failed.is_some() {
            return;
        }
        if let Some(entry) = self
            .recorder
            .entry(next_index, clock_last, canisters, calls, services, touched)
        {
            if let Err(e) = self.files.append(&entry) {
                self.failed = Some(e.to_string());
            }
        }
    }

    /// Whether replies must wait for [`Self::sync`] (entries are pending, or it failed).
    pub fn waiting(&self) -> bool {
        self.files.unsynced() || self.failed.is_some()
    }

    /// Makes the journal durable; `false` if it cannot be (then nothing is acknowledged).
    pub fn sync(&mut self) -> bool {
        if self.failed.is_none() {
            if let Err(e) = self.files.sync() {
                self.failed = Some(e.to_string());
            }
        }
        self.failed.is_none()
    }

    /// Whether the journal has grown enough to be replaced by a checkpoint.
    pub fn checkpoint_due(&self) -> bool {
        self.files.journal_len > self.min_journal.max(2 * self.checkpoint_bytes)
    }

    /// Whether the journal holds entries after the checkpoint.
    pub fn has_journal(&self) -> bool {
        self.files.journal_len > files::HEADER as u64
    }

    /// Writes the whole state as a new checkpoint and empties the journal. Call with
    /// every message recorded.
    pub fn checkpoint(
        &mut self,
        next_index: u64,
        clock_last: u64,
        canisters: &mut BTreeMap<Principal, Canister>,
        calls: &Calls,
        services: &Services,
    ) -> Result<(), PersistError> {
        if let Some(why) = &self.failed {
            return Err(PersistError::Io {
                action: "keep writing",
                path: self.dir.clone(),
                source: std::io::Error::other(why.clone()),
            });
        }
        let mut w = Writer::default();
        let mut in_flight = Writer::default();
        calls::write_calls(&mut in_flight, calls, canisters);
        let mut states = Writer::default();
        image::write_services(&mut states, &services.saved_states());
        image::write_state(
            &mut w,
            next_index,
            clock_last,
            canisters.values(),
            &in_flight.buf,
            &states.buf,
        );
        let result = self.files.checkpoint(&w.buf);
        if let Err(e) = &result {
            self.failed = Some(e.to_string());
        }
        result?;
        self.checkpoint_bytes = w.buf.len() as u64;
        self.recorder.reset(canisters, calls, services);
        Ok(())
    }
}

/// Rebuilds the live state from `image`: modules are compiled (through the disk cache)
/// and instantiated with their saved heap, globals and stable memory.
fn restore(dir: &Path, state: &mut State, image: StateImage) -> Result<(), PersistError> {
    state.next_index = image.next_index;
    state.clock.restore(image.clock_last);
    let time = image.clock_last;
    for (id, saved) in image.canisters {
        let m = saved.meta;
        let mut c = Canister::new(id, m.controllers, m.cycles);
        c.status = m.status;
        c.certified_data = m.certified_data;
        c.version = m.version;
        c.settings = m.settings;
        c.chunks = saved.chunks;
        c.logs = saved.logs;
        c.snapshots = saved.snapshots;
        c.next_snapshot = saved.next_snapshot;
        c.history = saved.history;
        if let Some(code) = saved.code {
            let stable = StableMemory::from_bytes(code.stable.clone());
            let mut host = c.new_host(stable, time, &state.subnet);
            host.global_timer = m.global_timer;
            let exec =
                code.instantiate(&state.engine, host)
                    .map_err(|detail| PersistError::Restore {
                        canister: id,
                        path: dir.to_path_buf(),
                        detail,
                    })?;
            c.exec = Some(exec);
        }
        state.canisters.insert(id, c);
    }
    Ok(())
}
