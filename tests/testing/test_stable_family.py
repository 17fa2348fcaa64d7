"""The stable structures family (`tests/testing/projects/stable_family`): random sequences of
operations run inside a canister on a StableBTreeSet, StableVec, StableLog, StableCell and
StableMinHeap, and here on a `set`, `list`, `list`, a value and `heapq`; every answer must
be the Python counterpart's, across 50 upgrades. The stable-memory layout of every
structure is pinned by a golden file, and memory written in that layout is read back."""

from __future__ import annotations

import heapq
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kybra.testing import BuildError, Canister, CanisterReject, Replica

from .stable_golden import canister_with_raw_memory, dump_text

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "stable-family-v1.txt"
MAX_SET = 12  # the set's max_size: UTF-8 bytes of an element
MAX_VEC = 40  # the vec's max_size: bytes of an element's Candid (7 + 1 + UTF-8 bytes)
BIG = "x" * 100


class Refused(Exception):
    """The model's way of saying which exception the canister must raise."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _b(word: str) -> str | None:
    return None if word == "-" else word


class Model:
    """What Python's own containers answer to each operation of the canister's `run`."""

    def __init__(self) -> None:
        self.sets: dict[str, set[str]] = {"s": set(), "o": set()}
        self.v: list[str] = []
        self.log: list[str] = []
        self.cell = "start"
        self.heap: list[int] = []
        self.m: dict[int, str] = {}

    def set_op(self, which: str, op: str, a: list[str]) -> object:
        x, other = self.sets[which], self.sets["o" if which == "s" else "s"]
        if op == "add":
            if which == "s" and len(a[0].encode()) > MAX_SET:
                raise Refused("ElementTooLargeError")
            x.add(a[0])
            return None
        if op == "remove":
            if a[0] not in x:
                raise Refused("KeyError")
            x.remove(a[0])
            return None
        if op == "discard":
            was = a[0] in x
            x.discard(a[0])
            return was
        if op == "in":
            return a[0] in x
        if op == "len":
            return len(x)
        if op in ("iter", "rev"):
            return sorted(x, reverse=op == "rev")
        if op in ("range", "rrange"):
            lo, hi = _b(a[0]), _b(a[1])
            inside = [
                e
                for e in sorted(x)
                if (lo is None or e >= lo) and (hi is None or e < hi)
            ]
            return inside[::-1] if op == "rrange" else inside
        if op in ("first", "last", "pop_first", "pop_last", "pop"):
            if not x:
                if op == "pop":
                    raise Refused("KeyError")
                return None
            e = min(x) if op in ("first", "pop_first", "pop") else max(x)
            if op.startswith("pop"):
                x.remove(e)
            return e
        if op == "clear":
            x.clear()
            return None
        if op == "fill":
            x.update(f"k{i:04}" for i in range(int(a[0]), int(a[1])))
            return None
        combine = {
            "union": lambda: sorted(x | other),
            "inter": lambda: sorted(x & other),
            "diff": lambda: sorted(x - other),
            "sym": lambda: sorted(x ^ other),
            "subset": lambda: x <= other,
            "superset": lambda: x >= other,
            "disjoint": lambda: not (x & other),
        }
        if op in combine:
            return combine[op]()
        if op == "bad":
            raise Refused("TypeError")
        if op == "big":
            raise Refused("ElementTooLargeError")
        raise AssertionError(op)

    def vec_op(self, op: str, a: list[str]) -> object:
        v = self.v

        def fits(e: str) -> str:
            if 8 + len(e.encode()) > MAX_VEC:
                raise Refused("ElementTooLargeError")
            return e

        if op == "append":
            v.append(fits(a[0]))
            return None
        if op == "pop":
            if not v:
                raise Refused("IndexError")
            return v.pop()
        if op == "get":
            i = int(a[0])
            return v[i] if i < len(v) else None
        if op == "item":
            return self._item(v, int(a[0]))
        if op == "set":
            i = int(a[0])
            if not -len(v) <= i < len(v):
                raise Refused("IndexError")
            v[i] = fits(a[1])
            return None
        if op == "slice":
            return v[int(a[0]) : int(a[1])]
        if op == "len":
            return len(v)
        if op in ("iter", "list"):
            return list(v)
        if op == "rev":
            return v[::-1]
        if op == "extend":
            for e in a:
                v.append(fits(e))
            return None
        if op == "bad":
            raise Refused("TypeError")
        if op == "big":
            raise Refused("ElementTooLargeError")
        raise AssertionError(op)

    @staticmethod
    def _item(xs: list[str], i: int) -> str:
        if not -len(xs) <= i < len(xs):
            raise Refused("IndexError")
        return xs[i]

    def log_op(self, op: str, a: list[str]) -> object:
        log = self.log
        if op == "append":
            log.append(a[0])
            return len(log) - 1
        if op == "item":
            return self._item(log, int(a[0]))
        if op == "get":
            i = int(a[0])
            return log[i] if i < len(log) else None
        if op == "len":
            return len(log)
        if op == "iter":
            return list(log)
        if op == "first":
            return log[0] if log else None
        if op == "last":
            return log[-1] if log else None
        if op == "slice":
            return log[int(a[0]) : int(a[1])]
        if op == "bad":
            raise Refused("TypeError")
        raise AssertionError(op)

    def heap_op(self, op: str, a: list[str]) -> object:
        h = self.heap
        if op == "push":
            heapq.heappush(h, int(a[0]))
            return None
        if op == "pop":
            return heapq.heappop(h) if h else None
        if op == "peek":
            return h[0] if h else None
        if op == "len":
            return len(h)
        if op == "iter":
            return sorted(h)
        if op == "clear":
            h.clear()
            return None
        if op in ("bad", "big"):
            raise Refused("TypeError")
        raise AssertionError(op)

    def one(self, op: str) -> object:
        which, name, *a = op.split(" ")
        if which in self.sets:
            return self.set_op(which, name, a)
        if which == "v":
            return self.vec_op(name, a)
        if which == "l":
            return self.log_op(name, a)
        if which == "h":
            return self.heap_op(name, a)
        if which == "c":
            if name == "get":
                return self.cell
            if name == "bad":
                raise Refused("TypeError")
            old, self.cell = self.cell, a[0]
            return old
        if which == "m":
            if name == "set":
                self.m[int(a[0])] = a[1]
                return None
            return sorted(self.m.items())
        raise AssertionError(op)

    def run(self, ops: list[str]) -> list[str]:
        out: list[str] = []
        for op in ops:
            try:
                out.append(repr(self.one(op)))
            except Refused as e:
                out.append(e.name)
        return out


def random_ops(rng: random.Random, n: int) -> list[str]:
    def word() -> str:
        return f"k{rng.randrange(120):04}"

    def bound() -> str:
        return "-" if rng.random() < 0.2 else word()

    def index() -> str:
        return str(rng.randrange(-8, 40))

    table: list[tuple[str, list[Callable[[], str]]]] = [
        ("s add", [word]),
        ("s add", [word]),
        ("o add", [word]),
        ("s remove", [word]),
        ("s discard", [word]),
        ("s in", [word]),
        ("s range", [bound, bound]),
        ("s rrange", [bound, bound]),
        ("s pop", []),
        ("s pop_last", []),
        ("s first", []),
        ("s last", []),
        ("s union", []),
        ("s inter", []),
        ("s diff", []),
        ("s sym", []),
        ("s subset", []),
        ("o superset", []),
        ("s disjoint", []),
        ("s fill", [lambda: str(rng.randrange(100)), lambda: str(rng.randrange(100))]),
        ("v append", [word]),
        ("v append", [word]),
        ("v pop", []),
        ("v get", [lambda: str(rng.randrange(40))]),
        ("v item", [index]),
        ("v set", [index, word]),
        ("v slice", [index, index]),
        ("v rev", []),
        ("v extend", [word, word]),
        ("l append", [word]),
        ("l item", [index]),
        ("l get", [lambda: str(rng.randrange(60))]),
        ("l slice", [index, index]),
        ("l first", []),
        ("l last", []),
        ("c get", []),
        ("c set", [word]),
        ("h push", [lambda: str(rng.randrange(-50, 50))]),
        ("h push", [lambda: str(rng.randrange(-50, 50))]),
        ("h pop", []),
        ("h peek", []),
        ("h iter", []),
        ("m set", [lambda: str(rng.randrange(50)), word]),
    ]
    table += [(f"{w} bad", []) for w in "sovlch"] + [(f"{w} big", []) for w in "svh"]
    table += [("s clear", []), ("h clear", [])]
    ops: list[str] = []
    for _ in range(n):
        name, args = rng.choice(table)
        ops.append(" ".join([name, *(f() for f in args)]))
    return ops


EVERYTHING = [
    *("s iter", "s rev", "s len", "o iter", "v list", "v iter", "v len"),
    *("l iter", "l len", "c get", "h iter", "h len", "m items"),
]


def check(c: Canister, model: Model, ops: list[str], what: str) -> None:
    got: list[str] = c.run(ops)
    want = model.run(ops)
    for op, g, w in zip(ops, got, want, strict=True):
        assert g == w, f"{what}: {op!r} answered {g[:200]} where Python gives {w[:200]}"


def deploy(replica: Replica, tmp_path: Path) -> tuple[Canister, Path]:
    project = shutil.copytree(
        HERE / "projects" / "stable_family", tmp_path / "stable_family"
    )
    return replica.deploy(project), project


def test_each_structure_answers_as_python_across_50_upgrades(
    replica: Replica, tmp_path: Path
) -> None:
    c, _ = deploy(replica, tmp_path)
    model = Model()
    # Edges first: every structure empty, then pages of 256 (the iteration page size).
    edges = [*EVERYTHING, "s pop", "s remove k", "v pop", "v item 0", "v set 0 x"]
    edges += ["l item -1", "l first", "h pop", "h peek", "s fill 0 600", "s iter"]
    edges += ["s rev", "s range k0100 k0356", "s rrange - k0512", "s clear", "s len"]
    check(c, model, edges, "edges")
    rng = random.Random(20261207)
    for upgrade in range(50):
        check(c, model, random_ops(rng, 40) + EVERYTHING, f"after {upgrade} upgrades")
        c = replica.upgrade(c)
    check(c, model, EVERYTHING, "after 50 upgrades")
    assert len(model.log) > 30 and len(model.v) > 10, (
        "the batches must fill the structures"
    )


def golden_ops() -> list[str]:
    """A fixed history that touches every structure (its layout is then pinned)."""
    ops = ["s fill 0 40", "s remove k0007", "o add b", "o add a"]
    ops += [f"v append e{i}" for i in range(30)] + ["v pop", "v set 3 three"]
    ops += [f"l append entry-{i}" for i in range(25)] + ["c set later"]
    ops += [f"h push {n}" for n in (5, -3, 9, 5, 0, -3)] + ["h pop"]
    ops += [f"m set {k} value-{k}" for k in range(20)]
    return ops


def test_the_layout_of_every_structure_is_pinned(
    replica: Replica, tmp_path: Path
) -> None:
    c, _ = deploy(replica, tmp_path)
    model = Model()
    check(c, model, golden_ops(), "golden history")
    text = dump_text(c)
    if os.environ.get("KYBRA_REGENERATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: run with KYBRA_REGENERATE_GOLDEN=1"
    assert text == GOLDEN.read_text(), (
        "the stable-memory layout changed: canisters upgraded to this Kybra would misread "
        f"their data. If the change is intended, add a new golden version beside {GOLDEN.name}"
    )


def test_memory_in_the_pinned_layout_is_read_back(
    replica: Replica, tmp_path: Path
) -> None:
    # A canister whose stable memory is the golden file's (written raw, as a canister of a
    # previous release left it), upgraded to the structures, reads every value back.
    c = canister_with_raw_memory(replica, tmp_path, GOLDEN)
    project = shutil.copytree(
        HERE / "projects" / "stable_family", tmp_path / "stable_family"
    )
    c = replica.upgrade(c, project)
    model = Model()
    model.run(golden_ops())
    check(c, model, EVERYTHING, "the golden memory")


def test_a_declaration_that_changes_kind_is_refused_and_loses_nothing(
    replica: Replica, tmp_path: Path
) -> None:
    c, project = deploy(replica, tmp_path)
    model = Model()
    check(c, model, ["s add kept", "c set kept", "l append kept"], "before")
    main = project / "src" / "main.py"
    main.write_text(
        main.read_text().replace(
            "s = StableBTreeSet[str](memory_id=0, max_size=12)",
            's = StableCell[str](memory_id=0, initial="")',
        )
    )
    with pytest.raises(
        CanisterReject, match="memory id 0 already holds a StableBTreeMap"
    ):
        replica.upgrade(c, project)
    check(c, model, EVERYTHING, "after the refused upgrade")


@pytest.mark.parametrize(
    "declaration, message",
    [
        (
            "StableVec[str](memory_id=7)",
            "memory id 7 is already used by the StableBTreeMap",
        ),
        ("StableLog[str](index_memory_id=8)", "StableLog needs `data_memory_id`"),
    ],
)
def test_declaration_mistakes_are_build_errors(
    replica: Replica, tmp_path: Path, declaration: str, message: str
) -> None:
    c, project = deploy(replica, tmp_path)
    main = project / "src" / "main.py"
    main.write_text(main.read_text() + f"\nextra = {declaration}\n")
    with pytest.raises(BuildError, match=message):
        replica.upgrade(c, project)


def test_refusals_say_what_was_wrong_and_change_nothing(
    replica: Replica, tmp_path: Path
) -> None:
    c, _ = deploy(replica, tmp_path)
    model = Model()
    check(c, model, ["s add a", "v append a", "l append a", "h push 1"], "before")
    got: list[str] = c.messages()
    want = [
        "TypeError: StableBTreeSet(memory_id=0): the element must be a text, got int 5",
        "ElementTooLargeError: StableBTreeSet(memory_id=0): the element takes 100 bytes but max_size is 12",
        "ElementTooLargeError: StableVec(memory_id=2): the element takes 108 bytes but max_size is 40",
        "IndexError: StableVec(memory_id=2): index 99 is out of range (length 1)",
        "IndexError: StableVec(memory_id=2): index 99 is out of range (length 1)",
        "IndexError: StableLog(index_memory_id=3, data_memory_id=4): index -99 is out of range (length 1)",
        "TypeError: StableCell(memory_id=5): the element is not of the declared element type",
        "TypeError: StableMinHeap(memory_id=6): the element must be a int32, got int 1099511627776 (out of range)",
        "TypeError: StableBTreeSet(memory_id=0).union: the other set must be a StableBTreeSet, got StableVec",
    ]
    assert len(got) == len(want), got
    for g, w in zip(got, want, strict=True):
        assert g.startswith(w), f"{g!r} does not start with {w!r}"
    check(c, model, EVERYTHING, "after the refusals")


def test_a_cell_whose_initial_value_is_none(replica: Replica, tmp_path: Path) -> None:
    module = tmp_path / "optional_cell.py"
    module.write_text(
        "from kybra import Opt, StableCell, query, update\n"
        "cell = StableCell[Opt[str]](memory_id=0, initial=None)\n"
        "@query\n"
        "def get() -> Opt[str]:\n"
        "    return cell.get()\n"
        "@update\n"
        "def set(value: Opt[str]) -> Opt[str]:\n"
        "    return cell.set(value)\n"
    )
    c = replica.deploy(module)
    assert c.get() is None
    assert c.set("kept") is None
    c = replica.upgrade(c)
    assert c.get() == "kept"
    assert c.set(None) == "kept"
    assert c.get() is None
