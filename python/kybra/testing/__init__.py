"""`kybra.testing`: test canisters from pytest on an in-process local replica.

    from kybra.testing import Replica

    def test_hello():
        with Replica() as r:
            c = r.deploy("examples/hello_world")
            c.set_message("hi")
            assert c.get_message() == "hi"

Methods of a canister handle are its Candid methods, taking and returning Python values
exactly as canister code sees them (records as dicts, variants as one-key dicts,
`kybra.Principal`, opt as `None` or the value); queries run as queries, updates as
updates; a reject raises `CanisterReject` (`.code`, `.message` — a trap's message holds
the canister's Python traceback). Time is fixed unless `Replica(live=True)`:
`r.advance_time(seconds)` then `r.tick()` runs due timers and heartbeats. The pytest
plugin (installed with the package) gives the fixtures `replica` and `kybra_build`.
See docs/testing.md.
"""

from kybra.testing._build import BuildError, Built, build, find_kybra
from kybra.testing._canister import Canister, CanisterReject, Method
from kybra.testing._replica import (
    DEFAULT_CONTROLLER,
    DEFAULT_CYCLES,
    DEFAULT_TIME,
    Management,
    Replica,
)

__all__ = [
    "DEFAULT_CONTROLLER",
    "DEFAULT_CYCLES",
    "DEFAULT_TIME",
    "BuildError",
    "Built",
    "Canister",
    "CanisterReject",
    "Management",
    "Method",
    "Replica",
    "build",
    "find_kybra",
]
