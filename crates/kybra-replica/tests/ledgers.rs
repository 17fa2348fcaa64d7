//! The built-in ledgers, called as their clients call them. The ICP ledger: its own interface
//! through the `ic-ledger-types` crate's types (so a Candid mismatch fails to decode), and
//! ICRC-1/ICRC-2 through `icrc-ledger-types`'. Balances, fees, deduplication, allowances,
//! and refusals that change nothing. The cycles ledger (transfers, `withdraw`, paid
//! `create_canister` on a mainnet-like replica), the cycles minting canister turning ICP into
//! cycles, and the provisional API refused to users on a mainnet-like replica.

mod common;

use candid::{Nat, Principal};
use common::*;
use ic_ledger_types::{
    AccountBalanceArgs, AccountIdentifier, Memo, Subaccount, Timestamp, Tokens, TransferArgs,
    TransferError as IcpTransferError, DEFAULT_SUBACCOUNT,
};
use icrc_ledger_types::icrc1::account::Account;
use icrc_ledger_types::icrc1::transfer::{TransferArg, TransferError};
use icrc_ledger_types::icrc2::allowance::{Allowance, AllowanceArgs};
use icrc_ledger_types::icrc2::approve::{ApproveArgs, ApproveError};
use icrc_ledger_types::icrc2::transfer_from::{TransferFromArgs, TransferFromError};
use kybra_replica::cmc::{
    deposit_account, MEMO_CREATE, MEMO_MINT, MEMO_TOP_UP, XDR_PERMYRIAD_PER_ICP,
};
use kybra_replica::ledgers::books::account_id;
use kybra_replica::system_canisters::{CYCLES_LEDGER, CYCLES_MINTING_CANISTER, ICP_LEDGER};
use kybra_replica::Replica;

const FEE: u64 = 10_000;

fn ledger() -> Replica {
    let r = replica();
    r.set_system_canisters(true);
    r
}

fn id_of(p: Principal) -> AccountIdentifier {
    AccountIdentifier::new(&p, &DEFAULT_SUBACCOUNT)
}

fn account(p: Principal) -> Account {
    Account {
        owner: p,
        subaccount: None,
    }
}

fn balance(r: &Replica, p: Principal) -> u64 {
    let arg = AccountBalanceArgs { account: id_of(p) };
    let out = r
        .query(user(), ICP_LEDGER, "account_balance", &enc(&arg))
        .unwrap();
    dec::<Tokens>(&out).e8s()
}

fn icrc_balance(r: &Replica, p: Principal) -> Nat {
    let out = r
        .query(user(), ICP_LEDGER, "icrc1_balance_of", &enc(&account(p)))
        .unwrap();
    dec(&out)
}

fn transfer(r: &Replica, from: Principal, a: &TransferArgs) -> Result<u64, IcpTransferError> {
    let out = r
        .update(from, ICP_LEDGER, None, "transfer", &enc(a))
        .unwrap();
    dec(&out)
}

fn icrc_transfer(r: &Replica, from: Principal, a: &TransferArg) -> Result<Nat, TransferError> {
    let out = r
        .update(from, ICP_LEDGER, None, "icrc1_transfer", &enc(a))
        .unwrap();
    dec(&out)
}

fn legacy_args(to: Principal, e8s: u64) -> TransferArgs {
    TransferArgs {
        memo: Memo(7),
        amount: Tokens::from_e8s(e8s),
        fee: Tokens::from_e8s(FEE),
        from_subaccount: None,
        to: id_of(to),
        created_at_time: None,
    }
}

fn icrc_args(to: Principal, amount: u64) -> TransferArg {
    TransferArg {
        from_subaccount: None,
        to: account(to),
        fee: None,
        created_at_time: None,
        memo: None,
        amount: Nat::from(amount),
    }
}

#[test]
fn the_faucet_funds_an_account_and_both_interfaces_see_one_balance() {
    let r = ledger();
    assert_eq!(ICP_LEDGER.to_text(), "ryjl3-tyaaa-aaaaa-aaaba-cai");
    assert_eq!(balance(&r, user()), 0);
    r.icp_mint(*id_of(user()).as_bytes(), 5 * 100_000_000)
        .unwrap();
    assert_eq!(balance(&r, user()), 500_000_000);
    assert_eq!(icrc_balance(&r, user()), Nat::from(500_000_000u64));
    assert_eq!(r.icp_balance(id_of(user()).as_bytes()), 500_000_000);
    let fee: Nat = dec(&r.query(user(), ICP_LEDGER, "icrc1_fee", &enc(&())).unwrap());
    assert_eq!(fee, Nat::from(FEE));
    let symbol: String = dec(&r
        .query(user(), ICP_LEDGER, "icrc1_symbol", &enc(&()))
        .unwrap());
    assert_eq!(symbol, "ICP");
    let supply: Nat = dec(&r
        .query(user(), ICP_LEDGER, "icrc1_total_supply", &enc(&()))
        .unwrap());
    assert_eq!(supply, Nat::from(500_000_000u64));
    let minting: Option<Account> = dec(&r
        .query(user(), ICP_LEDGER, "icrc1_minting_account", &enc(&()))
        .unwrap());
    assert_eq!(
        minting.unwrap().owner.to_text(),
        "rrkah-fqaaa-aaaaa-aaaaq-cai",
        "the governance canister mints, as on mainnet"
    );
}

#[test]
fn the_ledger_s_own_transfer_with_fee_and_deduplication() {
    let r = ledger();
    r.icp_mint(*id_of(user()).as_bytes(), 1_000_000).unwrap();
    let block = transfer(&r, user(), &legacy_args(other_user(), 300_000)).unwrap();
    assert_eq!(block, 1, "block 0 is the mint");
    assert_eq!(balance(&r, user()), 1_000_000 - 300_000 - FEE);
    assert_eq!(balance(&r, other_user()), 300_000);

    let mut bad_fee = legacy_args(other_user(), 1);
    bad_fee.fee = Tokens::from_e8s(1);
    assert_eq!(
        transfer(&r, user(), &bad_fee),
        Err(IcpTransferError::BadFee {
            expected_fee: Tokens::from_e8s(FEE)
        })
    );
    let too_much = legacy_args(other_user(), 10_000_000);
    assert_eq!(
        transfer(&r, user(), &too_much),
        Err(IcpTransferError::InsufficientFunds {
            balance: Tokens::from_e8s(690_000)
        })
    );
    let mut once = legacy_args(other_user(), 1_000);
    once.created_at_time = Some(Timestamp {
        timestamp_nanos: r.time_nanos(),
    });
    let first = transfer(&r, user(), &once).unwrap();
    assert_eq!(
        transfer(&r, user(), &once),
        Err(IcpTransferError::TxDuplicate {
            duplicate_of: first
        })
    );
    // Refused transfers changed nothing.
    assert_eq!(balance(&r, user()), 690_000 - 1_000 - FEE);
    assert_eq!(balance(&r, other_user()), 301_000);

    // A subaccount is an account of its own; a malformed `to` is rejected with the reason.
    let mut to_sub = legacy_args(user(), 5_000);
    to_sub.to = AccountIdentifier::new(&user(), &Subaccount([1; 32]));
    transfer(&r, other_user(), &to_sub).unwrap();
    assert_eq!(balance(&r, other_user()), 301_000 - 5_000 - FEE);
    let mut raw = candid::encode_one(legacy_args(other_user(), 1)).unwrap();
    let at = raw
        .windows(32)
        .position(|w| w == id_of(other_user()).as_bytes())
        .unwrap();
    raw[at] ^= 0xff;
    let err = r
        .update(user(), ICP_LEDGER, None, "transfer", &raw)
        .unwrap_err();
    assert!(
        err.message.contains("is not an account identifier"),
        "{}",
        err.message
    );
}

#[test]
fn icrc1_transfer_and_its_refusals() {
    let r = ledger();
    r.icp_mint(*id_of(user()).as_bytes(), 100_000).unwrap();
    let i = icrc_transfer(&r, user(), &icrc_args(other_user(), 40_000)).unwrap();
    assert_eq!(i, Nat::from(1u64));
    assert_eq!(icrc_balance(&r, other_user()), Nat::from(40_000u64));
    let mut a = icrc_args(other_user(), 1);
    a.fee = Some(Nat::from(3u64));
    assert_eq!(
        icrc_transfer(&r, user(), &a),
        Err(TransferError::BadFee {
            expected_fee: Nat::from(FEE)
        })
    );
    assert_eq!(
        icrc_transfer(&r, user(), &icrc_args(other_user(), 60_000)),
        Err(TransferError::InsufficientFunds {
            balance: Nat::from(50_000u64)
        })
    );
    let mut old = icrc_args(other_user(), 1);
    old.created_at_time = Some(r.time_nanos() - 25 * 3600 * 1_000_000_000);
    assert_eq!(icrc_transfer(&r, user(), &old), Err(TransferError::TooOld));
    let mut once = icrc_args(other_user(), 1);
    once.created_at_time = Some(r.time_nanos());
    let first = icrc_transfer(&r, user(), &once).unwrap();
    assert_eq!(
        icrc_transfer(&r, user(), &once),
        Err(TransferError::Duplicate {
            duplicate_of: first
        })
    );
    assert_eq!(icrc_balance(&r, user()), Nat::from(50_000u64 - 1 - FEE));
}

#[test]
fn icrc2_approve_then_transfer_from() {
    let r = ledger();
    let (owner, spender, shop) = (user(), other_user(), Principal::from_slice(&[9; 29]));
    r.icp_mint(*id_of(owner).as_bytes(), 1_000_000).unwrap();
    let approve = |amount: u64, expected: Option<u64>| -> Result<Nat, ApproveError> {
        let a = ApproveArgs {
            from_subaccount: None,
            spender: account(spender),
            amount: Nat::from(amount),
            expected_allowance: expected.map(Nat::from),
            expires_at: None,
            fee: None,
            memo: None,
            created_at_time: None,
        };
        dec(&r
            .update(owner, ICP_LEDGER, None, "icrc2_approve", &enc(&a))
            .unwrap())
    };
    approve(100_000, None).unwrap();
    assert_eq!(
        approve(5, Some(1)),
        Err(ApproveError::AllowanceChanged {
            current_allowance: Nat::from(100_000u64)
        })
    );
    let allowance: Allowance = dec(&r
        .query(
            shop,
            ICP_LEDGER,
            "icrc2_allowance",
            &enc(&AllowanceArgs {
                account: account(owner),
                spender: account(spender),
            }),
        )
        .unwrap());
    assert_eq!(allowance.allowance, Nat::from(100_000u64));
    let pull = |amount: u64| -> Result<Nat, TransferFromError> {
        let a = TransferFromArgs {
            spender_subaccount: None,
            from: account(owner),
            to: account(shop),
            amount: Nat::from(amount),
            fee: None,
            memo: None,
            created_at_time: None,
        };
        dec(&r
            .update(spender, ICP_LEDGER, None, "icrc2_transfer_from", &enc(&a))
            .unwrap())
    };
    assert_eq!(
        pull(95_000),
        Err(TransferFromError::InsufficientAllowance {
            allowance: Nat::from(100_000u64)
        })
    );
    pull(50_000).unwrap();
    assert_eq!(icrc_balance(&r, shop), Nat::from(50_000u64));
    assert_eq!(
        icrc_balance(&r, owner),
        Nat::from(1_000_000u64 - FEE - 50_000 - FEE),
        "the approval and the transfer each cost the fee"
    );
    assert_eq!(
        pull(50_000),
        Err(TransferFromError::InsufficientAllowance {
            allowance: Nat::from(100_000u64 - 50_000 - FEE)
        })
    );
}

#[test]
fn bad_arguments_and_unknown_methods_are_rejected_clearly() {
    let r = ledger();
    let err = r
        .update(user(), ICP_LEDGER, None, "icrc1_transfer", b"not candid")
        .unwrap_err();
    assert!(
        err.message
            .contains("could not decode the argument of icrc1_transfer"),
        "{}",
        err.message
    );
    let err = r
        .update(user(), ICP_LEDGER, None, "mint_everything", &enc(&()))
        .unwrap_err();
    assert!(
        err.message.contains("icrc1_transfer"),
        "lists the methods: {}",
        err.message
    );
    // Updates are not queries.
    assert!(r
        .query(
            user(),
            ICP_LEDGER,
            "icrc1_transfer",
            &enc(&icrc_args(user(), 1))
        )
        .is_err());
}

const CYCLES_FEE: u64 = 100_000_000;

fn cycles_of(p: Principal) -> [u8; 32] {
    account_id(p.as_slice(), None)
}

fn cycles_balance(r: &Replica, p: Principal) -> Nat {
    let out = r
        .query(user(), CYCLES_LEDGER, "icrc1_balance_of", &enc(&account(p)))
        .unwrap();
    dec(&out)
}

#[derive(candid::CandidType)]
struct WithdrawArgs {
    amount: Nat,
    from_subaccount: Option<serde_bytes::ByteBuf>,
    to: Principal,
    created_at_time: Option<u64>,
}

#[derive(candid::CandidType, candid::Deserialize, Debug)]
enum WithdrawError {
    InsufficientFunds { balance: Nat },
    InvalidReceiver { receiver: Principal },
    BadFee { expected_fee: Nat },
    TooOld,
    CreatedInFuture { ledger_time: u64 },
    TemporarilyUnavailable,
    Duplicate { duplicate_of: Nat },
    GenericError { error_code: Nat, message: String },
}

#[test]
fn the_cycles_ledger_transfers_and_withdraws_to_a_canister() {
    let r = ledger();
    r.cycles_mint(cycles_of(user()), 5_000_000_000_000).unwrap();
    assert_eq!(cycles_balance(&r, user()), Nat::from(5_000_000_000_000u64));
    let fee: Nat = dec(&r
        .query(user(), CYCLES_LEDGER, "icrc1_fee", &enc(&()))
        .unwrap());
    assert_eq!(fee, Nat::from(CYCLES_FEE));
    icrc_transfer_on(
        &r,
        CYCLES_LEDGER,
        user(),
        &icrc_args(other_user(), 1_000_000_000_000),
    )
    .unwrap();
    assert_eq!(
        cycles_balance(&r, user()),
        Nat::from(4_000_000_000_000u64 - CYCLES_FEE)
    );
    let canister = create(&r, user());
    let before = status(&r, user(), canister).unwrap().cycles;
    let withdraw = |to: Principal, amount: u64| -> Result<Nat, WithdrawError> {
        let a = WithdrawArgs {
            amount: Nat::from(amount),
            from_subaccount: None,
            to,
            created_at_time: None,
        };
        dec(&r
            .update(other_user(), CYCLES_LEDGER, None, "withdraw", &enc(&a))
            .unwrap())
    };
    withdraw(canister, 400_000_000_000).unwrap();
    assert_eq!(
        status(&r, user(), canister).unwrap().cycles,
        before + 400_000_000_000u64
    );
    assert_eq!(
        cycles_balance(&r, other_user()),
        Nat::from(600_000_000_000u64 - CYCLES_FEE)
    );
    let nobody = Principal::from_slice(&[0, 0, 0, 0, 0, 0x7f, 0, 1, 1, 1]);
    assert!(
        matches!(withdraw(nobody, 1), Err(WithdrawError::InvalidReceiver { receiver }) if receiver == nobody)
    );
    assert!(matches!(
        withdraw(canister, 600_000_000_000),
        Err(WithdrawError::InsufficientFunds { .. })
    ));
    assert_eq!(
        cycles_balance(&r, other_user()),
        Nat::from(600_000_000_000u64 - CYCLES_FEE),
        "refusals change nothing"
    );
}

fn icrc_transfer_on(
    r: &Replica,
    ledger: Principal,
    from: Principal,
    a: &TransferArg,
) -> Result<Nat, TransferError> {
    dec(&r
        .update(from, ledger, None, "icrc1_transfer", &enc(a))
        .unwrap())
}

#[derive(candid::CandidType)]
struct NotifyTopUp {
    block_index: u64,
    canister_id: Principal,
}

#[derive(candid::CandidType)]
struct NotifyMintCycles {
    block_index: u64,
    to_subaccount: Option<serde_bytes::ByteBuf>,
    deposit_memo: Option<serde_bytes::ByteBuf>,
}

#[derive(candid::CandidType, candid::Deserialize, Debug, PartialEq)]
struct MintCyclesSuccess {
    block_index: Nat,
    minted: Nat,
    balance: Nat,
}

#[derive(candid::CandidType, candid::Deserialize, Debug, PartialEq)]
enum NotifyError {
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

/// Sends `e8s` ICP from `from` to the CMC's account for `beneficiary` with `memo`; the block.
fn send_to_cmc(r: &Replica, from: Principal, beneficiary: Principal, e8s: u64, memo: u64) -> u64 {
    let mut a = legacy_args(from, e8s);
    a.to = AccountIdentifier::from_slice(&deposit_account(&beneficiary)).unwrap();
    a.memo = Memo(memo);
    transfer(r, from, &a).unwrap()
}

#[test]
fn the_cmc_turns_icp_into_cycles() {
    let r = ledger();
    r.icp_mint(*id_of(user()).as_bytes(), 10 * 100_000_000)
        .unwrap();
    // ICP → the caller's cycles-ledger account.
    let block = send_to_cmc(&r, user(), user(), 100_000_000, MEMO_MINT);
    let mint = NotifyMintCycles {
        block_index: block,
        to_subaccount: None,
        deposit_memo: None,
    };
    let notify = |m: &str, arg: Vec<u8>| {
        r.update(user(), CYCLES_MINTING_CANISTER, None, m, &arg)
            .unwrap()
    };
    let first = notify("notify_mint_cycles", enc(&mint));
    let got: Result<MintCyclesSuccess, NotifyError> = dec(&first);
    let minted = 100_000_000 * XDR_PERMYRIAD_PER_ICP;
    assert_eq!(got.unwrap().minted, Nat::from(minted));
    assert_eq!(minted, 3_500_000_000_000, "1 ICP buys 3.5 T cycles");
    assert_eq!(cycles_balance(&r, user()), Nat::from(minted));
    assert_eq!(
        notify("notify_mint_cycles", enc(&mint)),
        first,
        "a block is converted once"
    );
    assert_eq!(cycles_balance(&r, user()), Nat::from(minted));
    assert_eq!(
        balance(&r, user()),
        9 * 100_000_000 - FEE,
        "the ICP left, the CMC burned it"
    );

    // ICP → a canister's cycles.
    let canister = create(&r, user());
    let before = status(&r, user(), canister).unwrap().cycles;
    let block = send_to_cmc(&r, user(), canister, 200_000_000, MEMO_TOP_UP);
    let top_up = NotifyTopUp {
        block_index: block,
        canister_id: canister,
    };
    let got: Result<Nat, NotifyError> = dec(&notify("notify_top_up", enc(&top_up)));
    assert_eq!(got.unwrap(), Nat::from(2 * minted));
    assert_eq!(
        status(&r, user(), canister).unwrap().cycles,
        before + 2 * minted
    );

    // A block of another kind, or for a canister that does not exist.
    let wrong = NotifyTopUp {
        block_index: 0,
        canister_id: canister,
    };
    let got: Result<Nat, NotifyError> = dec(&notify("notify_top_up", enc(&wrong)));
    assert!(
        matches!(got, Err(NotifyError::InvalidTransaction(_))),
        "{got:?}"
    );
    let nobody = Principal::from_slice(&[0, 0, 0, 0, 0, 0x7f, 0, 1, 1, 1]);
    let icp_before = balance(&r, user());
    let block = send_to_cmc(&r, user(), nobody, 50_000_000, MEMO_TOP_UP);
    let lost = NotifyTopUp {
        block_index: block,
        canister_id: nobody,
    };
    let got: Result<Nat, NotifyError> = dec(&notify("notify_top_up", enc(&lost)));
    assert!(
        matches!(
            got,
            Err(NotifyError::Refunded {
                block_index: Some(_),
                ..
            })
        ),
        "{got:?}"
    );
    assert_eq!(
        balance(&r, user()),
        icp_before - 2 * FEE,
        "refunded, less the two fees"
    );
}

#[derive(candid::CandidType)]
struct NotifyCreateCanister {
    block_index: u64,
    controller: Principal,
    subnet_type: Option<String>,
    settings: Option<ic_management_canister_types::CanisterSettings>,
}

#[test]
fn the_cmc_creates_a_canister_paid_in_icp() {
    let r = ledger();
    r.set_mainnet_like(true);
    r.icp_mint(*id_of(user()).as_bytes(), 10 * 100_000_000)
        .unwrap();
    let notify = |who: Principal, a: &NotifyCreateCanister| -> Result<Principal, NotifyError> {
        dec(&r
            .update(
                who,
                CYCLES_MINTING_CANISTER,
                None,
                "notify_create_canister",
                &enc(a),
            )
            .unwrap())
    };
    let block = send_to_cmc(&r, user(), user(), 100_000_000, MEMO_CREATE);
    let create = NotifyCreateCanister {
        block_index: block,
        controller: user(),
        subnet_type: None,
        settings: None,
    };
    // Only the controller may spend the payment.
    let stolen = notify(other_user(), &create);
    assert!(
        matches!(&stolen, Err(NotifyError::Other { error_message, .. }) if error_message.contains("only the controller")),
        "{stolen:?}"
    );
    let id = notify(user(), &create).expect("created");
    let st = status(&r, user(), id).unwrap();
    assert_eq!(st.cycles, Nat::from(100_000_000 * XDR_PERMYRIAD_PER_ICP));
    assert_eq!(st.settings.controllers, vec![user()]);
    assert_eq!(notify(user(), &create), Ok(id), "a block creates once");
    assert_eq!(balance(&r, user()), 9 * 100_000_000 - FEE);

    // A top-up's block does not create; settings the IC refuses get the ICP back.
    let top_up = send_to_cmc(&r, user(), user(), 100_000_000, MEMO_TOP_UP);
    let wrong = NotifyCreateCanister {
        block_index: top_up,
        ..create
    };
    assert!(matches!(
        notify(user(), &wrong),
        Err(NotifyError::InvalidTransaction(_))
    ));
    let before = balance(&r, user());
    let block = send_to_cmc(&r, user(), user(), 100_000_000, MEMO_CREATE);
    let bad = NotifyCreateCanister {
        block_index: block,
        settings: Some(ic_management_canister_types::CanisterSettings {
            compute_allocation: Some(Nat::from(1_000u32)),
            ..Default::default()
        }),
        ..wrong
    };
    let refunded = notify(user(), &bad);
    assert!(
        matches!(
            &refunded,
            Err(NotifyError::Refunded {
                block_index: Some(_),
                ..
            })
        ),
        "{refunded:?}"
    );
    assert_eq!(
        balance(&r, user()),
        before - 2 * FEE,
        "back, less the two fees"
    );
    assert_eq!(notify(user(), &bad), refunded, "a refund is final");
}

#[test]
fn a_mainnet_like_replica_charges_for_canisters_and_refuses_the_provisional_api() {
    let r = replica();
    r.set_mainnet_like(true);
    let create_args = |amount: u64| CreateCanisterArgs {
        from_subaccount: None,
        created_at_time: None,
        amount: Nat::from(amount),
        creation_args: None,
    };
    let create = |who: Principal, amount: u64| -> CreateCanisterResponse {
        dec(&r
            .update(
                who,
                CYCLES_LEDGER,
                None,
                "create_canister",
                &enc(&create_args(amount)),
            )
            .unwrap())
    };
    // Unfunded: refused, nothing created.
    match create(user(), 1_000_000_000_000) {
        CreateCanisterResponse::Err(CreateCanisterError::InsufficientFunds { balance }) => {
            assert_eq!(balance, Nat::from(0u64))
        }
        other => panic!("{other:?}"),
    }
    assert!(r.canister_ids().is_empty());
    // Funded: created with the cycles, amount + fee paid.
    r.cycles_mint(cycles_of(user()), 3_000_000_000_000).unwrap();
    let CreateCanisterResponse::Ok { canister_id, .. } = create(user(), 1_000_000_000_000) else {
        panic!("a funded create_canister fails")
    };
    assert_eq!(r.canister_ids(), vec![canister_id]);
    assert_eq!(
        cycles_balance(&r, user()),
        Nat::from(2_000_000_000_000u64 - CYCLES_FEE)
    );
    assert_eq!(
        r.cycles_balance(&cycles_of(user())),
        2_000_000_000_000 - CYCLES_FEE
    );
    // The provisional API is refused to users, with what to do instead.
    let arg = ic_management_canister_types::ProvisionalCreateCanisterWithCyclesArgs {
        amount: None,
        settings: None,
        specified_id: None,
        sender_canister_version: None,
    };
    let err = r
        .update(
            user(),
            mgmt_id(),
            Some(canister_id),
            "provisional_create_canister_with_cycles",
            &enc(&arg),
        )
        .unwrap_err();
    assert!(
        err.message
            .contains("not available on this mainnet-like network"),
        "{}",
        err.message
    );
    assert!(err.message.contains("cycles ledger"), "{}", err.message);
    assert_eq!(r.canister_ids(), vec![canister_id]);
}

#[test]
fn on_a_plain_local_replica_the_cycles_ledger_creates_for_free() {
    let r = ledger();
    let a = CreateCanisterArgs {
        from_subaccount: None,
        created_at_time: None,
        amount: Nat::from(1_000_000u64),
        creation_args: None,
    };
    let out: CreateCanisterResponse = dec(&r
        .update(user(), CYCLES_LEDGER, None, "create_canister", &enc(&a))
        .unwrap());
    assert!(matches!(out, CreateCanisterResponse::Ok { .. }), "{out:?}");
}

#[test]
fn a_persistent_replica_keeps_the_ledgers_books() {
    let dir = tempfile::tempdir().unwrap();
    let open = || {
        let r = Replica::new(kybra_replica::ReplicaConfig {
            state_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        });
        r.set_mainnet_like(true);
        r
    };
    let (icp_after, cycles_after);
    {
        let r = open();
        r.icp_mint(*id_of(user()).as_bytes(), 1_000_000_000)
            .unwrap();
        r.cycles_mint(cycles_of(user()), 7_000_000_000_000).unwrap();
        transfer(&r, user(), &legacy_args(other_user(), 1_000)).unwrap();
        let block = send_to_cmc(&r, user(), user(), 100_000_000, MEMO_MINT);
        let mint = NotifyMintCycles {
            block_index: block,
            to_subaccount: None,
            deposit_memo: None,
        };
        r.update(
            user(),
            CYCLES_MINTING_CANISTER,
            None,
            "notify_mint_cycles",
            &enc(&mint),
        )
        .unwrap();
        icp_after = balance(&r, user());
        cycles_after = cycles_balance(&r, user());
    }
    let r = open();
    assert_eq!(balance(&r, user()), icp_after);
    assert_eq!(balance(&r, other_user()), 1_000);
    assert_eq!(cycles_balance(&r, user()), cycles_after);
    // The block numbers go on, and a converted block is not converted twice.
    let next = transfer(&r, user(), &legacy_args(other_user(), 1)).unwrap();
    assert_eq!(
        next, 4,
        "blocks 0..=3 were kept (mint, transfer, to the CMC, its burn)"
    );
    let mint = NotifyMintCycles {
        block_index: 2,
        to_subaccount: None,
        deposit_memo: None,
    };
    r.update(
        user(),
        CYCLES_MINTING_CANISTER,
        None,
        "notify_mint_cycles",
        &enc(&mint),
    )
    .unwrap();
    assert_eq!(cycles_balance(&r, user()), cycles_after);
}

#[test]
fn on_a_mainnet_like_replica_canisters_may_not_call_the_provisional_api_either() {
    let r = replica();
    r.set_mainnet_like(true);
    r.cycles_mint(cycles_of(user()), 2_000_000_000_000).unwrap();
    let a = CreateCanisterArgs {
        from_subaccount: None,
        created_at_time: None,
        amount: Nat::from(1_000_000_000_000u64),
        creation_args: None,
    };
    let created: CreateCanisterResponse = dec(&r
        .update(user(), CYCLES_LEDGER, None, "create_canister", &enc(&a))
        .unwrap());
    let CreateCanisterResponse::Ok {
        canister_id: id, ..
    } = created
    else {
        panic!("{created:?}")
    };
    install(&r, user(), id, kybra_test_support::rust_caller()).unwrap();
    let arg = ic_management_canister_types::ProvisionalCreateCanisterWithCyclesArgs {
        amount: None,
        settings: None,
        specified_id: None,
        sender_canister_version: None,
    };
    let call = (
        mgmt_id(),
        "provisional_create_canister_with_cycles".to_string(),
        enc(&arg),
        0u128,
    );
    let out = r
        .update(
            user(),
            id,
            None,
            "call_raw",
            &candid::encode_args(call).unwrap(),
        )
        .unwrap();
    let (o,): (Outcome,) = candid::decode_args(&out).unwrap();
    assert!(o.reply.is_none(), "{o:?}");
    assert!(
        o.reject_message
            .contains("not available on this mainnet-like network"),
        "{o:?}"
    );
    assert_eq!(r.canister_ids(), vec![id], "nothing was created");
}
