//! The replica's ledger calls for tests and tools: the faucets that mint ICP on the built-in
//! ICP ledger and cycles on the built-in cycles ledger ([`crate::services::ledgers`]), and
//! their balances, each atomic on the replica's state like a message. A mint is journaled like
//! one too: a persistent replica keeps it (answered once durable).

use candid::Principal;

use super::Replica;
use crate::services::ledgers::books::AccountId;
use crate::services::ledgers::cycles::CyclesLedger;
use crate::services::ledgers::icp::IcpLedger;

const NOT_SAVED: &str = "the replica could not make the mint durable (its state folder failed)";

fn no(what: &str) -> String {
    format!("this replica has no {what}: start it with the system canisters (`kybra start --system-canisters` or `--mainnet-like`)")
}

impl Replica {
    /// The faucet: mints `e8s` ICP into the account identified by `account` on the built-in
    /// ICP ledger (a transfer from its minting account); the block index. An error when the
    /// replica has no ICP ledger (`set_system_canisters(true)` adds it).
    pub fn icp_mint(&self, account: AccountId, e8s: u64) -> Result<u64, String> {
        self.exec(move |w| {
            let now = w.state.clock.peek();
            let ledger = w
                .services
                .get_mut::<IcpLedger>()
                .ok_or_else(|| no("an ICP ledger"))?;
            let block = ledger.mint(now, account, e8s)?;
            w.journal(Some(Principal::management_canister()));
            Ok(block)
        })
        .unwrap_or_else(|| Err(NOT_SAVED.into()))
    }

    /// The ICP balance, in e8s, of the account identified by `account` (0 without a ledger).
    pub fn icp_balance(&self, account: &AccountId) -> u64 {
        self.lock()
            .services
            .get_mut::<IcpLedger>()
            .map_or(0, |l| l.balance(account))
    }

    /// The faucet: mints `cycles` into the cycles-ledger account identified by `account`
    /// (see `services::ledgers::books::account_id`); the block index.
    pub fn cycles_mint(&self, account: AccountId, cycles: u64) -> Result<u64, String> {
        self.exec(move |w| {
            let now = w.state.clock.peek();
            let ledger = w
                .services
                .get_mut::<CyclesLedger>()
                .ok_or_else(|| no("a cycles ledger"))?;
            let block = ledger.mint(now, account, cycles)?;
            w.journal(Some(Principal::management_canister()));
            Ok(block)
        })
        .unwrap_or_else(|| Err(NOT_SAVED.into()))
    }

    /// The cycles-ledger balance of the account identified by `account` (0 without a ledger).
    pub fn cycles_balance(&self, account: &AccountId) -> u64 {
        self.lock()
            .services
            .get_mut::<CyclesLedger>()
            .map_or(0, |l| l.balance(account))
    }
}
