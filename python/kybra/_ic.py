"""`ic`: the Internet Computer system API as canister code sees it.

Promises: inside a canister every method delegates to the runtime's built-in module
`_kybra_ic`; on the host (tests, editors) every method raises RuntimeError saying it only
works inside a canister. Calling an API where the IC forbids it (`accept_message` outside
`@inspect_message`, a second `reply`, `msg_cycles_accept` in a query, ...) raises
`IcError` — a Python exception, not a trap of the canister. Principals are returned as `kybra.Principal`, times as
nanoseconds since the Unix epoch. Importing it loads no module beyond the interpreter's
built-in ones (the `typing` names exist for type checkers only, hence the string
annotations).
"""

from kybra import _backend as backend
from kybra._calls import (
    RejectionCode,
    call_raw,
    call_raw128,
    notify_raw,
    rejection_code,
)
from kybra._ic_system import SystemInfoApi
from kybra._stable import StableMemoryApi
from kybra.principal import Principal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    from kybra import _kybra_ic  # pyright: ignore[reportMissingModuleSource]

    IcError = _kybra_ic.IcError
else:
    if backend.inside:
        IcError = backend.module.IcError
    else:

        class IcError(Exception):
            """An `ic` API was called where the Internet Computer does not allow it."""


class Error(Exception):
    """The original Kybra's base class of its errors (kept so its code runs unchanged)."""


class CandidError(Error, ValueError):
    """Candid text or bytes that could not be converted (`ic.candid_encode`,
    `ic.candid_decode`); a ValueError too, as before it existed."""


def _runtime(what: str):  # returns the stub module (its type has no name)
    if backend.inside:
        return backend.module
    return backend.runtime(f"ic.{what}()")


class Ic(StableMemoryApi, SystemInfoApi):
    """The system API; use the `ic` instance: `ic.caller()`, `ic.time()`, ..."""

    @staticmethod
    def print(*args: object) -> None:
        """Write a line to the canister's debug log (like `print`)."""
        _runtime("print").print(" ".join(str(arg) for arg in args))

    @staticmethod
    def trap(message: str) -> "NoReturn":
        """Stop the current call and roll back its state changes, with `message`."""
        _runtime("trap").trap(message)

    @staticmethod
    def caller() -> Principal:
        """The principal that called the current method."""
        return _runtime("caller").caller()

    @staticmethod
    def id() -> Principal:
        """This canister's own principal."""
        return _runtime("id").id()

    @staticmethod
    def time() -> int:
        """The current time in nanoseconds since 1970-01-01 (a nat64)."""
        return _runtime("time").time()

    @staticmethod
    def candid_encode(text: str) -> bytes:
        """Encode Candid text such as `'(1, "a")'` to Candid bytes.

        Raises CandidError (a ValueError) with the parser's message if the text is not
        Candid.
        """
        api = _runtime("candid_encode")
        try:
            return api.candid_encode(text)
        except ValueError as e:
            raise CandidError(str(e)) from None

    @staticmethod
    def candid_decode(data: bytes) -> str:
        """Decode Candid bytes to Candid text as dfx prints it, e.g. `(1 : int, "a")`.

        Raises CandidError (a ValueError) if the bytes are not Candid.
        """
        api = _runtime("candid_decode")
        try:
            return api.candid_decode(data)
        except ValueError as e:
            raise CandidError(str(e)) from None

    @staticmethod
    def accept_message() -> None:
        """Accept the ingress message being inspected (only in `@inspect_message`)."""
        _runtime("accept_message").accept_message()

    @staticmethod
    def arg_data_raw() -> bytes:
        """The current message's argument, as raw Candid bytes."""
        return _runtime("arg_data_raw").arg_data_raw()

    @staticmethod
    def arg_data_raw_size() -> int:
        """The size of the current message's argument in bytes."""
        return _runtime("arg_data_raw_size").arg_data_raw_size()

    @staticmethod
    def canister_balance() -> int:
        """This canister's cycle balance (a nat64; saturates at 2**64 - 1)."""
        return _runtime("canister_balance").canister_balance()

    @staticmethod
    def canister_balance128() -> int:
        """This canister's cycle balance (a nat)."""
        return _runtime("canister_balance128").canister_balance128()

    @staticmethod
    def data_certificate() -> "bytes | None":
        """In a query: the certificate of this canister's certified data; else None."""
        return _runtime("data_certificate").data_certificate()

    @staticmethod
    def method_name() -> str:
        """The method the inspected message calls (only in `@inspect_message`)."""
        return _runtime("method_name").method_name()

    @staticmethod
    def msg_cycles_accept(max_amount: int) -> int:
        """Accept up to `max_amount` of the cycles sent with this call; returns how many."""
        return _runtime("msg_cycles_accept").msg_cycles_accept(max_amount)

    @staticmethod
    def msg_cycles_accept128(max_amount: int) -> int:
        """`msg_cycles_accept` for amounts beyond 64 bits."""
        return _runtime("msg_cycles_accept128").msg_cycles_accept128(max_amount)

    @staticmethod
    def msg_cycles_available() -> int:
        """The cycles sent with this call that are not accepted yet (a nat64)."""
        return _runtime("msg_cycles_available").msg_cycles_available()

    @staticmethod
    def msg_cycles_available128() -> int:
        """`msg_cycles_available` as a nat."""
        return _runtime("msg_cycles_available128").msg_cycles_available128()

    @staticmethod
    def msg_cycles_refunded() -> int:
        """The cycles refunded by the cross-canister call that just returned (a nat64)."""
        return _runtime("msg_cycles_refunded").msg_cycles_refunded()

    @staticmethod
    def msg_cycles_refunded128() -> int:
        """`msg_cycles_refunded` as a nat."""
        return _runtime("msg_cycles_refunded128").msg_cycles_refunded128()

    @staticmethod
    def performance_counter(counter_type: int) -> int:
        """Instructions executed so far: 0 = in this message, 1 = in this call context."""
        return _runtime("performance_counter").performance_counter(counter_type)

    @staticmethod
    def reject(message: str) -> None:
        """Reject the current call with `message` (in a method that replies itself)."""
        _runtime("reject").reject(message)

    @staticmethod
    def reject_code() -> "RejectionCode":
        """The `RejectionCode` of the cross-canister call that just returned
        (`{"NoError": None}` when it was answered)."""
        return rejection_code(_runtime("reject_code").reject_code())

    @staticmethod
    def reject_message() -> str:
        """The reject message of the cross-canister call that just returned."""
        return _runtime("reject_message").reject_message()

    @staticmethod
    def reply(value: object) -> None:
        """Reply with `value`, of the method's declared `Manual[T]` type."""
        _runtime("reply").reply(value)

    @staticmethod
    def reply_raw(data: bytes) -> None:
        """Reply with Candid bytes (see `ic.candid_encode`)."""
        _runtime("reply_raw").reply_raw(data)

    @staticmethod
    def set_certified_data(data: bytes) -> None:
        """Certify up to 32 bytes (read back with `ic.data_certificate()` in a query)."""
        _runtime("set_certified_data").set_certified_data(data)

    @staticmethod
    def set_timer(delay: int, func: "Callable[[], object]") -> int:
        """Run `func()` once, `delay` seconds (a `Duration`) from now; returns its `TimerId`.

        `func` is any callable taking no arguments (a function, lambda or closure). It runs
        as its own update message; an uncaught exception traps that message only (its
        traceback goes to the canister log, its state changes roll back). Timers are lost on
        upgrade: set them again in `@post_upgrade`.
        """
        return _runtime("set_timer").set_timer(delay, func)

    @staticmethod
    def set_timer_interval(interval: int, func: "Callable[[], object]") -> int:
        """Run `func()` every `interval` seconds until `ic.clear_timer`; returns its `TimerId`."""
        return _runtime("set_timer_interval").set_timer_interval(interval, func)

    call_raw = staticmethod(call_raw)
    call_raw128 = staticmethod(call_raw128)
    notify_raw = staticmethod(notify_raw)

    @staticmethod
    def clear_timer(timer_id: int) -> None:
        """Cancel a timer; an unknown or already-fired `TimerId` is ignored."""
        _runtime("clear_timer").clear_timer(timer_id)


# The accessors above that only hand their arguments to the runtime. Inside a canister they
# are replaced by the runtime's built-ins themselves, so `ic.time()` or `ic.caller()` is one
# C call with no Python frame in between (a built-in function is no descriptor: it is not
# bound to `ic`). The methods above stay what the host runs and type checkers read.
_BUILT_IN = (
    "accept_message",
    "arg_data_raw",
    "arg_data_raw_size",
    "caller",
    "canister_balance",
    "canister_balance128",
    "canister_version",
    "clear_timer",
    "cost_call",
    "cost_create_canister",
    "cost_http_request",
    "cost_sign_with_ecdsa",
    "cost_sign_with_schnorr",
    "cost_vetkd_derive_key",
    "cycles_burn",
    "data_certificate",
    "id",
    "in_replicated_execution",
    "is_controller",
    "method_name",
    "msg_cycles_accept",
    "msg_cycles_accept128",
    "msg_cycles_available",
    "msg_cycles_available128",
    "msg_cycles_refunded",
    "msg_cycles_refunded128",
    "msg_deadline",
    "performance_counter",
    "reject",
    "reject_message",
    "reply",
    "reply_raw",
    "root_key",
    "set_certified_data",
    "subnet_self",
    "time",
    "trap",
)

if backend.inside and not TYPE_CHECKING:
    for _name in _BUILT_IN:
        setattr(Ic, _name, getattr(backend.module, _name))

ic = Ic()
