"""The runtime's built-in module `_kybra_ic`: there inside a canister, `None` on the host.

Promise: `runtime(what)` returns it, or raises `RuntimeError` saying that `what` works
only inside a canister. Imports nothing.
"""

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

module: "Any"
try:
    import _kybra_ic as module  # type: ignore[import-not-found]
except ImportError:
    module = None


def runtime(what: str) -> "Any":
    """`_kybra_ic`, for `what` (e.g. "ic.caller()") that needs it."""
    if module is None:
        raise RuntimeError(
            f"{what} works only inside a canister: deploy the canister (`kybra deploy`) and call it there"
        )
    return module
