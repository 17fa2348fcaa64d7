"""A StableBTreeMap used as a Python mapping. `run` performs each operation it is sent on
the map and answers with the repr of its result, or the name of the exception it raised,
so a test can compare the map with a dict doing the same (tests/testing/test_pythonic_map.py).

Operations: `set K V`, `del K`, `item K` (m[K]), `get K`, `in K`, `insert K V`, `remove K`,
`len`, `iter`, `reversed`, `range A B`, `rrange A B` (reverse; `-` is an open bound),
`page A N` (items(A, N)), `first`, `last`, `pop_first`, `pop_last`, `fill A B` (sets keys
A..B-1), `keys`, `values`, `items`, `bad` (a key of the wrong type), `badrange` (a bound
of the wrong type), `badlimit` (a negative page size)."""

from kybra import StableBTreeMap, Vec, nat32, update

m = StableBTreeMap[nat32, str](memory_id=0, max_key_size=16, max_value_size=64)


def _bound(word: str) -> "int | None":
    return None if word == "-" else int(word)


def _one(op: str) -> object:
    name, *args = op.split(" ")
    k = int(args[0]) if args and args[0] != "-" else None
    if name == "set":
        m[k] = args[1]
        return None
    if name == "del":
        del m[k]
        return None
    if name == "item":
        return m[k]
    if name == "get":
        return m.get(k)
    if name == "in":
        return k in m
    if name == "insert":
        return m.insert(k, args[1])
    if name == "remove":
        return m.remove(k)
    if name == "len":
        return len(m)
    if name == "iter":
        return list(m)
    if name == "reversed":
        return list(reversed(m))
    if name == "range":
        return list(m.range(_bound(args[0]), _bound(args[1])))
    if name == "rrange":
        return list(m.range(_bound(args[0]), _bound(args[1]), reverse=True))
    if name == "page":
        return m.items(_bound(args[0]), int(args[1]))
    if name == "first":
        return m.first()
    if name == "last":
        return m.last()
    if name == "pop_first":
        return m.pop_first()
    if name == "pop_last":
        return m.pop_last()
    if name == "fill":
        for key in range(int(args[0]), int(args[1])):
            m[key] = f"v{key}"
        return None
    if name == "keys":
        return m.keys()
    if name == "values":
        return m.values()
    if name == "items":
        return m.items()
    if name == "bad":
        return m["not a nat32"]  # pyright: ignore[reportArgumentType]
    if name == "badrange":
        return list(m.range("not a nat32", None))  # pyright: ignore[reportArgumentType]
    if name == "badlimit":
        return m.items(None, -1)
    raise ValueError(f"unknown operation {op!r}")


@update
def run(ops: Vec[str]) -> Vec[str]:
    out: list[str] = []
    for op in ops:
        try:
            out.append(repr(_one(op)))
        except (KeyError, TypeError) as e:
            out.append(type(e).__name__)
    return out
