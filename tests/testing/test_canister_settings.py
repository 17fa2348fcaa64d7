"""The settings of the current management canister interface from Python
(`kybra.canisters.management.CanisterSettings`: `reserved_cycles_limit`, `log_visibility`,
`wasm_memory_limit`, beside the book's four): a canister creates another with them, reads
them back from `canister_status`, changes them with `update_settings`; a dict without the
new keys (the book's) still works; a setting the replica cannot honour is refused and
changes nothing."""

from __future__ import annotations

from pathlib import Path

from kybra.testing import Replica

CANISTER = """
from kybra import Async, CallResult, Principal, Vec, ic, nat, update
from kybra.canisters.management import (
    CanisterSettings,
    CanisterStatusResult,
    CreateCanisterResult,
    management_canister,
)


@update
def create(settings: CanisterSettings) -> Async[Principal]:
    r: CallResult[CreateCanisterResult] = yield management_canister.create_canister(
        {"settings": settings}
    ).with_cycles(1_000_000_000_000)
    return r.Ok["canister_id"]


@update
def create_as_the_book_does() -> Async[Principal]:
    r: CallResult[CreateCanisterResult] = yield management_canister.create_canister(
        {
            "settings": {
                "controllers": [ic.id()],
                "compute_allocation": None,
                "memory_allocation": None,
                "freezing_threshold": None,
            }
        }
    ).with_cycles(1_000_000_000_000)
    return r.Ok["canister_id"]


@update
def settings_of(child: Principal) -> Async[Vec[str]]:
    r: CallResult[CanisterStatusResult] = yield management_canister.canister_status(
        {"canister_id": child}
    )
    s = r.Ok["settings"]
    return [
        str(s["reserved_cycles_limit"]),
        next(iter(s["log_visibility"])),
        str(s["wasm_memory_limit"]),
        str(s["freezing_threshold"]),
    ]


@update
def change(child: Principal, settings: CanisterSettings) -> Async[str]:
    r: CallResult[None] = yield management_canister.update_settings(
        {"canister_id": child, "settings": settings}
    )
    return "updated" if r.Err is None else r.Err


@update
def limit(child: Principal, n: nat) -> Async[str]:
    r: CallResult[None] = yield management_canister.update_settings(
        {"canister_id": child, "settings": {"wasm_memory_limit": n}}
    )
    return "updated" if r.Err is None else r.Err
"""


def test_the_current_settings_round_trip(replica: Replica, tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text(CANISTER)
    c = replica.deploy(main)
    child = c.create(
        {
            "controllers": None,
            "compute_allocation": None,
            "memory_allocation": None,
            "freezing_threshold": 86_400,
            "reserved_cycles_limit": 2_000_000_000_000,
            "log_visibility": {"public": None},
            "wasm_memory_limit": 1 << 30,
        }
    )
    assert c.settings_of(child) == [
        "2000000000000",
        "public",
        str(1 << 30),
        "86400",
    ]
    # Only what a dict names changes; the keys it leaves out stay.
    assert c.limit(child, 1 << 29) == "updated"
    assert c.settings_of(child) == ["2000000000000", "public", str(1 << 29), "86400"]
    assert (
        c.change(
            child,
            {
                "controllers": None,
                "compute_allocation": None,
                "memory_allocation": None,
                "freezing_threshold": None,
                "reserved_cycles_limit": None,
                "log_visibility": {"controllers": None},
                "wasm_memory_limit": None,
            },
        )
        == "updated"
    )
    assert c.settings_of(child)[1] == "controllers"


def test_the_books_settings_dict_still_works(replica: Replica, tmp_path: Path) -> None:
    main = tmp_path / "main.py"
    main.write_text(CANISTER)
    c = replica.deploy(main)
    child = c.create_as_the_book_does()
    assert c.settings_of(child)[1] == "controllers"


def test_a_setting_the_replica_cannot_honour_is_refused(
    replica: Replica, tmp_path: Path
) -> None:
    main = tmp_path / "main.py"
    main.write_text(CANISTER)
    c = replica.deploy(main)
    child = c.create({"log_visibility": {"public": None}})
    refused = c.change(child, {"log_visibility": {"allowed_viewers": [c.id]}})
    assert "allowed_viewers is not supported" in refused, refused
    assert c.settings_of(child)[1] == "public"
