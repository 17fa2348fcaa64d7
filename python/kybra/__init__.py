"""Kybra: write Internet Computer canisters in Python.

This package is what canister code imports (`from kybra import query, update, void`).
Promises: it imports on any host Python >= 3.10 with no dependencies (so editors and type
checkers understand canister code), and the very same files run inside a canister, where
`ic` talks to the runtime's built-in `_kybra_ic` module. The decorators are identity
functions at run time; the Kybra compiler reads them statically to build the canister's
Candid interface. The Candid type names are type aliases of the Python types the runtime
passes (`nat64` is `int`, `text` is `str`, `Opt[T]` is `T | None`, ...).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import (
    Any,
    NoReturn,
    TypeAlias,
    TypedDict,
    TypeVar,
    overload,
)

from kybra._ic import Ic, ic
from kybra.principal import Principal

__all__ = [
    "Ic",
    "Opt",
    "Principal",
    "Record",
    "Tuple",
    "Variant",
    "Vec",
    "blob",
    "bool",
    "empty",
    "float32",
    "float64",
    "ic",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "nat",
    "nat8",
    "nat16",
    "nat32",
    "nat64",
    "null",
    "query",
    "reserved",
    "text",
    "update",
    "void",
]

__version__ = "0.1.0"

# --- Candid types -------------------------------------------------------------------

text: TypeAlias = str
blob: TypeAlias = bytes
null: TypeAlias = None
void: TypeAlias = None
bool: TypeAlias = builtins.bool
nat: TypeAlias = builtins.int
nat8: TypeAlias = builtins.int
nat16: TypeAlias = builtins.int
nat32: TypeAlias = builtins.int
nat64: TypeAlias = builtins.int
int: TypeAlias = builtins.int
int8: TypeAlias = builtins.int
int16: TypeAlias = builtins.int
int32: TypeAlias = builtins.int
int64: TypeAlias = builtins.int
float32: TypeAlias = float
float64: TypeAlias = float
reserved: TypeAlias = Any
empty: TypeAlias = NoReturn

_T = TypeVar("_T")

Opt: TypeAlias = _T | None
"""Candid `opt T`: `None` or a value."""

Vec: TypeAlias = list[_T]
"""Candid `vec T`: a list."""

Tuple = tuple
"""Candid tuple (a record with fields 0, 1, ...): `Tuple[nat64, text]`."""


class Record(TypedDict):
    """Base class of Candid records: `class User(Record): name: text`."""


class Variant(TypedDict, total=False):
    """Base class of Candid variants: `class Result(Variant, total=False): Ok: text`."""


# --- Method decorators --------------------------------------------------------------

_F = TypeVar("_F", bound=Callable[..., Any])


@overload
def query(func: _F, /) -> _F: ...
@overload
def query(
    *, guard: Callable[[], Any] | None = None, manual_reply: builtins.bool = False
) -> Callable[[_F], _F]: ...
def query(
    func: _F | None = None,
    /,
    *,
    guard: Callable[[], Any] | None = None,
    manual_reply: builtins.bool = False,
) -> _F | Callable[[_F], _F]:
    """Expose a function as a query method (read-only, fast, no consensus).

    Use bare (`@query`) or with options (`@query(guard=is_owner)`).
    """
    del guard, manual_reply
    if func is not None:
        return func
    return _identity


@overload
def update(func: _F, /) -> _F: ...
@overload
def update(
    *, guard: Callable[[], Any] | None = None, manual_reply: builtins.bool = False
) -> Callable[[_F], _F]: ...
def update(
    func: _F | None = None,
    /,
    *,
    guard: Callable[[], Any] | None = None,
    manual_reply: builtins.bool = False,
) -> _F | Callable[[_F], _F]:
    """Expose a function as an update method (may change state, goes through consensus).

    Use bare (`@update`) or with options (`@update(guard=is_owner)`).
    """
    del guard, manual_reply
    if func is not None:
        return func
    return _identity


def _identity(func: _F) -> _F:
    return func
