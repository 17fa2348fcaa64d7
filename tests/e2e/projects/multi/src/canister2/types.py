"""Types both canisters use, imported from the project root as `src.canister2.types`."""

from kybra import Record, Service, Variant, nat64, service_query, service_update


class Account(Record):
    id: str
    balance: nat64


class AccountArgs(Record):
    id: str


class TransferResult(Variant, total=False):
    Ok: Account
    Err: str


class Canister2(Service):
    @service_update
    def transfer(self, to: str, amount: nat64) -> TransferResult: ...

    @service_query
    def account(self, args: AccountArgs) -> Account: ...
