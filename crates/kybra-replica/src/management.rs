//! The management canister (`aaaaa-aa`) as an ingress caller sees it: canister
//! lifecycle (create, install/reinstall/upgrade, chunked install, start/stop, delete,
//! uninstall), settings (controllers) and status, with the IC's Candid types
//! (`ic-management-canister-types`) and controller checks. Installs are atomic: a
//! failing `canister_init`/`canister_pre_upgrade`/`canister_post_upgrade` leaves the
//! canister exactly as it was.

use std::sync::Arc;

use candid::{CandidType, Nat, Principal};
use ic_management_canister_types as mgmt;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::canister::{Canister, Status};
use crate::error::Reject;
use crate::execution::{Execution, Persist};
use crate::limits::*;
use crate::module;
use crate::stable::StableMemory;
use crate::state::State;
use crate::system_api::{Api, Ctx};

const MAX_CONTROLLERS: usize = 10;

fn decode<T: DeserializeOwned + CandidType>(method: &str, arg: &[u8]) -> Result<T, Reject> {
    candid::decode_one(arg).map_err(|e| Reject::invalid_management_payload(method, e))
}

fn encode<T: CandidType>(value: &T) -> Vec<u8> {
    candid::encode_one(value).expect("management results encode")
}

fn empty() -> Vec<u8> {
    candid::encode_args(()).expect("() encodes")
}

fn to_u128(n: &Nat, what: &str) -> Result<u128, Reject> {
    u128::try_from(n.0.clone())
        .map_err(|_| Reject::ic("IC0408", format!("{what} {n} does not fit in 128 bits")))
}

impl State {
    /// An ingress message to the management canister.
    pub fn management(
        &mut self,
        sender: Principal,
        effective: Option<Principal>,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        match method {
            "provisional_create_canister_with_cycles" => {
                let a: mgmt::ProvisionalCreateCanisterWithCyclesArgs = decode(method, arg)?;
                let cycles = match &a.amount {
                    Some(n) => to_u128(n, "amount")?,
                    None => DEFAULT_PROVISIONAL_CYCLES,
                };
                let id = self.create(sender, a.settings, cycles, a.specified_id)?;
                Ok(encode(&mgmt::CanisterIdRecord { canister_id: id }))
            }
            "create_canister" => {
                let a: mgmt::CreateCanisterArgs = decode(method, arg)?;
                let id = self.create(sender, a.settings, DEFAULT_PROVISIONAL_CYCLES, None)?;
                Ok(encode(&mgmt::CanisterIdRecord { canister_id: id }))
            }
            "install_code" => {
                let a: mgmt::InstallCodeArgs = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                self.controlled(sender, a.canister_id)?;
                self.install(sender, a.canister_id, a.mode, &a.wasm_module, a.arg)?;
                Ok(empty())
            }
            "install_chunked_code" => {
                let a: mgmt::InstallChunkedCodeArgs = decode(method, arg)?;
                check_effective(effective, a.target_canister)?;
                self.controlled(sender, a.target_canister)?;
                let store = a.store_canister.unwrap_or(a.target_canister);
                let store_canister = self.controlled(sender, store)?;
                let mut wasm = Vec::new();
                for h in &a.chunk_hashes_list {
                    let key: [u8; 32] = h
                        .hash
                        .as_slice()
                        .try_into()
                        .map_err(|_| Reject::chunk_not_found(&h.hash))?;
                    let chunk = store_canister
                        .chunks
                        .get(&key)
                        .ok_or_else(|| Reject::chunk_not_found(&h.hash))?;
                    wasm.extend_from_slice(chunk);
                    if wasm.len() > MAX_MODULE_BYTES {
                        return Err(Reject::invalid_module(format!(
                            "the chunks add up to more than {MAX_MODULE_BYTES} bytes"
                        )));
                    }
                }
                let actual: [u8; 32] = Sha256::digest(&wasm).into();
                if actual.as_slice() != a.wasm_module_hash.as_slice() {
                    return Err(Reject::ic(
                        "IC0505",
                        format!(
                            "Wasm module hash mismatch: the chunks' concatenation has sha256 {}, but wasm_module_hash is {}",
                            hex::encode(actual),
                            hex::encode(&a.wasm_module_hash)
                        ),
                    ));
                }
                self.install(sender, a.target_canister, a.mode, &wasm, a.arg)?;
                Ok(empty())
            }
            "upload_chunk" => {
                let a: mgmt::UploadChunkArgs = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                let c = self.controlled_mut(sender, a.canister_id)?;
                if a.chunk.len() > MAX_CHUNK_BYTES {
                    return Err(Reject::ic(
                        "IC0504",
                        format!("Wasm chunk size {} exceeds the maximum chunk size of {MAX_CHUNK_BYTES} bytes", a.chunk.len()),
                    ));
                }
                let hash: [u8; 32] = Sha256::digest(&a.chunk).into();
                if !c.chunks.contains_key(&hash) && c.chunks.len() >= MAX_CHUNKS {
                    return Err(Reject::ic(
                        "IC0504",
                        format!("The chunk store of canister {} is full ({MAX_CHUNKS} chunks); clear it with clear_chunk_store", a.canister_id),
                    ));
                }
                c.chunks.insert(hash, a.chunk);
                Ok(encode(&mgmt::ChunkHash {
                    hash: hash.to_vec(),
                }))
            }
            "stored_chunks" => {
                let a: mgmt::CanisterIdRecord = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                let c = self.controlled(sender, a.canister_id)?;
                let list: Vec<mgmt::ChunkHash> = c
                    .chunks
                    .keys()
                    .map(|h| mgmt::ChunkHash { hash: h.to_vec() })
                    .collect();
                Ok(encode(&list))
            }
            "clear_chunk_store" => {
                let a: mgmt::CanisterIdRecord = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                self.controlled_mut(sender, a.canister_id)?.chunks.clear();
                Ok(empty())
            }
            "canister_status" => {
                let a: mgmt::CanisterIdRecord = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                let c = self
                    .canisters
                    .get(&a.canister_id)
                    .ok_or_else(|| Reject::canister_not_found(&a.canister_id))?;
                if !c.is_controller(&sender) && sender != a.canister_id {
                    return Err(Reject::not_controller(
                        &a.canister_id,
                        &c.controllers,
                        &sender,
                    ));
                }
                Ok(encode(&status(c)))
            }
            "start_canister" => {
                let a: mgmt::CanisterIdRecord = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                self.controlled_mut(sender, a.canister_id)?.status = Status::Running;
                Ok(empty())
            }
            "stop_canister" => {
                let a: mgmt::CanisterIdRecord = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                // No call contexts stay open between messages here, so stopping completes at once.
                self.controlled_mut(sender, a.canister_id)?.status = Status::Stopped;
                Ok(empty())
            }
            "delete_canister" => {
                let a: mgmt::CanisterIdRecord = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                let c = self.controlled(sender, a.canister_id)?;
                if c.status != Status::Stopped {
                    return Err(Reject::not_stopped(&a.canister_id));
                }
                self.canisters.remove(&a.canister_id);
                Ok(empty())
            }
            "uninstall_code" => {
                let a: mgmt::UninstallCodeArgs = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                let c = self.controlled_mut(sender, a.canister_id)?;
                c.exec = None;
                c.certified_data.clear();
                c.version += 1;
                Ok(empty())
            }
            "update_settings" => {
                let a: mgmt::UpdateSettingsArgs = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                validate_settings(&a.settings)?;
                let c = self.controlled_mut(sender, a.canister_id)?;
                apply_settings(c, &a.settings)?;
                c.version += 1;
                Ok(empty())
            }
            "provisional_top_up_canister" => {
                let a: mgmt::ProvisionalTopUpCanisterArgs = decode(method, arg)?;
                check_effective(effective, a.canister_id)?;
                let amount = to_u128(&a.amount, "amount")?;
                let c = self
                    .canisters
                    .get_mut(&a.canister_id)
                    .ok_or_else(|| Reject::canister_not_found(&a.canister_id))?;
                c.cycles = c.cycles.saturating_add(amount);
                Ok(empty())
            }
            "fetch_canister_logs" => self.management_query(sender, method, arg),
            _ => Err(Reject::unknown_management_method(method)),
        }
    }

    /// A query to the management canister (only `fetch_canister_logs` is one).
    pub fn management_query(
        &mut self,
        sender: Principal,
        method: &str,
        arg: &[u8],
    ) -> Result<Vec<u8>, Reject> {
        match method {
            "fetch_canister_logs" => {
                let a: mgmt::FetchCanisterLogsArgs = decode(method, arg)?;
                let c = self
                    .canisters
                    .get(&a.canister_id)
                    .ok_or_else(|| Reject::canister_not_found(&a.canister_id))?;
                if !c.settings.log_visibility_public && !c.is_controller(&sender) {
                    return Err(Reject::ic(
                        "IC0406",
                        format!("Caller {sender} is not allowed to query ic00 method fetch_canister_logs of canister {}", a.canister_id),
                    ));
                }
                let records = c
                    .logs
                    .records()
                    .into_iter()
                    .filter(|r| match &a.filter {
                        None => true,
                        Some(mgmt::CanisterLogFilter::ByIdx { start, end }) => {
                            (*start..=*end).contains(&r.idx)
                        }
                        Some(mgmt::CanisterLogFilter::ByTimestampNanos { start, end }) => {
                            (*start..=*end).contains(&r.timestamp_nanos)
                        }
                    })
                    .map(|r| mgmt::CanisterLogRecord {
                        idx: r.idx,
                        timestamp_nanos: r.timestamp_nanos,
                        content: r.content,
                    })
                    .collect();
                Ok(encode(&mgmt::FetchCanisterLogsResult {
                    canister_log_records: records,
                }))
            }
            _ => Err(Reject::management_method_not_query(method)),
        }
    }

    fn controlled(&self, sender: Principal, id: Principal) -> Result<&Canister, Reject> {
        let c = self
            .canisters
            .get(&id)
            .ok_or_else(|| Reject::canister_not_found(&id))?;
        if !c.is_controller(&sender) {
            return Err(Reject::not_controller(&id, &c.controllers, &sender));
        }
        Ok(c)
    }

    fn controlled_mut(
        &mut self,
        sender: Principal,
        id: Principal,
    ) -> Result<&mut Canister, Reject> {
        self.controlled(sender, id)?;
        Ok(self.canisters.get_mut(&id).expect("checked above"))
    }

    /// Creates an empty canister controlled by `sender` unless `settings` name controllers
    /// (also used by the built-in cycles ledger).
    pub(crate) fn create(
        &mut self,
        sender: Principal,
        settings: Option<mgmt::CanisterSettings>,
        cycles: u128,
        specified_id: Option<Principal>,
    ) -> Result<Principal, Reject> {
        let settings = settings.unwrap_or_default();
        validate_settings(&settings)?;
        let id = match specified_id {
            Some(id) => {
                if self.is_system(&id) {
                    return Err(Reject::ic(
                        "IC0205",
                        format!("Canister {id} is a built-in system canister of the kybra replica; specify another id."),
                    ));
                }
                if self.canisters.contains_key(&id) {
                    return Err(Reject::ic(
                        "IC0205",
                        format!("Canister {id} is already installed."),
                    ));
                }
                id
            }
            None => {
                let mut id = self.new_canister_id()?;
                while self.canisters.contains_key(&id) {
                    id = self.new_canister_id()?;
                }
                id
            }
        };
        let mut c = Canister::new(id, vec![sender], cycles);
        apply_settings(&mut c, &settings)?;
        self.canisters.insert(id, c);
        Ok(id)
    }

    /// install / reinstall / upgrade `wasm` (raw or gzip) on canister `id`.
    fn install(
        &mut self,
        sender: Principal,
        id: Principal,
        mode: mgmt::CanisterInstallMode,
        wasm: &[u8],
        arg: Vec<u8>,
    ) -> Result<(), Reject> {
        let prepared = Arc::new(module::prepare(wasm).map_err(Reject::invalid_module)?);
        let compiled = self
            .engine
            .compile(&prepared.instrumented)
            .map_err(|e| Reject::invalid_module(format!("{e:#}")))?;
        let time = self.clock.tick();
        let engine = self.engine.engine.clone();
        let c = self
            .canisters
            .get_mut(&id)
            .ok_or_else(|| Reject::canister_not_found(&id))?;
        c.sync_into_host();
        let mut budget = self.limits.install;
        let mut logs = Vec::new();
        let result = (|| {
            let stable = match mode {
                mgmt::CanisterInstallMode::Install => {
                    if c.exec.is_some() {
                        return Err(Reject::already_installed(&id));
                    }
                    StableMemory::default()
                }
                mgmt::CanisterInstallMode::Reinstall => StableMemory::default(),
                mgmt::CanisterInstallMode::Upgrade(flags) => {
                    let old = c.exec.as_mut().ok_or_else(|| Reject::no_wasm_module(&id))?;
                    let skip = flags.and_then(|f| f.skip_pre_upgrade).unwrap_or(false);
                    if old.prepared.exports.pre_upgrade && !skip {
                        let ctx = Ctx::new(
                            Api::PreUpgrade,
                            sender,
                            "canister_pre_upgrade",
                            Vec::new(),
                            time,
                            budget,
                        );
                        let out = old.run("canister_pre_upgrade", ctx, Persist::Pending);
                        logs.extend(out.logs);
                        budget -= out.instructions.min(budget);
                        out.result?;
                    }
                    old.host().stable.clone_contents()
                }
            };
            let mut host = c.new_host(stable, time);
            if !matches!(mode, mgmt::CanisterInstallMode::Upgrade(_)) {
                host.certified_data.clear();
            }
            let (mut exec, used) =
                Execution::instantiate(&engine, compiled, Arc::clone(&prepared), host, budget)?;
            budget -= used.min(budget);
            let hook = if matches!(mode, mgmt::CanisterInstallMode::Upgrade(_)) {
                (
                    "canister_post_upgrade",
                    Api::PostUpgrade,
                    prepared.exports.post_upgrade,
                )
            } else {
                ("canister_init", Api::Init, prepared.exports.init)
            };
            if hook.2 {
                let ctx = Ctx::new(hook.1, sender, hook.0, arg, time, budget);
                let out = exec.run(hook.0, ctx, Persist::OnSuccess);
                logs.extend(out.logs);
                budget -= out.instructions.min(budget);
                out.result?;
            }
            Ok(exec)
        })();
        match result {
            Ok(exec) => {
                c.last_instructions = self.limits.install - budget;
                c.exec = Some(exec);
                c.version += 1;
                c.sync_from_host();
                c.log(time, logs);
                Ok(())
            }
            Err(reject) => {
                if let Some(old) = c.exec.as_mut() {
                    old.rollback_pending();
                }
                c.log(time, logs);
                Err(reject)
            }
        }
    }
}

fn check_effective(effective: Option<Principal>, target: Principal) -> Result<(), Reject> {
    match effective {
        Some(e) if e != target && e != Principal::management_canister() => Err(Reject::ic(
            "IC0408",
            format!("The effective canister id {e} does not match the canister {target} named in the argument"),
        )),
        _ => Ok(()),
    }
}

fn validate_settings(s: &mgmt::CanisterSettings) -> Result<(), Reject> {
    if let Some(c) = &s.controllers {
        if c.len() > MAX_CONTROLLERS {
            return Err(Reject::ic(
                "IC0408",
                format!("Invalid settings: {} controllers were given; at most {MAX_CONTROLLERS} are allowed", c.len()),
            ));
        }
    }
    if let Some(a) = &s.compute_allocation {
        if a.0 > 100u32.into() {
            return Err(Reject::ic(
                "IC0408",
                format!("Invalid settings: compute_allocation {a} must be in 0..=100"),
            ));
        }
    }
    Ok(())
}

fn apply_settings(c: &mut Canister, s: &mgmt::CanisterSettings) -> Result<(), Reject> {
    if let Some(ctrl) = &s.controllers {
        let mut list = Vec::new();
        for p in ctrl {
            if !list.contains(p) {
                list.push(*p);
            }
        }
        c.controllers = list;
    }
    let set = |slot: &mut u128, v: &Option<Nat>, what: &str| -> Result<(), Reject> {
        if let Some(n) = v {
            *slot = to_u128(n, what)?;
        }
        Ok(())
    };
    set(
        &mut c.settings.compute_allocation,
        &s.compute_allocation,
        "compute_allocation",
    )?;
    set(
        &mut c.settings.memory_allocation,
        &s.memory_allocation,
        "memory_allocation",
    )?;
    set(
        &mut c.settings.freezing_threshold,
        &s.freezing_threshold,
        "freezing_threshold",
    )?;
    set(
        &mut c.settings.reserved_cycles_limit,
        &s.reserved_cycles_limit,
        "reserved_cycles_limit",
    )?;
    set(
        &mut c.settings.wasm_memory_limit,
        &s.wasm_memory_limit,
        "wasm_memory_limit",
    )?;
    set(
        &mut c.settings.wasm_memory_threshold,
        &s.wasm_memory_threshold,
        "wasm_memory_threshold",
    )?;
    if let Some(v) = &s.log_visibility {
        c.settings.log_visibility_public = matches!(v, mgmt::LogVisibility::Public);
    }
    Ok(())
}

fn status(c: &Canister) -> mgmt::CanisterStatusResult {
    let n = Nat::from;
    let (heap, stable, binary, custom) = match &c.exec {
        Some(e) => (
            e.heap_bytes(),
            e.host().stable.bytes().len() as u64,
            e.prepared.instrumented.len() as u64,
            e.prepared
                .metadata
                .values()
                .map(|m| m.content.len() as u64)
                .sum::<u64>(),
        ),
        None => (0, 0, 0, 0),
    };
    let chunks: u64 = c.chunks.values().map(|v| v.len() as u64).sum();
    mgmt::CanisterStatusResult {
        status: match c.status {
            Status::Running => mgmt::CanisterStatusType::Running,
            Status::Stopping => mgmt::CanisterStatusType::Stopping,
            Status::Stopped => mgmt::CanisterStatusType::Stopped,
        },
        ready_for_migration: false,
        version: c.version,
        settings: mgmt::DefiniteCanisterSettings {
            controllers: c.controllers.clone(),
            compute_allocation: n(c.settings.compute_allocation),
            memory_allocation: n(c.settings.memory_allocation),
            freezing_threshold: n(c.settings.freezing_threshold),
            reserved_cycles_limit: n(c.settings.reserved_cycles_limit),
            log_visibility: if c.settings.log_visibility_public {
                mgmt::LogVisibility::Public
            } else {
                mgmt::LogVisibility::Controllers
            },
            log_memory_limit: n(4096 * 1024),
            minimum_incoming_canister_call_cycles: n(0),
            snapshot_visibility: mgmt::SnapshotVisibility::Controllers,
            status_visibility: mgmt::StatusVisibility::Controllers,
            wasm_memory_limit: n(c.settings.wasm_memory_limit),
            wasm_memory_threshold: n(c.settings.wasm_memory_threshold),
            environment_variables: Vec::new(),
        },
        module_hash: c.module_hash().map(|h| h.to_vec()),
        memory_size: n(c.memory_size() as u128),
        memory_metrics: mgmt::MemoryMetrics {
            wasm_memory_size: n(heap as u128),
            stable_memory_size: n(stable as u128),
            global_memory_size: n(0),
            wasm_binary_size: n(binary as u128),
            custom_sections_size: n(custom as u128),
            canister_history_size: n(0),
            wasm_chunk_store_size: n(chunks as u128),
            snapshots_size: n(0),
            log_memory_store_size: n(0),
        },
        cycles: n(c.cycles),
        reserved_cycles: n(0),
        idle_cycles_burned_per_day: n(0),
        query_stats: mgmt::QueryStats {
            num_calls_total: n(0),
            num_instructions_total: n(0),
            request_payload_bytes_total: n(0),
            response_payload_bytes_total: n(0),
        },
    }
}
