"""Payments by ICRC-2: a buyer approves this canister on the ledger (`icrc2_approve`), then
calls `pay`; the canister pulls the amount itself (`icrc2_transfer_from`) and records the
payment in a StableBTreeMap, so the record survives upgrades. The canister's owner can
send tokens on (`icrc1_transfer`) and turn ICP into cycles for the canister through the
cycles minting canister.

The ledger is the ICP ledger, which speaks ICRC-1 and ICRC-2; any ICRC-2 ledger works.
"""

from kybra import (
    Async,
    CallResult,
    Principal,
    Record,
    StableBTreeMap,
    Variant,
    Vec,
    ic,
    nat,
    nat64,
    query,
    update,
)
from kybra.canisters.cmc import (
    MEMO_TOP_UP,
    CyclesMintingCanister,
    NotifyTopUpResult,
    cmc_subaccount,
)
from kybra.canisters.icrc import Icrc, TransferFromResult, TransferResult

LEDGER = Principal.from_str("ryjl3-tyaaa-aaaaa-aaaba-cai")
CMC = Principal.from_str("rkp4c-7iaaa-aaaaa-aaaca-cai")
ledger = Icrc(LEDGER)
cmc = CyclesMintingCanister(CMC)


class Payment(Record):
    payer: Principal
    amount: nat
    block: nat
    time: nat64


class PayResult(Variant, total=False):
    Ok: Payment
    Err: str


class SendResult(Variant, total=False):
    Ok: nat
    Err: str


payments = StableBTreeMap[nat64, Payment](
    memory_id=0, max_key_size=16, max_value_size=256
)


@update
def pay(amount: nat) -> Async[PayResult]:
    """Takes `amount` from the caller's default account, which must have approved it."""
    payer = ic.caller()
    result: CallResult[TransferFromResult] = yield ledger.icrc2_transfer_from(
        {
            "spender_subaccount": None,
            "from_": {"owner": payer, "subaccount": None},
            "to": {"owner": ic.id(), "subaccount": None},
            "amount": amount,
            "fee": None,
            "memo": None,
            "created_at_time": None,
        }
    )
    outcome = result.Ok
    if outcome is None:
        return {"Err": f"the ledger could not be called: {result.Err}"}
    if "Ok" not in outcome:
        return {"Err": f"the ledger refused the payment: {outcome.get('Err')}"}
    payment: Payment = {
        "payer": payer,
        "amount": amount,
        "block": outcome["Ok"],
        "time": ic.time(),
    }
    payments.insert(len(payments), payment)
    return {"Ok": payment}


@query
def payments_of(payer: Principal) -> Vec[Payment]:
    return [p for p in payments.values() if p["payer"] == payer]


@query
def total_received() -> nat:
    return sum(p["amount"] for p in payments.values())


@update
def balance() -> Async[nat]:
    """The canister's own balance, as the ledger reports it."""
    result: CallResult[nat] = yield ledger.icrc1_balance_of(
        {"owner": ic.id(), "subaccount": None}
    )
    return result.Ok if result.Ok is not None else 0


@update
def send(to: Principal, amount: nat) -> Async[SendResult]:
    """The controllers move tokens out of the canister's account."""
    if not ic.is_controller(ic.caller()):
        return {"Err": f"{ic.caller()} is not a controller of this canister"}
    result: CallResult[TransferResult] = yield ledger.icrc1_transfer(
        {
            "from_subaccount": None,
            "to": {"owner": to, "subaccount": None},
            "amount": amount,
            "fee": None,
            "memo": None,
            "created_at_time": None,
        }
    )
    outcome = result.Ok
    if outcome is None:
        return {"Err": f"the ledger could not be called: {result.Err}"}
    if "Ok" not in outcome:
        return {"Err": f"the ledger refused the transfer: {outcome.get('Err')}"}
    return {"Ok": outcome["Ok"]}


@update
def top_up_with(e8s: nat) -> Async[SendResult]:
    """Turns `e8s` of the canister's ICP into cycles for itself: a transfer to the cycles
    minting canister's account for this canister, then `notify_top_up`."""
    if not ic.is_controller(ic.caller()):
        return {"Err": f"{ic.caller()} is not a controller of this canister"}
    sent: CallResult[TransferResult] = yield ledger.icrc1_transfer(
        {
            "from_subaccount": None,
            "to": {"owner": CMC, "subaccount": cmc_subaccount(ic.id())},
            "amount": e8s,
            "fee": None,
            "memo": MEMO_TOP_UP.to_bytes(8, "little"),
            "created_at_time": None,
        }
    )
    transfer = sent.Ok
    if transfer is None or "Ok" not in transfer:
        why = sent.Err if transfer is None else transfer.get("Err")
        return {"Err": f"the transfer to the CMC failed: {why}"}
    notified: CallResult[NotifyTopUpResult] = yield cmc.notify_top_up(
        {"block_index": transfer["Ok"], "canister_id": ic.id()}
    )
    answer = notified.Ok
    if answer is None or "Ok" not in answer:
        why = notified.Err if answer is None else answer.get("Err")
        return {"Err": f"the CMC refused: {why}"}
    return {"Ok": answer["Ok"]}
