"""The ICRC-2 payments sample (`examples/icrc2_payments`, on `kybra.canisters.icrc` and
`kybra.canisters.cmc`) against the replica's ICP ledger and cycles minting canister: a
buyer approves the canister, which pulls the payment with `icrc2_transfer_from` and
records it in stable memory; without an allowance the payment is refused and nothing
moves; the canister sends tokens on with `icrc1_transfer` (its controllers only) and turns
ICP into its own cycles through the CMC. Balances are read from the ledger itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kybra import Principal
from kybra.testing import Canister, Replica

ICP_LEDGER = Principal.from_str("ryjl3-tyaaa-aaaaa-aaaba-cai")
FEE = 10_000
# The ledger's ICRC methods a buyer calls, as the ICRC-1/ICRC-2 standards declare them.
LEDGER_DID = """
type Account = record { owner : principal; subaccount : opt blob };
type ApproveArgs = record {
  from_subaccount : opt blob; spender : Account; amount : nat; expected_allowance : opt nat;
  expires_at : opt nat64; fee : opt nat; memo : opt blob; created_at_time : opt nat64;
};
type ApproveError = variant {
  BadFee : record { expected_fee : nat }; InsufficientFunds : record { balance : nat };
  AllowanceChanged : record { current_allowance : nat }; Expired : record { ledger_time : nat64 };
  TooOld; CreatedInFuture : record { ledger_time : nat64 }; Duplicate : record { duplicate_of : nat };
  TemporarilyUnavailable; GenericError : record { error_code : nat; message : text };
};
service : {
  icrc1_balance_of : (Account) -> (nat) query;
  icrc2_approve : (ApproveArgs) -> (variant { Ok : nat; Err : ApproveError });
  icrc2_allowance : (record { account : Account; spender : Account })
    -> (record { allowance : nat; expires_at : opt nat64 }) query;
}
"""


def account(owner: Principal) -> dict[str, Any]:
    return {"owner": owner, "subaccount": None}


def approve(ledger: Canister, spender: Principal, amount: int) -> Any:
    return ledger.icrc2_approve(
        {
            "from_subaccount": None,
            "spender": account(spender),
            "amount": amount,
            "expected_allowance": None,
            "expires_at": None,
            "fee": None,
            "memo": None,
            "created_at_time": None,
        }
    )


def test_icrc2_payments_through_a_python_canister(
    replica: Replica, projects: Path
) -> None:
    replica.system_canisters()
    shop = replica.deploy(projects / "icrc2_payments")
    ledger = replica.canister(ICP_LEDGER, LEDGER_DID)
    buyer = Principal.from_str("xkbqi-2qaaa-aaaah-qbpqq-cai")
    stranger = Principal.from_str("aaaaa-aa")
    replica.icp_faucet(buyer, 1_000_000)
    replica.icp_faucet(stranger, 1_000_000)

    def balance(p: Principal) -> int:
        return ledger.icrc1_balance_of(account(p))

    # Without an allowance the payment is refused, clearly, and nothing moves.
    refused = shop.as_caller(buyer).pay(50_000)
    assert "InsufficientAllowance" in refused["Err"], refused
    assert balance(buyer) == 1_000_000 and balance(shop.id) == 0
    assert shop.payments_of(buyer) == []

    # Approve, then pay: the canister pulls the amount itself.
    assert "Ok" in approve(ledger.as_caller(buyer), shop.id, 100_000)
    allowance = ledger.icrc2_allowance(
        {"account": account(buyer), "spender": account(shop.id)}
    )
    assert allowance == {"allowance": 100_000, "expires_at": None}
    paid = shop.as_caller(buyer).pay(50_000)["Ok"]
    assert paid["payer"] == buyer and paid["amount"] == 50_000
    assert balance(shop.id) == 50_000 == shop.balance()
    assert balance(buyer) == 1_000_000 - FEE - 50_000 - FEE
    # More than what is left of the allowance: refused, nothing moves.
    assert "InsufficientAllowance" in shop.as_caller(buyer).pay(60_000)["Err"]
    assert balance(shop.id) == 50_000

    # The payments survive an upgrade (a StableBTreeMap).
    shop = replica.upgrade(shop)
    assert [p["amount"] for p in shop.payments_of(buyer)] == [50_000]
    assert shop.total_received() == 50_000

    # ICRC-1 transfer out, by a controller only.
    refused = shop.as_caller(stranger).send(stranger, 1_000)
    assert "not a controller" in refused["Err"], refused
    owner = shop.as_caller(shop.controllers[0])
    assert "Ok" in owner.send(stranger, 1_000)
    assert balance(stranger) == 1_001_000 and balance(shop.id) == 50_000 - 1_000 - FEE


def test_the_canister_turns_its_icp_into_cycles(
    replica: Replica, projects: Path
) -> None:
    replica.system_canisters()
    shop = replica.deploy(projects / "icrc2_payments")
    replica.icp_faucet(shop.id, 100_000_000 + FEE)
    before = shop.cycles
    owner = shop.as_caller(shop.controllers[0])
    got = owner.top_up_with(100_000_000)
    assert got == {"Ok": 3_500_000_000_000}, got  # 1 ICP at 3.5 XDR, 1 T cycles per XDR
    assert shop.cycles - before >= 3_500_000_000_000 - 10_000_000_000
    assert shop.balance() == 0
    assert "the transfer to the CMC failed" in owner.top_up_with(1)["Err"]
