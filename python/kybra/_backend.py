"""The runtime's built-in module `_kybra_ic`: there inside a canister, absent on the host.

Promise: `inside` says whether it is there; `runtime(what)` returns it, or raises
`RuntimeError` saying that `what` works only inside a canister. Type checkers see the
stub `kybra/_kybra_ic.pyi` in its place (the one description of the runtime's API).
Imports nothing.
"""

TYPE_CHECKING = False

inside: bool
"""Whether this runs inside a canister (the runtime's `_kybra_ic` is importable)."""

if TYPE_CHECKING:
    from kybra import _kybra_ic as module  # pyright: ignore[reportMissingModuleSource]

    inside = True
else:
    try:
        import _kybra_ic as module

        inside = True
    except ImportError:
        module = None
        inside = False


def runtime(what: str):  # returns the stub module (its type has no name)
    """`_kybra_ic`, for `what` (e.g. "ic.caller()") that needs it."""
    if not inside:
        raise RuntimeError(
            f"{what} works only inside a canister: deploy the canister (`kybra deploy`) and call it there"
        )
    return module
