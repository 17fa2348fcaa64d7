"""Cross-canister calls: what `yield other.method(x)` / `await other.method(x)` hand to
the runtime, and what they get back.

Promises:
- `Call` describes one call (canister, method, arguments, cycles). Calling a method of
  a `Service` instance builds one; `.with_cycles(n)` / `.with_cycles128(n)` attach
  cycles; `.with_timeout(seconds)` makes it a best-effort call; `.notify()` sends it
  without waiting (a `NotifyResult`). A method, timer or
  heartbeat that `yield`s a `Call` (or `await`s it, in an `async def`) is suspended
  until the other canister answers, then gets a `CallResult` back. Yielding a list or
  tuple of calls makes them all at once and gets a list of `CallResult`s.
- `CallResult` has `.Ok` (the decoded reply) or `.Err` (the reject message, a `str`);
  `match(result, {"Ok": f, "Err": g})` calls the matching handler, for `CallResult`s
  and for Candid variants (one-key dicts) alike.
- `RejectionCode` and `NotifyResult` are the book's Candid variants.
Imports only `kybra.principal` and `kybra._backend`, so it loads no module beyond the
built-in ones.
"""

from kybra._backend import runtime
from kybra.principal import Principal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Mapping
    from typing import Any, Generic, TypeAlias, TypedDict, TypeVar

    _T = TypeVar("_T")
    _R = TypeVar("_R")

    Async: TypeAlias = Generator[Any, Any, _T]
    """The result of a method that makes cross-canister calls: `-> Async[nat64]` is
    Candid `nat64`; the method `yield`s calls and `return`s the value."""

    class RejectionCode(TypedDict, total=False):
        """Candid `variant { NoError; SysFatal; SysTransient; DestinationInvalid;
        CanisterReject; CanisterError; Unknown }`."""

        NoError: None
        SysFatal: None
        SysTransient: None
        DestinationInvalid: None
        CanisterReject: None
        CanisterError: None
        Unknown: None

    class NotifyResult(TypedDict, total=False):
        """Candid `variant { Ok : null; Err : RejectionCode }`."""

        Ok: None
        Err: RejectionCode

else:
    # Run-time stand-ins for what the annotations name (`typing` is not imported).

    class Generic:
        """`Call[T]` and `CallResult[T]` are the classes themselves at run time."""

        __slots__ = ()

        def __class_getitem__(cls, item):
            return cls

    _T = _R = None

    class _AsyncMaker:
        """Run-time `Async`: `Async[T]` is `T` (the compiler reads the annotation)."""

        __slots__ = ()

        def __getitem__(self, item):
            return item

        def __repr__(self):
            return "kybra.Async"

    Async = _AsyncMaker()

    def RejectionCode(*args, **kwargs):
        return dict(*args, **kwargs)

    def NotifyResult(*args, **kwargs):
        return dict(*args, **kwargs)


class CallResult(Generic[_T]):
    """The outcome of a cross-canister call: `.Ok` (the decoded reply) when it
    succeeded, else `.Err` (the reject message)."""

    __slots__ = ("Err", "Ok", "_ok")

    def __init__(
        self, Ok: "_T | None", Err: "str | None", ok: "bool | None" = None, /
    ) -> None:
        self.Ok = Ok
        self.Err = Err
        self._ok = Err is None if ok is None else ok

    def is_ok(self) -> bool:
        return self._ok

    def unwrap(self) -> "_T":
        """The reply, or a `RuntimeError` carrying the reject message."""
        if self._ok:
            return self.Ok  # type: ignore[return-value]  # Ok holds a _T when _ok
        raise RuntimeError(f"the cross-canister call was rejected: {self.Err}")

    def __repr__(self) -> str:
        if self._ok:
            return f"CallResult(Ok={self.Ok!r})"
        return f"CallResult(Err={self.Err!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CallResult):
            return NotImplemented
        theirs: CallResult[object] = other  # type: ignore[assignment]
        return (self._ok, self.Ok, self.Err) == (theirs._ok, theirs.Ok, theirs.Err)

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value


class Call(Generic[_T]):
    """One cross-canister call, made when a method yields or awaits it."""

    __slots__ = ("args", "canister_id", "cycles", "method", "raw", "service", "timeout")

    def __init__(
        self,
        canister_id: Principal,
        method: str,
        args: "tuple[object, ...] | None",
        raw: "bytes | None",
        service: "type | None",
    ) -> None:
        if not isinstance(canister_id, Principal):  # type: ignore[reportUnnecessaryIsInstance]
            raise TypeError(
                f"a cross-canister call needs the canister's Principal, got"
                f" {type(canister_id).__name__}"
            )
        self.canister_id = canister_id
        self.method = method
        self.args = args
        self.raw = raw
        self.service = service
        self.cycles = 0
        self.timeout: int | None = None

    def with_cycles(self, cycles: int, /) -> "Call[_T]":
        """Attach `cycles` (a nat64) to the call."""
        self.cycles = _cycles(cycles, 1 << 64, "with_cycles")
        return self

    def with_cycles128(self, cycles: int, /) -> "Call[_T]":
        """Attach `cycles` (a nat) to the call."""
        self.cycles = _cycles(cycles, 1 << 128, "with_cycles128")
        return self

    def with_timeout(self, seconds: int, /) -> "Call[_T]":
        """Make it a best-effort call: the IC answers it within `seconds` (1 to 300), with
        the callee's reply or, once the deadline passes, a `SysUnknown` reject (the call may
        then have run or not). Without it the caller waits however long the answer takes.
        The callee sees the deadline as `ic.msg_deadline()`."""
        if type(seconds) is not int or not 1 <= seconds <= 300:
            raise ValueError(
                f"with_timeout() takes a whole number of seconds from 1 to 300, got {seconds!r}"
            )
        self.timeout = seconds
        return self

    def notify(self) -> "NotifyResult":
        """Send the call without waiting for its answer: `{"Ok": None}` once sent,
        else `{"Err": RejectionCode}`."""
        return _rejection(runtime("notify()").notify(self))

    def __await__(self) -> "Generator[Any, Any, CallResult[_T]]":
        return (yield self)

    def __repr__(self) -> str:
        return f"Call({self.canister_id!r}, {self.method!r})"


def _cycles(cycles: int, bound: int, what: str) -> int:
    if type(cycles) is not int or not 0 <= cycles < bound:
        raise ValueError(
            f"{what}() takes a whole number of cycles from 0 to {bound - 1}, got {cycles!r}"
        )
    return cycles


def match(
    value: "CallResult[Any] | Mapping[str, Any]",
    handlers: "Mapping[str, Callable[[Any], _R] | Callable[[], _R]]",
    /,
) -> "_R":
    """Calls `handlers[case](payload)` for the case `value` holds: `"Ok"`/`"Err"`
    of a `CallResult`, or the one key of a variant dict. A `"_"` handler takes every case
    that has no handler of its own: called with None, as in the original Kybra, or with
    nothing when it takes no argument (`lambda: ...`)."""
    if isinstance(value, CallResult):
        key, payload = ("Ok", value.Ok) if value.is_ok() else ("Err", value.Err)
    elif isinstance(value, dict) and len(value) == 1:  # type: ignore[reportUnnecessaryIsInstance]
        ((key, payload),) = value.items()
    else:
        raise TypeError(
            f"match() takes a CallResult or a variant (a one-key dict), got {value!r}"
        )
    table: Mapping[str, Callable[..., _R]] = handlers
    handler = table.get(key)
    if handler is None:
        default = table.get("_")
        if default is not None:
            code = getattr(default, "__code__", None)
            takes_none = code is not None and code.co_argcount == 0
            return default() if takes_none else default(None)
        raise KeyError(
            f"match(): no handler for case {key!r} (handlers: {sorted(handlers)});"
            " add one, or a default `'_': lambda: ...`"
        )
    return handler(payload)


_REJECTION_CODES = (
    "NoError",
    "SysFatal",
    "SysTransient",
    "DestinationInvalid",
    "CanisterReject",
    "CanisterError",
)


def rejection_code(code: int) -> "RejectionCode":
    """The `RejectionCode` variant of the IC's numeric reject code."""
    name = _REJECTION_CODES[code] if 0 <= code < len(_REJECTION_CODES) else "Unknown"
    return {name: None}  # type: ignore[return-value]


def _rejection(code: "int | None") -> "NotifyResult":
    return {"Ok": None} if code is None else {"Err": rejection_code(code)}


def call_raw(
    canister_id: Principal, method: str, args: bytes, payment: int
) -> "Call[bytes]":
    """A call with Candid-encoded `args` whose reply is the raw bytes (yield it)."""
    return Call[bytes](canister_id, method, None, bytes(args), None).with_cycles(
        payment
    )


def call_raw128(
    canister_id: Principal, method: str, args: bytes, payment: int
) -> "Call[bytes]":
    """`call_raw` with a nat amount of cycles."""
    return Call[bytes](canister_id, method, None, bytes(args), None).with_cycles128(
        payment
    )


def notify_raw(
    canister_id: Principal, method: str, args: bytes, payment: int
) -> "NotifyResult":
    """Send a call with Candid-encoded `args` without waiting for its answer."""
    return call_raw128(canister_id, method, args, payment).notify()
