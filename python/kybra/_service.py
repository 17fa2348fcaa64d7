"""`Service`: a reference to another canister, as a Candid `service` value.

Promises: `MyService(principal)` is an instance with `.canister_id` (a `Principal`);
instances compare and hash by canister id and show as `MyService(Principal.from_str(...))`.
`@service_query` / `@service_update` mark the other canister's methods for the Kybra
compiler and return the function unchanged (calling through them comes with cross-canister
calls). Imports only `kybra.principal`, so it loads no module beyond the built-in ones.
"""

from kybra.principal import Principal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    _F = TypeVar("_F", bound=Callable[..., Any])


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


def service_query(func: "_F") -> "_F":
    """Marks a `Service` method as a query method of the other canister."""
    return func


def service_update(func: "_F") -> "_F":
    """Marks a `Service` method as an update method of the other canister."""
    return func
