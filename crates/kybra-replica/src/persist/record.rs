//! Journal entries: what one message changed, found by comparing the live state with what
//! was last written ([`Recorder`]), and replaying an entry onto a [`StateImage`]
//! ([`apply_entry`]). An entry is the next canister index and the clock, then operations
//! (`tag, canister id, body`): replaying entries in order onto the checkpoint they follow
//! gives the state after the last one.

use std::collections::{BTreeMap, BTreeSet};

use candid::Principal;

use super::calls::write_calls;
use super::codec::{Corrupt, Reader, Writer};
use super::image::*;
use crate::calls::Calls;
use crate::canister::Canister;
use crate::pages::PAGE_BYTES;
use crate::services::Services;

const META: u8 = 1;
const CHUNK: u8 = 2;
const CLEAR_CHUNKS: u8 = 3;
const CODE: u8 = 4;
const DELETE: u8 = 5;
const DELTA: u8 = 6;
const LOGS: u8 = 7;
/// The calls in flight changed (the op's canister id is the management canister's).
const CALLS: u8 = 8;
/// A system service's saved state changed: all of them follow (`write_services`; the op's
/// canister id is the management canister's).
const SERVICES: u8 = 9;
/// A snapshot was taken (format version 4): the canister's next snapshot index, then it.
const SNAPSHOT: u8 = 10;
/// A snapshot was deleted (format version 4): its id.
const DELETE_SNAPSHOT: u8 = 11;
/// The canister's history changed (format version 4): all of it (`write_history`).
const HISTORY: u8 = 12;

/// What the journal and checkpoint already hold of one canister.
#[derive(Default)]
struct Known {
    meta: Vec<u8>,
    chunks: BTreeSet<[u8; 32]>,
    /// [`crate::execution::Execution::serial`] of the code last saved in full.
    serial: Option<u64>,
    log_next: u64,
    /// The ids of the snapshots saved.
    snapshots: BTreeSet<Vec<u8>>,
    /// [`crate::history::History::total`] as last saved.
    history_total: u64,
}

/// Turns changes of the live state into journal entries.
#[derive(Default)]
pub struct Recorder {
    known: BTreeMap<Principal, Known>,
    /// The calls in flight as last written.
    calls: Vec<u8>,
    /// The services' state generations when their states were last written.
    services: Vec<(&'static str, u64)>,
}

impl Recorder {
    /// Everything in `canisters` counts as saved (after recovery or a checkpoint); pending
    /// dirty pages are dropped.
    pub fn reset(
        &mut self,
        canisters: &mut BTreeMap<Principal, Canister>,
        calls: &Calls,
        services: &Services,
    ) {
        let mut w = Writer::default();
        write_calls(&mut w, calls, canisters);
        self.calls = w.buf;
        self.services = services.state_generations();
        self.known.clear();
        for c in canisters.values_mut() {
            let mut meta = Writer::default();
            write_meta(&mut meta, c);
            if let Some(e) = &mut c.exec {
                e.take_changes();
                e.host_mut().stable.take_dirty();
            }
            let known = Known {
                meta: meta.buf,
                chunks: c.chunks.keys().copied().collect(),
                serial: c.exec.as_ref().map(|e| e.serial),
                log_next: c.logs.next_idx(),
                snapshots: c.snapshots.iter().map(|s| s.id.clone()).collect(),
                history_total: c.history.total,
            };
            self.known.insert(c.id, known);
        }
    }

    /// The entry for what changed since the last one, or `None` if nothing did.
    /// `touched`: the one canister a message could change (`None`: any, e.g. management);
    /// `calls`: the calls in flight (`None` while a composite query runs: it changes none).
    pub fn entry(
        &mut self,
        next_index: u64,
        clock_last: u64,
        canisters: &mut BTreeMap<Principal, Canister>,
        calls: Option<&Calls>,
        services: &Services,
        touched: Option<Principal>,
    ) -> Option<Vec<u8>> {
        let mut w = Writer::default();
        w.u64(next_index);
        w.u64(clock_last);
        let header = w.buf.len();
        match touched {
            Some(id) => {
                if let Some(c) = canisters.get_mut(&id) {
                    self.canister(&mut w, c);
                }
            }
            None => {
                for c in canisters.values_mut() {
                    self.canister(&mut w, c);
                }
                let gone: Vec<Principal> = self
                    .known
                    .keys()
                    .filter(|id| !canisters.contains_key(id))
                    .copied()
                    .collect();
                for id in gone {
                    self.known.remove(&id);
                    op(&mut w, DELETE, &id);
                }
            }
        }
        if let Some(calls) = calls {
            let mut now = Writer::default();
            write_calls(&mut now, calls, canisters);
            if now.buf != self.calls {
                op(&mut w, CALLS, &Principal::management_canister());
                w.bytes(&now.buf);
                self.calls = now.buf;
            }
        }
        let generations = services.state_generations();
        if generations != self.services {
            op(&mut w, SERVICES, &Principal::management_canister());
            let mut states = Writer::default();
            write_services(&mut states, &services.saved_states());
            w.bytes(&states.buf);
            self.services = generations;
        }
        (w.buf.len() > header).then_some(w.buf)
    }

    fn canister(&mut self, w: &mut Writer, c: &mut Canister) {
        let known = self.known.entry(c.id).or_default();
        let mut meta = Writer::default();
        write_meta(&mut meta, c);
        if meta.buf != known.meta {
            op(w, META, &c.id);
            w.buf.extend_from_slice(&meta.buf);
            known.meta = meta.buf;
        }
        if known.chunks.iter().any(|h| !c.chunks.contains_key(h)) {
            op(w, CLEAR_CHUNKS, &c.id);
            known.chunks.clear();
        }
        for (hash, chunk) in &c.chunks {
            if known.chunks.insert(*hash) {
                op(w, CHUNK, &c.id);
                w.buf.extend_from_slice(hash);
                w.bytes(chunk);
            }
        }
        match &mut c.exec {
            None if known.serial.is_some() => {
                op(w, CODE, &c.id);
                w.u8(0);
                known.serial = None;
            }
            None => {}
            Some(e) if known.serial != Some(e.serial) => {
                op(w, CODE, &c.id);
                w.u8(1);
                write_code(w, e);
                e.take_changes();
                e.host_mut().stable.take_dirty();
                known.serial = Some(e.serial);
            }
            Some(e) => {
                if let Some(heap_pages) = e.take_changes() {
                    op(w, DELTA, &c.id);
                    write_pages(w, e.committed_heap(), &heap_pages);
                    write_globals(w, e.committed_globals().iter().map(Some));
                    let stable_pages = e.host_mut().stable.take_dirty();
                    write_pages(w, e.host().stable.bytes(), &stable_pages);
                }
            }
        }
        let gone: Vec<Vec<u8>> = known
            .snapshots
            .iter()
            .filter(|id| !c.snapshots.iter().any(|s| &s.id == *id))
            .cloned()
            .collect();
        for id in gone {
            op(w, DELETE_SNAPSHOT, &c.id);
            w.bytes(&id);
            known.snapshots.remove(&id);
        }
        for s in &c.snapshots {
            if known.snapshots.insert(s.id.clone()) {
                op(w, SNAPSHOT, &c.id);
                write_snapshot(w, c.next_snapshot, s);
            }
        }
        if c.history.total != known.history_total {
            op(w, HISTORY, &c.id);
            write_history(w, &c.history);
            known.history_total = c.history.total;
        }
        let new: Vec<_> = c.logs.records_from(known.log_next).collect();
        if !new.is_empty() {
            op(w, LOGS, &c.id);
            w.len(new.len());
            new.into_iter().for_each(|r| write_record(w, r));
            known.log_next = c.logs.next_idx();
        }
    }
}

fn op(w: &mut Writer, tag: u8, id: &Principal) {
    w.u8(tag);
    w.principal(id);
}

/// The memory's size, then each listed page inside it (index, contents).
fn write_pages(w: &mut Writer, memory: &[u8], pages: &[usize]) {
    w.u64(memory.len() as u64);
    let inside: Vec<usize> = pages
        .iter()
        .copied()
        .filter(|p| p * PAGE_BYTES < memory.len())
        .collect();
    w.len(inside.len());
    for p in inside {
        w.u64(p as u64);
        w.bytes(&memory[p * PAGE_BYTES..memory.len().min((p + 1) * PAGE_BYTES)]);
    }
}

fn apply_pages(r: &mut Reader, memory: &mut Vec<u8>) -> Result<(), Corrupt> {
    let len = r.u64()? as usize;
    memory.resize(len, 0);
    for _ in 0..r.len()? {
        let start = (r.u64()? as usize).saturating_mul(PAGE_BYTES);
        let bytes = r.bytes()?;
        let target = memory
            .get_mut(start..start.saturating_add(bytes.len()))
            .ok_or_else(|| Corrupt(format!("a page at {start} lies outside {len} bytes")))?;
        target.copy_from_slice(bytes);
    }
    Ok(())
}

/// Replays one entry onto `image`.
pub fn apply_entry(image: &mut StateImage, payload: &[u8]) -> Result<(), Corrupt> {
    let mut r = Reader::new(payload);
    image.next_index = r.u64()?;
    image.clock_last = r.u64()?;
    while !r.is_done() {
        let tag = r.u8()?;
        let id = r.principal()?;
        if tag == CALLS {
            image.calls = Some(r.bytes()?.to_vec());
            continue;
        }
        if tag == SERVICES {
            image.services = Some(r.bytes()?.to_vec());
            continue;
        }
        if tag == META {
            let meta = read_meta(&mut r)?;
            match image.canisters.get_mut(&id) {
                Some(c) => c.meta = meta,
                None => {
                    image.canisters.insert(id, CanisterImage::new(meta));
                }
            }
            continue;
        }
        if tag == DELETE {
            image.canisters.remove(&id);
            continue;
        }
        let c = image
            .canisters
            .get_mut(&id)
            .ok_or_else(|| Corrupt(format!("operation {tag} on unknown canister {id}")))?;
        match tag {
            CHUNK => {
                let hash = r.hash()?;
                c.chunks.insert(hash, r.bytes()?.to_vec());
            }
            CLEAR_CHUNKS => c.chunks.clear(),
            CODE => {
                c.code = if r.u8()? == 0 {
                    None
                } else {
                    Some(read_code(&mut r)?)
                }
            }
            DELTA => {
                let code = c
                    .code
                    .as_mut()
                    .ok_or_else(|| Corrupt(format!("memory changes of {id}, which has no code")))?;
                apply_pages(&mut r, &mut code.heap)?;
                code.globals = read_globals(&mut r)?;
                apply_pages(&mut r, &mut code.stable)?;
            }
            LOGS => {
                for _ in 0..r.len()? {
                    c.logs.push_record(read_record(&mut r)?);
                }
            }
            SNAPSHOT => {
                let (next, snapshot) = read_snapshot(&mut r)?;
                c.next_snapshot = next;
                c.snapshots.push(snapshot);
            }
            DELETE_SNAPSHOT => {
                let id = r.bytes()?;
                c.snapshots.retain(|s| s.id != id);
            }
            HISTORY => c.history = read_history(&mut r)?,
            other => return Err(Corrupt(format!("unknown operation {other}"))),
        }
    }
    Ok(())
}
