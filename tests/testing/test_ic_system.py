"""The IC's newer system API from Python (`ic.is_controller`, `ic.canister_version`,
`ic.in_replicated_execution`, `ic.subnet_self`, `ic.root_key`, `ic.cycles_burn`,
`ic.msg_deadline`, the `ic.cost_*` family)
and best-effort calls (`.with_timeout(seconds)`), each where the IC allows it and refused
with `IcError` where it does not. Costs are checked against the IC's published formulas
for a one-node subnet (the local replica's size) and its threshold key fee."""

from __future__ import annotations

from pathlib import Path

import pytest

from kybra import Principal, ic
from kybra.testing import Canister, CanisterReject, Replica

CANISTER = """
from kybra import Async, CallResult, IcError, Opt, Principal, Service, Vec, blob, ic, init, nat, nat64, query, service_query, update, void

refused_in_init: list[str] = []


@init
def setup() -> void:
    try:
        ic.msg_deadline()
    except IcError as e:
        refused_in_init.append(str(e))


class Me(Service):
    @service_query
    def deadline(self) -> Opt[nat64]: ...


@query
def init_refusal() -> str:
    return refused_in_init[0] if refused_in_init else "not refused"


@query
def controls(p: Principal) -> bool:
    return ic.is_controller(p)


@query
def version() -> nat64:
    return ic.canister_version()


@query
def replicated_query() -> bool:
    return ic.in_replicated_execution()


@update
def replicated_update() -> bool:
    return ic.in_replicated_execution()


@query
def subnet() -> Principal:
    return ic.subnet_self()


@update
def root_key() -> blob:
    return ic.root_key()


@query
def root_key_in_query() -> str:
    try:
        ic.root_key()
    except IcError as e:
        return str(e)
    return "answered"


@update
def burn(amount: nat) -> nat:
    return ic.cycles_burn(amount)


@query
def burn_in_query() -> str:
    try:
        ic.cycles_burn(1)
    except IcError as e:
        return str(e)
    return "burnt"


@query
def deadline() -> Opt[nat64]:
    return ic.msg_deadline()


@update
def deadline_of_a_best_effort_call(seconds: nat64) -> Async[Vec[nat64]]:
    me = Me(ic.id())
    timed: CallResult[Opt[nat64]] = yield me.deadline().with_timeout(seconds)
    plain: CallResult[Opt[nat64]] = yield me.deadline()
    return [timed.Ok or 0, plain.Ok or 0, ic.time()]


@query
def costs() -> Vec[nat]:
    return [
        ic.cost_call(10, 100),
        ic.cost_create_canister(),
        ic.cost_http_request(100, 2_000),
        ic.cost_sign_with_ecdsa("dfx_test_key"),
        ic.cost_sign_with_schnorr("test_key_1", "ed25519"),
        ic.cost_vetkd_derive_key("key_1"),
    ]


@query
def cost_refusals() -> Vec[str]:
    out = []
    for f in (
        lambda: ic.cost_sign_with_ecdsa("no_such_key"),
        lambda: ic.cost_sign_with_schnorr("test_key_1", "rsa"),
        lambda: ic.cost_vetkd_derive_key("key_1", "bn254"),
    ):
        try:
            f()
            out.append("answered")
        except ValueError as e:
            out.append(str(e))
    return out


@query
def bad_timeout() -> str:
    try:
        Me(ic.id()).deadline().with_timeout(0)
    except ValueError as e:
        return str(e)
    return "accepted"
"""


@pytest.fixture
def canister(replica: Replica, tmp_path: Path) -> Canister:
    main = tmp_path / "main.py"
    main.write_text(CANISTER)
    return replica.deploy(main)


def test_controllers_versions_and_replicated_execution(
    replica: Replica, canister: Canister
) -> None:
    (controller,) = canister.controllers
    assert canister.controls(controller) is True
    assert canister.controls(Principal.from_str("2vxsx-fae")) is False
    assert canister.controls(canister.id) is False
    installed = canister.version()
    assert installed >= 1
    canister = replica.upgrade(canister)
    assert canister.version() == installed + 1
    assert canister.replicated_query() is False
    assert canister.replicated_update() is True


def test_the_subnet_and_the_root_key(canister: Canister) -> None:
    # kybra.testing's replica has a subnet id of its own, and no root key: it certifies
    # nothing without the HTTP server (tests/e2e/test_runtime.py checks the served one's).
    assert canister.subnet() == Principal.self_authenticating(b"kybra.testing subnet")
    with pytest.raises(CanisterReject, match="has no root key"):
        canister.root_key()
    refused = canister.root_key_in_query()
    assert refused.startswith("ic.root_key(): not available in a query"), refused


def test_cycles_burn_where_the_ic_allows_it(canister: Canister) -> None:
    before = canister.cycles
    assert canister.burn(1_000_000) == 1_000_000
    assert before - canister.cycles >= 1_000_000
    message = canister.burn_in_query()
    assert message.startswith("ic.cycles_burn() may not be called in a query"), message


def test_msg_deadline_of_best_effort_and_plain_calls(canister: Canister) -> None:
    assert canister.deadline() is None  # a user's call has no deadline
    timed, plain, now = canister.deadline_of_a_best_effort_call(60)
    assert plain == 0
    assert now < timed <= now + 60 * 1_000_000_000, (timed, now)
    assert canister.init_refusal().startswith(
        "ic.msg_deadline() exists only in a message"
    )
    assert "from 1 to 300" in canister.bad_timeout()


def test_costs_are_the_ics_formulas(canister: Canister) -> None:
    nodes = 1
    http = (
        (3_000_000 + 60_000 * nodes) * nodes + 400 * nodes * 100 + 800 * nodes * 2_000
    )
    assert canister.costs() == [
        260_000 + 1_000 * (10 + 100),
        500_000_000_000,
        http,
        10_000_000_000,
        10_000_000_000,
        10_000_000_000,
    ]
    no_key, no_algorithm, no_curve = canister.cost_refusals()
    assert "no key of that name" in no_key, no_key
    assert "bip340secp256k1, ed25519" in no_algorithm, no_algorithm
    assert "bls12_381_g2" in no_curve, no_curve


def test_on_the_host_each_says_it_needs_a_canister() -> None:
    with pytest.raises(RuntimeError, match="only inside a canister"):
        ic.is_controller(Principal.anonymous())
    with pytest.raises(RuntimeError, match="only inside a canister"):
        ic.cost_call(1, 1)
    with pytest.raises(RuntimeError, match="only inside a canister"):
        ic.subnet_self()
