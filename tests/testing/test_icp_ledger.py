"""`kybra.canisters.ledger` (the original Kybra's names) against the replica's built-in ICP
ledger: a Python canister reads balances, the fee and the token's names, pays with
`transfer`, gets the ledger's refusals as `TransferResult` errors, and reads the blocks."""

from __future__ import annotations

from pathlib import Path

from kybra import Principal
from kybra.testing import Replica

CANISTER = """
from kybra import Async, CallResult, Principal, Vec, blob, nat64, query, update
from kybra.canisters.ledger import Ledger, TransferResult

icp = Ledger(Principal.from_str("ryjl3-tyaaa-aaaaa-aaaba-cai"))


@update
def balance(account: blob) -> Async[nat64]:
    r: CallResult = yield icp.account_balance({"account": account})
    return r.Ok["e8s"]


@update
def my_account() -> blob:
    from kybra import ic
    return ic.id().to_account_id().bytes


@update
def pay(to: blob, e8s: nat64, fee: nat64) -> Async[TransferResult]:
    r: CallResult = yield icp.transfer({
        "memo": 7,
        "amount": {"e8s": e8s},
        "fee": {"e8s": fee},
        "from_subaccount": None,
        "to": to,
        "created_at_time": None,
    })
    return r.Ok


@update
def about() -> Async[Vec[str]]:
    fee: CallResult = yield icp.transfer_fee({})
    symbol: CallResult = yield icp.symbol()
    name: CallResult = yield icp.name()
    decimals: CallResult = yield icp.decimals()
    archives: CallResult = yield icp.archives()
    return [
        str(fee.Ok["transfer_fee"]["e8s"]),
        symbol.Ok["symbol"],
        name.Ok["name"],
        str(decimals.Ok["decimals"]),
        str(archives.Ok["archives"]),
    ]


@update
def last_block() -> Async[Vec[str]]:
    r: CallResult = yield icp.query_blocks({"start": 0, "length": 100})
    blocks = r.Ok["blocks"]
    last = blocks[-1]["transaction"]
    kind = list(last["operation"])[0]
    return [str(r.Ok["chain_length"]), kind, str(last["memo"]), str(blocks[-1]["parent_hash"] is not None)]
"""


def test_a_python_canister_pays_with_the_icp_ledger(
    replica: Replica, tmp_path: Path
) -> None:
    replica.system_canisters()
    main = tmp_path / "main.py"
    main.write_text(CANISTER)
    c = replica.deploy(main)
    mine = c.my_account()
    assert mine == c.id.to_account_id().bytes
    replica.icp_faucet(c.id, 1_000_000)
    assert c.balance(mine) == 1_000_000
    assert c.about() == ["10000", "ICP", "Internet Computer", "8", "[]"]

    user = Principal.from_str("2vxsx-fae").to_account_id().bytes
    assert c.pay(user, 250_000, 10_000) == {"Ok": 1}
    assert c.balance(user) == 250_000
    assert c.balance(mine) == 1_000_000 - 250_000 - 10_000
    assert c.last_block() == ["2", "Transfer", "7", "True"]

    # The ledger's refusals come back as TransferResult errors, and move nothing.
    assert c.pay(user, 5, 1) == {"Err": {"BadFee": {"expected_fee": {"e8s": 10_000}}}}
    assert c.pay(user, 10_000_000, 10_000) == {
        "Err": {"InsufficientFunds": {"balance": {"e8s": 740_000}}}
    }
    assert c.balance(mine) == 740_000 and c.balance(user) == 250_000
