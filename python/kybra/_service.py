"""`Service`: a reference to another canister, as a Candid `service` value.

Promises: `MyService(principal)` is an instance with `.canister_id` (a `Principal`);
instances compare and hash by canister id and show as `MyService(Principal.from_str(...))`.
`@service_query` / `@service_update` (or Kybra 0.6's `@service_method`: an update) mark the
other canister's methods for the Kybra compiler; calling such a method on an instance builds a `kybra.Call` (positional or
keyword arguments, checked against the method's parameters) that the canister `yield`s or
`await`s. Imports only `kybra.principal` and `kybra._calls`, so it loads no module beyond
the built-in ones.
"""

from kybra._calls import Call
from kybra.principal import Principal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, Concatenate, ParamSpec, TypeVar

    _S = TypeVar("_S", bound="Service")
    _P = ParamSpec("_P")
    _R = TypeVar("_R")
    _C = TypeVar("_C", bound=type)
    # A declared method of the other canister, and what calling it on an instance gives.
    _Declared = Callable[Concatenate[_S, _P], _R]
    _Calling = Callable[Concatenate[_S, _P], Call[_R]]


class Service:
    """Base class of Candid service types: `class Ledger(Service):` with
    `@service_query` / `@service_update` methods; `Ledger(principal)` refers to one."""

    __slots__ = ("canister_id",)

    canister_id: Principal

    def __init__(self, canister_id: Principal) -> None:
        if not isinstance(canister_id, Principal):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"{type(self).__name__} expects the canister's Principal, got"
                f" {type(canister_id).__name__}: write"
                f" {type(self).__name__}(Principal.from_str('...'))"
            )
        self.canister_id = canister_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Service):
            return NotImplemented
        return self.canister_id == other.canister_id

    def __hash__(self) -> int:
        return hash((Service, self.canister_id))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.canister_id!r})"


def _calling(func: "_Declared[_S, _P, _R]") -> "_Calling[_S, _P, _R]":
    code = func.__code__
    names = code.co_varnames[1 : code.co_argcount]
    method = func.__name__

    def call(self: "_S", *args: "Any", **kwargs: "Any") -> "Call[_R]":
        if len(args) > len(names):
            raise TypeError(
                f"{method}() takes {len(names)} argument(s), {len(args)} given"
            )
        values = list(args)
        for name in names[len(args) :]:
            if name not in kwargs:
                raise TypeError(f"{method}() is missing the argument `{name}`")
            values.append(kwargs.pop(name))
        if kwargs:
            raise TypeError(
                f"{method}() got unexpected argument(s): {', '.join(kwargs)}"
            )
        return Call(self.canister_id, method, tuple(values), None, type(self))

    call.__name__ = method
    call.__qualname__ = func.__qualname__
    call.__doc__ = func.__doc__
    return call


def service_query(func: "_Declared[_S, _P, _R]") -> "_Calling[_S, _P, _R]":
    """Marks a `Service` method as a query method of the other canister; calling it on
    an instance builds the `Call` to yield or await."""
    return _calling(func)


def service_update(func: "_Declared[_S, _P, _R]") -> "_Calling[_S, _P, _R]":
    """Marks a `Service` method as an update method of the other canister; calling it on
    an instance builds the `Call` to yield or await."""
    return _calling(func)


def service_method(func: "_Declared[_S, _P, _R]") -> "_Calling[_S, _P, _R]":
    """Kybra 0.6's name for a `Service` method that does not say whether the other
    canister's method is a query or an update: it is called as an update (which reaches
    both) and typed as one in the `.did`. Prefer `@service_query` / `@service_update`."""
    return _calling(func)


def canister(cls: "_C") -> "_C":
    """Kybra 0.x's class decorator for `Service` declarations: it changes nothing (a
    `Service` subclass needs no decorator), and is kept so that code written for it runs
    unchanged."""
    return cls
