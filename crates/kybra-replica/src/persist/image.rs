//! What persistence saves, as plain data: [`StateImage`] (the replica), [`CanisterImage`]
//! (one canister) and [`CodeImage`] (installed code: module, heap, globals, stable memory).
//! Encoding always reads the live state (checkpoints, journal records); decoding always
//! produces images, which recovery updates record by record before it rebuilds the live
//! state from them (`super::restore`).

use std::collections::BTreeMap;

use candid::Principal;
use wasmtime::Val;

use super::codec::{Corrupt, Reader, Writer};
use crate::canister::{Canister, Settings, Status};
use crate::execution::Execution;
use crate::logs::{CanisterLog, LogRecord};

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
    pub code: Option<CodeImage>,
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

pub struct CodeImage {
    /// The module as installed (decompressed).
    pub module: Vec<u8>,
    pub heap: Vec<u8>,
    /// `None`: a reference-typed global, which is not saved (it keeps its initial value).
    pub globals: Vec<Option<Val>>,
    pub stable: Vec<u8>,
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

pub fn write_globals(w: &mut Writer, globals: &[Val]) {
    w.len(globals.len());
    for g in globals {
        let (tag, bits) = match g {
            Val::I32(v) => (0, *v as u32 as u128),
            Val::I64(v) => (1, *v as u64 as u128),
            Val::F32(v) => (2, *v as u128),
            Val::F64(v) => (3, *v as u128),
            Val::V128(v) => (4, v.as_u128()),
            _ => (255, 0),
        };
        w.u8(tag);
        w.u128(bits);
    }
}

pub fn write_code(w: &mut Writer, e: &Execution) {
    w.bytes(&e.prepared.original);
    w.bytes(e.committed_heap());
    write_globals(w, e.committed_globals());
    w.bytes(e.host().stable.bytes());
}

pub fn write_record(w: &mut Writer, r: &LogRecord) {
    w.u64(r.idx);
    w.u64(r.timestamp_nanos);
    w.bytes(&r.content);
}

pub fn write_canister(w: &mut Writer, c: &Canister) {
    w.principal(&c.id);
    write_meta(w, c);
    w.len(c.chunks.len());
    for (hash, chunk) in &c.chunks {
        w.buf.extend_from_slice(hash);
        w.bytes(chunk);
    }
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
/// `super::calls` encodes them) and the services' states (`services`, as
/// [`write_services`] encodes them).
pub fn write_state<'a>(
    w: &mut Writer,
    next_index: u64,
    clock_last: u64,
    canisters: impl ExactSizeIterator<Item = &'a Canister>,
    calls: &[u8],
    services: &[u8],
) {
    w.u64(next_index);
    w.u64(clock_last);
    w.len(canisters.len());
    canisters.for_each(|c| write_canister(w, c));
    w.bytes(calls);
    w.bytes(services);
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

pub fn read_code(r: &mut Reader) -> Result<CodeImage, Corrupt> {
    Ok(CodeImage {
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
    let mut chunks = BTreeMap::new();
    for _ in 0..r.len()? {
        let hash = r.hash()?;
        chunks.insert(hash, r.bytes()?.to_vec());
    }
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
            meta,
            chunks,
            logs,
            code,
        },
    ))
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

/// A checkpoint of format `version` (1 has no calls in flight, 2 no services' states).
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
        }
    }
}
