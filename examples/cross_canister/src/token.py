# The book's token_canister ("Cross-canister" chapter), verbatim.
from kybra import ic, nat64, Principal, StableBTreeMap, update, Variant

accounts = StableBTreeMap[Principal, nat64](
    memory_id=3, max_key_size=38, max_value_size=15
)


class TransferResult(Variant, total=False):
    Ok: nat64
    Err: "TransferError"


class TransferError(Variant, total=False):
    InsufficientBalance: nat64


@update
def transfer(to: Principal, amount: nat64) -> TransferResult:
    from_ = ic.caller()
    from_balance = accounts.get(from_) or 0
    if from_balance < amount:
        return {"Err": {"InsufficientBalance": from_balance}}
    to_balance = accounts.get(to) or 0
    accounts.insert(from_, from_balance - amount)
    accounts.insert(to, to_balance + amount)
    return {"Ok": amount}


# Not in the book: lets the test fund an account and read balances.
@update
def mint(to: Principal, amount: nat64) -> nat64:
    balance = (accounts.get(to) or 0) + amount
    accounts.insert(to, balance)
    return balance


@update
def balance(of: Principal) -> nat64:
    return accounts.get(of) or 0
