//! Calls to the IC's system canisters at their mainnet ids (on mainnet, and on a local
//! replica started with `--system-canisters` or `--mainnet-like`): the ICP ledger's balance
//! and transfer, the cycles ledger's balance, `withdraw` and `create_canister`, and the cycles
//! minting canister's ICP → cycles conversion. The commands `ledger`, `cycles` and `deploy`
//! (on any network but the local one) are thin shells over these.
//!
//! Promises: every ledger refusal comes back as an error that says what was refused and what
//! to do next (fund the identity, convert ICP); nothing is retried behind the caller's back.

use anyhow::{anyhow, bail, Result};
use candid::{CandidType, Deserialize, Nat, Principal};
use ic_agent::Agent;
use serde_bytes::ByteBuf;

use crate::network::{self, Network};
pub use kybra_replica::cmc::{deposit_account, MEMO_MINT, MEMO_TOP_UP};
use kybra_replica::cmc::{MintCyclesSuccess, NotifyMintCyclesArg, NotifyTopUpArg};
pub use kybra_replica::ledgers::books::account_id;
use kybra_replica::ledgers::cycles::{
    CreateCanisterArgs, CreateCanisterError, CreateCanisterResult, WithdrawArgs, WithdrawError,
};
use kybra_replica::ledgers::icp_legacy::{AccountBalanceArgs, Tokens, TransferArgs, TransferError};
use kybra_replica::system_canisters::{CYCLES_LEDGER, CYCLES_MINTING_CANISTER, ICP_LEDGER};

/// The ICP ledger's fee in e8s.
pub const ICP_FEE: u64 = 10_000;
/// The cycles ledger's fee in cycles.
pub const CYCLES_FEE: u128 = 100_000_000;

#[derive(CandidType)]
struct Account {
    owner: Principal,
    subaccount: Option<ByteBuf>,
}

/// `Result<T, E>` as the system canisters answer it, E shown with Debug.
type Answer<T, E> = std::result::Result<T, E>;

/// Calls `method` of `canister` (a query when `query`), decoding its one result.
async fn call<A: CandidType, R: for<'de> Deserialize<'de> + CandidType>(
    agent: &Agent,
    net: &Network,
    (canister, method, query): (Principal, &str, bool),
    arg: A,
) -> Result<R> {
    let arg = candid::encode_one(arg)?;
    let sent = if query {
        agent.query(&canister, method).with_arg(arg).call().await
    } else {
        agent
            .update(&canister, method)
            .with_arg(arg)
            .call_and_wait()
            .await
    };
    let bytes = sent
        .map_err(|e| network::explain(e, net))
        .map_err(|e| anyhow!("{method} on {canister}: {e:#}"))?;
    candid::decode_one(&bytes).map_err(|e| {
        anyhow!("{method} on {canister} answered something else than its interface says: {e}")
    })
}

async fn update<A: CandidType, R: for<'de> Deserialize<'de> + CandidType>(
    agent: &Agent,
    net: &Network,
    canister: Principal,
    method: &str,
    arg: A,
) -> Result<R> {
    call(agent, net, (canister, method, false), arg).await
}

async fn query<A: CandidType, R: for<'de> Deserialize<'de> + CandidType>(
    agent: &Agent,
    net: &Network,
    canister: Principal,
    method: &str,
    arg: A,
) -> Result<R> {
    call(agent, net, (canister, method, true), arg).await
}

/// The ICP balance (e8s) of the account identified by `account`.
pub async fn icp_balance(agent: &Agent, net: &Network, account: [u8; 32]) -> Result<u64> {
    let arg = AccountBalanceArgs {
        account: ByteBuf::from(account.to_vec()),
    };
    let t: Tokens = query(agent, net, ICP_LEDGER, "account_balance", arg).await?;
    Ok(t.e8s)
}

/// Sends `e8s` ICP from the identity's default account to `to`; the block index.
pub async fn icp_transfer(
    agent: &Agent,
    net: &Network,
    to: [u8; 32],
    e8s: u64,
    memo: u64,
) -> Result<u64> {
    let arg = TransferArgs {
        memo,
        amount: Tokens { e8s },
        fee: Tokens { e8s: ICP_FEE },
        from_subaccount: None,
        to: ByteBuf::from(to.to_vec()),
        created_at_time: None,
    };
    let r: Answer<u64, TransferError> = update(agent, net, ICP_LEDGER, "transfer", arg).await?;
    r.map_err(|e| match e {
        TransferError::InsufficientFunds { balance } => anyhow!(
            "the ICP ledger refused the transfer: the identity's account holds {} ICP, and {} ICP are needed (the amount and the 0.0001 ICP fee) — fund it first (on a local mainnet-like network: `kybra ledger faucet`)",
            icp(balance.e8s),
            icp(e8s + ICP_FEE)
        ),
        other => anyhow!("the ICP ledger refused the transfer: {other:?}"),
    })
}

/// The cycles-ledger balance of `owner`'s default account.
pub async fn cycles_balance(agent: &Agent, net: &Network, owner: Principal) -> Result<u128> {
    let n: Nat = query(
        agent,
        net,
        CYCLES_LEDGER,
        "icrc1_balance_of",
        Account {
            owner,
            subaccount: None,
        },
    )
    .await?;
    u128::try_from(n.0).map_err(|_| anyhow!("a cycles balance beyond 128 bits"))
}

/// Creates a canister through the cycles ledger, paid with `cycles` (+ its fee) from the
/// identity's cycles; its id.
pub async fn create_canister(agent: &Agent, net: &Network, cycles: u128) -> Result<Principal> {
    let arg = CreateCanisterArgs {
        from_subaccount: None,
        created_at_time: None,
        amount: Nat::from(cycles),
        creation_args: None,
    };
    let r: CreateCanisterResult = update(agent, net, CYCLES_LEDGER, "create_canister", arg).await?;
    match r {
        CreateCanisterResult::Ok(s) => Ok(s.canister_id),
        CreateCanisterResult::Err(CreateCanisterError::InsufficientFunds { balance }) => {
            let me = agent.get_principal().map_err(|e| anyhow!("{e}"))?;
            bail!(
                "creating a canister with {} costs {} on the cycles ledger (the cycles and the fee), and the identity {me} has {balance} cycles there: \
                 convert ICP into cycles with `kybra cycles convert --amount ICP --network {}` (on a local mainnet-like network, get ICP from `kybra ledger faucet --network {}`), \
                 or create it with fewer cycles (`--with-cycles N`)",
                tc(cycles),
                tc(cycles + CYCLES_FEE),
                net.name,
                net.name
            )
        }
        CreateCanisterResult::Err(e) => {
            bail!("the cycles ledger could not create the canister: {e:?}")
        }
    }
}

/// Moves `cycles` from the identity's cycles-ledger account to `canister`; the block index.
pub async fn withdraw(
    agent: &Agent,
    net: &Network,
    canister: Principal,
    cycles: u128,
) -> Result<Nat> {
    let arg = WithdrawArgs {
        amount: Nat::from(cycles),
        from_subaccount: None,
        to: canister,
        created_at_time: None,
    };
    let r: Answer<Nat, WithdrawError> = update(agent, net, CYCLES_LEDGER, "withdraw", arg).await?;
    r.map_err(|e| match e {
        WithdrawError::InsufficientFunds { balance } => anyhow!(
            "the identity has {balance} cycles on the cycles ledger, and {} are needed (the amount and the fee): convert ICP with `kybra cycles convert --amount ICP`",
            cycles + CYCLES_FEE
        ),
        WithdrawError::InvalidReceiver { receiver } => anyhow!("there is no canister {receiver} on this network"),
        other => anyhow!("the cycles ledger refused: {other:?}"),
    })
}

/// Sends `cycles` from the identity's cycles-ledger account to `to`'s (ICRC-1); the block.
pub async fn cycles_transfer(
    agent: &Agent,
    net: &Network,
    to: Principal,
    cycles: u128,
) -> Result<Nat> {
    use icrc_ledger_types::icrc1::account::Account as IcrcAccount;
    use icrc_ledger_types::icrc1::transfer::{TransferArg, TransferError};
    let arg = TransferArg {
        from_subaccount: None,
        to: IcrcAccount {
            owner: to,
            subaccount: None,
        },
        fee: None,
        created_at_time: None,
        memo: None,
        amount: Nat::from(cycles),
    };
    let r: Answer<Nat, TransferError> =
        update(agent, net, CYCLES_LEDGER, "icrc1_transfer", arg).await?;
    r.map_err(|e| match e {
        TransferError::InsufficientFunds { balance } => anyhow!(
            "the identity has {balance} cycles on the cycles ledger, and {} are needed (the amount and the fee): convert ICP with `kybra cycles convert --amount ICP`",
            cycles + CYCLES_FEE
        ),
        other => anyhow!("the cycles ledger refused the transfer: {other}"),
    })
}

/// Turns `e8s` of the identity's ICP into cycles on its cycles-ledger account (a transfer to
/// the CMC, then `notify_mint_cycles`); the cycles minted.
pub async fn convert(agent: &Agent, net: &Network, e8s: u64) -> Result<u128> {
    let me = agent.get_principal().map_err(|e| anyhow!("{e}"))?;
    let block = icp_transfer(agent, net, deposit_account(&me), e8s, MEMO_MINT).await?;
    let arg = NotifyMintCyclesArg {
        block_index: block,
        to_subaccount: None,
        deposit_memo: None,
    };
    let r: Answer<MintCyclesSuccess, candid::Reserved> = update(
        agent,
        net,
        CYCLES_MINTING_CANISTER,
        "notify_mint_cycles",
        arg,
    )
    .await?;
    let ok = r.map_err(|_| anyhow!("the cycles minting canister did not convert ICP block {block}: notify it again with the block index"))?;
    u128::try_from(ok.minted.0).map_err(|_| anyhow!("more cycles than 128 bits"))
}

/// Tops `canister` up with `e8s` of the identity's ICP through the CMC; the cycles added.
pub async fn top_up_with_icp(
    agent: &Agent,
    net: &Network,
    canister: Principal,
    e8s: u64,
) -> Result<u128> {
    let block = icp_transfer(agent, net, deposit_account(&canister), e8s, MEMO_TOP_UP).await?;
    let arg = NotifyTopUpArg {
        block_index: block,
        canister_id: canister,
    };
    let r: Answer<Nat, candid::Reserved> =
        update(agent, net, CYCLES_MINTING_CANISTER, "notify_top_up", arg).await?;
    let n = r.map_err(|_| {
        anyhow!("the cycles minting canister did not top {canister} up with ICP block {block}")
    })?;
    u128::try_from(n.0).map_err(|_| anyhow!("more cycles than 128 bits"))
}

/// `e8s` as ICP, with 8 decimals.
pub fn icp(e8s: u64) -> String {
    format!("{}.{:08}", e8s / 100_000_000, e8s % 100_000_000)
}

/// Cycles as trillions (`3.500 TC`).
pub fn tc(cycles: u128) -> String {
    format!(
        "{}.{:03} TC",
        cycles / 1_000_000_000_000,
        cycles % 1_000_000_000_000 / 1_000_000_000
    )
}

/// ICP given as text (`1.5`, `2`) in e8s.
pub fn parse_icp(text: &str) -> Result<u64> {
    let (whole, frac) = text.split_once('.').unwrap_or((text, ""));
    let ok = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.len() <= 8
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !ok {
        bail!("{text:?} is not an amount of ICP: write e.g. `1.5` (at most 8 decimals)");
    }
    let whole: u64 = whole
        .parse()
        .map_err(|_| anyhow!("{text:?}: too many ICP"))?;
    let frac: u64 = format!("{frac:0<8}").parse().expect("8 digits");
    whole
        .checked_mul(100_000_000)
        .and_then(|w| w.checked_add(frac))
        .ok_or_else(|| anyhow!("{text:?}: too many ICP"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_print_as_people_write_them() {
        assert_eq!(parse_icp("1.5").unwrap(), 150_000_000);
        assert_eq!(parse_icp("2").unwrap(), 200_000_000);
        assert_eq!(parse_icp("0.00000001").unwrap(), 1);
        for bad in ["", "x", ".5", "1.123456789", "-1", "1e3"] {
            assert!(parse_icp(bad).is_err(), "{bad}");
        }
        assert_eq!(icp(150_000_000), "1.50000000");
        assert_eq!(tc(3_500_000_000_000), "3.500 TC");
    }
}
