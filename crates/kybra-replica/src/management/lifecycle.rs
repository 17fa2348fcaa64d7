//! A canister's life: creation (at the next free id or a specified one) and atomic
//! installs — install, reinstall and upgrade of a module (raw or gzip): a failing
//! `canister_init` / `canister_pre_upgrade` / `canister_post_upgrade` leaves the canister
//! exactly as it was.

use std::sync::Arc;

use candid::Principal;
use ic_management_canister_types as mgmt;

use super::changes::record_change;
use super::settings::{apply_settings, validate_settings};
use crate::canister::Canister;
use crate::error::Reject;
use crate::execution::{Execution, Persist};
use crate::host::{Api, Ctx};
use crate::module;
use crate::stable::StableMemory;
use crate::state::State;

/// Creates an empty canister controlled by `sender` unless `settings` name controllers
/// (also used by the built-in cycles ledger).
pub fn create(
    state: &mut State,
    reserved: &[Principal],
    sender: Principal,
    settings: Option<mgmt::CanisterSettings>,
    cycles: u128,
    specified_id: Option<Principal>,
) -> Result<Principal, Reject> {
    let settings = settings.unwrap_or_default();
    validate_settings(&settings)?;
    let id = match specified_id {
        Some(id) => {
            if reserved.contains(&id) {
                return Err(Reject::ic(
                    "IC0205",
                    format!("Canister {id} is a built-in system canister of the kybra replica; specify another id."),
                ));
            }
            if state.canisters.contains_key(&id) {
                return Err(Reject::ic(
                    "IC0205",
                    format!("Canister {id} is already installed."),
                ));
            }
            id
        }
        None => {
            let mut id = state.new_canister_id()?;
            while state.canisters.contains_key(&id) {
                id = state.new_canister_id()?;
            }
            id
        }
    };
    let mut c = Canister::new(id, vec![sender], cycles);
    apply_settings(&mut c, &settings)?;
    let controllers = c.controllers.clone();
    state.canisters.insert(id, c);
    let details = mgmt::ChangeDetails::Creation(mgmt::CreationRecord {
        controllers,
        environment_variables_hash: None,
    });
    record_change(state, id, sender, details);
    Ok(id)
}

/// install / reinstall / upgrade `wasm` (raw or gzip) on canister `id`.
pub fn install(
    state: &mut State,
    sender: Principal,
    id: Principal,
    mode: mgmt::CanisterInstallMode,
    wasm: &[u8],
    arg: Vec<u8>,
) -> Result<(), Reject> {
    let prepared = Arc::new(module::prepare(wasm).map_err(Reject::invalid_module)?);
    let compiled = state
        .engine
        .compile(&prepared.instrumented)
        .map_err(|e| Reject::invalid_module(format!("{e:#}")))?;
    let time = state.clock.tick();
    let engine = state.engine.engine.clone();
    let subnet = Arc::clone(&state.subnet);
    let c = state
        .canisters
        .get_mut(&id)
        .ok_or_else(|| Reject::canister_not_found(&id))?;
    c.sync_into_host(&subnet);
    let mut budget = state.limits.install;
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
        let mut host = c.new_host(stable, time, &subnet);
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
            c.last_instructions = state.limits.install - budget;
            c.exec = Some(exec);
            c.version += 1;
            c.sync_from_host();
            c.log(time, logs);
            let mode = match mode {
                mgmt::CanisterInstallMode::Install => mgmt::CodeDeploymentMode::Install,
                mgmt::CanisterInstallMode::Reinstall => mgmt::CodeDeploymentMode::Reinstall,
                mgmt::CanisterInstallMode::Upgrade(_) => mgmt::CodeDeploymentMode::Upgrade,
            };
            let details = mgmt::ChangeDetails::CodeDeployment(mgmt::CodeDeploymentRecord {
                mode,
                module_hash: prepared.hash.to_vec(),
            });
            record_change(state, id, sender, details);
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

/// Uninstalls canister `id`'s code (its certified data goes too), as `sender` asked.
pub fn uninstall(state: &mut State, sender: Principal, id: Principal) {
    if let Some(c) = state.canisters.get_mut(&id) {
        c.exec = None;
        c.certified_data.clear();
        c.version += 1;
    }
    record_change(state, id, sender, mgmt::ChangeDetails::CodeUninstall);
}
