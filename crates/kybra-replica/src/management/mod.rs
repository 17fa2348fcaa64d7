//! The management canister (`aaaaa-aa`): the one router of its methods, for ingress
//! messages and canisters' calls alike — canister lifecycle (create, install/reinstall/
//! upgrade, chunked install, start/stop, delete, uninstall), settings, status, logs,
//! snapshots, history (`canister_info`) and cycles — with the IC's Candid types (`ic-management-canister-types`) and controller
//! checks. Methods that belong to a system service (`raw_rand`, threshold signatures, HTTP
//! outcalls, bitcoin) are routed to the service before they get here
//! ([`crate::scheduler`]).

mod args;
mod changes;
mod lifecycle;
mod settings;
mod snapshots;

use candid::Principal;
use ic_management_canister_types as mgmt;
use sha2::{Digest, Sha256};

use crate::canister::Status;
use crate::error::Reject;
use crate::limits::*;
use crate::state::State;
use args::{check_effective, controlled, controlled_mut, decode, empty, encode, to_u128};
use changes::record_change;
use settings::{apply_settings, status, validate_settings};

pub use lifecycle::create;

/// A call of `method` on the management canister by `sender` (a user or a canister) with
/// `cycles` attached: the result and the cycles to refund. `effective` is an ingress
/// message's effective canister id; `reserved` are ids no new canister may take.
pub fn update(
    state: &mut State,
    reserved: &[Principal],
    sender: Principal,
    effective: Option<Principal>,
    method: &str,
    arg: &[u8],
    cycles: u128,
) -> (Result<Vec<u8>, Reject>, u128) {
    if method == "deposit_cycles" {
        return deposit_cycles(state, arg, cycles);
    }
    if method == "create_canister" && state.canisters.contains_key(&sender) {
        // A canister pays for the canister it creates: the cycles it attached are the new
        // canister's balance (the creation fee is not charged locally; see `fees`).
        return match decode::<mgmt::CreateCanisterArgs>(method, arg)
            .and_then(|a| lifecycle::create(state, reserved, sender, a.settings, cycles, None))
        {
            Ok(id) => (Ok(encode(&mgmt::CanisterIdRecord { canister_id: id })), 0),
            Err(e) => (Err(e), cycles),
        };
    }
    let result = lifecycle_call(state, reserved, sender, effective, method, arg);
    (result, cycles)
}

/// `deposit_cycles`: the attached cycles go to the named canister.
fn deposit_cycles(state: &mut State, arg: &[u8], cycles: u128) -> (Result<Vec<u8>, Reject>, u128) {
    match decode::<mgmt::CanisterIdRecord>("deposit_cycles", arg) {
        Ok(a) => match state.canisters.get_mut(&a.canister_id) {
            Some(c) => {
                c.cycles = c.cycles.saturating_add(cycles);
                (Ok(empty()), 0)
            }
            None => (Err(Reject::canister_not_found(&a.canister_id)), cycles),
        },
        Err(e) => (Err(e), cycles),
    }
}

fn lifecycle_call(
    state: &mut State,
    reserved: &[Principal],
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
            let id =
                lifecycle::create(state, reserved, sender, a.settings, cycles, a.specified_id)?;
            Ok(encode(&mgmt::CanisterIdRecord { canister_id: id }))
        }
        "create_canister" => {
            // From a user (the IC takes it from canisters only): provisional cycles, as dfx's
            // local replica gives.
            let a: mgmt::CreateCanisterArgs = decode(method, arg)?;
            let id = lifecycle::create(
                state,
                reserved,
                sender,
                a.settings,
                DEFAULT_PROVISIONAL_CYCLES,
                None,
            )?;
            Ok(encode(&mgmt::CanisterIdRecord { canister_id: id }))
        }
        "install_code" => {
            let a: mgmt::InstallCodeArgs = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            controlled(state, sender, a.canister_id)?;
            lifecycle::install(state, sender, a.canister_id, a.mode, &a.wasm_module, a.arg)?;
            Ok(empty())
        }
        "install_chunked_code" => {
            let a: mgmt::InstallChunkedCodeArgs = decode(method, arg)?;
            check_effective(effective, a.target_canister)?;
            controlled(state, sender, a.target_canister)?;
            let store = a.store_canister.unwrap_or(a.target_canister);
            let store_canister = controlled(state, sender, store)?;
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
            lifecycle::install(state, sender, a.target_canister, a.mode, &wasm, a.arg)?;
            Ok(empty())
        }
        "upload_chunk" => {
            let a: mgmt::UploadChunkArgs = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            let c = controlled_mut(state, sender, a.canister_id)?;
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
            let c = controlled(state, sender, a.canister_id)?;
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
            controlled_mut(state, sender, a.canister_id)?.chunks.clear();
            Ok(empty())
        }
        "canister_status" => {
            let a: mgmt::CanisterIdRecord = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            let c = state
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
            controlled_mut(state, sender, a.canister_id)?.status = Status::Running;
            Ok(empty())
        }
        "stop_canister" => {
            let a: mgmt::CanisterIdRecord = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            // No call contexts stay open between messages here, so stopping completes at once.
            controlled_mut(state, sender, a.canister_id)?.status = Status::Stopped;
            Ok(empty())
        }
        "delete_canister" => {
            let a: mgmt::CanisterIdRecord = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            let c = controlled(state, sender, a.canister_id)?;
            if c.status != Status::Stopped {
                return Err(Reject::not_stopped(&a.canister_id));
            }
            state.canisters.remove(&a.canister_id);
            Ok(empty())
        }
        "uninstall_code" => {
            let a: mgmt::UninstallCodeArgs = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            controlled(state, sender, a.canister_id)?;
            lifecycle::uninstall(state, sender, a.canister_id);
            Ok(empty())
        }
        "update_settings" => {
            let a: mgmt::UpdateSettingsArgs = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            validate_settings(&a.settings)?;
            let c = controlled_mut(state, sender, a.canister_id)?;
            apply_settings(c, &a.settings)?;
            c.version += 1;
            if let Some(controllers) = a.settings.controllers {
                let details =
                    mgmt::ChangeDetails::ControllersChange(mgmt::ControllersChangeRecord {
                        controllers,
                    });
                record_change(state, a.canister_id, sender, details);
            }
            Ok(empty())
        }
        "provisional_top_up_canister" => {
            let a: mgmt::ProvisionalTopUpCanisterArgs = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            let amount = to_u128(&a.amount, "amount")?;
            let c = state
                .canisters
                .get_mut(&a.canister_id)
                .ok_or_else(|| Reject::canister_not_found(&a.canister_id))?;
            c.cycles = c.cycles.saturating_add(amount);
            Ok(empty())
        }
        "fetch_canister_logs" => query(state, sender, method, arg),
        "take_canister_snapshot"
        | "load_canister_snapshot"
        | "list_canister_snapshots"
        | "delete_canister_snapshot" => {
            // Each argument is a record with `canister_id` (Candid skips the other fields).
            let a: mgmt::CanisterIdRecord = decode(method, arg)?;
            check_effective(effective, a.canister_id)?;
            match method {
                "take_canister_snapshot" => snapshots::take(state, sender, arg),
                "load_canister_snapshot" => snapshots::load(state, sender, arg),
                "list_canister_snapshots" => snapshots::list(state, sender, arg),
                _ => snapshots::delete(state, sender, arg),
            }
        }
        "canister_info" => snapshots::info(state, sender, arg),
        _ => Err(Reject::unknown_management_method(method)),
    }
}

/// A query to the management canister (only `fetch_canister_logs` is one).
pub fn query(
    state: &State,
    sender: Principal,
    method: &str,
    arg: &[u8],
) -> Result<Vec<u8>, Reject> {
    match method {
        "fetch_canister_logs" => {
            let a: mgmt::FetchCanisterLogsArgs = decode(method, arg)?;
            let c = state
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
