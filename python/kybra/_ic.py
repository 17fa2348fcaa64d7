"""`ic`: the Internet Computer system API as canister code sees it.

Promises: inside a canister every method delegates to the runtime's built-in module
`_kybra_ic`; on the host (tests, editors) every method raises RuntimeError saying it only
works inside a canister. Principals are returned as `kybra.Principal`, times as
nanoseconds since the Unix epoch. Importing it loads no module beyond the interpreter's
built-in ones (the `typing` names exist for type checkers only, hence the string
annotations).
"""

from kybra.principal import Principal

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NoReturn, Protocol

    class _Backend(Protocol):
        def print(self, message: str, /) -> None: ...
        def trap(self, message: str, /) -> NoReturn: ...
        def caller(self) -> bytes: ...
        def id(self) -> bytes: ...
        def time(self) -> int: ...
        def candid_encode(self, text: str, /) -> bytes: ...
        def candid_decode(self, data: bytes, /) -> str: ...


_backend: "_Backend | None"
try:
    import _kybra_ic  # type: ignore[import-not-found]

    _backend = _kybra_ic  # pyright: ignore[reportAssignmentType]
except ImportError:
    _backend = None


def _runtime(what: str) -> "_Backend":
    if _backend is None:
        raise RuntimeError(
            f"ic.{what}() works only inside a canister: deploy the canister"
            " (`kybra deploy`) and call it there"
        )
    return _backend


class Ic:
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
        return Principal(_runtime("caller").caller())

    @staticmethod
    def id() -> Principal:
        """This canister's own principal."""
        return Principal(_runtime("id").id())

    @staticmethod
    def time() -> int:
        """The current time in nanoseconds since 1970-01-01 (a nat64)."""
        return _runtime("time").time()

    @staticmethod
    def candid_encode(text: str) -> bytes:
        """Encode Candid text such as `'(1, "a")'` to Candid bytes.

        Raises ValueError with the parser's message if the text is not Candid.
        """
        return _runtime("candid_encode").candid_encode(text)

    @staticmethod
    def candid_decode(data: bytes) -> str:
        """Decode Candid bytes to Candid text as dfx prints it, e.g. `(1 : int, "a")`.

        Raises ValueError if the bytes are not Candid.
        """
        return _runtime("candid_decode").candid_decode(data)


ic = Ic()
