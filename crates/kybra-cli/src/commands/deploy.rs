//! `kybra deploy [NAME]` and `kybra canister install NAME`: create, build, install.
//!
//! Promises, as dfx: deploys NAME and the canisters it depends on (every canister when no
//! NAME is given), dependencies first. Before anything is created it refuses a selection
//! with a canister Kybra cannot build (motoko, pull), naming each. Then it creates every
//! selected canister that has no id on the network (`--with-cycles`, `--specified-id` or
//! dfx.json's `specified_id`), builds each with `CANISTER_ID_<NAME>` set for every canister
//! of the project that has an id (and `DFX_NETWORK`) — the compiler puts these into the
//! canister's `os.environ` — and works out every install argument: `--argument` for NAME,
//! else dfx.json's `init_arg`/`init_arg_file`, checked against the interface; a missing
//! required one is an error naming the canister, the type and how to pass it. Only when all
//! of that succeeded does it install, in order: in auto mode a new canister is installed, an
//! installed one upgraded, an unchanged module skipped (unless `--upgrade-unchanged`); a
//! reinstall of an installed canister (which wipes its state) is confirmed first (`--yes`
//! skips the question). An `assets` canister then gets its `source` folders uploaded. Then
//! dfx.json's `post_install` runs (cwd = project root, `CANISTER_ID` etc. set). On a local
//! replica it prints each canister's Candid UI link and each frontend's URL, as dfx does.

mod install;

use std::io::IsTerminal;
use std::path::Path;
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use candid::Principal;
use ic_utils::interfaces::management_canister::builders::CanisterInstallMode;
use sha2::{Digest, Sha256};

pub use install::{create_new, install_chunked, status, Creation, CHUNK_BYTES};
use install::{ensure_created, hex};

use super::build::{build_spec, refuse_unsupported, Built};
use crate::candid_args::{encode_untyped, Interface};
use crate::local::CanisterIds;
use crate::network::{self, Network};
use crate::project::{CanisterKind, CanisterSpec, InitArg, Project};

/// Cycles given to a new local canister (as dfx does on a local network).
const INITIAL_CYCLES: u128 = 100_000_000_000_000;
/// Cycles a canister is created with on any other network (paid from the identity's
/// cycles-ledger account, as on mainnet) or through a cycles wallet: 1 T.
const INITIAL_CYCLES_PAID: u128 = 1_000_000_000_000;

/// How to install.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Install if empty, upgrade if installed, skip if the same module is installed.
    Auto,
    Install,
    Reinstall,
    Upgrade,
}

/// What `kybra deploy` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Deploy this canister (and its dependencies) only.
    pub name: Option<String>,
    /// Candid text of NAME's install argument (`--argument`, `--argument-file`).
    pub argument: Option<String>,
    pub mode: Option<Mode>,
    /// `--network`.
    pub network: Option<String>,
    /// Upgrade even when the installed module is the same (so `post_upgrade` runs).
    pub upgrade_unchanged: bool,
    /// Cycles for canisters this deploy creates.
    pub with_cycles: Option<u128>,
    /// The id to create NAME at.
    pub specified_id: Option<String>,
    /// Do not ask before wiping a canister's state.
    pub yes: bool,
    /// Create canisters through a cycles wallet (`--wallet [ID]`): `Some(None)` is the
    /// identity's wallet on the network.
    pub wallet: Option<Option<String>>,
}

/// `kybra deploy`.
pub fn run(options: &Options) -> Result<()> {
    deploy(options, true)
}

/// `kybra canister install NAME [--mode M]`: as deploy, for one canister that already exists
/// (dfx's `canister install`: create it with `kybra deploy` first).
pub fn install(options: &Options) -> Result<()> {
    deploy(options, false)
}

/// One canister on its way to being installed.
struct Planned<'a> {
    spec: &'a CanisterSpec,
    id: Principal,
    installed_hash: Option<Vec<u8>>,
    built: Built,
    arg: Vec<u8>,
}

fn deploy(options: &Options, may_create: bool) -> Result<()> {
    let project = Project::discover(&super::cwd()?)?;
    let name = options.name.as_deref();
    let canisters = if may_create {
        project.with_dependencies(name)?
    } else {
        project.select(name)?
    };
    refuse_unsupported(&project, &canisters)?;
    if name.is_none() {
        for (flag, given) in [
            ("--argument", options.argument.is_some()),
            ("--specified-id", options.specified_id.is_some()),
        ] {
            if given {
                bail!(
                    "{flag} applies to one canister: name it, e.g. `kybra deploy {} {flag} ...`",
                    canisters[0].name
                );
            }
        }
    }
    let network = network::resolve(options.network.as_deref(), &project.root);
    let runtime = super::runtime()?;
    let agent = runtime.block_on(network::connect(&network))?;
    let mut ids = CanisterIds::load(&project.root)?;
    let created = runtime.block_on(create_each(
        &project, &canisters, options, may_create, &network, &agent, &mut ids,
    ))?;
    export_canister_ids(&project, &ids, &network.name);
    // Build everything and work out every argument before installing anything.
    let mut planned = Vec::new();
    for (spec, (id, installed_hash)) in canisters.into_iter().zip(created) {
        let built = build_spec(&project, spec, &network.name)?;
        let given = (Some(spec.name.as_str()) == name)
            .then_some(options.argument.as_deref())
            .flatten();
        let arg = install_argument(&project, spec, &built, given)?;
        planned.push(Planned {
            spec,
            id,
            installed_hash,
            built,
            arg,
        });
    }
    let mode = options.mode.unwrap_or(if may_create {
        Mode::Auto
    } else {
        Mode::Install
    });
    for p in &planned {
        if mode == Mode::Reinstall && p.installed_hash.is_some() && !options.yes {
            confirm_reinstall(&p.spec.name)?;
        }
    }
    let mut deployed = Vec::new();
    for p in &planned {
        runtime.block_on(install_one(
            &agent,
            &network,
            p,
            mode,
            options.upgrade_unchanged,
        ))?;
        if let CanisterKind::Assets(assets) = &p.spec.kind {
            let dirs: Vec<_> = assets.source.iter().map(|d| project.root.join(d)).collect();
            runtime.block_on(crate::asset_sync::sync(
                &agent,
                &network,
                &p.spec.name,
                p.id,
                &dirs,
            ))?;
        }
        run_post_install(&project.root, p.spec, &p.id, &p.built, &network)?;
        deployed.push((p.spec, p.id));
    }
    print_summary(&network, &deployed);
    Ok(())
}

/// Creates each of `canisters` that has no id on `network` yet (at `--specified-id` for
/// NAME, or dfx.json's `specified_id`, with `--with-cycles`); every canister's id and
/// installed module hash. With `may_create` false, a canister without an id is an error.
async fn create_each(
    project: &Project,
    canisters: &[&CanisterSpec],
    options: &Options,
    may_create: bool,
    network: &Network,
    agent: &ic_agent::Agent,
    ids: &mut CanisterIds,
) -> Result<Vec<(Principal, Option<Vec<u8>>)>> {
    let name = options.name.as_deref();
    let specified_id = options
        .specified_id
        .as_deref()
        .map(|text| {
            Principal::from_text(text)
                .map_err(|e| anyhow!("--specified-id {text} is not a principal: {e}"))
        })
        .transpose()?;
    let wallet =
        super::wallet::chosen(agent, network, &project.root, options.wallet.as_ref()).await?;
    // Every canister exists before any is built, so each build knows all ids (dfx's
    // `CANISTER_ID_<NAME>` variables, which the compiler puts into `os.environ`).
    let mut created = Vec::new();
    for canister in canisters {
        if !may_create && ids.get_on(&canister.name, &network.name).is_none() {
            bail!("canister {} has not been created on this network: deploy it with `kybra deploy {}`", canister.name, canister.name);
        }
        let wanted = match (Some(canister.name.as_str()) == name, specified_id) {
            (true, Some(id)) => Some(id),
            _ => canister
                .specified_id
                .as_deref()
                .map(|text| {
                    Principal::from_text(text).map_err(|e| {
                        anyhow!(
                            "dfx.json: `specified_id` of {} is not a principal: {e}",
                            canister.name
                        )
                    })
                })
                .transpose()?,
        };
        let creation = Creation {
            cycles: options
                .with_cycles
                .unwrap_or(if network.local && wallet.is_none() {
                    INITIAL_CYCLES
                } else {
                    INITIAL_CYCLES_PAID
                }),
            specified_id: wanted,
            wallet,
        };
        created
            .push(ensure_created(agent, network, project, &canister.name, &creation, ids).await?);
    }
    Ok(created)
}

/// `kybra canister create NAME|--all`: creates canisters without building or installing
/// them (dfx's `canister create`), recording their ids.
pub fn create(options: &Options) -> Result<()> {
    let project = Project::discover(&super::cwd()?)?;
    let canisters = project.select(options.name.as_deref())?;
    refuse_unsupported(&project, &canisters)?;
    let network = network::resolve(options.network.as_deref(), &project.root);
    let runtime = super::runtime()?;
    let agent = runtime.block_on(network::connect(&network))?;
    let mut ids = CanisterIds::load(&project.root)?;
    let created = runtime.block_on(create_each(
        &project, &canisters, options, true, &network, &agent, &mut ids,
    ))?;
    export_canister_ids(&project, &ids, &network.name);
    for (spec, (id, _)) in canisters.iter().zip(created) {
        println!("{}: {id}", spec.name);
    }
    Ok(())
}

fn print_summary(network: &Network, deployed: &[(&CanisterSpec, Principal)]) {
    println!("Deployed canisters.");
    println!("Canister ids ({}):", network.url);
    for (spec, id) in deployed {
        println!("    {}: {id}", spec.name);
    }
    if !network.loopback {
        return;
    }
    let url = network.url.trim_end_matches('/');
    println!("URLs:");
    let (frontends, backends): (Vec<_>, Vec<_>) = deployed
        .iter()
        .partition(|(spec, _)| matches!(spec.kind, CanisterKind::Assets(_)));
    if !frontends.is_empty() {
        println!("  Frontend canister via browser:");
        // The gateway serves `<id>.localhost:PORT` (kybra-http's `gateway`), as dfx's.
        let port = url.rsplit(':').next().unwrap_or("4943");
        for (spec, id) in &frontends {
            println!("    {}: http://{id}.localhost:{port}/", spec.name);
        }
    }
    if !backends.is_empty() {
        // Our replica serves a Candid UI page per canister (kybra-http's `candid_ui`).
        println!("  Backend canister via Candid interface:");
        for (spec, id) in &backends {
            println!("    {}: {url}/_/candid?id={id}", spec.name);
        }
    }
}

/// The install argument of `spec`: `given` (`--argument`), else dfx.json's, typed by the
/// canister's interface when it has one.
fn install_argument(
    project: &Project,
    spec: &CanisterSpec,
    built: &Built,
    given: Option<&str>,
) -> Result<Vec<u8>> {
    let from_dfx_json = match (&spec.init_arg, given) {
        (_, Some(_)) | (None, None) => None,
        (Some(InitArg::Text(text)), None) => Some(text.clone()),
        (Some(InitArg::File(path)), None) => {
            let full = project.root.join(path);
            Some(std::fs::read_to_string(&full).with_context(|| {
                format!(
                    "canister {}: cannot read its init_arg_file {}",
                    spec.name,
                    full.display()
                )
            })?)
        }
    };
    let text = given.map(str::to_string).or(from_dfx_json);
    let Some(did) = &built.did else {
        return Ok(encode_untyped(text.as_deref())?);
    };
    let interface = Interface::load(did)?;
    if text.is_none() && interface.init_args_required() {
        bail!(
            "canister {} needs an install argument of type {}: pass it with `kybra deploy {} --argument '{}'` \
             (a single value may go without the parentheses), or set it in dfx.json: \
             \"init_arg\": \"{}\" (or \"init_arg_file\": \"path/to/arg.txt\") in canister {}",
            spec.name,
            interface.init_types_text(),
            spec.name,
            interface.init_example(),
            interface.init_example().replace('"', "\\\""),
            spec.name
        );
    }
    interface
        .encode_init_args(text.as_deref())
        .with_context(|| format!("the install argument of canister {}", spec.name))
}

/// Asks on the terminal before a reinstall wipes `name`'s state; refuses without one.
fn confirm_reinstall(name: &str) -> Result<()> {
    let question = format!(
        "Reinstalling canister {name} deletes its state (memory and stable memory) for good."
    );
    if !std::io::stdin().is_terminal() {
        bail!("{question} Pass --yes to reinstall without being asked.");
    }
    eprint!("{question} Proceed? [y/N] ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("cannot read the answer")?;
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ => bail!("not reinstalling {name}: you declined (pass --yes to skip the question)"),
    }
}

async fn install_one(
    agent: &ic_agent::Agent,
    network: &Network,
    p: &Planned<'_>,
    mode: Mode,
    upgrade_unchanged: bool,
) -> Result<()> {
    let name = &p.spec.name;
    let module = std::fs::read(&p.built.wasm_gz)
        .with_context(|| format!("cannot read {}", p.built.wasm_gz.display()))?;
    let install_mode = match (mode, &p.installed_hash) {
        (Mode::Auto, None) | (Mode::Install, _) => CanisterInstallMode::Install,
        (Mode::Reinstall, _) => CanisterInstallMode::Reinstall,
        (Mode::Upgrade, _) => CanisterInstallMode::Upgrade(None),
        (Mode::Auto, Some(hash)) => {
            let raw = std::fs::read(&p.built.wasm)
                .with_context(|| format!("cannot read {}", p.built.wasm.display()))?;
            let unchanged =
                *hash == Sha256::digest(&module).to_vec() || *hash == Sha256::digest(&raw).to_vec();
            if unchanged && !upgrade_unchanged {
                println!(
                    "Module hash {} is already installed in {name} (pass --upgrade-unchanged to upgrade it anyway).",
                    hex(hash)
                );
                return Ok(());
            }
            CanisterInstallMode::Upgrade(None)
        }
    };
    install_chunked(agent, network, name, &p.id, &module, &p.arg, install_mode).await
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
pub fn env_name(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
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
        let mut process = Command::new("sh");
        process
            .arg("-c")
            .arg(command)
            .current_dir(root)
            .env("CANISTER_ID", id.to_text())
            .env("CANISTER_NAME", &canister.name)
            .env(format!("CANISTER_ID_{env_name}"), id.to_text())
            .env("DFX_NETWORK", &network.name);
        if let Some(did) = &built.did {
            process.env("CANISTER_CANDID_PATH", did);
        }
        let status = process
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
