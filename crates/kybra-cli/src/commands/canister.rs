//! `kybra canister status|start|stop|delete|uninstall-code`, as dfx's: management
//! canister calls over the IC HTTP interface, signed by the selected identity.
//!
//! Promises: a canister is named as in dfx.json (its id from `.kybra/local/`) or by id;
//! `status` prints dfx's fields (status, controllers, settings, memory, balance, module hash);
//! `delete` stops a running canister first and forgets its id; each failure names the
//! canister and what to do (e.g. "only a controller may ..." comes from the replica).

use anyhow::{Context, Result};
use candid::{CandidType, Deserialize, Principal};
use ic_agent::Agent;

use crate::local::CanisterIds;
use crate::network::{self, Network};

/// A management canister operation on one canister.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Status,
    Start,
    Stop,
    Delete,
    UninstallCode,
}

#[derive(CandidType)]
struct CanisterIdRecord {
    canister_id: Principal,
}

/// The fields of `canister_status` that dfx prints (others are ignored, so replies of
/// every management canister version decode).
#[derive(CandidType, Deserialize)]
struct Status {
    status: RunState,
    settings: Settings,
    module_hash: Option<serde_bytes::ByteBuf>,
    memory_size: candid::Nat,
    cycles: candid::Nat,
}

#[derive(CandidType, Deserialize)]
struct Settings {
    controllers: Vec<Principal>,
    compute_allocation: Option<candid::Nat>,
    memory_allocation: Option<candid::Nat>,
    freezing_threshold: Option<candid::Nat>,
    reserved_cycles_limit: Option<candid::Nat>,
    wasm_memory_limit: Option<candid::Nat>,
    log_visibility: Option<ic_management_canister_types::LogVisibility>,
}

#[derive(CandidType, Deserialize, Debug)]
enum RunState {
    #[serde(rename = "running")]
    Running,
    #[serde(rename = "stopping")]
    Stopping,
    #[serde(rename = "stopped")]
    Stopped,
}

/// Runs `op` on `canister` (a dfx.json name or an id).
pub fn run(op: Operation, canister: &str, network: Option<&str>) -> Result<()> {
    let root = super::root_or_cwd()?;
    let network = network::resolve(network, &root);
    let id = super::call::canister_id(&root, canister, &network)?;
    let runtime = super::runtime()?;
    runtime.block_on(async {
        let agent = network::connect(&network).await?;
        match op {
            Operation::Status => print_status(&agent, &network, canister, id).await,
            Operation::Start => {
                management(&agent, &network, "start_canister", id)
                    .await
                    .with_context(|| format!("cannot start {canister}"))?;
                println!("Started canister {canister} ({id}).");
                Ok(())
            }
            Operation::Stop => {
                management(&agent, &network, "stop_canister", id)
                    .await
                    .with_context(|| format!("cannot stop {canister}"))?;
                println!("Stopped canister {canister} ({id}).");
                Ok(())
            }
            Operation::UninstallCode => {
                management(&agent, &network, "uninstall_code", id)
                    .await
                    .with_context(|| format!("cannot uninstall the code of {canister}"))?;
                println!("Uninstalled the code of canister {canister} ({id}).");
                Ok(())
            }
            Operation::Delete => {
                let status = status(&agent, &network, id)
                    .await
                    .with_context(|| format!("cannot read the status of {canister}"))?;
                if !matches!(status.status, RunState::Stopped) {
                    println!("Stopping canister {canister} ({id}) before deleting it...");
                    management(&agent, &network, "stop_canister", id)
                        .await
                        .with_context(|| format!("cannot stop {canister}"))?;
                }
                management(&agent, &network, "delete_canister", id)
                    .await
                    .with_context(|| format!("cannot delete {canister}"))?;
                forget(&root, canister, &network)?;
                println!("Deleted canister {canister} ({id}).");
                Ok(())
            }
        }
    })
}

/// Removes the id of `name` on `network` from `.kybra/local/canister_ids.json`.
fn forget(root: &std::path::Path, name: &str, network: &Network) -> Result<()> {
    let mut ids = CanisterIds::load(root)?;
    if ids.remove_on(name, &network.name) {
        ids.save(root)
            .context("cannot save .kybra/local/canister_ids.json")?;
    }
    Ok(())
}

async fn management(
    agent: &Agent,
    network: &Network,
    method: &str,
    id: Principal,
) -> Result<Vec<u8>> {
    let arg = candid::encode_one(CanisterIdRecord { canister_id: id })?;
    management_call(agent, network, method, id, arg).await
}

/// An update call of `method` on the management canister about canister `id`, with `arg`.
pub(super) async fn management_call(
    agent: &Agent,
    network: &Network,
    method: &str,
    id: Principal,
    arg: Vec<u8>,
) -> Result<Vec<u8>> {
    agent
        .update(&Principal::management_canister(), method)
        .with_effective_canister_id(id)
        .with_arg(arg)
        .call_and_wait()
        .await
        .map_err(|e| network::explain(e, network))
}

/// The controllers of canister `id` (from `canister_status`: the caller must be one).
pub async fn controllers(
    agent: &Agent,
    network: &Network,
    id: Principal,
) -> Result<Vec<Principal>> {
    Ok(status(agent, network, id).await?.settings.controllers)
}

async fn status(agent: &Agent, network: &Network, id: Principal) -> Result<Status> {
    let reply = management(agent, network, "canister_status", id).await?;
    let (status,): (Status,) =
        candid::decode_args(&reply).context("cannot decode the canister_status reply")?;
    Ok(status)
}

async fn print_status(agent: &Agent, network: &Network, name: &str, id: Principal) -> Result<()> {
    let s = status(agent, network, id)
        .await
        .with_context(|| format!("cannot read the status of {name}"))?;
    let controllers: Vec<String> = s
        .settings
        .controllers
        .iter()
        .map(Principal::to_text)
        .collect();
    println!("Canister status of {name} ({id}):");
    println!("Status: {:?}", s.status);
    println!("Controllers: {}", controllers.join(" "));
    let number = |n: &Option<candid::Nat>| n.as_ref().map_or("-".into(), |n| n.to_string());
    let settings = &s.settings;
    for (label, value) in [
        ("Compute allocation", &settings.compute_allocation),
        ("Memory allocation", &settings.memory_allocation),
        ("Freezing threshold", &settings.freezing_threshold),
        ("Reserved cycles limit", &settings.reserved_cycles_limit),
        ("Wasm memory limit", &settings.wasm_memory_limit),
    ] {
        println!("{label}: {}", number(value));
    }
    println!(
        "Log visibility: {}",
        match &s.settings.log_visibility {
            Some(ic_management_canister_types::LogVisibility::Public) => "public".to_string(),
            Some(ic_management_canister_types::LogVisibility::AllowedViewers(v)) => format!(
                "allowed viewers: {}",
                v.iter()
                    .map(Principal::to_text)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            _ => "controllers".to_string(),
        }
    );
    println!("Memory Size: {} Bytes", s.memory_size);
    println!("Balance: {} Cycles", s.cycles);
    match s.module_hash {
        Some(hash) => println!(
            "Module hash: 0x{}",
            hash.iter().map(|b| format!("{b:02x}")).collect::<String>()
        ),
        None => println!("Module hash: None"),
    }
    Ok(())
}
