//! What persistence saves, as plain data: [`StateImage`] (the replica), [`CanisterImage`]
//! (one canister), [`SavedCode`] (installed code: module, heap, globals, stable memory),
//! and since format version 4 each canister's snapshots and history.
//! Encoding always reads the live state (checkpoints, journal records); decoding always
//! produces images, which recovery updates record by record before it rebuilds the live
//! state from them (`super::restore`).

use std::collections::BTreeMap;

use candid::Principal;
use wasmtime::Val;

use super::codec::{Corrupt, Reader, Writer};
use crate::canister::{Canister, Settings, Status};
use crate::execution::Execution;
use crate::history::History;
use crate::logs::{CanisterLog, LogRecord};
use crate::snapshots::{SavedCode, Snapshot};

/// The replica's durable state.
#[derive(Default)]
pub struct StateImage {
    pub next_index: u64,
    /// The wall clock's last tick (time never goes back across restarts).
    pub clock_last: u64,
    pub canisters: BTreeMap<Principal, CanisterImage>,
    /// The calls in flight (`super::calls`), as last saved; `None` before version 2.
    pub calls: Option<Vec<u8>>,
    /// The system services' saved states ([`write_services`]), as last saved; `None`
    /// before version 3.
    pub services: Option<Vec<u8>>,
}

pub struct CanisterImage {
    pub meta: Meta,
    pub chunks: BTreeMap<[u8; 32], Vec<u8>>,
    pub logs: CanisterLog,
    pub code: Option<SavedCode>,
    pub snapshots: Vec<Snapshot>,
    /// The index of the canister's next snapshot.
    pub next_snapshot: u64,
    pub history: History,
}

/// A canister's small fields.
pub struct Meta {
    pub controllers: Vec<Principal>,
    pub status: Status,
    pub cycles: u128,
    pub certified_data: Vec<u8>,
    pub version: u64,
    pub settings: Settings,
    pub global_timer: u64,
}

// ---- encoding (from the live state) ----

pub fn write_meta(w: &mut Writer, c: &Canister) {
    w.len(c.controllers.len());
    c.controllers.iter().for_each(|p| w.principal(p));
    w.u8(c.status.code() as u8);
    w.u128(c.cycles);
    w.bytes(&c.certified_data);
    w.u64(c.version);
    let s = &c.settings;
    for v in [
        s.compute_allocation,
        s.memory_allocation,
        s.freezing_threshold,
        s.reserved_cycles_limit,
        s.wasm_memory_limit,
        s.wasm_memory_threshold,
    ] {
        w.u128(v);
    }
    w.bool(s.log_visibility_public);
    w.u64(c.exec.as_ref().map_or(0, |e| e.host().global_timer));
}

/// Mutable globals; `None` (or a reference) is saved as "not saved".
pub fn write_globals<'a>(w: &mut Writer, globals: impl ExactSizeIterator<Item = Option<&'a Val>>) {
    w.len(globals.len());
    for g in globals {
        let (tag, bits) = match g {
            Some(Val::I32(v)) => (0, *v as u32 as u128),
            Some(Val::I64(v)) => (1, *v as u64 as u128),
            Some(Val::F32(v)) => (2, *v as u128),
            Some(Val::F64(v)) => (3, *v as u128),
            Some(Val::V128(v)) => (4, v.as_u128()),
            _ => (255, 0),
        };
        w.u8(tag);
        w.u128(bits);
    }
}

/// Installed code as it runs (no copy of its memories is made).
pub fn write_code(w: &mut Writer, e: &Execution) {
    w.bytes(&e.prepared.original);
    w.bytes(e.committed_heap());
    write_globals(w, e.committed_globals().iter().map(Some));
    w.bytes(e.host().stable.bytes());
}

/// Saved code, in [`write_code`]'s layout.
fn write_saved(w: &mut Writer, code: &SavedCode) {
    w.bytes(&code.module);
    w.bytes(&code.heap);
    write_globals(w, code.globals.iter().map(Option::as_ref));
    w.bytes(&code.stable);
}

fn write_chunks(w: &mut Writer, chunks: &BTreeMap<[u8; 32], Vec<u8>>) {
    w.len(chunks.len());
    for (hash, chunk) in chunks {
        w.buf.extend_from_slice(hash);
        w.bytes(chunk);
    }
}

/// One snapshot, after the canister's next snapshot index.
pub fn write_snapshot(w: &mut Writer, next_snapshot: u64, s: &Snapshot) {
    w.u64(next_snapshot);
    w.bytes(&s.id);
    w.u64(s.taken_at);
    w.u64(s.canister_version);
    write_saved(w, &s.code);
    w.bytes(&s.certified_data);
    w.u64(s.global_timer);
    write_chunks(w, &s.chunks);
}

/// A canister's history: the count of changes, then the kept ones, each as the Candid of
/// the IC's `change` record.
pub fn write_history(w: &mut Writer, h: &History) {
    w.u64(h.total);
    w.len(h.recent.len());
    for change in &h.recent {
        w.bytes(&candid::encode_one(change).expect("a change encodes"));
    }
}

/// What format version 4 added per canister: its history, next snapshot index and snapshots.
fn write_canister_extras(w: &mut Writer, c: &Canister) {
    w.principal(&c.id);
    write_history(w, &c.history);
    w.u64(c.next_snapshot);
    w.len(c.snapshots.len());
    for s in &c.snapshots {
        write_snapshot(w, c.next_snapshot, s);
    }
}

pub fn write_record(w: &mut Writer, r: &LogRecord) {
    w.u64(r.idx);
    w.u64(r.timestamp_nanos);
    w.bytes(&r.content);
}

pub fn write_canister(w: &mut Writer, c: &Canister) {
    w.principal(&c.id);
    write_meta(w, c);
    write_chunks(w, &c.chunks);
    w.u64(c.logs.next_idx());
    let records: Vec<&LogRecord> = c.logs.records_from(0).collect();
    w.len(records.len());
    records.into_iter().for_each(|r| write_record(w, r));
    match &c.exec {
        Some(e) => {
            w.u8(1);
            write_code(w, e);
        }
        None => w.u8(0),
    }
}

/// The whole state: the counters, every canister, then the calls in flight (`calls`, as
/// `super::calls` encodes them), the services' states (`services`, as [`write_services`]
/// encodes them) and every canister's history and snapshots.
pub fn write_state<'a>(
    w: &mut Writer,
    next_index: u64,
    clock_last: u64,
    canisters: impl ExactSizeIterator<Item = &'a Canister> + Clone,
    calls: &[u8],
    services: &[u8],
) {
    w.u64(next_index);
    w.u64(clock_last);
    w.len(canisters.len());
    canisters.clone().for_each(|c| write_canister(w, c));
    w.bytes(calls);
    w.bytes(services);
    w.len(canisters.len());
    canisters.for_each(|c| write_canister_extras(w, c));
}

/// The system services' saved states: a count, then each one's name and bytes (what the
/// service's own `save_state` wrote, e.g. `kybra_bitcoin::saved`).
pub fn write_services(w: &mut Writer, states: &[(String, Vec<u8>)]) {
    w.len(states.len());
    for (name, bytes) in states {
        w.bytes(name.as_bytes());
        w.bytes(bytes);
    }
}

// ---- decoding (into images) ----

pub fn read_meta(r: &mut Reader) -> Result<Meta, Corrupt> {
    let n = r.len()?;
    let controllers = (0..n).map(|_| r.principal()).collect::<Result<_, _>>()?;
    let status = match r.u8()? {
        1 => Status::Running,
        2 => Status::Stopping,
        3 => Status::Stopped,
        other => return Err(Corrupt(format!("unknown canister status {other}"))),
    };
    let cycles = r.u128()?;
    let certified_data = r.bytes()?.to_vec();
    let version = r.u64()?;
    let settings = Settings {
        compute_allocation: r.u128()?,
        memory_allocation: r.u128()?,
        freezing_threshold: r.u128()?,
        reserved_cycles_limit: r.u128()?,
        wasm_memory_limit: r.u128()?,
        wasm_memory_threshold: r.u128()?,
        log_visibility_public: r.bool()?,
    };
    Ok(Meta {
        controllers,
        status,
        cycles,
        certified_data,
        version,
        settings,
        global_timer: r.u64()?,
    })
}

pub fn read_globals(r: &mut Reader) -> Result<Vec<Option<Val>>, Corrupt> {
    let n = r.len()?;
    (0..n)
        .map(|_| {
            let (tag, bits) = (r.u8()?, r.u128()?);
            Ok(match tag {
                0 => Some(Val::I32(bits as u32 as i32)),
                1 => Some(Val::I64(bits as u64 as i64)),
                2 => Some(Val::F32(bits as u32)),
                3 => Some(Val::F64(bits as u64)),
                4 => Some(Val::V128(bits.into())),
                255 => None,
                other => return Err(Corrupt(format!("unknown global type tag {other}"))),
            })
        })
        .collect()
}

pub fn read_code(r: &mut Reader) -> Result<SavedCode, Corrupt> {
    Ok(SavedCode {
        module: r.bytes()?.to_vec(),
        heap: r.bytes()?.to_vec(),
        globals: read_globals(r)?,
        stable: r.bytes()?.to_vec(),
    })
}

pub fn read_record(r: &mut Reader) -> Result<LogRecord, Corrupt> {
    Ok(LogRecord {
        idx: r.u64()?,
        timestamp_nanos: r.u64()?,
        content: r.bytes()?.to_vec(),
    })
}

fn read_canister(r: &mut Reader) -> Result<(Principal, CanisterImage), Corrupt> {
    let id = r.principal()?;
    let meta = read_meta(r)?;
    let chunks = read_chunks(r)?;
    let mut logs = CanisterLog::default();
    let next_idx = r.u64()?;
    for _ in 0..r.len()? {
        logs.push_record(read_record(r)?);
    }
    logs.set_next_idx(next_idx);
    let code = match r.u8()? {
        0 => None,
        _ => Some(read_code(r)?),
    };
    Ok((
        id,
        CanisterImage {
            code,
            chunks,
            logs,
            ..CanisterImage::new(meta)
        },
    ))
}

fn read_chunks(r: &mut Reader) -> Result<BTreeMap<[u8; 32], Vec<u8>>, Corrupt> {
    let mut chunks = BTreeMap::new();
    for _ in 0..r.len()? {
        let hash = r.hash()?;
        chunks.insert(hash, r.bytes()?.to_vec());
    }
    Ok(chunks)
}

/// What [`write_snapshot`] wrote: the next snapshot index and the snapshot.
pub fn read_snapshot(r: &mut Reader) -> Result<(u64, Snapshot), Corrupt> {
    let next = r.u64()?;
    let snapshot = Snapshot {
        id: r.bytes()?.to_vec(),
        taken_at: r.u64()?,
        canister_version: r.u64()?,
        code: read_code(r)?,
        certified_data: r.bytes()?.to_vec(),
        global_timer: r.u64()?,
        chunks: read_chunks(r)?,
    };
    Ok((next, snapshot))
}

/// What [`write_history`] wrote.
pub fn read_history(r: &mut Reader) -> Result<History, Corrupt> {
    let mut h = History {
        total: r.u64()?,
        ..History::default()
    };
    for _ in 0..r.len()? {
        let change = candid::decode_one(r.bytes()?)
            .map_err(|e| Corrupt(format!("a canister history change does not decode: {e}")))?;
        h.recent.push_back(change);
    }
    Ok(h)
}

/// What [`write_canister_extras`] wrote, onto `canisters`.
fn read_canister_extras(
    r: &mut Reader,
    canisters: &mut BTreeMap<Principal, CanisterImage>,
) -> Result<(), Corrupt> {
    for _ in 0..r.len()? {
        let id = r.principal()?;
        let c = canisters
            .get_mut(&id)
            .ok_or_else(|| Corrupt(format!("snapshots and history of unknown canister {id}")))?;
        c.history = read_history(r)?;
        c.next_snapshot = r.u64()?;
        for _ in 0..r.len()? {
            c.snapshots.push(read_snapshot(r)?.1);
        }
    }
    Ok(())
}

/// What [`write_services`] wrote.
pub fn read_services(r: &mut Reader) -> Result<Vec<(String, Vec<u8>)>, Corrupt> {
    (0..r.len()?)
        .map(|_| {
            let name = String::from_utf8(r.bytes()?.to_vec())
                .map_err(|_| Corrupt("a service's name is not UTF-8".into()))?;
            Ok((name, r.bytes()?.to_vec()))
        })
        .collect()
}

/// A checkpoint of format `version` (1 has no calls in flight, 2 no services' states, 3 no
/// snapshots or histories).
pub fn read_state(r: &mut Reader, version: u32) -> Result<StateImage, Corrupt> {
    let next_index = r.u64()?;
    let clock_last = r.u64()?;
    let mut canisters = BTreeMap::new();
    for _ in 0..r.len()? {
        let (id, c) = read_canister(r)?;
        canisters.insert(id, c);
    }
    let mut since = |first: u32| -> Result<Option<Vec<u8>>, Corrupt> {
        Ok((version >= first)
            .then(|| r.bytes())
            .transpose()?
            .map(<[u8]>::to_vec))
    };
    let calls = since(2)?;
    let services = since(3)?;
    if version >= 4 {
        read_canister_extras(r, &mut canisters)?;
    }
    Ok(StateImage {
        next_index,
        clock_last,
        canisters,
        calls,
        services,
    })
}

impl CanisterImage {
    pub fn new(meta: Meta) -> Self {
        CanisterImage {
            meta,
            chunks: BTreeMap::new(),
            logs: CanisterLog::default(),
            code: None,
            snapshots: Vec::new(),
            next_snapshot: 0,
            history: History::default(),
        }
    }
}
