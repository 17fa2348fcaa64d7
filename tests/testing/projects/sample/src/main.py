# A small canister for kybra.testing's own tests: init and post_upgrade arguments, the
# caller, records/variants/opt/principal values, a query's rolled-back changes, a trap with
# a traceback, a guard and cycles.
from kybra import (
    GuardResult,
    Opt,
    Principal,
    Record,
    Variant,
    Vec,
    ic,
    init,
    nat,
    nat64,
    post_upgrade,
    query,
    update,
    void,
)


class Entry(Record):
    owner: Principal
    label: str
    tags: Vec[str]
    note: Opt[str]


class Outcome(Variant, total=False):
    Ok: nat64
    Err: str


greeting: str = ""
counter: nat64 = 0
entries: list[Entry] = []


@init
def init_(text: str, start: nat64) -> void:
    global greeting, counter
    greeting = text
    counter = start
    print(f"init: {text} {start}")


@post_upgrade
def post_upgrade_(text: str, start: nat64) -> void:
    global greeting, counter
    greeting = text
    counter = start


@query
def greet(name: str) -> str:
    return f"{greeting}, {name}"


@update
def increment() -> nat64:
    global counter
    counter += 1
    return counter


@query
def increment_in_query() -> nat64:
    global counter
    counter += 1
    return counter


@query
def count() -> nat64:
    return counter


@query
def whoami() -> Principal:
    return ic.caller()


@update
def add_entry(label: str, tags: Vec[str], note: Opt[str]) -> Entry:
    entry: Entry = {"owner": ic.caller(), "label": label, "tags": tags, "note": note}
    entries.append(entry)
    return entry


@query
def get_entries() -> Vec[Entry]:
    return entries


@query
def divide(a: nat64, b: nat64) -> Outcome:
    if a == 0:
        return {"Err": "a is zero"}
    return {"Ok": helper(a, b)}


def helper(a: int, b: int) -> int:
    return a // b


def not_anonymous() -> GuardResult:
    if ic.caller() != Principal.anonymous():
        return {"Ok": None}
    return {"Err": "anonymous callers may not reset"}


@update(guard=not_anonymous)
def reset() -> void:
    global counter
    counter = 0


@update
def balance() -> nat:
    return ic.canister_balance128()
