"""`ic.*` inside a canister is the runtime's built-ins themselves (no Python wrapper
frame): `ic.caller()` / `ic.id()` are real `kybra.Principal`s (equal, hashable, immutable,
`isinstance`), the accessors take their documented keyword names, and their refusals are
still `IcError`s."""

from __future__ import annotations

from pathlib import Path

from kybra.testing import Replica

CANISTER = """
from kybra import IcError, Principal, Vec, ic, query, update


@query
def principals() -> Vec[str]:
    caller, me = ic.caller(), ic.id()
    try:
        caller._bytes = b""  # type: ignore[misc]
        immutable = "mutable!"
    except AttributeError:
        immutable = "immutable"
    return [
        type(caller).__name__,
        str(isinstance(caller, Principal) and isinstance(me, Principal)),
        caller.to_str(),
        me.to_str(),
        str(me == Principal.from_str(me.to_str())),
        str(hash(me) == hash(Principal(me.bytes))),
        str({me: 1}.get(Principal.from_str(me.to_str()))),
        immutable,
        repr(caller),
    ]


@update
def keywords() -> Vec[str]:
    return [
        str(ic.performance_counter(counter_type=0) > 0),
        str(ic.msg_cycles_accept(max_amount=0)),
        str(ic.time() == ic.time()),
    ]


@query
def refused() -> str:
    try:
        ic.msg_cycles_accept(1)
    except IcError as e:
        return f"IcError: {e}"
    return "accepted"
"""


def test_the_system_api_is_the_runtime_s_built_ins(
    replica: Replica, tmp_path: Path
) -> None:
    main = tmp_path / "main.py"
    main.write_text(CANISTER)
    c = replica.deploy(main)
    got = c.principals()
    me = str(c.id)
    assert got == [
        "Principal",
        "True",
        "2vxsx-fae",
        me,
        "True",
        "True",
        "1",
        "immutable",
        "Principal.from_str('2vxsx-fae')",
    ], got
    assert c.keywords() == ["True", "0", "True"]
    assert c.refused().startswith("IcError: ic.msg_cycles_accept"), c.refused()
