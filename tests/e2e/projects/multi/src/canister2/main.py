"""Canister 2 keeps accounts; its types live in src/canister2/types.py."""

from src.canister2.types import Account, AccountArgs, TransferResult

from kybra import nat64, query, update

accounts: dict[str, Account] = {}


@update
def transfer(to: str, amount: nat64) -> TransferResult:
    if amount == 0:
        return {"Err": "amount must be positive"}
    account = accounts.get(to, {"id": to, "balance": 0})
    account = {"id": to, "balance": account["balance"] + amount}
    accounts[to] = account
    return {"Ok": account}


@query
def account(args: AccountArgs) -> Account:
    return accounts.get(args["id"], {"id": args["id"], "balance": 0})
