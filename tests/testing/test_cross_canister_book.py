"""The book's cross-canister samples (`examples/cross_canister`: token/payout, composite
query, notify, cycles, call_raw, rejections) through kybra.testing — the same behaviours
tests/e2e/test_cross_canister.py checks over HTTP. Each canister is created at the id
dfx.json's `specified_id` gives it (the ids the book hard-codes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kybra import Principal
from kybra.testing import Canister, Replica

ALICE = Principal(bytes(range(1, 30)))
NAMES = ("token", "payout", "some_canister", "cycles", "caller")


@pytest.fixture
def book(replica: Replica, projects: Path) -> dict[str, Canister]:
    return {n: replica.deploy(projects / "cross_canister", n) for n in NAMES}


def test_canisters_sit_at_their_specified_ids(book: dict[str, Canister]) -> None:
    assert str(book["token"].id) == "r7inp-6aaaa-aaaaa-aaabq-cai"
    assert str(book["some_canister"].id) == "ryjl3-tyaaa-aaaaa-aaaba-cai"


def test_payout_calls_the_token_canister(book: dict[str, Canister]) -> None:
    token, payout = book["token"], book["payout"]
    refused = payout.payout(ALICE, 5)
    assert set(refused) == {"Err"} and "InsufficientBalance" in refused["Err"]
    token.mint(payout.id, 100)
    assert payout.payout(ALICE, 30) == {"Ok": 30}
    assert token.balance(ALICE) == 30
    assert token.balance(payout.id) == 70


def test_composite_query_calls_a_query(book: dict[str, Canister]) -> None:
    caller = book["caller"]
    assert caller.methods()["query_some_canister"] == "composite_query"
    assert caller.query_some_canister() == {"Ok": True}


def test_notify_reaches_the_other_canister(
    replica: Replica, book: dict[str, Canister]
) -> None:
    caller, some = book["caller"], book["some_canister"]
    assert caller.send_notification() == {"Ok": None}
    assert caller.send_notification_raw() == {"Ok": True}
    replica.tick()  # the notifications are queued messages: one round delivers them
    assert "This is the notification" in some.get_notifications()


def test_cycles_are_attached_and_refunded(book: dict[str, Canister]) -> None:
    caller, cycles = book["caller"], book["cycles"]
    before = cycles.cycles
    # The cycles canister keeps half of what it is sent: half comes back.
    assert caller.send_cycles() == {"Ok": 500_000}
    assert caller.send_cycles128() == {"Ok": 500_000}
    assert cycles.cycles == before + 1_000_000


def test_call_raw(book: dict[str, Canister]) -> None:
    answer = book["caller"].execute_call_raw128(
        book["some_canister"].id, "query_for_boolean", "()", 0
    )
    assert answer == {"Ok": "(true)"}


def test_rejections(
    replica: Replica, projects: Path, book: dict[str, Canister]
) -> None:
    caller = book["caller"]
    # Nothing lives at rkp4c-7iaaa-aaaaa-aaaca-cai yet.
    assert caller.get_rejection_code_destination_invalid() == {
        "DestinationInvalid": None
    }
    replica.deploy(projects / "cross_canister", "rejector")
    assert caller.get_rejection_message("nope, not today") == "nope, not today"
