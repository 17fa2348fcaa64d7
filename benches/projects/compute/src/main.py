"""Compute benchmark canister: the same loops the benchmark also runs in native CPython."""

from kybra import nat64, query


@query
def sum_range(n: nat64) -> nat64:
    return sum(range(n))


@query
def for_loop(n: nat64) -> nat64:
    x = 0
    for i in range(n):
        x += i
    return x
