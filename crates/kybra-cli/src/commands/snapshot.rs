//! `kybra canister snapshot create|load|list|delete`, as dfx's: the management canister's
//! `take_canister_snapshot`, `load_canister_snapshot`, `list_canister_snapshots` and
//! `delete_canister_snapshot`, signed by the selected identity (a controller).
//!
//! Promises: snapshot ids are printed and read as hex, as dfx does; `create --replace ID`
//! replaces that snapshot; the replica's refusal (not a controller, an unknown id, the limit
//! of 10) is the error, and a refused command changes nothing.

use super::canister::management_call;
use super::logs::timestamp;
use crate::network;
use anyhow::{Context, Result};
use candid::{CandidType, Deserialize, Principal};

/// What to do with a canister's snapshots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Take one, replacing the snapshot with this hex id if given.
    Create {
        replace: Option<String>,
    },
    Load {
        snapshot: String,
    },
    List,
    Delete {
        snapshot: String,
    },
}

#[derive(CandidType, Deserialize)]
struct Snapshot {
    id: serde_bytes::ByteBuf,
    taken_at_timestamp: u64,
    total_size: u64,
}

#[derive(CandidType)]
struct TakeArgs {
    canister_id: Principal,
    replace_snapshot: Option<serde_bytes::ByteBuf>,
}

#[derive(CandidType)]
struct SnapshotArgs {
    canister_id: Principal,
    snapshot_id: serde_bytes::ByteBuf,
}

#[derive(CandidType)]
struct CanisterIdRecord {
    canister_id: Principal,
}

fn parse_id(text: &str) -> Result<serde_bytes::ByteBuf> {
    hex::decode(text.trim_start_matches("0x"))
        .map(serde_bytes::ByteBuf::from)
        .with_context(|| {
            format!("snapshot id {text:?} is not hex; `kybra canister snapshot list CANISTER` prints the ids")
        })
}

fn describe(s: &Snapshot) -> String {
    let at = timestamp(s.taken_at_timestamp);
    format!(
        "{}: {} bytes, taken at {at}",
        hex::encode(&s.id),
        s.total_size
    )
}

/// `kybra canister snapshot OP CANISTER`.
pub fn run(op: Operation, canister: &str, network: Option<&str>) -> Result<()> {
    let root = super::root_or_cwd()?;
    let net = network::resolve(network, &root);
    let id = super::call::canister_id(&root, canister, &net)?;
    super::runtime()?.block_on(async {
        let agent = network::connect(&net).await?;
        let call = |method: &'static str, arg: Vec<u8>| {
            let (agent, net) = (&agent, &net);
            async move { management_call(agent, net, method, id, arg).await }
        };
        match op {
            Operation::Create { replace } => {
                let replace_snapshot = replace.as_deref().map(parse_id).transpose()?;
                let arg = candid::encode_one(TakeArgs {
                    canister_id: id,
                    replace_snapshot,
                })?;
                let reply = call("take_canister_snapshot", arg)
                    .await
                    .with_context(|| format!("cannot take a snapshot of {canister}"))?;
                let (s,): (Snapshot,) = candid::decode_args(&reply)
                    .context("cannot decode the take_canister_snapshot reply")?;
                println!(
                    "Created a new snapshot of canister {canister}. Snapshot ID: {}",
                    hex::encode(&s.id)
                );
            }
            Operation::Load { snapshot } => {
                let snapshot_id = parse_id(&snapshot)?;
                let arg = candid::encode_one(SnapshotArgs {
                    canister_id: id,
                    snapshot_id,
                })?;
                call("load_canister_snapshot", arg)
                    .await
                    .with_context(|| format!("cannot load snapshot {snapshot} into {canister}"))?;
                println!("Loaded snapshot {snapshot} in canister {canister}.");
            }
            Operation::List => {
                let arg = candid::encode_one(CanisterIdRecord { canister_id: id })?;
                let reply = call("list_canister_snapshots", arg)
                    .await
                    .with_context(|| format!("cannot list the snapshots of {canister}"))?;
                let (list,): (Vec<Snapshot>,) = candid::decode_args(&reply)
                    .context("cannot decode the list_canister_snapshots reply")?;
                if list.is_empty() {
                    println!("No snapshots found for canister {canister}.");
                }
                list.iter().for_each(|s| println!("{}", describe(s)));
            }
            Operation::Delete { snapshot } => {
                let snapshot_id = parse_id(&snapshot)?;
                let arg = candid::encode_one(SnapshotArgs {
                    canister_id: id,
                    snapshot_id,
                })?;
                call("delete_canister_snapshot", arg)
                    .await
                    .with_context(|| format!("cannot delete snapshot {snapshot} of {canister}"))?;
                println!("Deleted snapshot {snapshot} from canister {canister}.");
            }
        }
        Ok(())
    })
}
