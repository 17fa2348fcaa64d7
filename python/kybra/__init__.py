"""Kybra: write Internet Computer canisters in Python.

This package is what canister code imports (`from kybra import query, update, void`).
Promises: it imports on any host Python >= 3.10 with no dependencies (so editors and type
checkers understand canister code), and the very same files run inside a canister, where
`ic` talks to the runtime's built-in `_kybra_ic` module. The decorators are identity
functions at run time; the Kybra compiler reads them statically to build the canister's
Candid interface. The Candid type names are type aliases of the Python types the runtime
passes (`nat64` is `int`, `text` is `str`, `Opt[T]` is `T | None`, ...).

Importing it loads no module beyond the interpreter's built-in ones (no `typing`, not
even `__future__`): canister code pays for what it uses. Type checkers read the
`if TYPE_CHECKING:` blocks (`typing`'s generics, `TypedDict`, overloads); at run time
cheap stand-ins take their place, good enough for the annotations canister code evaluates
at definition time (`Opt[T]`, `Vec[T]`, `Tuple[...]`, `class User(Record):`,
`class Result(Variant, total=False):`).
"""

import builtins

from kybra._ic import Ic, ic
from kybra.principal import Principal

TYPE_CHECKING = False

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

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn, TypeAlias, TypedDict, TypeVar, overload

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

    # Candid tuple (a record with fields 0, 1, ...): `Tuple[nat64, text]`.
    from builtins import tuple as Tuple

    class Record(TypedDict):
        """Base class of Candid records: `class User(Record): name: text`."""

    class Variant(TypedDict, total=False):
        """Base class of Candid variants: `class Result(Variant, total=False): Ok: text`."""

    _F = TypeVar("_F", bound=Callable[..., Any])

else:
    text = str
    blob = bytes
    null = None
    void = None
    bool = builtins.bool
    nat = nat8 = nat16 = nat32 = nat64 = builtins.int
    int = int8 = int16 = int32 = int64 = builtins.int
    float32 = float64 = float

    class _Special:
        """Run-time stand-in for a type with no Python value of its own."""

        __slots__ = ("_name",)

        def __init__(self, name):
            self._name = name

        def __repr__(self):
            return f"kybra.{self._name}"

    reserved = _Special("reserved")
    empty = _Special("empty")

    class _OptAlias:
        """Run-time `Opt`: `Opt[T]` is `T | None` (as for type checkers), or, when `T`
        cannot be combined with `|` (a string forward reference), `Opt` itself."""

        __slots__ = ()

        def __getitem__(self, item):
            try:
                return item | None
            except TypeError:
                return self

        def __repr__(self):
            return "kybra.Opt"

    Opt = _OptAlias()
    Vec = list
    Tuple = tuple

    class _TypedDictMeta(type):
        """Calling a record or variant class builds a plain `dict`, as `TypedDict`
        classes do, so the runtime converts it like any other dict."""

        def __call__(cls, *args, **kwargs):
            return dict(*args, **kwargs)

    class _TypedDict(metaclass=_TypedDictMeta):
        def __init_subclass__(cls, *, total=True):
            super().__init_subclass__()
            cls.__total__ = total

    class Record(_TypedDict):
        """Base class of Candid records: `class User(Record): name: text`."""

    class Variant(_TypedDict, total=False):
        """Base class of Candid variants: `class Result(Variant, total=False): Ok: text`."""


# --- Method decorators --------------------------------------------------------------
# Annotations are strings: the typing names they use exist for type checkers only.

if TYPE_CHECKING:

    @overload
    def query(func: _F, /) -> _F: ...
    @overload
    def query(
        *, guard: Callable[[], Any] | None = None, manual_reply: builtins.bool = False
    ) -> Callable[[_F], _F]: ...


def query(
    func: "_F | None" = None,
    /,
    *,
    guard: "Callable[[], Any] | None" = None,
    manual_reply: "builtins.bool" = False,
) -> "_F | Callable[[_F], _F]":
    """Expose a function as a query method (read-only, fast, no consensus).

    Use bare (`@query`) or with options (`@query(guard=is_owner)`).
    """
    del guard, manual_reply
    if func is not None:
        return func
    return _identity


if TYPE_CHECKING:

    @overload
    def update(func: _F, /) -> _F: ...
    @overload
    def update(
        *, guard: Callable[[], Any] | None = None, manual_reply: builtins.bool = False
    ) -> Callable[[_F], _F]: ...


def update(
    func: "_F | None" = None,
    /,
    *,
    guard: "Callable[[], Any] | None" = None,
    manual_reply: "builtins.bool" = False,
) -> "_F | Callable[[_F], _F]":
    """Expose a function as an update method (may change state, goes through consensus).

    Use bare (`@update`) or with options (`@update(guard=is_owner)`).
    """
    del guard, manual_reply
    if func is not None:
        return func
    return _identity


def _identity(func: "_F") -> "_F":
    return func
