"""The kybra package on the host: types import, decorators are identities, `ic` refuses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kybra
from kybra import (
    GuardResult,
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


def is_owner() -> GuardResult:
    return {"Ok": None}


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


def _run_python(code: str) -> str:
    """Run `code` in a fresh interpreter (no `site`) with `python/` importable."""
    python_dir = Path(kybra.__file__).parent.parent
    out = subprocess.run(
        [sys.executable, "-S", "-s", "-c", code],
        cwd=python_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


# The only module `import kybra` may load that is not built into every interpreter:
# `binascii` is a C extension on some hosts but built into the canister's CPython.
_ALLOWED_EXTENSIONS = {"binascii"}


def test_import_loads_only_builtin_modules() -> None:
    """Inside a canister every imported module costs install instructions and module
    size: `import kybra` must load nothing but the package and built-in modules (in
    particular not `typing`, whose import closure is most of the standard library)."""
    code = (
        "import sys; before = set(sys.modules); import kybra; "
        "new = set(sys.modules) - before; print(' '.join(sorted(new)))"
    )
    new = set(_run_python(code).split())
    assert {"kybra", "kybra._ic", "kybra.principal"} <= new
    others = {
        name
        for name in new
        if not name.startswith("kybra")
        and name not in sys.builtin_module_names
        and name not in _ALLOWED_EXTENSIONS
    }
    assert others == set(), f"import kybra loaded {sorted(others)}"
    assert "typing" not in new and "__future__" not in new


_CANISTER_CODE = """
import sys
from kybra import (Opt, Principal, Record, Tuple, Variant, Vec, blob, empty, int8,
    nat64, null, query, reserved, text, update, void)

class User(Record):
    id: Principal
    name: text
    tags: Vec[text]
    friend: Opt["User"]

class Result(Variant, total=False):
    Ok: User
    Err: text
    Nothing: null

@query
def find(ids: Vec[nat64], raw: blob, r: reserved) -> Opt[User]:
    return None

@update(guard=lambda: None)
def pair(x: Tuple[nat64, Opt[text]], e: Opt[empty], n: int8) -> Result:
    return {"Err": "no"}

@update
def set_user(user: User) -> void:
    pass

user = User(id=Principal.anonymous(), name="a", tags=[], friend=None)
assert type(user) is dict and user["name"] == "a", user
assert Result(Ok=user) == {"Ok": user}
assert Opt[text] == (str | None) and Vec[nat64] == list[int]
assert Result.__total__ is False and User.__total__ is True
assert find([1], b"", None) is None and pair((1, None), None, 0) == {"Err": "no"}
print("typing" in sys.modules)
"""


def test_canister_annotations_evaluate_without_typing() -> None:
    """Canister code evaluates its annotations at definition time (no `from __future__
    import annotations`): the book's forms must work with the run-time stand-ins."""
    assert _run_python(_CANISTER_CODE) == "False"


def test_user_code_may_import_typing() -> None:
    code = (
        "from typing import Optional, TypedDict\n"
        "from kybra import Record, Vec, nat64, query, text\n"
        "class Item(Record):\n"
        "    name: text\n"
        "class Plain(TypedDict):\n"
        "    n: nat64\n"
        "@query\n"
        "def f(items: Vec[Item], x: Optional[Plain]) -> Optional[text]:\n"
        "    return items[0]['name'] if items else None\n"
        "print(f([Item(name='a')], None))\n"
    )
    assert _run_python(code) == "a"
