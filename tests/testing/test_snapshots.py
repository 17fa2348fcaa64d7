"""Canister snapshots and history: from the test side (`Canister.take_snapshot`,
`load_snapshot`, `snapshots`, `delete_snapshot`, over the management canister as a
controller), and from Python canisters through `kybra.canisters.management`
(`take_canister_snapshot`, `load_canister_snapshot`, `list_canister_snapshots`,
`delete_canister_snapshot`, `canister_info`). A loaded snapshot brings heap and stable
memory back; bad requests are clear rejects that change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kybra.testing import CanisterReject, Replica

KEEPER = """
from kybra import StableBTreeMap, query, update, void

heap: dict[str, str] = {}
stable = StableBTreeMap[str, str](memory_id=0, max_key_size=20, max_value_size=100)


@update
def put(key: str, value: str) -> void:
    heap[key] = value
    stable.insert(key, value)


@query
def get(key: str) -> tuple[str, str]:
    return (heap.get(key, "-"), stable.get(key) or "-")
"""

MANAGER = """
from kybra import Async, CallResult, Opt, Principal, Vec, blob, nat64, update
from kybra.canisters.management import (
    CanisterInfoResult,
    CreateCanisterResult,
    Snapshot,
    management_canister,
)

# The smallest module: the header and an empty custom section.
MODULE = b"\\x00asm\\x01\\x00\\x00\\x00" + b"\\x00\\x05\\x04name"


@update
def create_child() -> Async[Principal]:
    r: CallResult[CreateCanisterResult] = yield management_canister.create_canister(
        {"settings": None}
    ).with_cycles(1_000_000_000_000)
    child = r.Ok["canister_id"]
    yield management_canister.install_code(
        {"mode": {"install": None}, "canister_id": child, "wasm_module": MODULE, "arg": b""}
    )
    return child


@update
def snapshot(child: Principal) -> Async[Snapshot]:
    r: CallResult[Snapshot] = yield management_canister.take_canister_snapshot(
        {"canister_id": child, "replace_snapshot": None, "uninstall_code": True}
    )
    return r.Ok


@update
def snapshot_ids(child: Principal) -> Async[Vec[blob]]:
    r: CallResult[Vec[Snapshot]] = yield management_canister.list_canister_snapshots(
        {"canister_id": child}
    )
    return [s["id"] for s in r.Ok]


@update
def load(child: Principal, snapshot_id: blob) -> Async[str]:
    r: CallResult[None] = yield management_canister.load_canister_snapshot(
        {"canister_id": child, "snapshot_id": snapshot_id}
    )
    return "loaded" if r.Err is None else r.Err


@update
def delete(child: Principal, snapshot_id: blob) -> Async[str]:
    r: CallResult[None] = yield management_canister.delete_canister_snapshot(
        {"canister_id": child, "snapshot_id": snapshot_id}
    )
    return "deleted" if r.Err is None else r.Err


@update
def history(child: Principal, n: Opt[nat64]) -> Async[Vec[str]]:
    r: CallResult[CanisterInfoResult] = yield management_canister.canister_info(
        {"canister_id": child, "num_requested_changes": n}
    )
    info = r.Ok
    if info is None:
        return [f"canister_info was rejected: {r.Err}"]
    kinds = [next(iter(c["details"])) for c in info["recent_changes"]]
    hashed = "code" if info["module_hash"] else "empty"
    return [str(info["total_num_changes"]), hashed] + kinds
"""


def test_a_loaded_snapshot_brings_heap_and_stable_memory_back(
    replica: Replica, tmp_path: Path
) -> None:
    main = tmp_path / "main.py"
    main.write_text(KEEPER)
    c = replica.deploy(main)
    c.put("k", "before")
    snap = c.take_snapshot()
    assert snap["id"][8:] == c.id.bytes, (
        "the IC's id: local index, then the canister id"
    )
    assert snap["total_size"] > 0
    c.put("k", "after")
    assert c.get("k") == ("after", "after")
    c.load_snapshot(snap["id"])
    assert c.get("k") == ("before", "before")
    assert c.snapshots() == [snap]
    # The canister runs on after a load; the snapshot can be loaded again.
    c.put("k", "later")
    c.load_snapshot(snap["id"])
    assert c.get("k") == ("before", "before")
    c.delete_snapshot(snap["id"])
    assert c.snapshots() == []


def test_bad_snapshot_requests_are_clear_and_change_nothing(
    replica: Replica, tmp_path: Path
) -> None:
    main = tmp_path / "main.py"
    main.write_text(KEEPER)
    c = replica.deploy(main)
    c.put("k", "kept")
    snap = c.take_snapshot()
    with pytest.raises(CanisterReject, match="Could not find the snapshot ID"):
        c.load_snapshot(b"\x00" * 8 + b"nope")
    with pytest.raises(CanisterReject, match="Could not find the snapshot ID"):
        c.delete_snapshot(b"nope")
    for _ in range(9):
        c.take_snapshot()
    with pytest.raises(CanisterReject, match="maximum number of snapshots allowed: 10"):
        c.take_snapshot()
    replaced = c.take_snapshot(replace=snap["id"])
    assert len(c.snapshots()) == 10 and replaced["id"] != snap["id"]
    assert c.get("k") == ("kept", "kept")


def test_a_python_canister_snapshots_another_and_reads_its_history(
    replica: Replica, tmp_path: Path
) -> None:
    main = tmp_path / "main.py"
    main.write_text(MANAGER)
    m = replica.deploy(main)
    child = m.create_child()
    assert m.history(child, 10) == ["2", "code", "creation", "code_deployment"]
    snap = m.snapshot(child)  # and uninstall the code
    assert m.snapshot_ids(child) == [snap["id"]]
    assert m.history(child, 10)[:2] == ["3", "empty"]
    assert m.load(child, snap["id"]) == "loaded"
    assert m.history(child, 2) == ["4", "code", "code_uninstall", "load_snapshot"]
    assert m.history(child, None) == ["4", "code"]
    refused = m.load(child, b"nope")
    assert "Could not find the snapshot ID" in refused, refused
    assert m.delete(child, snap["id"]) == "deleted"
    assert m.snapshot_ids(child) == []
