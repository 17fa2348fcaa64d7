//! `kybra canister info NAME|ID`: a canister's controllers and module hash from the
//! certified state tree (`read_state`), as dfx's `canister info` prints them; anyone may
//! read them, controller or not.
//!
//! Promises: a canister without code prints `Module hash: None`; one the replica does not
//! know is an error naming it.

use anyhow::{Context, Result};
use candid::Principal;
use ic_agent::AgentError;

use crate::network;

/// `kybra canister info`.
pub fn run(canister: &str, network: Option<&str>) -> Result<()> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    let id = super::call::canister_id(&root, canister, &net)?;
    super::runtime()?.block_on(async {
        let agent = network::connect(&net).await?;
        let controllers = agent
            .read_state_canister_controllers(id)
            .await
            .map_err(|e| network::explain(e, &net))
            .with_context(|| {
                format!("cannot read the controllers of {canister} ({id}): is it on this replica?")
            })?;
        let hash = match agent.read_state_canister_module_hash(id).await {
            Ok(hash) => Some(hash),
            Err(AgentError::LookupPathAbsent(_)) => None,
            Err(e) => {
                return Err(network::explain(e, &net))
                    .with_context(|| format!("cannot read the module hash of {canister} ({id})"))
            }
        };
        let names: Vec<String> = controllers.iter().map(Principal::to_text).collect();
        println!("Controllers: {}", names.join(" "));
        match hash {
            Some(h) => println!(
                "Module hash: 0x{}",
                h.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
            None => println!("Module hash: None"),
        }
        Ok(())
    })
}
