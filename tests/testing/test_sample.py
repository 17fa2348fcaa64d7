"""kybra.testing's API on a small canister (tests/testing/projects/sample): init and
upgrade arguments, callers, values exactly as canister code sees them, query semantics,
rejects with the canister's traceback, guards, cycles, stop/start and the management
canister."""

from pathlib import Path

import pytest

from kybra import Principal
from kybra.testing import DEFAULT_CONTROLLER, CanisterReject, Replica

ALICE = Principal(bytes(range(1, 30)))


def test_init_arguments_reach_init(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "sample", init_args=("Hello", 41))
    assert c.greet("Ada") == "Hello, Ada"
    assert c.increment() == 42
    assert any("init: Hello 41" in line for line in c.logs())


def test_upgrade_takes_new_arguments(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "sample", init_args=("Hello", 0))
    c = replica.upgrade(c, init_args=("Bonjour", 10))
    assert c.greet("Ada") == "Bonjour, Ada"
    assert c.count() == 10


def test_a_query_changes_nothing_an_update_does(
    replica: Replica, projects: Path
) -> None:
    c = replica.deploy(projects / "sample", init_args=("", 5))
    assert c.increment_in_query() == 6
    assert c.count() == 5
    # Called as an update (replicated mode): as on the IC, a query's changes still go.
    assert c.update("increment_in_query") == 6
    assert c.count() == 5
    assert c.increment() == 6
    assert c.count() == 6


def test_callers_and_values_as_canister_code_sees_them(
    replica: Replica, projects: Path
) -> None:
    c = replica.deploy(projects / "sample", init_args=("", 0))
    assert c.whoami() == Principal.anonymous()
    with replica.as_caller(ALICE):
        assert c.whoami() == ALICE
    assert c.as_caller(ALICE).whoami() == ALICE
    entry = c.as_caller(ALICE).add_entry("first", ["a", "b"], None)
    assert entry == {"owner": ALICE, "label": "first", "tags": ["a", "b"], "note": None}
    assert isinstance(entry["owner"], Principal)
    c.add_entry("second", [], "noted")
    assert [e["note"] for e in c.get_entries()] == [None, "noted"]
    assert c.divide(0, 1) == {"Err": "a is zero"}
    assert c.divide(7, 2) == {"Ok": 3}


def test_a_trap_raises_with_the_canister_traceback(
    replica: Replica, projects: Path
) -> None:
    c = replica.deploy(projects / "sample", init_args=("", 0))
    with pytest.raises(CanisterReject) as info:
        c.divide(1, 0)
    err = info.value
    assert err.code == 5
    assert err.method == "divide" and err.canister == c.id
    assert "ZeroDivisionError" in err.message
    assert "at src/main.py" in err.message and "in helper" in err.message, err.message
    assert "main.py" in str(err)


def test_a_guard_rejects_with_code_4(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "sample", init_args=("", 3))
    with pytest.raises(CanisterReject) as info:
        c.reset()
    assert info.value.code == 4
    assert "anonymous callers may not reset" in info.value.message
    c.as_caller(ALICE).reset()
    assert c.count() == 0


def test_cycles_controllers_stop_and_start(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "sample", init_args=("", 0), cycles=5_000_000_000_000)
    assert c.controllers == [DEFAULT_CONTROLLER]
    assert c.cycles == 5_000_000_000_000
    assert c.balance() == 5_000_000_000_000
    c.stop()
    assert c.status()["status"] == {"stopped": None}
    with pytest.raises(CanisterReject) as info:
        c.increment()
    assert info.value.code == 5 and info.value.error_code == "IC0508"
    c.start()
    assert c.increment() == 1


def test_the_management_canister(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "sample", init_args=("", 0), controller=ALICE)
    mgmt = replica.management.as_caller(ALICE)
    status = mgmt.canister_status({"canister_id": c.id})
    assert status["settings"]["controllers"] == [ALICE]
    assert status["module_hash"] == c.module_hash
    with pytest.raises(CanisterReject) as info:
        replica.management.canister_status(
            {"canister_id": c.id}
        )  # anonymous: not a controller
    assert info.value.code == 5 or info.value.code == 4
    created = mgmt.provisional_create_canister_with_cycles(
        {"amount": 10**12, "settings": None, "specified_id": None}
    )
    assert isinstance(created["canister_id"], Principal)
