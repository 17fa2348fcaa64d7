//! `kybra identity deploy-wallet|get-wallet|set-wallet` and `kybra wallet
//! balance|send|authorize|deauthorize|custodians|controllers`: the identity's cycles wallet
//! (`crate::wallet`), as dfx's commands of the same names; and [`chosen`], the wallet that
//! `--wallet` and `canister call --with-cycles` spend from.
//!
//! Promises: a wallet is installed only into a canister with no code (a new one when no id
//! is given: provisional on the local network, paid from the cycles ledger elsewhere); on
//! the local network a wallet is deployed the first time one is needed, as dfx does; on
//! any other network a missing wallet is an error that says how to make one.

use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use candid::Principal;
use ic_agent::Agent;
use ic_utils::call::{AsyncCall, SyncCall};
use ic_utils::interfaces::management_canister::builders::CanisterInstallMode;

use super::deploy::{create_new, install_chunked, status, Creation};
use crate::network::{self, Network};
use crate::system_canisters::tc;
use crate::wallet::{self, client};

/// Cycles a new wallet starts with: 100 T on the local network (dfx's), 3 T elsewhere
/// (paid from the identity's cycles-ledger account; enough for two canisters of 1 T and
/// their fees).
const LOCAL_WALLET_CYCLES: u128 = 100_000_000_000_000;
const PAID_WALLET_CYCLES: u128 = 3_000_000_000_000;

fn with_agent<T>(
    network: Option<&str>,
    f: impl AsyncFnOnce(&Agent, &Network, &Path) -> Result<T>,
) -> Result<T> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    super::with_agent(&net, async |agent| f(agent, &net, &root).await)
}

/// Installs the wallet into `canister` (or a new canister with `cycles`) and records it as
/// the identity's wallet on `net`.
pub async fn deploy(
    agent: &Agent,
    net: &Network,
    root: &Path,
    canister: Option<Principal>,
    cycles: Option<u128>,
) -> Result<Principal> {
    let id = match canister {
        Some(id) => {
            let installed = status(agent, &id)
                .await
                .map_err(|e| network::explain(e, net))
                .with_context(|| {
                    format!(
                        "cannot read the status of {id} (is the identity one of its controllers?)"
                    )
                })?;
            if installed.is_some() {
                bail!("canister {id} already has code; a wallet goes into an empty canister (`kybra canister create`, or omit the id to create one)");
            }
            id
        }
        None => {
            let creation = Creation {
                cycles: cycles.unwrap_or(if net.local {
                    LOCAL_WALLET_CYCLES
                } else {
                    PAID_WALLET_CYCLES
                }),
                specified_id: None,
                wallet: None,
            };
            let (id, how) = create_new(agent, net, &creation).await?;
            println!("Created the wallet's canister {id} ({how}).");
            id
        }
    };
    install_chunked(
        agent,
        net,
        "wallet",
        &id,
        crate::assets::WALLET_CANISTER,
        &candid::encode_args(())?,
        CanisterInstallMode::Install,
    )
    .await?;
    wallet::record(root, net, id)?;
    println!(
        "The identity {}'s cycles wallet on {} is {id}.",
        crate::identity::current_name()?,
        net.name
    );
    Ok(id)
}

/// The wallet the identity uses on `net`: the recorded one; on the local network, a new
/// one when none is recorded (as dfx does).
pub async fn of_identity(agent: &Agent, net: &Network, root: &Path) -> Result<Principal> {
    if let Some(id) = wallet::recorded(root, net)? {
        return Ok(id);
    }
    if net.local {
        println!("Creating a cycles wallet for the identity on the local network.");
        return deploy(agent, net, root, None, None).await;
    }
    bail!(
        "the identity {} has no cycles wallet on {}: make one with `kybra identity deploy-wallet --network {}` \
         (paid from its cycles; `kybra cycles balance`), or name one with `kybra identity set-wallet ID --network {}`",
        crate::identity::current_name()?,
        net.name,
        net.name,
        net.name
    )
}

/// The wallet `--wallet [ID]` names: none without the option, the given id, else the
/// identity's wallet ([`of_identity`]).
pub async fn chosen(
    agent: &Agent,
    net: &Network,
    root: &Path,
    option: Option<&Option<String>>,
) -> Result<Option<Principal>> {
    match option {
        None => Ok(None),
        Some(Some(text)) => Principal::from_text(text)
            .map(Some)
            .map_err(|e| anyhow!("--wallet {text:?} is not a principal ({e})")),
        Some(None) => of_identity(agent, net, root).await.map(Some),
    }
}

/// `kybra identity deploy-wallet [CANISTER_ID]`.
pub fn deploy_wallet(
    canister: Option<&str>,
    cycles: Option<u128>,
    network: Option<&str>,
) -> Result<()> {
    let canister = canister
        .map(|text| {
            Principal::from_text(text).map_err(|e| anyhow!("{text:?} is not a canister id ({e})"))
        })
        .transpose()?;
    with_agent(network, async |agent, net, root| {
        deploy(agent, net, root, canister, cycles).await.map(|_| ())
    })
}

/// `kybra identity get-wallet`.
pub fn get_wallet(network: Option<&str>) -> Result<()> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    match wallet::recorded(&root, &net)? {
        Some(id) => {
            println!("{id}");
            Ok(())
        }
        None => bail!(
            "the identity {} has no cycles wallet on {}: make one with `kybra identity deploy-wallet{}`",
            crate::identity::current_name()?,
            net.name,
            if net.local { String::new() } else { format!(" --network {}", net.name) }
        ),
    }
}

/// `kybra identity set-wallet ID`: checks that ID answers as a wallet, then records it.
pub fn set_wallet(id: &str, network: Option<&str>) -> Result<()> {
    let id = Principal::from_text(id).map_err(|e| anyhow!("{id:?} is not a canister id ({e})"))?;
    with_agent(network, async |agent, net, root| {
        let wallet = client(agent, net, id).await?;
        println!(
            "{id} is a cycles wallet (API {}).",
            wallet.wallet_api_version()
        );
        wallet::record(root, net, id)?;
        println!(
            "The identity {}'s cycles wallet on {} is {id}.",
            crate::identity::current_name()?,
            net.name
        );
        Ok(())
    })
}

/// What `kybra wallet` does.
pub enum Operation {
    Balance { precise: bool },
    Send { to: String, cycles: u128 },
    Authorize(String),
    Deauthorize(String),
    Custodians,
    Controllers,
}

/// `kybra wallet …` on the identity's wallet.
pub fn run(op: Operation, network: Option<&str>) -> Result<()> {
    with_agent(network, async |agent, net, root| {
        let id = of_identity(agent, net, root).await?;
        let w = client(agent, net, id).await?;
        let refused = |e| wallet::explain(e, net, id);
        match op {
            Operation::Balance { precise } => {
                let amount = w.wallet_balance().await.map_err(refused)?.amount;
                if precise {
                    println!("{amount} cycles.");
                } else {
                    println!("{}.", tc(amount));
                }
            }
            Operation::Send { to, cycles } => {
                let to = super::call::canister_id(root, &to, net)?;
                w.wallet_send(to, cycles).await.map_err(refused)?;
                println!("Sent {} from the wallet {id} to {to}.", tc(cycles));
            }
            Operation::Authorize(p) => {
                let p = principal(&p)?;
                w.authorize(p).call_and_wait().await.map_err(refused)?;
                println!("{p} is now a custodian of the wallet {id}.");
            }
            Operation::Deauthorize(p) => {
                let p = principal(&p)?;
                let reply = agent
                    .update(&id, "deauthorize")
                    .with_arg(candid::encode_one(p)?)
                    .call_and_wait()
                    .await
                    .map_err(|e| network::explain(e, net))?;
                let result: Result<(), String> = candid::decode_one(&reply)?;
                result.map_err(|text| anyhow!("the cycles wallet {id} refused: {text}"))?;
                println!("{p} is no longer a custodian of the wallet {id}.");
            }
            Operation::Custodians => {
                for p in w.get_custodians().call().await.map_err(refused)?.0 {
                    println!("{p}");
                }
            }
            Operation::Controllers => {
                for p in w.get_controllers().call().await.map_err(refused)?.0 {
                    println!("{p}");
                }
            }
        }
        Ok(())
    })
}

fn principal(text: &str) -> Result<Principal> {
    Principal::from_text(text).map_err(|e| anyhow!("{text:?} is not a principal ({e})"))
}
