//! The cycles wallet, as the command line sees it: which wallet an identity has on a
//! network, and the calls that spend through it (create a canister, forward a call with
//! cycles). The wallet canister is `canisters/wallet`; the client is ic-utils'
//! `WalletCanister`, the one dfx uses, so a wallet that dfx could drive works here too.
//!
//! Promises: wallets are recorded as dfx records them — `{"identities": {IDENTITY:
//! {NETWORK: ID}}}` in `.kybra/local/wallets.json` for the local network, in the
//! identity's own `wallets.json` (`~/.config/kybra/identity/NAME/`) for any other — so a
//! local `--clean` forgets local wallets only; the wallet's own refusals (too few cycles,
//! an unauthorised caller) come back as its text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context, Result};
use candid::{CandidType, Deserialize, Nat, Principal};
use ic_agent::{Agent, AgentError};
use ic_utils::call::SyncCall;
use ic_utils::interfaces::WalletCanister;

use crate::identity::{self, Store};
use crate::local;
use crate::network::{self, Network};

/// dfx's `wallets.json`.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct WalletsFile {
    identities: BTreeMap<String, BTreeMap<String, String>>,
}

fn wallets_file(root: &Path, network: &Network, identity: &str) -> Result<PathBuf> {
    Ok(if network.local {
        local::local_dir(root).join("wallets.json")
    } else {
        Store::open()?.wallets_file(identity)
    })
}

fn read(path: &Path) -> Result<WalletsFile> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a wallets file (`{{\"identities\": {{NAME: {{NETWORK: ID}}}}}}`); fix or delete it",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(WalletsFile::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The wallet recorded for the identity in use on `network`.
pub fn recorded(root: &Path, network: &Network) -> Result<Option<Principal>> {
    let name = identity::current_name()?;
    let path = wallets_file(root, network, &name)?;
    let Some(text) = read(&path)?
        .identities
        .get(&name)
        .and_then(|networks| networks.get(&network.name).cloned())
    else {
        return Ok(None);
    };
    Principal::from_text(&text)
        .map(Some)
        .map_err(|e| anyhow!("{}: the wallet id `{text}` is not a principal ({e}); fix it with `kybra identity set-wallet ID`", path.display()))
}

/// Records `id` as the wallet of the identity in use on `network`.
pub fn record(root: &Path, network: &Network, id: Principal) -> Result<()> {
    let name = identity::current_name()?;
    let path = wallets_file(root, network, &name)?;
    let mut file = read(&path)?;
    file.identities
        .entry(name)
        .or_default()
        .insert(network.name.clone(), id.to_text());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut json = serde_json::to_vec_pretty(&file).expect("serialisable");
    json.push(b'\n');
    local::write_atomic(&path, &json).with_context(|| format!("cannot write {}", path.display()))
}

/// A client of the wallet at `id`, which must answer `wallet_api_version` (ic-utils alone
/// would take any canister for a wallet of version 0.1.0).
pub async fn client<'a>(
    agent: &'a Agent,
    network: &Network,
    id: Principal,
) -> Result<WalletCanister<'a>> {
    let not_a_wallet = || format!("{id} does not answer as a cycles wallet (`wallet_api_version`)");
    let wallet = WalletCanister::create(agent, id)
        .await
        .map_err(|e| network::explain(e, network))
        .with_context(not_a_wallet)?;
    wallet
        .fetch_wallet_api_version()
        .call()
        .await
        .map_err(|e| network::explain(e, network))
        .with_context(not_a_wallet)?;
    Ok(wallet)
}

/// Turns the wallet's `Err(text)` (and any reject) into an error.
pub fn explain(error: AgentError, network: &Network, wallet: Principal) -> anyhow::Error {
    match error {
        AgentError::WalletError(text) | AgentError::WalletCallFailed(text) => {
            anyhow!("the cycles wallet {wallet} refused: {text}")
        }
        other => network::explain(other, network),
    }
}

/// Creates a canister through `wallet` with `cycles`, controlled by the identity and the
/// wallet; its id.
pub async fn create_canister(
    agent: &Agent,
    network: &Network,
    wallet: Principal,
    cycles: u128,
) -> Result<Principal> {
    let me = agent.get_principal().map_err(|e| anyhow!("{e}"))?;
    let created = client(agent, network, wallet)
        .await?
        .wallet_create_canister(cycles, Some(vec![me, wallet]), None, None, None)
        .await
        .map_err(|e| explain(e, network, wallet))?;
    Ok(created.canister_id)
}

/// Calls `method` of `canister` through `wallet` with `cycles` attached (`wallet_call128`);
/// the reply's bytes.
pub async fn call(
    agent: &Agent,
    network: &Network,
    wallet: Principal,
    target: (Principal, &str),
    args: Vec<u8>,
    cycles: u128,
) -> Result<Vec<u8>> {
    #[derive(CandidType)]
    struct CallArgs<'a> {
        canister: Principal,
        method_name: &'a str,
        args: serde_bytes::ByteBuf,
        cycles: Nat,
    }
    #[derive(CandidType, Deserialize)]
    struct CallResult {
        #[serde(with = "serde_bytes")]
        r#return: Vec<u8>,
    }
    let arg = candid::encode_one(CallArgs {
        canister: target.0,
        method_name: target.1,
        args: serde_bytes::ByteBuf::from(args),
        cycles: Nat::from(cycles),
    })?;
    let reply = agent
        .update(&wallet, "wallet_call128")
        .with_arg(arg)
        .call_and_wait()
        .await
        .map_err(|e| network::explain(e, network))?;
    let result: Result<CallResult, String> = candid::decode_one(&reply)
        .with_context(|| format!("{wallet}'s `wallet_call128` reply is not a wallet result"))?;
    result
        .map(|r| r.r#return)
        .map_err(|text| anyhow!("the call through the cycles wallet {wallet} failed: {text}"))
}
