//! The books' rules, one by one, and the invariant that balances sum to the total supply.

use super::*;

const FEE: u64 = ICP_FEE;

const NOW: u64 = 1_700_000_000_000_000_000;

fn acct(n: u8) -> AccountId {
    account_id(&[n; 10], None)
}

fn books() -> Books {
    let mut b = Books::new(account_id(b"minting", None), FEE);
    b.transfer(NOW, tx(b.minting, acct(1), 1_000_000)).unwrap();
    b
}

fn tx(from: AccountId, to: AccountId, amount: u64) -> Tx {
    Tx {
        from,
        to,
        amount,
        fee: None,
        memo: Vec::new(),
        created_at_time: None,
        spender: None,
    }
}

fn sum(b: &Books) -> u64 {
    b.balances.values().sum()
}

#[test]
fn account_ids_are_the_ledger_s() {
    // The anonymous principal's default account, as the ICP ledger and dfx print it.
    let id = account_id(&[4], None);
    assert_eq!(
        hex::encode(id),
        "1c7a48ba6a562aa9eaa2481a9049cdf0433b9738c992d698c31d8abf89cadc79"
    );
    assert_eq!(valid_account_id(&id), Some(id));
    let mut bad = id;
    bad[0] ^= 1;
    assert_eq!(valid_account_id(&bad), None);
    assert_eq!(valid_account_id(&id[..31]), None);
}

#[test]
fn a_transfer_moves_the_amount_and_burns_the_fee() {
    let mut b = books();
    let i = b.transfer(NOW, tx(acct(1), acct(2), 500)).unwrap();
    assert_eq!(i, 1);
    assert_eq!(b.balance(&acct(1)), 1_000_000 - 500 - FEE);
    assert_eq!(b.balance(&acct(2)), 500);
    assert_eq!(b.total_supply(), 1_000_000 - FEE);
    assert_eq!(sum(&b), b.total_supply());
}

#[test]
fn refusals_change_nothing() {
    let mut b = books();
    let before = (b.balances.clone(), b.blocks().len(), b.total_supply());
    let mut t = tx(acct(1), acct(2), 1_000_000);
    assert_eq!(
        b.transfer(NOW, t.clone()),
        Err(Refusal::InsufficientFunds { balance: 1_000_000 })
    );
    t.amount = 1;
    t.fee = Some(1);
    assert_eq!(
        b.transfer(NOW, t.clone()),
        Err(Refusal::BadFee { expected: FEE })
    );
    t.fee = None;
    t.created_at_time = Some(NOW - WINDOW_NANOS - DRIFT_NANOS - 1);
    assert_eq!(b.transfer(NOW, t.clone()), Err(Refusal::TooOld));
    t.created_at_time = Some(NOW + DRIFT_NANOS + 1);
    assert_eq!(
        b.transfer(NOW, t.clone()),
        Err(Refusal::CreatedInFuture { ledger_time: NOW })
    );
    let burn = tx(acct(1), b.minting, FEE - 1);
    assert_eq!(b.transfer(NOW, burn), Err(Refusal::BadBurn { min: FEE }));
    assert_eq!(
        before,
        (b.balances.clone(), b.blocks().len(), b.total_supply())
    );
}

#[test]
fn deduplication_uses_created_at_time_and_the_whole_transaction() {
    let mut b = books();
    let mut t = tx(acct(1), acct(2), 7);
    t.created_at_time = Some(NOW);
    let first = b.transfer(NOW, t.clone()).unwrap();
    assert_eq!(
        b.transfer(NOW + 1, t.clone()),
        Err(Refusal::Duplicate { of: first })
    );
    t.memo = b"other".to_vec();
    assert!(
        b.transfer(NOW + 1, t.clone()).is_ok(),
        "another memo is another transaction"
    );
    let mut plain = tx(acct(1), acct(2), 7);
    assert!(b.transfer(NOW, plain.clone()).is_ok());
    plain.amount = 7;
    assert!(
        b.transfer(NOW, plain).is_ok(),
        "no created_at_time: no deduplication"
    );
}

#[test]
fn mints_and_burns_change_the_supply() {
    let mut b = books();
    let burn = b.transfer(NOW, tx(acct(1), b.minting, 100_000)).unwrap();
    assert!(matches!(
        b.blocks()[burn as usize].op,
        Op::Burn {
            amount: 100_000,
            ..
        }
    ));
    assert_eq!(b.total_supply(), 900_000);
    let mut mint = tx(b.minting, acct(3), 5);
    mint.fee = Some(FEE);
    assert_eq!(b.transfer(NOW, mint), Err(Refusal::BadFee { expected: 0 }));
    assert_eq!(sum(&b), b.total_supply());
}

#[test]
fn approve_then_transfer_from_spends_the_allowance() {
    let mut b = books();
    let spender = acct(9);
    b.approve(
        NOW,
        acct(1),
        spender,
        50_000,
        None,
        None,
        None,
        Vec::new(),
        None,
    )
    .unwrap();
    assert_eq!(
        b.balance(&acct(1)),
        1_000_000 - FEE,
        "the approval costs the fee"
    );
    assert_eq!(
        b.approve(
            NOW,
            acct(1),
            spender,
            1,
            Some(7),
            None,
            None,
            Vec::new(),
            None
        ),
        Err(Refusal::AllowanceChanged { current: 50_000 })
    );
    let mut t = tx(acct(1), acct(2), 40_001);
    t.spender = Some(spender);
    assert_eq!(
        b.transfer(NOW, t.clone()),
        Err(Refusal::InsufficientAllowance { allowance: 50_000 })
    );
    t.amount = 30_000;
    b.transfer(NOW, t.clone()).unwrap();
    assert_eq!(
        b.allowance(&acct(1), &spender, NOW).amount,
        50_000 - 30_000 - FEE
    );
    assert_eq!(b.balance(&acct(2)), 30_000);
    assert_eq!(
        b.approve(
            NOW,
            acct(1),
            spender,
            5,
            None,
            Some(NOW),
            None,
            Vec::new(),
            None
        ),
        Err(Refusal::Expired { ledger_time: NOW })
    );
    b.approve(
        NOW,
        acct(1),
        spender,
        5,
        None,
        Some(NOW + 10),
        None,
        Vec::new(),
        None,
    )
    .unwrap();
    assert_eq!(
        b.allowance(&acct(1), &spender, NOW + 10).amount,
        0,
        "expired"
    );
    assert_eq!(sum(&b), b.total_supply());
}
