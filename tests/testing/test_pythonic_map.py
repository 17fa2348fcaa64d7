"""A StableBTreeMap is a Python mapping (`tests/testing/projects/pythonic_map`): random
sequences of operations run on the map inside a canister and on a dict here, and every
answer must be the dict's — the protocols (`len`, `in`, iteration, `reversed`, `m[k]`,
`del`), ranges in both directions across page boundaries, paged items, first/last and
pops. The map keeps its contents across upgrades between batches."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from kybra.testing import Replica

HERE = Path(__file__).resolve().parent


class Model:
    """What a dict kept in key order answers to each operation of the canister's `run`."""

    def __init__(self) -> None:
        self.d: dict[int, str] = {}

    def _sorted(self) -> list[tuple[int, str]]:
        return sorted(self.d.items())

    def _between(self, lo: int | None, hi: int | None) -> list[tuple[int, str]]:
        return [
            (k, v)
            for k, v in self._sorted()
            if (lo is None or k >= lo) and (hi is None or k < hi)
        ]

    def one(self, op: str) -> object:
        name, *args = op.split(" ")
        numbers = args[:1] if name in ("set", "insert", "page") else args[:2]
        bound = [None if a == "-" else int(a) for a in numbers]
        k = bound[0] if bound else None
        d = self.d
        if name == "set":
            assert k is not None
            d[k] = args[1]
            return None
        if name == "del":
            del d[k]  # pyright: ignore[reportArgumentType]
            return None
        if name == "item":
            return d[k]  # pyright: ignore[reportArgumentType]
        if name == "get":
            return d.get(k)  # pyright: ignore[reportArgumentType]
        if name == "in":
            return k in d
        if name == "insert":
            assert k is not None
            old = d.get(k)
            d[k] = args[1]
            return old
        if name == "remove":
            return d.pop(k, None)  # pyright: ignore[reportArgumentType]
        if name == "len":
            return len(d)
        if name == "iter":
            return sorted(d)
        if name == "reversed":
            return sorted(d, reverse=True)
        if name == "range":
            return self._between(bound[0], bound[1])
        if name == "rrange":
            return self._between(bound[0], bound[1])[::-1]
        if name == "page":
            return self._between(bound[0], None)[: int(args[1])]
        if name in ("first", "last", "pop_first", "pop_last"):
            items = self._sorted()
            if not items:
                return None
            entry = items[0] if name in ("first", "pop_first") else items[-1]
            if name.startswith("pop"):
                del d[entry[0]]
            return entry
        if name == "fill":
            for key in range(int(args[0]), int(args[1])):
                d[key] = f"v{key}"
            return None
        if name == "keys":
            return sorted(d)
        if name == "values":
            return [v for _, v in self._sorted()]
        if name == "items":
            return self._sorted()
        if name in ("bad", "badrange", "badlimit"):
            raise TypeError
        raise AssertionError(op)

    def run(self, ops: list[str]) -> list[str]:
        out: list[str] = []
        for op in ops:
            try:
                out.append(repr(self.one(op)))
            except (KeyError, TypeError) as e:
                out.append(type(e).__name__)
        return out


def random_ops(rng: random.Random, n: int) -> list[str]:
    def key() -> str:
        return str(rng.randrange(700))

    def bound() -> str:
        return "-" if rng.random() < 0.2 else key()

    ops: list[str] = []
    for _ in range(n):
        kind = rng.choice(
            ["set", "set", "set", "del", "item", "get", "in", "insert", "remove"]
            + ["len", "iter", "reversed", "range", "rrange", "page", "first", "last"]
            + ["pop_first", "pop_last", "fill", "bad"]
        )
        if kind in ("set", "insert"):
            ops.append(f"{kind} {key()} s{rng.randrange(1000)}")
        elif kind in ("del", "item", "get", "in", "remove"):
            ops.append(f"{kind} {key()}")
        elif kind in ("range", "rrange"):
            ops.append(f"{kind} {bound()} {bound()}")
        elif kind == "page":
            ops.append(f"page {bound()} {rng.randrange(0, 300)}")
        elif kind == "fill":
            start = rng.randrange(700)
            ops.append(f"fill {start} {start + rng.randrange(1, 300)}")
        else:
            ops.append(kind)
    return ops


def test_the_map_answers_as_a_dict_across_upgrades(
    replica: Replica, tmp_path: Path
) -> None:
    project = shutil.copytree(
        HERE / "projects" / "pythonic_map", tmp_path / "pythonic_map"
    )
    c = replica.deploy(project)
    model = Model()
    rng = random.Random(20261207)
    for batch in range(6):
        ops = random_ops(rng, 120) + ["len", "keys", "values", "reversed", "items"]
        got = c.run(ops)
        want = model.run(ops)
        for op, g, w in zip(ops, got, want, strict=True):
            assert g == w, (
                f"batch {batch}: {op!r} answered {g[:200]} where a dict gives {w[:200]}"
            )
        c = replica.upgrade(c)
    assert len(model.d) > 300, "the batches must fill more than a page of range()"


def test_paging_edges_and_bad_bounds(replica: Replica, tmp_path: Path) -> None:
    project = shutil.copytree(
        HERE / "projects" / "pythonic_map", tmp_path / "pythonic_map"
    )
    c = replica.deploy(project)
    model = Model()
    # Exactly one and two pages (256 entries each), a range ending on a page boundary, an
    # empty map's first/last/pops, a range whose start is after its end, a wrong-typed key,
    # a wrong-typed bound and a negative page size (each refused, nothing changed).
    ops = ["first", "last", "pop_first", "pop_last", "iter", "item 1", "del 1", "bad"]
    ops += ["badrange", "badlimit"]
    ops += ["fill 0 256", "range - -", "rrange - -", "fill 256 512", "range - -"]
    ops += ["rrange - -", "range 0 256", "rrange 256 512", "range 9 3", "rrange 9 9"]
    ops += ["page - 0", "page 500 100", "page 511 1", "len", "iter", "badrange", "len"]
    assert c.run(ops) == model.run(ops)
