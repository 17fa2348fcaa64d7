//! Canister settings: checking and applying `canister_settings` (create_canister,
//! update_settings) and the `canister_status` record.

use candid::Nat;
use ic_management_canister_types as mgmt;

use super::args::to_u128;
use crate::canister::{Canister, Status};
use crate::error::Reject;

const MAX_CONTROLLERS: usize = 10;

pub fn validate_settings(s: &mgmt::CanisterSettings) -> Result<(), Reject> {
    if let Some(c) = &s.controllers {
        if c.len() > MAX_CONTROLLERS {
            return Err(Reject::ic(
                "IC0408",
                format!("Invalid settings: {} controllers were given; at most {MAX_CONTROLLERS} are allowed", c.len()),
            ));
        }
    }
    if let Some(mgmt::LogVisibility::AllowedViewers(_)) = &s.log_visibility {
        return Err(Reject::ic(
            "IC0408",
            "Invalid settings: log_visibility allowed_viewers is not supported by the local replica; use public or controllers",
        ));
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

pub fn apply_settings(c: &mut Canister, s: &mgmt::CanisterSettings) -> Result<(), Reject> {
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

pub fn status(c: &Canister) -> mgmt::CanisterStatusResult {
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
            snapshots_size: n(c.snapshots.iter().map(|s| s.total_size() as u128).sum()),
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
