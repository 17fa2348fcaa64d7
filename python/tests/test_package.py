"""The kybra package on the host: types import, decorators are identities, `ic` refuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kybra
from kybra import (
    Opt,
    Principal,
    Record,
    Tuple,
    Variant,
    Vec,
    blob,
    empty,
    float32,
    float64,
    ic,
    int8,
    int16,
    int32,
    int64,
    nat,
    nat8,
    nat16,
    nat32,
    nat64,
    null,
    query,
    reserved,
    text,
    update,
    void,
)


class User(Record):
    name: text
    age: nat8


class Result(Variant, total=False):
    Ok: text
    Err: nat


message: str = ""


@query
def get_message() -> str:
    return message


@update
def set_message(new_message: str) -> void:
    global message
    message = new_message


def is_owner() -> None:
    return None


@query(guard=is_owner)
def guarded(values: Vec[nat64], maybe: Opt[text]) -> Tuple[nat64, Opt[text]]:
    return (sum(values), maybe)


@update(guard=is_owner, manual_reply=False)
def make_user(name: text) -> User:
    return {"name": name, "age": 7}


def test_hello_world_runs_on_host() -> None:
    assert get_message() == ""
    set_message("Hello World!")
    assert get_message() == "Hello World!"


def test_decorators_are_identity() -> None:
    def f() -> int:
        return 1

    assert query(f) is f
    assert update(f) is f
    assert query(guard=is_owner)(f) is f
    assert guarded([1, 2, 3], None) == (6, None)
    assert make_user("a") == {"name": "a", "age": 7}


def test_types_are_python_types() -> None:
    assert text is str
    assert blob is bytes
    assert null is None and void is None
    assert kybra.bool is bool
    assert kybra.int is int
    for alias in (nat, nat8, nat16, nat32, nat64, int8, int16, int32, int64):
        assert alias is int
    assert float32 is float and float64 is float
    assert reserved is not None and empty is not None
    assert Vec[int] == list[int]
    assert Tuple is tuple
    user: User = {"name": "x", "age": 1}
    result: Result = {"Ok": "fine"}
    assert user["name"] == "x" and result["Ok"] == "fine"


def test_all_names_exist() -> None:
    for name in kybra.__all__:
        assert hasattr(kybra, name), name


@pytest.mark.parametrize("method", ["caller", "id", "time"])
def test_ic_outside_canister(method: str) -> None:
    with pytest.raises(RuntimeError, match="only inside a canister"):
        getattr(ic, method)()


def test_ic_print_and_trap_outside_canister() -> None:
    with pytest.raises(RuntimeError, match="only inside a canister"):
        ic.print("hello", 1)
    with pytest.raises(RuntimeError, match="only inside a canister"):
        ic.trap("stop")


def test_principal_exported() -> None:
    assert Principal.anonymous().to_str() == "2vxsx-fae"


def test_main_translates_book_form() -> None:
    from kybra.__main__ import translate

    assert translate(["hello", "src/main.py", "src/main.did"]) == [
        "compile",
        "hello",
        "src/main.py",
        "src/main.did",
    ]
    assert translate(["build", "hello"]) == ["build", "hello"]
    assert translate(["canister", "call", "x"]) == ["canister", "call", "x"]
    assert translate(["--help"]) == ["--help"]


def test_import_is_light() -> None:
    """`import kybra` must not pull heavy modules into a canister."""
    code = (
        "import sys, kybra; heavy = {'subprocess', 'sysconfig', 'shutil', 'json',"
        " 'asyncio', 'inspect', 'dataclasses'} & set(sys.modules); print(sorted(heavy))"
    )
    python_dir = Path(kybra.__file__).parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=python_dir,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]"
