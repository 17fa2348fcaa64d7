# The stable structures benchmark (benches/kybra-bench/src/stable.rs): the same methods as
# the Rust baseline tests/canisters/rust_stable, on kybra's stable structures.
from kybra import (
    nat64,
    Opt,
    query,
    StableBTreeMap,
    StableBTreeSet,
    StableCell,
    StableLog,
    StableMinHeap,
    StableVec,
    update,
)

map = StableBTreeMap[nat64, str](memory_id=0)
numbers = StableBTreeSet[nat64](memory_id=1)
vec = StableVec[nat64](memory_id=2)
log = StableLog[str](index_memory_id=3, data_memory_id=4)
cell = StableCell[nat64](memory_id=5, initial=0)
heap = StableMinHeap[nat64](memory_id=6)


@update
def bulk(kind: str, n: nat64) -> nat64:
    """`n` operations of one kind on keys/values i in 0..n; the length afterwards (the
    cell: its value)."""
    if kind == "set_add":
        for i in range(n):
            numbers.add(i)
        return len(numbers)
    if kind == "vec_push":
        for i in range(n):
            vec.append(i)
        return len(vec)
    if kind == "log_append":
        for i in range(n):
            log.append(f"entry-{i}")
        return len(log)
    if kind == "cell_set":
        for i in range(n):
            cell.set(i)
        return cell.get()
    if kind == "heap_push":
        for i in range(n):
            heap.push(n - i)
        return len(heap)
    if kind == "heap_pop":
        for _ in range(n):
            heap.pop()
        return len(heap)
    raise ValueError(f"no bulk kind {kind}")


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
