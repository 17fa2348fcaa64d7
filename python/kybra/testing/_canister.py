"""Canister handles: `c.method(*args)` calls the canister's Candid method with Python
values exactly as canister code sees them, as a query or an update as the interface
declares it; rejects raise `CanisterReject`.

Promises: a handle is bound to one caller (`c.as_caller(p)` gives another handle on the
same canister); `c.last_instructions` is the instruction count of the canister's last
executed message (the call just made, for a query or an update).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kybra.principal import Principal
from kybra.testing import _native

if TYPE_CHECKING:
    from kybra.testing._replica import Replica

__all__ = ["Canister", "CanisterReject", "Method"]


class CanisterReject(Exception):
    """A call was rejected. `code` is the IC reject code (4: the canister rejected it,
    5: it trapped — then `message` holds the canister's Python traceback), `error_code`
    the IC error code (`IC0503`...) when there is one."""

    def __init__(
        self,
        code: int,
        message: str,
        error_code: str | None,
        *,
        method: str,
        canister: Principal,
    ) -> None:
        self.code = code
        self.message = message
        self.error_code = error_code
        self.method = method
        self.canister = canister
        super().__init__(code, message, error_code)

    def __str__(self) -> str:
        ec = f", {self.error_code}" if self.error_code else ""
        return f"{self.canister}.{self.method} rejected (code {self.code}{ec}):\n{self.message}"


def rejected(err: _native.Reject, method: str, canister: Principal) -> CanisterReject:
    code, message, error_code = err.args
    return CanisterReject(code, message, error_code, method=method, canister=canister)


class Method:
    """One Candid method of a canister, bound to a caller."""

    __slots__ = ("_canister", "_kind", "name")

    def __init__(self, canister: Canister, name: str, kind: str) -> None:
        self._canister = canister
        self._kind = kind
        self.name = name

    @property
    def kind(self) -> str:
        """`"query"`, `"composite_query"` or `"update"`."""
        return self._kind

    def __call__(self, *args: Any) -> Any:
        return self._canister.call(self.name, *args)

    def __repr__(self) -> str:
        sig = self._canister.interface.signature(self.name)
        return f"<{self._kind} {self.name} : {sig} of {self._canister.id}>"


class Canister:
    """A canister of a `Replica`; its Candid methods are attributes."""

    def __init__(
        self,
        replica: Replica,
        canister_id: Principal,
        interface: _native.Interface,
        caller: Principal | None = None,
        name: str | None = None,
    ) -> None:
        self._replica = replica
        self.id = canister_id
        self.interface = interface
        self._caller = caller
        self.name = name
        self._kinds = dict(interface.methods())

    @property
    def caller(self) -> Principal:
        """Who this handle calls as (the replica's current caller unless bound)."""
        return self._caller if self._caller is not None else self._replica.caller

    def as_caller(self, caller: Principal) -> Canister:
        """The same canister, called as `caller`."""
        return Canister(self._replica, self.id, self.interface, caller, self.name)

    def methods(self) -> dict[str, str]:
        """Method name -> kind (`query`, `composite_query`, `update`)."""
        return dict(self._kinds)

    def __getattr__(self, name: str) -> Method:
        kinds: dict[str, str] = self.__dict__.get("_kinds", {})
        if name in kinds:
            return Method(self, name, kinds[name])
        raise AttributeError(
            f"canister {self.__dict__.get('id')} has no method {name!r}; it has: {', '.join(kinds)}"
        )

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *self._kinds]

    def __repr__(self) -> str:
        return f"Canister({self.name or ''}{' ' if self.name else ''}{self.id})"

    def call(self, method: str, *args: Any) -> Any:
        """Calls `method` with `args` as the interface declares it (query or update)."""
        kind = self._kinds.get(method)
        if kind is None:
            self.__getattr__(method)  # raises, listing the methods
        arg = self.interface.encode_args(method, args)
        native = self._replica.native
        try:
            if kind == "update":
                reply = native.update(self.caller.bytes, self.id.bytes, method, arg)
            else:
                reply = native.query(self.caller.bytes, self.id.bytes, method, arg)
        except _native.Reject as err:
            raise rejected(err, method, self.id) from None
        return self.interface.decode_reply(method, reply)

    def update(self, method: str, *args: Any) -> Any:
        """Calls `method` as an update call even if it is a query (replicated mode; as on
        the IC, a query's state changes are still discarded)."""
        arg = self.interface.encode_args(method, args)
        try:
            reply = self._replica.native.update(
                self.caller.bytes, self.id.bytes, method, arg
            )
        except _native.Reject as err:
            raise rejected(err, method, self.id) from None
        return self.interface.decode_reply(method, reply)

    @property
    def last_instructions(self) -> int | None:
        """Instructions the canister's last executed message used."""
        return self._replica.native.last_instructions(self.id.bytes)

    def logs(self) -> list[str]:
        """The canister's log lines (`print`, `ic.print`, traps), oldest first."""
        return [
            c.decode("utf-8", "replace")
            for _, _, c in self._replica.native.logs(self.id.bytes)
        ]

    def status(self) -> dict[str, Any]:
        """The management canister's `canister_status` record (as a controller)."""
        controller = self.controllers[0] if self.controllers else self.caller
        mgmt = self._replica.management.as_caller(controller)
        result: dict[str, Any] = mgmt.canister_status({"canister_id": self.id})
        return result

    @property
    def cycles(self) -> int:
        """The canister's cycle balance."""
        cycles = self._replica.native.cycles(self.id.bytes)
        if cycles is None:
            raise ValueError(f"canister {self.id} does not exist (deleted?)")
        return cycles

    @property
    def controllers(self) -> list[Principal]:
        return [
            Principal(c) for c in self._replica.native.controllers(self.id.bytes) or []
        ]

    @property
    def module_hash(self) -> bytes | None:
        return self._replica.native.module_hash(self.id.bytes)

    def _lifecycle(self, method: str, **fields: Any) -> Any:
        """Management canister `method` on this canister, as its first controller."""
        controller = self.controllers[0] if self.controllers else self.caller
        call: Callable[..., Any] = getattr(
            self._replica.management.as_caller(controller), method
        )
        return call({"canister_id": self.id, **fields})

    def take_snapshot(self, replace: bytes | None = None) -> dict[str, Any]:
        """Snapshots the canister's code and memory (`take_canister_snapshot`), replacing
        the snapshot `replace` if given: the snapshot's `id`, `taken_at_timestamp` and
        `total_size`."""
        result: dict[str, Any] = self._lifecycle(
            "take_canister_snapshot",
            replace_snapshot=replace,
            uninstall_code=None,
            sender_canister_version=None,
        )
        return result

    def load_snapshot(self, snapshot_id: bytes) -> None:
        """Puts a snapshot's code and memory back (`load_canister_snapshot`)."""
        self._lifecycle(
            "load_canister_snapshot",
            snapshot_id=snapshot_id,
            sender_canister_version=None,
        )

    def snapshots(self) -> list[dict[str, Any]]:
        """The canister's snapshots, oldest first (`list_canister_snapshots`)."""
        result: list[dict[str, Any]] = self._lifecycle("list_canister_snapshots")
        return result

    def delete_snapshot(self, snapshot_id: bytes) -> None:
        self._lifecycle("delete_canister_snapshot", snapshot_id=snapshot_id)

    def stop(self) -> None:
        """Stops the canister (calls to it are rejected until `start`)."""
        self._lifecycle("stop_canister")

    def start(self) -> None:
        self._lifecycle("start_canister")
