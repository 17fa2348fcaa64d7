//! `kybra canister call NAME METHOD ['(args)']` and `kybra canister id NAME`.
//!
//! Promises: arguments are typed against the canister's `.did` (`.kybra/NAME/NAME.did`,
//! else dfx.json's `candid`) and checked BEFORE sending; query methods go as queries
//! (override with `--query`/`--update`); replies print like dfx (`("Hello World!")`, `()`)
//! (`--output idl`), as JSON or as raw hex; a canister with no local `.did` is typed by its
//! `candid:service` metadata; a reject fails with its code and message; `--with-cycles`
//! sends an update through a cycles wallet (`wallet_call128`), which attaches the cycles.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context, Result};
use candid::Principal;

use crate::candid_args::{self, Interface};
use crate::local::CanisterIds;
use crate::network;
use crate::project::{output_dir, CanisterKind, CanisterSpec, Project};

/// How to print the reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Candid text (dfx's default).
    Idl,
    /// The reply's bytes in hex.
    Raw,
    /// JSON.
    Json,
}

/// How to send the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AsDeclared,
    Query,
    Update,
}

/// Cycles attached to a call (`--with-cycles`), forwarded by a cycles wallet.
pub struct Payment {
    pub cycles: u128,
    /// `--wallet`: the wallet's id (default: the identity's).
    pub wallet: Option<String>,
}

/// A call target: its id and (if known) its interface.
struct Target {
    id: Principal,
    interface: Option<Interface>,
}

pub fn run(
    canister: &str,
    method: &str,
    argument: Option<&str>,
    kind: Kind,
    output: Output,
    payment: Option<Payment>,
    network: Option<&str>,
) -> Result<()> {
    let root = super::root_or_cwd()?;
    let network = network::resolve(network, &root);
    let runtime = super::runtime()?;
    let mut target = resolve_target(&root, canister, &network)?;
    if target.interface.is_none() {
        // As dfx: a canister without a local .did is typed by its `candid:service` metadata.
        target.interface = runtime.block_on(interface_from_metadata(&network, target.id));
    }
    let (bytes, is_query) = match &target.interface {
        Some(interface) => {
            let m = interface.method(method)?;
            (interface.encode_args(&m, argument)?, m.is_query())
        }
        None => (candid_args::encode_untyped(argument)?, false),
    };
    let as_query = match kind {
        Kind::Query => true,
        Kind::Update => false,
        Kind::AsDeclared => is_query,
    };
    if payment.is_some() && as_query {
        bail!("{method} is a query, and a query cannot carry cycles: drop --with-cycles, or call it as an update with --update");
    }
    let reply = runtime.block_on(async {
        let agent = network::connect(&network).await?;
        if let Some(payment) = &payment {
            let wallet = super::wallet::chosen(&agent, &network, &root, Some(&payment.wallet))
                .await?
                .expect("a wallet is always chosen for a payment");
            return crate::wallet::call(
                &agent,
                &network,
                wallet,
                (target.id, method),
                bytes,
                payment.cycles,
            )
            .await;
        }
        let result = if as_query {
            agent.query(&target.id, method).with_arg(bytes).call().await
        } else {
            agent
                .update(&target.id, method)
                .with_arg(bytes)
                .call_and_wait()
                .await
        };
        result.map_err(|e| network::explain(e, &network))
    })?;
    if output == Output::Raw {
        println!(
            "{}",
            reply.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        return Ok(());
    }
    let decoded = match &target.interface {
        Some(interface) => interface.decode_reply(&interface.method(method)?, &reply)?,
        None => candid_args::decode_untyped(&reply)?,
    };
    match output {
        Output::Json => println!(
            "{}",
            serde_json::to_string_pretty(&candid_args::to_json(&decoded))?
        ),
        Output::Idl | Output::Raw => println!("{decoded}"),
    }
    Ok(())
}

/// The interface a canister publishes in its `candid:service` metadata, if it can be read.
async fn interface_from_metadata(network: &network::Network, id: Principal) -> Option<Interface> {
    let agent = network::connect(network).await.ok()?;
    let bytes = agent
        .read_state_canister_metadata(id, "candid:service")
        .await
        .ok()?;
    Interface::parse(std::str::from_utf8(&bytes).ok()?).ok()
}

/// `kybra canister id NAME`.
pub fn print_id(canister: &str, network: Option<&str>) -> Result<()> {
    let root = super::root_or_cwd()?;
    let ids = CanisterIds::load(&root)?;
    let network = network::resolve(network, &root);
    let id = ids
        .get_on(canister, &network.name)
        .ok_or_else(|| not_deployed(canister, &network))?;
    println!("{id}");
    Ok(())
}

fn not_deployed(canister: &str, network: &network::Network) -> anyhow::Error {
    if network.name == crate::local::LOCAL {
        anyhow!("canister {canister} has no id on the local network: deploy it with `kybra deploy {canister}`")
    } else {
        anyhow!("canister {canister} has no id on the network {}: deploy it with `kybra deploy {canister} --network {}`", network.name, network.name)
    }
}

/// The id of `canister` on `network`: a dfx.json name deployed there, or a canister id.
pub fn canister_id(
    root: &std::path::Path,
    canister: &str,
    network: &network::Network,
) -> Result<Principal> {
    if let Some(id) = CanisterIds::load(root)?.get_on(canister, &network.name) {
        return Principal::from_text(id)
            .with_context(|| format!("the recorded id of {canister} is not a principal"));
    }
    Principal::from_text(canister).map_err(|_| {
        match Project::load(root)
            .ok()
            .map(|p| p.canister(canister).is_ok())
        {
            Some(true) => not_deployed(canister, network),
            _ => anyhow!(
                "`{canister}` is neither a canister of this project's dfx.json nor a canister id"
            ),
        }
    })
}

fn resolve_target(
    root: &std::path::Path,
    canister: &str,
    network: &network::Network,
) -> Result<Target> {
    let ids = CanisterIds::load(root)?;
    let project = Project::load(root).ok();
    let spec = project.as_ref().and_then(|p| p.canister(canister).ok());
    if let Some(id) = ids.get_on(canister, &network.name) {
        let id = Principal::from_text(id)
            .with_context(|| format!("the recorded id of {canister} is not a principal"))?;
        let interface = match spec {
            Some(spec) => Some(load_interface(root, spec)?),
            None => None,
        };
        return Ok(Target { id, interface });
    }
    if spec.is_some() {
        return Err(not_deployed(canister, network));
    }
    match Principal::from_text(canister) {
        Ok(id) => {
            // An id: use the interface of the project canister with that id, if any.
            let named = ids.0.iter().find(|(_, nets)| nets.get(&network.name).map(String::as_str) == Some(canister));
            let interface = match (named, &project) {
                (Some((name, _)), Some(project)) => match project.canister(name) {
                    Ok(spec) => Some(load_interface(root, spec)?),
                    Err(_) => None,
                },
                _ => None,
            };
            Ok(Target { id, interface })
        }
        Err(_) => Err(match &project {
            Some(project) => project.canister(canister).map(|_| ()).map_err(anyhow::Error::from).err().unwrap_or_else(|| not_deployed(canister, network)),
            None => anyhow!("no canister named {canister} (no dfx.json here) and `{canister}` is not a canister id"),
        }),
    }
}

fn load_interface(root: &std::path::Path, spec: &CanisterSpec) -> Result<Interface> {
    let output = spec.output_name();
    let built = output_dir(root, output).join(format!("{output}.did"));
    let mut candidates: Vec<PathBuf> = vec![built];
    match &spec.kind {
        CanisterKind::Python(source) => {
            candidates.extend(source.candid.iter().map(|p| root.join(p)))
        }
        CanisterKind::Custom(custom) => {
            candidates.extend(custom.candid.iter().map(|p| root.join(p)))
        }
        CanisterKind::Rust(rust) => candidates.push(root.join(&rust.candid)),
        CanisterKind::Assets(_) | CanisterKind::Unsupported { .. } => {}
    }
    match candidates.iter().find(|p| p.is_file()) {
        Some(path) => Ok(Interface::load(path)?),
        None => Err(anyhow!(
            "no Candid interface for {} (looked for {}): build it with `kybra build {}`",
            spec.name,
            candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            spec.name
        )),
    }
}
