"""The Candid chapter's Python on the host: the book's big example runs, func values are
tuples, services are references by canister id, aliases are their types."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

import kybra
from kybra import (
    Alias,
    CompositeQuery,
    Func,
    Oneway,
    Principal,
    Query,
    Record,
    Service,
    Update,
    nat8,
    service_query,
    service_update,
)

_REPO = Path(__file__).resolve().parents[2]
_BOOK_EXAMPLE = _REPO / "examples" / "candid_types" / "src" / "main.py"


class Ledger(Service):
    @service_query
    def balance(self, account: str) -> int: ...

    @service_update
    def transfer(self, to: str, amount: int) -> bool: ...


class Other(Service):
    pass


class User(Record):
    name: str


def test_the_books_candid_types_example_runs() -> None:
    spec = importlib.util.spec_from_file_location("candid_types_main", _BOOK_EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    value = module.candid_types()
    assert value["func"] == (
        Principal.from_str("rrkah-fqaaa-aaaaa-aaaaq-cai"),
        "candid_types",
    )
    assert value["service"] == module.MyService(Principal.from_str("aaaaa-aa"))
    assert value["service"].canister_id == Principal.management_canister()
    assert value["nat"] == 2**128 - 1 and value["int8"] == 127
    assert value["variant"] == {"Tag1": None}
    assert repr(module.CandidFunc) == "Func(Query[[], Candid])"


def test_service_is_a_reference_by_canister_id() -> None:
    p = Principal.from_str("ryjl3-tyaaa-aaaaa-aaaba-cai")
    ledger = Ledger(p)
    assert ledger.canister_id is p
    assert ledger == Ledger(Principal.from_hex("00000000000000020101"))
    assert ledger != Ledger(Principal.anonymous())
    assert ledger == Other(p), "services compare by canister id"
    assert ledger != p
    assert len({ledger, Ledger(p), Ledger(Principal.anonymous())}) == 2
    assert repr(ledger) == "Ledger(Principal.from_str('ryjl3-tyaaa-aaaaa-aaaba-cai'))"
    with pytest.raises(TypeError, match="expects the canister's Principal"):
        Ledger("ryjl3-tyaaa-aaaaa-aaaba-cai")  # type: ignore[arg-type]


def test_service_methods_build_calls() -> None:
    ledger = Ledger(Principal.from_str("aaaaa-aa"))
    call = ledger.transfer("bob", amount=5).with_cycles(7)
    assert isinstance(call, kybra.Call)
    assert (call.canister_id, call.method, call.args, call.cycles) == (
        ledger.canister_id,
        "transfer",
        ("bob", 5),
        7,
    )
    assert call.service is Ledger
    assert Ledger.balance.__name__ == "balance"
    with pytest.raises(TypeError, match="missing the argument `amount`"):
        ledger.transfer("bob")  # pyright: ignore[reportCallIssue]
    with pytest.raises(TypeError, match="unexpected argument"):
        ledger.transfer("bob", 5, memo=1)  # pyright: ignore[reportCallIssue]
    with pytest.raises(ValueError, match="whole number of cycles"):
        ledger.balance("bob").with_cycles(-1)
    # Annotations such as `Generator[Call[nat64], CallResult[nat64], nat64]` evaluate.
    assert kybra.Call[int] is kybra.Call and kybra.CallResult[int] is kybra.CallResult
    # Awaiting a call hands it to the runtime (the `yield` of `__await__`).
    assert next(ledger.balance("bob").__await__()).method == "balance"


def test_call_results_and_match() -> None:
    ok, err = (
        kybra.CallResult(3, None),
        kybra.CallResult[int](None, "Rejection code 4 (CanisterReject): no"),
    )
    assert ok.is_ok() and not err.is_ok() and ok.unwrap() == 3
    assert kybra.match(ok, {"Ok": lambda v: v + 1, "Err": str}) == 4
    assert kybra.match(err, {"Ok": str, "Err": lambda e: e[:16]}) == "Rejection code 4"
    assert kybra.match({"Err": 5}, {"Ok": str, "Err": lambda e: e * 2}) == 10
    # A void call's Ok is None, yet it is still Ok.
    assert (
        kybra.match(kybra.CallResult(None, None), {"Ok": lambda _: "ok", "Err": str})
        == "ok"
    )
    with pytest.raises(RuntimeError, match="rejected"):
        err.unwrap()
    with pytest.raises(KeyError, match="no handler"):
        kybra.match(ok, {"Err": str})
    # A "_" arm takes the cases without a handler of their own: given None (the original
    # Kybra's way), or nothing when it takes no argument.
    assert (
        kybra.match({"Blue": 1}, {"Red": str, "_": lambda x: f"other {x}"})
        == "other None"
    )
    assert kybra.match({"Blue": None}, {"Red": str, "_": lambda: "other"}) == "other"
    assert kybra.match({"Red": 1}, {"Red": lambda n: n + 1, "_": lambda: 0}) == 2
    assert kybra.match(err, {"Ok": str, "_": lambda: "failed"}) == "failed"


def test_func_signatures() -> None:
    assert repr(Func(Query[[str, nat8], bool])) == "Func(Query[[str, int], bool])"
    assert repr(Func(Update[["User"], None])) == "Func(Update[['User'], None])"
    assert repr(Func(CompositeQuery[[], str])) == "Func(CompositeQuery[[], str])"
    assert repr(Func(Oneway[[str]])) == "Func(Oneway[[str]])"
    with pytest.raises(TypeError, match="Func expects"):
        Func(str)


def test_alias_is_its_type() -> None:
    key = Alias[nat8]
    assert key is int
    assert Alias["User"] == "User"


def test_principal_api() -> None:
    p = Principal.from_str("rrkah-fqaaa-aaaaa-aaaaq-cai")
    assert p.hex == p.to_hex() == "00000000000000010101"
    assert Principal.from_hex(p.hex) == p
    assert p.bytes == bytes.fromhex("00000000000000010101")
    assert str(p) == p.to_str() == "rrkah-fqaaa-aaaaa-aaaaq-cai"
    assert hash(p) == hash(Principal.from_hex("00000000000000010101"))
    with pytest.raises(ValueError, match="invalid principal 'not a principal'"):
        Principal.from_str("not a principal")
    with pytest.raises(TypeError, match="expects text"):
        Principal.from_str(b"aaaaa-aa")  # type: ignore[arg-type]


def test_book_example_imports_nothing_beyond_builtins() -> None:
    """Inside a canister annotations are evaluated at definition time with the run-time
    stand-ins: the book's example must work without `typing` (no `site` either)."""
    code = (
        "import sys; ns = {'__name__': 'main'};"
        f" path = {str(_BOOK_EXAMPLE)!r};"
        " exec(compile(open(path).read(), path, 'exec'), ns);"
        " print(ns['candid_types']()['vec'], 'typing' in sys.modules)"
    )
    python_dir = Path(kybra.__file__).parent.parent
    out = subprocess.run(
        [sys.executable, "-S", "-s", "-c", code],
        cwd=python_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['has one element'] False"
