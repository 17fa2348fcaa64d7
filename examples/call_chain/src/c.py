"""C, the end of the chain A -> B -> C: a counter, cycles it keeps half of, a rejection."""
from kybra import empty, ic, Manual, nat64, query, update

count = 0


@update
def bump(n: nat64) -> nat64:
    global count
    count += n
    return count


@query
def get() -> nat64:
    return count


@update
def take_half() -> nat64:
    return ic.msg_cycles_accept(ic.msg_cycles_available() // 2)


@update
def refuse(message: str) -> Manual[empty]:
    ic.reject(message)
