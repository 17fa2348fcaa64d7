"""Every stable structure used as a Python container. `run` performs each operation it is
sent and answers with the repr of its result, or the name of the exception it raised, so a
test can compare each structure with its Python counterpart doing the same
(tests/testing/test_stable_family.py). `dump` returns the stable memory's non-zero 1 KiB
blocks, to pin the structures' layout.

An operation is a structure's letter, a name and its arguments:
- `s` (a StableBTreeSet[str], max_size 12) and `o` (another one): `add X`, `remove X`,
  `discard X`, `in X`, `len`, `iter`, `rev`, `range A B`, `rrange A B` (`-`: an open bound),
  `first`, `last`, `pop_first`, `pop_last`, `pop`, `clear`, `fill A B` (adds `kA`..), and
  with the other set: `union`, `inter`, `diff`, `sym`, `subset`, `superset`, `disjoint`;
- `v` (a StableVec[str], max_size 40 bytes of Candid): `append X`, `pop`, `get I`, `item I` (v[I]),
  `set I X`, `slice A B`, `len`, `iter`, `rev`, `extend X Y`, `list`;
- `l` (a StableLog[str]): `append X`, `item I`, `get I`, `len`, `iter`, `first`, `last`,
  `slice A B`;
- `c` (a StableCell[str], initial "start"): `get`, `set X`;
- `h` (a StableMinHeap[int32]): `push N`, `pop`, `peek`, `len`, `iter`, `clear`;
- `m` (a StableBTreeMap[nat32, str]): `set K V`, `items`;
- `s`, `o`, `v`, `l`, `c`, `h`: `bad` (an element of the wrong type); `s`, `v`, `h`: `big`
  (one that is too large, or out of the heap's int32 range)."""

from kybra import (
    StableBTreeMap,
    StableBTreeSet,
    StableCell,
    StableLog,
    StableMinHeap,
    StableVec,
    Tuple,
    Vec,
    blob,
    ic,
    int32,
    nat32,
    query,
    update,
)

s = StableBTreeSet[str](memory_id=0, max_size=12)
o = StableBTreeSet[str](memory_id=1)
v = StableVec[str](memory_id=2, max_size=40)
lg = StableLog[str](index_memory_id=3, data_memory_id=4)
c = StableCell[str](memory_id=5, initial="start")
h = StableMinHeap[int32](memory_id=6)
m = StableBTreeMap[nat32, str](memory_id=7)

BIG = "x" * 100


def _b(word: str) -> "str | None":
    return None if word == "-" else word


def _set(name: str, a: list[str]) -> object:
    x = s if name[0] == "s" else o
    op = name[1:]
    if op == "add":
        return x.add(a[0])
    if op == "remove":
        return x.remove(a[0])
    if op == "discard":
        return x.discard(a[0])
    if op == "in":
        return a[0] in x
    if op == "len":
        return len(x)
    if op == "iter":
        return list(x)
    if op == "rev":
        return list(reversed(x))
    if op == "range":
        return list(x.range(_b(a[0]), _b(a[1])))
    if op == "rrange":
        return list(x.range(_b(a[0]), _b(a[1]), reverse=True))
    if op in ("first", "last", "pop_first", "pop_last", "pop", "clear"):
        return getattr(x, op)()
    if op == "fill":
        for i in range(int(a[0]), int(a[1])):
            x.add(f"k{i:04}")
        return None
    combine = {
        "union": x.union,
        "inter": x.intersection,
        "diff": x.difference,
        "sym": x.symmetric_difference,
        "subset": x.is_subset,
        "superset": x.is_superset,
        "disjoint": x.is_disjoint,
    }
    if op in combine:
        return combine[op](o if x is s else s)
    if op == "bad":
        return x.add(5)  # pyright: ignore[reportArgumentType]
    if op == "big":
        return x.add(BIG)
    raise ValueError(op)


def _vec(op: str, a: list[str]) -> object:
    if op == "append":
        return v.append(a[0])
    if op == "pop":
        return v.pop()
    if op == "get":
        return v.get(int(a[0]))
    if op == "item":
        return v[int(a[0])]
    if op == "set":
        v[int(a[0])] = a[1]
        return None
    if op == "slice":
        return v[int(a[0]) : int(a[1])]
    if op == "len":
        return len(v)
    if op == "iter":
        return list(v)
    if op == "rev":
        return list(reversed(v))
    if op == "extend":
        return v.extend(a)
    if op == "list":
        return v.to_list()
    if op == "bad":
        return v.append(5)  # pyright: ignore[reportArgumentType]
    if op == "big":
        return v.append(BIG)
    raise ValueError(op)


def _log(op: str, a: list[str]) -> object:
    if op == "append":
        return lg.append(a[0])
    if op == "item":
        return lg[int(a[0])]
    if op == "get":
        return lg.get(int(a[0]))
    if op == "len":
        return len(lg)
    if op == "iter":
        return list(lg)
    if op in ("first", "last"):
        return getattr(lg, op)()
    if op == "slice":
        return lg[int(a[0]) : int(a[1])]
    if op == "bad":
        return lg.append(5)  # pyright: ignore[reportArgumentType]
    raise ValueError(op)


def _heap(op: str, a: list[str]) -> object:
    if op == "push":
        return h.push(int(a[0]))
    if op in ("pop", "peek", "clear"):
        return getattr(h, op)()
    if op == "len":
        return len(h)
    if op == "iter":
        return list(h)
    if op == "bad":
        return h.push("5")  # pyright: ignore[reportArgumentType]
    if op == "big":
        return h.push(1 << 40)
    raise ValueError(op)


def _one(op: str) -> object:
    which, name, *a = op.split(" ")
    if which in ("s", "o"):
        return _set(which + name, a)
    if which == "v":
        return _vec(name, a)
    if which == "l":
        return _log(name, a)
    if which == "h":
        return _heap(name, a)
    if which == "c":
        if name == "get":
            return c.get()
        if name == "bad":
            return c.set(5)  # pyright: ignore[reportArgumentType]
        return c.set(a[0])
    if which == "m":
        if name == "set":
            m[int(a[0])] = a[1]
            return None
        return m.items()
    raise ValueError(op)


@update
def run(ops: Vec[str]) -> Vec[str]:
    out: list[str] = []
    for op in ops:
        try:
            out.append(repr(_one(op)))
        except (KeyError, IndexError, TypeError, ValueError) as e:
            out.append(type(e).__name__)
    return out


@query
def dump() -> Vec[Tuple[nat32, blob]]:
    """The stable memory's non-zero 1 KiB blocks, as (offset / 1024, bytes)."""
    blocks: list[tuple[int, bytes]] = []
    size = ic.stable64_size() * 65536
    for page in range(0, size, 65536):
        chunk = ic.stable64_read(page, 65536)
        if not chunk.strip(b"\0"):
            continue
        for at in range(0, 65536, 1024):
            block = chunk[at : at + 1024]
            if block.strip(b"\0"):
                blocks.append(((page + at) // 1024, block))
    return blocks


@update
def messages() -> Vec[str]:
    """The message of each refused operation, in order (nothing is changed by any)."""
    attempts = [
        lambda: s.add(5),  # pyright: ignore[reportArgumentType]
        lambda: s.add(BIG),
        lambda: v.append(BIG),
        lambda: v[99],
        lambda: v.__setitem__(99, "x"),
        lambda: lg[-99],
        lambda: c.set(5),  # pyright: ignore[reportArgumentType]
        lambda: h.push(1 << 40),
        lambda: s.union(v),  # pyright: ignore[reportArgumentType]
    ]
    out: list[str] = []
    for attempt in attempts:
        try:
            attempt()
            out.append("accepted")
        except (IndexError, TypeError, ValueError) as e:
            out.append(f"{type(e).__name__}: {e}")
    return out
