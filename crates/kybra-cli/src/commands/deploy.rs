//! `kybra deploy [NAME] [--argument '(...)'] [--mode ...]`: build, create, install.
//!
//! Promises: first creates every selected canister (`provisional_create_canister_with_cycles`,
//! with dfx.json's `specified_id` if given) that `.kybra/local/canister_ids.json` has no id
//! for or the replica does not know, then builds each with `CANISTER_ID_<NAME>` set for
//! every canister of the project that has an id (and `DFX_NETWORK`), as dfx does — the
//! compiler puts these into the canister's `os.environ`; installs through the management canister's chunked path (`upload_chunk` ≤ 1 MiB +
//! `install_chunked_code`) since modules exceed the 2 MiB message limit, showing chunk
//! progress; in auto mode installs a new canister, upgrades an installed one, and skips an
//! identical module like dfx; then runs dfx.json's `post_install` like dfx (cwd = project
//! root, `CANISTER_ID` etc. in the environment); on a local replica, prints each canister's
//! Candid UI link as dfx does.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use candid::Principal;
use ic_agent::{Agent, AgentError};
use ic_management_canister_types::UploadChunkArgs;
use ic_utils::interfaces::management_canister::builders::CanisterInstallMode;
use ic_utils::interfaces::management_canister::ChunkHash;
use ic_utils::interfaces::ManagementCanister;
use sha2::{Digest, Sha256};

use super::build::{build_spec, Built};
use crate::candid_args::Interface;
use crate::local::CanisterIds;
use crate::network::{self, Network};
use crate::project::{CanisterSpec, Project};

/// Largest chunk `upload_chunk` accepts.
pub const CHUNK_BYTES: usize = 1024 * 1024;
/// Cycles given to a new local canister (as dfx does on a local network).
const INITIAL_CYCLES: u128 = 100_000_000_000_000;

/// How to install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Install if empty, upgrade if installed, skip if the same module is installed.
    Auto,
    Install,
    Reinstall,
    Upgrade,
}

pub fn run(
    name: Option<&str>,
    argument: Option<&str>,
    mode: Mode,
    network: Option<&str>,
) -> Result<()> {
    deploy(name, argument, mode, network, true)
}

/// `kybra canister install NAME [--mode M]`: as deploy, for a canister that already exists
/// (dfx's `canister install`: create it with `kybra deploy` first).
pub fn install(
    name: &str,
    argument: Option<&str>,
    mode: Mode,
    network: Option<&str>,
) -> Result<()> {
    deploy(Some(name), argument, mode, network, false)
}

fn deploy(
    name: Option<&str>,
    argument: Option<&str>,
    mode: Mode,
    network: Option<&str>,
    may_create: bool,
) -> Result<()> {
    let project = Project::discover(&super::cwd()?)?;
    let canisters = project.select(name)?;
    if argument.is_some() && canisters.len() > 1 {
        bail!("--argument applies to one canister: name it, e.g. `kybra deploy {} --argument '(...)'`", canisters[0].name);
    }
    let network = network::resolve(network, &project.root);
    let runtime = super::runtime()?;
    let agent = runtime.block_on(network::connect(&network))?;
    let mut ids = CanisterIds::load(&project.root)?;
    // Every canister exists before any is built, so each build knows all ids (dfx's
    // `CANISTER_ID_<NAME>` variables, which the compiler puts into `os.environ`).
    let mut created = Vec::new();
    for canister in &canisters {
        if !may_create && ids.get_on(&canister.name, &network.name).is_none() {
            bail!("canister {} has not been created on this network: deploy it with `kybra deploy {}`", canister.name, canister.name);
        }
        created.push(runtime.block_on(ensure_created(
            &agent, &network, &project, canister, &mut ids,
        ))?);
    }
    export_canister_ids(&project, &ids, &network.name);
    let mut deployed = Vec::new();
    for (canister, (id, installed_hash)) in canisters.into_iter().zip(created) {
        let built = build_spec(&project, canister)?;
        let interface = Interface::load(&built.did)?;
        let arg = interface.encode_init_args(argument)?;
        runtime.block_on(deploy_one(
            &agent,
            &network,
            canister,
            &built,
            &arg,
            mode,
            id,
            installed_hash,
        ))?;
        run_post_install(&project.root, canister, &id, &built, &network)?;
        deployed.push((canister.name.clone(), id));
    }
    println!("Deployed canisters.");
    println!("Canister ids ({}):", network.url);
    for (name, id) in &deployed {
        println!("    {name}: {id}");
    }
    if network.local {
        // Our replica serves a Candid UI page per canister (kybra-http's `candid_ui`).
        println!("URLs:");
        println!("  Backend canister via Candid interface:");
        for (name, id) in &deployed {
            println!(
                "    {name}: {}/_/candid?id={id}",
                network.url.trim_end_matches('/')
            );
        }
    }
    Ok(())
}

/// Sets `CANISTER_ID_<NAME>` (for every canister of the project with an id on `network`)
/// and `DFX_NETWORK` for the builds that follow, as dfx does for build commands.
pub fn export_canister_ids(project: &Project, ids: &CanisterIds, network: &str) {
    for canister in &project.canisters {
        if let Some(id) = ids.get_on(&canister.name, network) {
            std::env::set_var(format!("CANISTER_ID_{}", env_name(&canister.name)), id);
        }
    }
    std::env::set_var("DFX_NETWORK", network);
}

/// A canister name as it appears in environment variable names (dfx's rule).
fn env_name(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
}

/// The canister's id on this network, creating it if it does not exist (with its
/// `specified_id` if dfx.json gives one), and the hash of its installed module.
async fn ensure_created(
    agent: &Agent,
    network: &Network,
    project: &Project,
    canister: &CanisterSpec,
    ids: &mut CanisterIds,
) -> Result<(Principal, Option<Vec<u8>>)> {
    let mgmt = ManagementCanister::create(agent);
    let known = match ids.get_on(&canister.name, &network.name) {
        Some(text) => Some(Principal::from_text(text).map_err(|e| {
            anyhow!(
                "{}: the id `{text}` of {} is not a principal ({e}); delete it to start over",
                crate::local::canister_ids_file(&project.root).display(),
                canister.name
            )
        })?),
        None => None,
    };
    let existing = match known {
        Some(id) => match status(agent, &id).await {
            Ok(module_hash) => Some((id, module_hash)),
            Err(error) if is_not_found(&error) => {
                println!("Canister {} ({id}) is not on this replica (was its state wiped with --clean?): creating it again.", canister.name);
                None
            }
            Err(error) => {
                return Err(network::explain(error, network)).context(format!(
                    "cannot read the status of {} ({id})",
                    canister.name
                ))
            }
        },
        None => None,
    };
    if let Some(found) = existing {
        return Ok(found);
    }
    println!("Creating canister {}...", canister.name);
    let mut create = mgmt
        .create_canister()
        .as_provisional_create_with_amount(Some(INITIAL_CYCLES));
    if let Some(text) = &canister.specified_id {
        let wanted = Principal::from_text(text).map_err(|e| {
            anyhow!(
                "dfx.json: `specified_id` of {} is not a principal: {e}",
                canister.name
            )
        })?;
        create = create.as_provisional_create_with_specified_id(wanted);
    }
    let (id,) = create
        .with_effective_canister_id(provisional_effective_id())
        .call_and_wait()
        .await
        .map_err(|e| network::explain(e, network))
        .with_context(|| format!("cannot create canister {}", canister.name))?;
    ids.set_on(&canister.name, &network.name, &id.to_text());
    ids.save(&project.root)
        .context("cannot save .kybra/local/canister_ids.json")?;
    println!("  created {} with id {id}", canister.name);
    Ok((id, None))
}

#[allow(clippy::too_many_arguments)]
async fn deploy_one(
    agent: &Agent,
    network: &Network,
    canister: &CanisterSpec,
    built: &Built,
    arg: &[u8],
    mode: Mode,
    id: Principal,
    installed_hash: Option<Vec<u8>>,
) -> Result<Principal> {
    let mgmt = ManagementCanister::create(agent);
    let module = std::fs::read(&built.wasm_gz)
        .with_context(|| format!("cannot read {}", built.wasm_gz.display()))?;
    let module_hash = Sha256::digest(&module).to_vec();
    let install_mode = match (mode, &installed_hash) {
        (Mode::Auto, None) | (Mode::Install, _) => CanisterInstallMode::Install,
        (Mode::Reinstall, _) => CanisterInstallMode::Reinstall,
        (Mode::Upgrade, _) => CanisterInstallMode::Upgrade(None),
        (Mode::Auto, Some(hash)) => {
            let raw = std::fs::read(&built.wasm)
                .with_context(|| format!("cannot read {}", built.wasm.display()))?;
            if *hash == module_hash || *hash == Sha256::digest(&raw).to_vec() {
                println!(
                    "Module hash {} is already installed in {}.",
                    hex(hash),
                    canister.name
                );
                return Ok(id);
            }
            CanisterInstallMode::Upgrade(None)
        }
    };
    install_chunked(
        &mgmt,
        network,
        &canister.name,
        &id,
        &module,
        &module_hash,
        arg,
        install_mode,
    )
    .await?;
    Ok(id)
}

/// Installs `module` in chunks of at most [`CHUNK_BYTES`].
#[allow(clippy::too_many_arguments)]
async fn install_chunked(
    mgmt: &ManagementCanister<'_>,
    network: &Network,
    name: &str,
    id: &Principal,
    module: &[u8],
    module_hash: &[u8],
    arg: &[u8],
    mode: CanisterInstallMode,
) -> Result<()> {
    let verb = match mode {
        CanisterInstallMode::Install => "Installing",
        CanisterInstallMode::Reinstall => "Reinstalling",
        CanisterInstallMode::Upgrade(_) => "Upgrading",
    };
    let explain = |e: AgentError| network::explain(e, network);
    let started = Instant::now();
    let chunks: Vec<&[u8]> = module.chunks(CHUNK_BYTES).collect();
    println!(
        "{verb} code for canister {name} ({}, {} chunks)...",
        super::human_size(module.len()),
        chunks.len()
    );
    mgmt.clear_chunk_store(id)
        .await
        .map_err(explain)
        .context("cannot clear the chunk store")?;
    let mut hashes = Vec::with_capacity(chunks.len());
    for (i, chunk) in chunks.iter().enumerate() {
        println!(
            "  uploading chunk {}/{} ({})",
            i + 1,
            chunks.len(),
            super::human_size(chunk.len())
        );
        let args = UploadChunkArgs {
            canister_id: *id,
            chunk: chunk.to_vec(),
        };
        let (hash,) = mgmt
            .upload_chunk(id, &args)
            .await
            .map_err(explain)
            .with_context(|| format!("cannot upload chunk {}/{}", i + 1, chunks.len()))?;
        let expected = Sha256::digest(chunk).to_vec();
        if hash.hash != expected {
            bail!(
                "the replica returned a wrong hash for chunk {}/{}: {} instead of {}",
                i + 1,
                chunks.len(),
                hex(&hash.hash),
                hex(&expected)
            );
        }
        hashes.push(ChunkHash { hash: hash.hash });
    }
    println!("  installing...");
    mgmt.install_chunked_code(id, module_hash)
        .with_chunk_hashes(hashes)
        .with_install_mode(mode)
        .with_raw_arg(arg.to_vec())
        .call_and_wait()
        .await
        .map_err(explain)
        .with_context(|| format!("cannot install the code of {name}"))?;
    if let Err(error) = mgmt.clear_chunk_store(id).await {
        eprintln!("warning: could not clear the chunk store of {name}: {error}");
    }
    println!("  done in {:.2}s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The installed module's hash, or an error (not found, or anything else). Decodes only
/// the `module_hash` field of `canister_status`, so the other fields (whose shape varies
/// between management canister versions) cannot break deploys.
async fn status(agent: &Agent, id: &Principal) -> Result<Option<Vec<u8>>, AgentError> {
    #[derive(candid::CandidType)]
    struct CanisterIdRecord {
        canister_id: Principal,
    }
    #[derive(candid::CandidType, candid::Deserialize)]
    struct ModuleHashOnly {
        module_hash: Option<serde_bytes::ByteBuf>,
    }
    let arg = candid::encode_one(CanisterIdRecord { canister_id: *id })
        .map_err(|e| AgentError::CandidError(Box::new(e)))?;
    let reply = agent
        .update(&Principal::management_canister(), "canister_status")
        .with_effective_canister_id(*id)
        .with_arg(arg)
        .call_and_wait()
        .await?;
    let (status,): (ModuleHashOnly,) =
        candid::decode_args(&reply).map_err(|e| AgentError::CandidError(Box::new(e)))?;
    Ok(status.module_hash.map(|h| h.into_vec()))
}

fn is_not_found(error: &AgentError) -> bool {
    match network::reject_of(error) {
        Some(reject) => {
            reject.error_code.as_deref() == Some("IC0301")
                || reject.reject_code == ic_agent::agent::RejectCode::DestinationInvalid
                || reject.reject_message.contains("not found")
        }
        None => false,
    }
}

/// An effective canister id inside the local subnet's range, for creating canisters.
fn provisional_effective_id() -> Principal {
    let mut bytes = [0u8; 10];
    bytes[..8].copy_from_slice(&0x8000_0000_0010_0000u64.to_be_bytes());
    bytes[8] = 1;
    bytes[9] = 1;
    Principal::from_slice(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs dfx.json's `post_install` commands like dfx: through `sh -c`, in the project root,
/// with `CANISTER_ID`, `CANISTER_NAME`, `CANISTER_CANDID_PATH`, `CANISTER_ID_<NAME>` and
/// `DFX_NETWORK` (`local`, `ic` or the URL) set.
pub fn run_post_install(
    root: &Path,
    canister: &CanisterSpec,
    id: &Principal,
    built: &Built,
    network: &Network,
) -> Result<()> {
    for command in &canister.post_install {
        println!("Running post-install command `{command}`...");
        let env_name = env_name(&canister.name);
        let status = Command::new("sh")
            .arg("-c")
            .arg(command)
            .current_dir(root)
            .env("CANISTER_ID", id.to_text())
            .env("CANISTER_NAME", &canister.name)
            .env("CANISTER_CANDID_PATH", &built.did)
            .env(format!("CANISTER_ID_{env_name}"), id.to_text())
            .env("DFX_NETWORK", &network.name)
            .status()
            .with_context(|| format!("cannot run the post-install command `{command}`"))?;
        if !status.success() {
            bail!(
                "the post-install command `{command}` of {} failed ({status})",
                canister.name
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effective_id_is_the_start_of_the_local_range() {
        assert_eq!(
            provisional_effective_id().as_slice(),
            &[0x80, 0, 0, 0, 0, 0x10, 0, 0, 1, 1]
        );
    }
}
