"""Canister 1 calls canister 2 with the types canister 2 defines, imported from the
project root (`from src.canister2.types import ...`), as multi-canister Kybra projects do."""

import os

from src.canister2.types import Account, AccountArgs, Canister2, TransferResult

from kybra import Async, CallResult, Principal, nat64, update

canister2 = Canister2(Principal.from_str(os.environ["CANISTER_ID_CANISTER2"]))


@update
def deposit(to: str, amount: nat64) -> Async[TransferResult]:
    result: CallResult[TransferResult] = yield canister2.transfer(to, amount)
    if result.Err is not None:
        return {"Err": result.Err}
    return result.Ok


@update
def balance(id: str) -> Async[Account]:
    args: AccountArgs = {"id": id}
    result: CallResult[Account] = yield canister2.account(args)
    if result.Err is not None:
        raise RuntimeError(result.Err)
    return result.Ok
