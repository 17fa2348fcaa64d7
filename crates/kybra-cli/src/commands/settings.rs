//! `kybra canister update-settings NAME|ID [...]`: the management canister's
//! `update_settings`, with dfx's flags: controllers (`--add-controller`,
//! `--remove-controller`, `--set-controller`), `--compute-allocation`,
//! `--memory-allocation`, `--freezing-threshold`, `--reserved-cycles-limit`,
//! `--wasm-memory-limit` and `--log-visibility public|controllers`.
//!
//! Promises: settings that are not given are left as they are; nothing given is an error;
//! adding or removing controllers reads the current ones first (the caller must be a
//! controller, as for every setting); the replica's refusal (an invalid value, a caller
//! that is not a controller) is the error, and changes nothing.

use anyhow::{bail, Context, Result};
use candid::{Nat, Principal};
use ic_management_canister_types::{CanisterSettings, LogVisibility, UpdateSettingsArgs};

use crate::network;

/// What to change; `None`/empty: leave it.
#[derive(Default)]
pub struct Changes {
    pub add_controllers: Vec<String>,
    pub remove_controllers: Vec<String>,
    pub set_controllers: Vec<String>,
    pub compute_allocation: Option<u64>,
    pub memory_allocation: Option<u64>,
    pub freezing_threshold: Option<u64>,
    pub reserved_cycles_limit: Option<u128>,
    pub wasm_memory_limit: Option<u64>,
    pub log_visibility: Option<String>,
}

fn principals(list: &[String], flag: &str) -> Result<Vec<Principal>> {
    list.iter()
        .map(|text| {
            Principal::from_text(text).map_err(|e| {
                anyhow::anyhow!("{flag} {text:?} is not a principal ({e}); write its text form, e.g. `2vxsx-fae`")
            })
        })
        .collect()
}

/// `kybra canister update-settings`.
pub fn run(canister: &str, changes: &Changes, network: Option<&str>) -> Result<()> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    let id = super::call::canister_id(&root, canister, &net)?;
    let add = principals(&changes.add_controllers, "--add-controller")?;
    let remove = principals(&changes.remove_controllers, "--remove-controller")?;
    let set = principals(&changes.set_controllers, "--set-controller")?;
    let adjusts = !add.is_empty() || !remove.is_empty();
    if !set.is_empty() && adjusts {
        bail!("--set-controller replaces every controller: do not combine it with --add-controller or --remove-controller");
    }
    let log_visibility = match changes.log_visibility.as_deref() {
        None => None,
        Some("public") => Some(LogVisibility::Public),
        Some("controllers") => Some(LogVisibility::Controllers),
        Some(other) => bail!("--log-visibility takes `public` or `controllers`, not {other:?}"),
    };
    let nat = |v: Option<u64>| v.map(Nat::from);
    let mut settings = CanisterSettings {
        compute_allocation: nat(changes.compute_allocation),
        memory_allocation: nat(changes.memory_allocation),
        freezing_threshold: nat(changes.freezing_threshold),
        reserved_cycles_limit: changes.reserved_cycles_limit.map(Nat::from),
        wasm_memory_limit: nat(changes.wasm_memory_limit),
        log_visibility,
        ..CanisterSettings::default()
    };
    let controllers_change = !(add.is_empty() && remove.is_empty() && set.is_empty());
    if !controllers_change && settings == CanisterSettings::default() {
        bail!("give at least one setting to change, e.g. `kybra canister update-settings {canister} --freezing-threshold 2592000`");
    }
    super::runtime()?.block_on(async {
        let agent = network::connect(&net).await?;
        if controllers_change {
            let mut list = if set.is_empty() {
                super::canister::controllers(&agent, &net, id)
                    .await
                    .with_context(|| format!("cannot read the controllers of {canister}"))?
            } else {
                set
            };
            for p in add {
                if !list.contains(&p) {
                    list.push(p);
                }
            }
            list.retain(|p| !remove.contains(p));
            settings.controllers = Some(list);
        }
        let arg = candid::encode_one(UpdateSettingsArgs {
            canister_id: id,
            settings,
            sender_canister_version: None,
        })?;
        agent
            .update(&Principal::management_canister(), "update_settings")
            .with_effective_canister_id(id)
            .with_arg(arg)
            .call_and_wait()
            .await
            .map_err(|e| network::explain(e, &net))
            .with_context(|| format!("cannot update the settings of {canister}"))?;
        println!("Updated the settings of canister {canister} ({id}).");
        Ok(())
    })
}
