//! The cycles minting canister (CMC) at `rkp4c-7iaaa-aaaaa-aaaca-cai`, as the service
//! [`CyclesMintingCanister`]:
//! - `get_default_subnets : () -> (vec principal) query` (the replica's one subnet, once
//!   known: `Replica::set_subnet_id`) and `get_subnet_types_to_subnets` (no typed subnets);
//! - `get_icp_xdr_conversion_rate` (query): a fixed rate, [`XDR_PERMYRIAD_PER_ICP`] (3.5 XDR
//!   per ICP; 1 XDR buys 1 T cycles, so 1 ICP buys 3.5 T cycles), without certificate;
//! - `notify_top_up`, `notify_create_canister` and `notify_mint_cycles`: the CMC's way of
//!   turning ICP into cycles. The caller first sends ICP on the ICP ledger to the CMC's
//!   account whose subaccount names the beneficiary (a canister for a top-up, the new
//!   canister's controller for a creation, the caller for minting: the length-prefixed
//!   principal bytes), with the memo `TPUP` (0x50555054), `CREA` (0x41455243) or `MINT`
//!   (0x544e494d) as the
//!   ledger's `memo : nat64` (or those 8 bytes as an ICRC memo), then notifies the block. The
//!   CMC burns the ICP and adds `e8s × XDR_PERMYRIAD_PER_ICP` cycles to the canister, or to
//!   the caller's cycles-ledger account (`to_subaccount`), or creates a canister with them
//!   (only its controller may notify; a failed creation is refunded). A block notified again gets the
//!   first answer; a block of another kind or to another account is `InvalidTransaction`; a
//!   top-up of a canister that does not exist is `Refunded` (the ICP goes back, less the fee).
//!
//! It shares the books of the ICP ledger and of the cycles ledger (`super::ledgers`).

use std::any::Any;
use std::collections::BTreeMap;

use candid::{CandidType, Deserialize, Nat, Principal};
use serde_bytes::ByteBuf;

use super::api::{Address, Answer, Env, MethodKind, Reply, Request, SystemService};
use super::ledgers::books::{account_id, AccountId, Books, Op, Tx};
use super::ledgers::icrc::{self, nat, Shared};
use super::system_canisters::{decode, decode_empty, encode, CYCLES_MINTING_CANISTER};
use crate::error::Reject;

/// The service's name.
pub const NAME: &str = "cycles minting canister";

/// The conversion rate: ten-thousandths of an XDR per ICP (35,000: 3.5 XDR per ICP). As 1 XDR
/// buys 10^12 cycles and 1 ICP is 10^8 e8s, one e8 buys this many cycles.
pub const XDR_PERMYRIAD_PER_ICP: u64 = 35_000;

/// The memo of an ICP transfer meant for `notify_top_up`: `TPUP`.
pub const MEMO_TOP_UP: u64 = 0x5055_5054;
/// The memo of an ICP transfer meant for `notify_create_canister`: `CREA`.
pub const MEMO_CREATE: u64 = 0x4145_5243;
/// The memo of an ICP transfer meant for `notify_mint_cycles`: `MINT`.
pub const MEMO_MINT: u64 = 0x544e_494d;

#[derive(CandidType)]
struct SubnetTypesToSubnetsResponse {
    data: Vec<(String, Vec<Principal>)>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct NotifyTopUpArg {
    pub block_index: u64,
    pub canister_id: Principal,
}

/// `notify_create_canister`'s argument; `subnet_type` and `subnet_selection` are read and
/// ignored (the replica has one subnet).
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct NotifyCreateCanisterArg {
    pub block_index: u64,
    pub controller: Principal,
    pub settings: Option<ic_management_canister_types::CanisterSettings>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct NotifyMintCyclesArg {
    pub block_index: u64,
    pub to_subaccount: Option<ByteBuf>,
    pub deposit_memo: Option<ByteBuf>,
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub struct MintCyclesSuccess {
    pub block_index: Nat,
    pub minted: Nat,
    pub balance: Nat,
}

/// The CMC's `NotifyError`, complete as its `.did` declares it.
#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum NotifyError {
    Refunded {
        block_index: Option<u64>,
        reason: String,
    },
    InvalidTransaction(String),
    Other {
        error_code: u64,
        error_message: String,
    },
    Processing,
    TransactionTooOld(u64),
}

#[derive(CandidType, Deserialize, Debug, Clone, PartialEq)]
pub enum NotifyResult<T> {
    Ok(T),
    Err(NotifyError),
}

#[derive(CandidType)]
struct ConversionRate {
    timestamp_seconds: u64,
    xdr_permyriad_per_icp: u64,
}

#[derive(CandidType)]
struct ConversionRateResponse {
    data: ConversionRate,
    hash_tree: ByteBuf,
    certificate: ByteBuf,
}

/// The subaccount the CMC gives `p`: its length, then its bytes, then zeros.
pub fn principal_subaccount(p: &Principal) -> [u8; 32] {
    let mut s = [0u8; 32];
    let bytes = p.as_slice();
    s[0] = bytes.len() as u8;
    s[1..=bytes.len()].copy_from_slice(bytes);
    s
}

/// The CMC's ICP account for `beneficiary`.
pub fn deposit_account(beneficiary: &Principal) -> AccountId {
    account_id(
        CYCLES_MINTING_CANISTER.as_slice(),
        Some(&principal_subaccount(beneficiary)),
    )
}

/// The cycles minting canister.
pub struct CyclesMintingCanister {
    icp: Shared,
    cycles: Shared,
    /// ICP block → the answer its notification got.
    notified: BTreeMap<u64, Vec<u8>>,
}

impl CyclesMintingCanister {
    /// The CMC over the ICP ledger's and the cycles ledger's books.
    pub fn new(icp: Shared, cycles: Shared) -> Self {
        CyclesMintingCanister {
            icp,
            cycles,
            notified: BTreeMap::new(),
        }
    }

    fn read(&self, method: &str, arg: &[u8], env: &dyn Env) -> Result<Vec<u8>, Reject> {
        decode_empty((NAME, &CYCLES_MINTING_CANISTER), method, arg)?;
        match method {
            "get_default_subnets" => {
                let subnet = env.subnet_id().ok_or_else(|| {
                    Reject::canister_reject(
                        "the kybra replica does not know its subnet id yet: it is set by the HTTP server \
                         (kybra-http) when it starts serving the replica, or by Replica::set_subnet_id",
                    )
                })?;
                Ok(encode(&vec![subnet]))
            }
            "get_icp_xdr_conversion_rate" => Ok(encode(&ConversionRateResponse {
                data: ConversionRate {
                    timestamp_seconds: env.time() / 1_000_000_000 / 60 * 60,
                    xdr_permyriad_per_icp: XDR_PERMYRIAD_PER_ICP,
                },
                hash_tree: ByteBuf::new(),
                certificate: ByteBuf::new(),
            })),
            _ => Ok(encode(&SubnetTypesToSubnetsResponse { data: Vec::new() })),
        }
    }

    /// ICP block `index`, checked to be a transfer to the CMC's account for `beneficiary`
    /// with `memo`: its sender, the CMC's account and the e8s.
    fn deposit(
        icp: &Books,
        index: u64,
        beneficiary: &Principal,
        memo: u64,
    ) -> Result<(AccountId, AccountId, u64), NotifyError> {
        let block = icp.blocks().get(index as usize).ok_or_else(|| {
            NotifyError::InvalidTransaction(format!(
                "block {index} does not exist on the ICP ledger (it has {} blocks)",
                icp.blocks().len()
            ))
        })?;
        let Op::Transfer {
            from, to, amount, ..
        } = block.op
        else {
            return Err(NotifyError::InvalidTransaction(format!(
                "block {index} is not a transfer"
            )));
        };
        if to != deposit_account(beneficiary) {
            return Err(NotifyError::InvalidTransaction(format!(
                "block {index} is not a transfer to the CMC's account for {beneficiary} (subaccount: the length-prefixed principal)"
            )));
        }
        if block.memo != memo.to_be_bytes() && block.memo != memo.to_le_bytes() {
            return Err(NotifyError::InvalidTransaction(format!(
                "block {index} has memo {}, not {memo:#x}",
                hex::encode(&block.memo)
            )));
        }
        Ok((from, to, amount))
    }

    /// Burns the ICP of block `index` (see [`Self::deposit`]); the e8s burned.
    fn take(
        &mut self,
        index: u64,
        beneficiary: &Principal,
        memo: u64,
        now: u64,
    ) -> Result<u64, NotifyError> {
        let mut icp = icrc::lock(&self.icp);
        let (_, cmc_account, amount) = Self::deposit(&icp, index, beneficiary, memo)?;
        let burn = Tx {
            from: cmc_account,
            to: icp.minting,
            amount,
            fee: None,
            memo: memo.to_be_bytes().to_vec(),
            created_at_time: None,
            spender: None,
        };
        icp.transfer(now, burn)
            .map_err(|e| NotifyError::InvalidTransaction(icrc::describe(&e)))?;
        Ok(amount)
    }

    /// `notify_top_up`, `notify_create_canister` or `notify_mint_cycles`.
    fn notify(&mut self, r: &Request<'_>, env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
        match r.method {
            "notify_top_up" => self.notify_top_up(r, env),
            "notify_create_canister" => self.notify_create_canister(r, env),
            _ => self.notify_mint_cycles(r, env),
        }
    }

    fn notify_top_up(&mut self, r: &Request<'_>, env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
        let at = (NAME, &CYCLES_MINTING_CANISTER);
        let now = env.time();
        {
            let a: NotifyTopUpArg = decode(
                at,
                r.method,
                "record { block_index : nat64; canister_id : principal }",
                r.arg,
            )?;
            if let Some(done) = self.notified.get(&a.block_index) {
                return Ok(done.clone());
            }
            let answer = if env.deposit_cycles(a.canister_id, 0).is_err() {
                let reason = format!("canister {} does not exist", a.canister_id);
                NotifyResult::Err(self.refund(
                    a.block_index,
                    (&a.canister_id, MEMO_TOP_UP),
                    reason,
                    now,
                ))
            } else {
                match self.take(a.block_index, &a.canister_id, MEMO_TOP_UP, now) {
                    Ok(e8s) => {
                        let cycles = u128::from(e8s) * u128::from(XDR_PERMYRIAD_PER_ICP);
                        env.deposit_cycles(a.canister_id, cycles)?;
                        NotifyResult::Ok(Nat::from(cycles))
                    }
                    Err(e) => NotifyResult::Err(e),
                }
            };
            let bytes = encode(&answer);
            self.remember(a.block_index, &answer, &bytes);
            Ok(bytes)
        }
    }

    /// `notify_create_canister`: ICP sent to the CMC's account for `controller` with the
    /// memo `CREA` becomes a new canister with `e8s × rate` cycles; only the controller may
    /// notify (so nobody else can spend the payment on a canister of their choosing); a
    /// creation that fails refunds the ICP, less the fee.
    fn notify_create_canister(
        &mut self,
        r: &Request<'_>,
        env: &mut dyn Env,
    ) -> Result<Vec<u8>, Reject> {
        let a: NotifyCreateCanisterArg = decode(
            (NAME, &CYCLES_MINTING_CANISTER),
            r.method,
            "record { block_index : nat64; controller : principal; subnet_type : opt text; \
             subnet_selection : opt SubnetSelection; settings : opt CanisterSettings }",
            r.arg,
        )?;
        if let Some(done) = self.notified.get(&a.block_index) {
            return Ok(done.clone());
        }
        if r.caller != a.controller {
            return Ok(encode(&NotifyResult::<Principal>::Err(
                NotifyError::Other {
                    error_code: 0,
                    error_message: format!(
                        "only the controller {} may notify the creation it paid for; {} called",
                        a.controller, r.caller
                    ),
                },
            )));
        }
        let now = env.time();
        let answer = match self.take(a.block_index, &a.controller, MEMO_CREATE, now) {
            Ok(e8s) => {
                let cycles = u128::from(e8s) * u128::from(XDR_PERMYRIAD_PER_ICP);
                match env.create_canister(a.controller, a.settings, cycles) {
                    Ok(id) => NotifyResult::Ok(id),
                    Err(reject) => {
                        // The ICP was burnt: mint it back to the sender, less the fee.
                        NotifyResult::Err(self.give_back(a.block_index, e8s, reject.message, now))
                    }
                }
            }
            Err(e) => NotifyResult::Err(e),
        };
        let bytes = encode(&answer);
        self.remember(a.block_index, &answer, &bytes);
        Ok(bytes)
    }

    /// Keeps a final answer (a success or a refund) to give again for the same block.
    fn remember<T>(&mut self, block: u64, answer: &NotifyResult<T>, bytes: &[u8]) {
        if matches!(
            answer,
            NotifyResult::Ok(_) | NotifyResult::Err(NotifyError::Refunded { .. })
        ) {
            self.notified.insert(block, bytes.to_vec());
        }
    }

    fn notify_mint_cycles(
        &mut self,
        r: &Request<'_>,
        env: &mut dyn Env,
    ) -> Result<Vec<u8>, Reject> {
        let at = (NAME, &CYCLES_MINTING_CANISTER);
        let now = env.time();
        let a: NotifyMintCyclesArg = decode(
            at,
            r.method,
            "record { block_index : nat64; to_subaccount : opt blob; deposit_memo : opt blob }",
            r.arg,
        )?;
        if let Some(done) = self.notified.get(&a.block_index) {
            return Ok(done.clone());
        }
        let to_subaccount: Option<[u8; 32]> = match a.to_subaccount {
            None => None,
            Some(s) => Some(s.as_slice().try_into().map_err(|_| {
                Reject::canister_reject(
                    "the CMC's notify_mint_cycles: to_subaccount must be 32 bytes",
                )
            })?),
        };
        let answer = match self.take(a.block_index, &r.caller, MEMO_MINT, now) {
            Ok(e8s) => {
                let cycles = e8s.saturating_mul(XDR_PERMYRIAD_PER_ICP);
                let mut books = icrc::lock(&self.cycles);
                let to = account_id(r.caller.as_slice(), to_subaccount.as_ref());
                let tx = Tx {
                    from: books.minting,
                    to,
                    amount: cycles,
                    fee: None,
                    memo: a.deposit_memo.map(|m| m.into_vec()).unwrap_or_default(),
                    created_at_time: None,
                    spender: None,
                };
                match books.transfer(now, tx) {
                    Ok(block) => NotifyResult::Ok(MintCyclesSuccess {
                        block_index: nat(block),
                        minted: nat(cycles),
                        balance: nat(books.balance(&to)),
                    }),
                    Err(e) => NotifyResult::Err(NotifyError::Other {
                        error_code: 0,
                        error_message: icrc::describe(&e),
                    }),
                }
            }
            Err(e) => NotifyResult::Err(e),
        };
        let bytes = encode(&answer);
        if matches!(answer, NotifyResult::Ok(_)) {
            self.notified.insert(a.block_index, bytes.clone());
        }
        Ok(bytes)
    }

    /// Sends the ICP of block `index` (a deposit for `beneficiary` with `memo`, still on the
    /// CMC's account) back to its sender, less the fee.
    fn refund(
        &mut self,
        index: u64,
        (beneficiary, memo): (&Principal, u64),
        reason: String,
        now: u64,
    ) -> NotifyError {
        let mut icp = icrc::lock(&self.icp);
        let (from, cmc_account, amount) = match Self::deposit(&icp, index, beneficiary, memo) {
            Ok(found) => found,
            Err(e) => return e,
        };
        pay_back(&mut icp, (cmc_account, from), amount, reason, now)
    }

    /// Mints `e8s` (less the fee) back to the sender of block `index`, whose ICP the CMC
    /// already burnt, when what it paid for could not be done.
    fn give_back(&mut self, index: u64, e8s: u64, reason: String, now: u64) -> NotifyError {
        let mut icp = icrc::lock(&self.icp);
        let from = match icp.blocks().get(index as usize).map(|b| &b.op) {
            Some(Op::Transfer { from, .. }) => *from,
            _ => return NotifyError::InvalidTransaction(format!("block {index} vanished")),
        };
        let minting = icp.minting;
        pay_back(&mut icp, (minting, from), e8s, reason, now)
    }
}

/// Sends `amount` less the ledger's fee from one account to another (the CMC's account or
/// the minting account, back to a payment's sender): the `Refunded` answer saying why.
fn pay_back(
    icp: &mut Books,
    (from, to): (AccountId, AccountId),
    amount: u64,
    reason: String,
    now: u64,
) -> NotifyError {
    let back = Tx {
        from,
        to,
        amount: amount.saturating_sub(icp.fee),
        fee: None,
        memo: Vec::new(),
        created_at_time: None,
        spender: None,
    };
    let block_index = icp.transfer(now, back).ok();
    NotifyError::Refunded {
        block_index,
        reason: format!("{reason}: the ICP went back to its sender, less the ledger's fee"),
    }
}

impl SystemService for CyclesMintingCanister {
    fn name(&self) -> &'static str {
        NAME
    }

    fn address(&self) -> Address {
        Address::Canister {
            id: CYCLES_MINTING_CANISTER,
            methods: &[
                ("get_default_subnets", MethodKind::Query),
                ("get_icp_xdr_conversion_rate", MethodKind::Query),
                ("get_subnet_types_to_subnets", MethodKind::Query),
                ("notify_create_canister", MethodKind::Update),
                ("notify_mint_cycles", MethodKind::Update),
                ("notify_top_up", MethodKind::Update),
            ],
        }
    }

    fn call(&mut self, r: Request<'_>, env: &mut dyn Env) -> Reply {
        let result = if r.method.starts_with("notify_") {
            self.notify(&r, env)
        } else {
            self.read(r.method, r.arg, env)
        };
        Reply::Now(match result {
            Ok(bytes) => Answer::reply(bytes, r.cycles, 0),
            Err(reject) => Answer::reject(reject, r.cycles),
        })
    }

    fn query(&mut self, r: Request<'_>, env: &mut dyn Env) -> Result<Vec<u8>, Reject> {
        self.read(r.method, r.arg, env)
    }

    fn state_generation(&self) -> u64 {
        self.notified.len() as u64
    }

    /// The notified blocks and their answers, as Candid `vec record { nat64; blob }`.
    fn save_state(&self) -> Option<Vec<u8>> {
        let saved: Vec<(u64, ByteBuf)> = self
            .notified
            .iter()
            .map(|(k, v)| (*k, ByteBuf::from(v.clone())))
            .collect();
        Some(encode(&saved))
    }

    fn restore_state(&mut self, saved: &[u8]) -> Result<(), String> {
        let saved: Vec<(u64, ByteBuf)> =
            candid::decode_one(saved).map_err(|e| format!("saved CMC notifications: {e}"))?;
        self.notified = saved.into_iter().map(|(k, v)| (k, v.into_vec())).collect();
        Ok(())
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
