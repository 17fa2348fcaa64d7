"""Compute benchmark canister: the same functions the benchmark also runs in native
CPython. Each takes a size `n` and returns a number that depends on all the work done,
so both sides are checked to compute the same thing. `system_api` is canister-only: the
instructions per call of the system API (section 3's second table).
"""

from kybra import Vec, ic, nat32, nat64, query


@query
def sum_range(n: nat64) -> nat64:
    return sum(range(n))


@query
def for_loop(n: nat64) -> nat64:
    x = 0
    for i in range(n):
        x += i
    return x


def _fib(k: int) -> int:
    return k if k < 2 else _fib(k - 1) + _fib(k - 2)


@query
def fib(n: nat64) -> nat64:
    return _fib(n)


def _ack(m: int, k: int) -> int:
    if m == 0:
        return k + 1
    if k == 0:
        return _ack(m - 1, 1)
    return _ack(m - 1, _ack(m, k - 1))


@query
def ackermann(n: nat64) -> nat64:
    return _ack(3, n) if n else 0


def _square(x: int) -> int:
    return x * x


def _scaled(x: int, factor: int = 3) -> int:
    return _square(x) * factor


@query
def helper_calls(n: nat64) -> nat64:
    total = 0
    for i in range(n):
        total += _scaled(i % 100)
    return total


@query
def strings(n: nat64) -> nat64:
    parts = [f"item-{i}" for i in range(n)]
    joined = ",".join(parts).upper()
    return sum(len(p) for p in joined.split(",") if p.endswith("7") or "1" in p)


@query
def lists(n: nat64) -> nat64:
    values = [(i * 7919) % 1000 for i in range(n)]
    values.sort()
    evens = [v for v in values if v % 2 == 0]
    return sum(evens[::3]) + len(values)


@query
def dicts(n: nat64) -> nat64:
    counts: dict[int, int] = {}
    for i in range(n):
        key = (i * 31) % 997
        counts[key] = counts.get(key, 0) + i
    return sum(v for k, v in counts.items() if k % 3 == 0)


@query
def system_api(n: nat32) -> Vec[nat64]:
    """Instructions per call, over `n` calls each, of `ic.time()`, `ic.caller()`, `ic.id()`,
    `ic.canister_balance()` and `ic.performance_counter(0)`, less an empty loop's."""
    pc = ic.performance_counter
    start = pc(0)
    for _ in range(n):
        pass
    empty = pc(0) - start
    spent: list[int] = []
    start = pc(0)
    for _ in range(n):
        ic.time()
    spent.append(pc(0) - start)
    start = pc(0)
    for _ in range(n):
        ic.caller()
    spent.append(pc(0) - start)
    start = pc(0)
    for _ in range(n):
        ic.id()
    spent.append(pc(0) - start)
    start = pc(0)
    for _ in range(n):
        ic.canister_balance()
    spent.append(pc(0) - start)
    start = pc(0)
    for _ in range(n):
        ic.performance_counter(0)
    spent.append(pc(0) - start)
    return [(s - empty) // n for s in spent]
