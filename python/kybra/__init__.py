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
at definition time (`Opt[T]`, `Vec[T]`, `Tuple[...]`, `Alias[T]`, `class User(Record):`,
`class Result(Variant, total=False):`, `Func(Query[[text], nat64])`, `class S(Service):`).

Candid `func` values are `(Principal, "method_name")` tuples; `service` values are
instances of the `Service` subclass (`MyService(principal)`, with `.canister_id`).
Type checkers accept `X = Func(...)` but may flag `X` used as an annotation (a call is
not a type expression); the Kybra compiler reads it either way.
"""

import builtins

from kybra._calls import (
    Async,
    Call,
    CallResult,
    NotifyResult,
    RejectionCode,
    match,
)
from kybra._ic import CandidError, Error, Ic, IcError, ic
from kybra._service import (
    Service,
    canister,
    service_method,
    service_query,
    service_update,
)
from kybra._stable import (
    ElementTooLargeError,
    InsertError,
    KeyTooLarge,
    KeyTooLargeError,
    Stable64GrowResult,
    StableBTreeMap,
    StableGrowResult,
    StableMemoryError,
    ValueTooLarge,
    ValueTooLargeError,
)
from kybra._stable_files import StableFileSystem
from kybra.principal import Principal

TYPE_CHECKING = False

if TYPE_CHECKING:
    from kybra._stable_structures import (
        StableBTreeSet,
        StableCell,
        StableLog,
        StableMinHeap,
        StableVec,
    )

# Loaded on first use (`from kybra import StableVec` runs `__getattr__`), so a canister
# that declares none of them does not pay for the module at install.
_LAZY = ("StableBTreeSet", "StableCell", "StableLog", "StableMinHeap", "StableVec")


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from kybra import _stable_structures

        value = getattr(_stable_structures, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kybra' has no attribute {name!r}")


__all__ = [
    "Alias",
    "Async",
    "Call",
    "CallResult",
    "CandidError",
    "CompositeQuery",
    "Duration",
    "ElementTooLargeError",
    "Error",
    "Func",
    "GuardResult",
    "GuardType",
    "Ic",
    "IcError",
    "InsertError",
    "KeyTooLarge",
    "KeyTooLargeError",
    "Manual",
    "NotifyResult",
    "Oneway",
    "Opt",
    "Principal",
    "Query",
    "Record",
    "RejectionCode",
    "Service",
    "Stable64GrowResult",
    "StableBTreeMap",
    "StableBTreeSet",
    "StableCell",
    "StableFileSystem",
    "StableGrowResult",
    "StableLog",
    "StableMemoryError",
    "StableMinHeap",
    "StableVec",
    "TimerId",
    "Tuple",
    "Update",
    "ValueTooLarge",
    "ValueTooLargeError",
    "Variant",
    "Vec",
    "blob",
    "bool",
    "canister",
    "empty",
    "float32",
    "float64",
    "heartbeat",
    "ic",
    "init",
    "inspect_message",
    "int",
    "int8",
    "int16",
    "int32",
    "int64",
    "match",
    "nat",
    "nat8",
    "nat16",
    "nat32",
    "nat64",
    "null",
    "post_upgrade",
    "pre_upgrade",
    "query",
    "reserved",
    "service_method",
    "service_query",
    "service_update",
    "text",
    "update",
    "void",
]

__version__ = "0.1.0"

# --- Candid types -------------------------------------------------------------------

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import (
        Any,
        Generic,
        NoReturn,
        ParamSpec,
        TypeAlias,
        TypedDict,
        TypeVar,
        overload,
    )

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
    Duration: TypeAlias = builtins.int  # nat64 seconds (ic.set_timer)
    TimerId: TypeAlias = builtins.int  # nat64 (ic.set_timer, ic.clear_timer)
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

    Alias: TypeAlias = _T
    """A named Candid type: `Key = Alias[nat8]` makes `type Key = nat8;`."""

    Manual: TypeAlias = _T | None
    """The result of a method that replies itself: `def m() -> Manual[blob]:` declares
    the Candid result `blob`, and the method answers with `ic.reply(...)`,
    `ic.reply_raw(...)` or `ic.reject(...)` instead of returning."""

    # Candid tuple (a record with fields 0, 1, ...): `Tuple[nat64, text]`.
    from builtins import tuple as Tuple

    class Record(TypedDict):
        """Base class of Candid records: `class User(Record): name: text`."""

    class Variant(TypedDict, total=False):
        """Base class of Candid variants: `class Result(Variant, total=False): Ok: text`."""

    _F = TypeVar("_F", bound=Callable[..., Any])
    _P = ParamSpec("_P")
    _R = TypeVar("_R")

    class Query(Generic[_P, _R]):
        """The signature of a query `func`: `Func(Query[[text, nat64], bool])`."""

    class Update(Generic[_P, _R]):
        """The signature of an update `func`: `Func(Update[[text], void])`."""

    class CompositeQuery(Generic[_P, _R]):
        """The signature of a composite query `func`."""

    class Oneway(Generic[_P]):
        """The signature of a oneway `func` (no reply): `Func(Oneway[[text]])`."""

    def Func(signature: object, /) -> type[tuple[Principal, str]]:
        """Candid `func`: `Callback = Func(Query[[text], text])`; values are
        `(Principal, "method_name")` tuples."""
        ...

else:
    text = str
    blob = bytes
    null = None
    void = None
    bool = builtins.bool
    nat = nat8 = nat16 = nat32 = nat64 = builtins.int
    Duration = TimerId = builtins.int
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

    class _AliasMaker:
        """Run-time `Alias`: `Alias[T]` is `T` (the compiler gives it a Candid name)."""

        __slots__ = ()

        def __getitem__(self, item):
            return item

        def __repr__(self):
            return "kybra.Alias"

    Alias = _AliasMaker()

    class _ManualMaker:
        """Run-time `Manual`: `Manual[T]` is `T` (the compiler marks the method as
        replying itself)."""

        __slots__ = ()

        def __getitem__(self, item):
            return item

        def __repr__(self):
            return "kybra.Manual"

    Manual = _ManualMaker()

    class _Signature:
        """Run-time `Query[[A, B], R]` (or `Update`, `CompositeQuery`, `Oneway`)."""

        __slots__ = ("mode", "params", "returns")

        def __init__(self, mode, params, returns):
            self.mode = mode
            self.params = params
            self.returns = returns

        def __repr__(self):
            params = ", ".join(_type_name(p) for p in self.params)
            if self.mode == "Oneway":
                return f"Oneway[[{params}]]"
            return f"{self.mode}[[{params}], {_type_name(self.returns)}]"

    class _Mode:
        __slots__ = ("_name",)

        def __init__(self, name):
            self._name = name

        def __getitem__(self, item):
            if self._name == "Oneway":
                params, returns = item, None
            else:
                params, returns = item
            return _Signature(self._name, tuple(params), returns)

        def __repr__(self):
            return f"kybra.{self._name}"

    Query = _Mode("Query")
    Update = _Mode("Update")
    CompositeQuery = _Mode("CompositeQuery")
    Oneway = _Mode("Oneway")

    class _FuncType:
        """Run-time `Func(signature)`: a description only; values are tuples."""

        __slots__ = ("signature",)

        def __init__(self, signature):
            self.signature = signature

        def __repr__(self):
            return f"Func({self.signature!r})"

    def Func(signature, /):
        """Candid `func`: `Callback = Func(Query[[text], text])`; values are
        `(Principal, "method_name")` tuples."""
        if not isinstance(signature, _Signature):
            raise TypeError(
                f"Func expects Query[[...], R], Update[[...], R], CompositeQuery[[...], R]"
                f" or Oneway[[...]], got {signature!r}"
            )
        return _FuncType(signature)

    def _type_name(t):
        if isinstance(t, str):
            return repr(t)
        return getattr(t, "__name__", None) or repr(t)


# --- Guards ---------------------------------------------------------------------------


class GuardResult(Variant, total=False):
    """What a guard function returns: `{"Ok": None}` lets the call through,
    `{"Err": "why"}` rejects it with that text."""

    Ok: "null"
    Err: "text"


if TYPE_CHECKING:
    GuardType: TypeAlias = Callable[[], GuardResult]
    """A guard function: `def is_owner() -> GuardResult: ...`."""
else:
    GuardType = _Special("GuardType")


# --- Method decorators --------------------------------------------------------------
# Annotations are strings: the typing names they use exist for type checkers only.

if TYPE_CHECKING:

    @overload
    def query(func: _F, /) -> _F: ...
    @overload
    def query(
        *, guard: GuardType | None = None, manual_reply: builtins.bool = False
    ) -> Callable[[_F], _F]: ...


def query(
    func: "_F | None" = None,
    /,
    *,
    guard: "GuardType | None" = None,
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
        *, guard: GuardType | None = None, manual_reply: builtins.bool = False
    ) -> Callable[[_F], _F]: ...


def update(
    func: "_F | None" = None,
    /,
    *,
    guard: "GuardType | None" = None,
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


# --- Lifecycle and system methods -------------------------------------------------------


def _system(
    func: "_F | None",
    guard: "GuardType | None",
    name: str,
) -> "_F | Callable[[_F], _F]":
    del guard, name
    if func is not None:
        return func
    return _identity


if TYPE_CHECKING:

    @overload
    def init(func: _F, /) -> _F: ...
    @overload
    def init() -> Callable[[_F], _F]: ...


def init(func: "_F | None" = None, /) -> "_F | Callable[[_F], _F]":
    """Run the function when the canister is installed. Its parameters are the
    canister's init arguments (`kybra deploy --argument '(...)'`); `ic.caller()` is the
    installer. An exception fails the install."""
    return _system(func, None, "init")


if TYPE_CHECKING:

    @overload
    def post_upgrade(func: _F, /) -> _F: ...
    @overload
    def post_upgrade() -> Callable[[_F], _F]: ...


def post_upgrade(func: "_F | None" = None, /) -> "_F | Callable[[_F], _F]":
    """Run the function after each upgrade (with the upgrade's arguments, like `@init`).
    An exception fails the upgrade and the canister keeps its old code and state."""
    return _system(func, None, "post_upgrade")


if TYPE_CHECKING:

    @overload
    def pre_upgrade(func: _F, /) -> _F: ...
    @overload
    def pre_upgrade(*, guard: GuardType | None = None) -> Callable[[_F], _F]: ...


def pre_upgrade(
    func: "_F | None" = None, /, *, guard: "GuardType | None" = None
) -> "_F | Callable[[_F], _F]":
    """Run the function before each upgrade (the old code, the old heap)."""
    return _system(func, guard, "pre_upgrade")


if TYPE_CHECKING:

    @overload
    def heartbeat(func: _F, /) -> _F: ...
    @overload
    def heartbeat(*, guard: GuardType | None = None) -> Callable[[_F], _F]: ...


def heartbeat(
    func: "_F | None" = None, /, *, guard: "GuardType | None" = None
) -> "_F | Callable[[_F], _F]":
    """Run the function on every heartbeat of the subnet (about once a second)."""
    return _system(func, guard, "heartbeat")


if TYPE_CHECKING:

    @overload
    def inspect_message(func: _F, /) -> _F: ...
    @overload
    def inspect_message(*, guard: GuardType | None = None) -> Callable[[_F], _F]: ...


def inspect_message(
    func: "_F | None" = None, /, *, guard: "GuardType | None" = None
) -> "_F | Callable[[_F], _F]":
    """Inspect each ingress update call before it runs: the call goes ahead only if the
    function calls `ic.accept_message()` (see `ic.method_name()`)."""
    return _system(func, guard, "inspect_message")
