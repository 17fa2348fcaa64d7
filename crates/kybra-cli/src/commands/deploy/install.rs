//! Creating canisters and installing modules through the management canister.
//!
//! Promises: with `--wallet` creation is the cycles wallet's `wallet_create_canister128`,
//! paid from the wallet; else on the local network it is
//! `provisional_create_canister_with_cycles` (at a given id when asked), and on any other
//! network the cycles ledger's `create_canister`, paid with the identity's cycles, as on
//! mainnet; each is recorded in `canister_ids.json`
//! at once (`crate::local`); installs take the chunked path
//! (`upload_chunk` ≤ 1 MiB + `install_chunked_code`, since modules exceed the 2 MiB message
//! limit), showing chunk progress, and check each chunk's hash; the installed module's hash
//! is read from `canister_status`'s `module_hash` alone, so other fields (whose shape varies
//! between management canister versions) cannot break deploys.

use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use candid::Principal;
use ic_agent::{Agent, AgentError};
use ic_management_canister_types::UploadChunkArgs;
use ic_utils::interfaces::management_canister::builders::CanisterInstallMode;
use ic_utils::interfaces::management_canister::ChunkHash;
use ic_utils::interfaces::ManagementCanister;
use sha2::{Digest, Sha256};

use crate::commands::human_size;
use crate::local::CanisterIds;
use crate::network::{self, Network};
use crate::project::Project;

/// Largest chunk `upload_chunk` accepts.
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// How a canister is created.
pub struct Creation {
    /// Cycles to create it with.
    pub cycles: u128,
    /// The id to create it at (`--specified-id`, else dfx.json's `specified_id`).
    pub specified_id: Option<Principal>,
    /// The cycles wallet to create it through (`--wallet`), paying from the wallet.
    pub wallet: Option<Principal>,
}

/// The canister's id on this network and the hash of its installed module, creating it as
/// `creation` says if `canister_ids.json` has no id for it or the replica does not know it.
pub async fn ensure_created(
    agent: &Agent,
    network: &Network,
    project: &Project,
    name: &str,
    creation: &Creation,
    ids: &mut CanisterIds,
) -> Result<(Principal, Option<Vec<u8>>)> {
    let known = match ids.get_on(name, &network.name) {
        Some(text) => Some(Principal::from_text(text).map_err(|e| {
            anyhow!(
                "{}: the id `{text}` of {name} is not a principal ({e}); delete it to start over",
                crate::local::canister_ids_file(&project.root).display(),
            )
        })?),
        None => None,
    };
    if let Some(id) = known {
        match status(agent, &id).await {
            Ok(module_hash) => return Ok((id, module_hash)),
            Err(error) if is_not_found(&error) => {
                println!("Canister {name} ({id}) is not on this replica (was its state wiped with --clean?): creating it again.");
            }
            Err(error) => {
                return Err(network::explain(error, network))
                    .context(format!("cannot read the status of {name} ({id})"))
            }
        }
    }
    println!("Creating canister {name}...");
    let (id, how) = create_new(agent, network, creation)
        .await
        .with_context(|| format!("cannot create canister {name} on {}", network.name))?;
    ids.set_on(name, &network.name, &id.to_text());
    let file = if network.local {
        ".kybra/local/canister_ids.json"
    } else {
        "canister_ids.json"
    };
    ids.save(&project.root)
        .with_context(|| format!("cannot save {file}"))?;
    println!("  created {name} with id {id} ({how}; recorded in {file})");
    Ok((id, None))
}

/// Creates an empty canister as `creation` says; its id and how it was paid for. Through
/// the wallet when one is given (it and the identity become the controllers); else on
/// the local network with the provisional API, on any other through the cycles ledger.
pub async fn create_new(
    agent: &Agent,
    network: &Network,
    creation: &Creation,
) -> Result<(Principal, &'static str)> {
    if creation.specified_id.is_some() && (!network.local || creation.wallet.is_some()) {
        bail!(
            "a specified id works with the provisional API only (the local network, without --wallet); \
             on {} a canister gets the id it is given",
            network.name
        );
    }
    if let Some(wallet) = creation.wallet {
        let id = crate::wallet::create_canister(agent, network, wallet, creation.cycles).await?;
        return Ok((id, "paid from the cycles wallet"));
    }
    if !network.local {
        // Mainnet's way: through the cycles ledger, paid with the identity's cycles.
        let id = crate::system_canisters::create_canister(agent, network, creation.cycles).await?;
        return Ok((id, "paid from the cycles ledger"));
    }
    let mgmt = ManagementCanister::create(agent);
    let mut create = mgmt
        .create_canister()
        .as_provisional_create_with_amount(Some(creation.cycles));
    if let Some(wanted) = creation.specified_id {
        create = create.as_provisional_create_with_specified_id(wanted);
    }
    let (id,) = create
        .with_effective_canister_id(provisional_effective_id())
        .call_and_wait()
        .await
        .map_err(|e| network::explain(e, network))?;
    Ok((id, "local, provisional cycles"))
}

/// Installs `module` (gzip'd or raw) in chunks of at most [`CHUNK_BYTES`].
pub async fn install_chunked(
    agent: &Agent,
    network: &Network,
    name: &str,
    id: &Principal,
    module: &[u8],
    arg: &[u8],
    mode: CanisterInstallMode,
) -> Result<()> {
    let mgmt = ManagementCanister::create(agent);
    let module_hash = Sha256::digest(module).to_vec();
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
        human_size(module.len()),
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
            human_size(chunk.len())
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
    mgmt.install_chunked_code(id, &module_hash)
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

/// The installed module's hash, or an error (not found, or anything else).
pub async fn status(agent: &Agent, id: &Principal) -> Result<Option<Vec<u8>>, AgentError> {
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

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
