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

from kybra._ic import Ic, ic
from kybra._service import Service, service_query, service_update
from kybra.principal import Principal

TYPE_CHECKING = False

__all__ = [
    "Alias",
    "CompositeQuery",
    "Func",
    "Ic",
    "Oneway",
    "Opt",
    "Principal",
    "Query",
    "Record",
    "Service",
    "Tuple",
    "Update",
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
