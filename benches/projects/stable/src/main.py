# The StableBTreeMap benchmark (benches/kybra-bench/src/stable.rs): the same methods as the
# Rust baseline tests/canisters/rust_stable, on kybra's StableBTreeMap.
from kybra import nat64, Opt, query, StableBTreeMap, update

map = StableBTreeMap[nat64, str](memory_id=0)


@update
def insert(key: nat64, value: str) -> Opt[str]:
    return map.insert(key, value)


@query
def get(key: nat64) -> Opt[str]:
    return map.get(key)


@update
def fill(start: nat64, count: nat64) -> nat64:
    for i in range(start, start + count):
        map.insert(i, f"value-{i}")
    return map.len()


@query
def verify(start: nat64, count: nat64) -> nat64:
    bad = 0
    for i in range(start, start + count):
        if map.get(i) != f"value-{i}":
            bad += 1
    return bad
