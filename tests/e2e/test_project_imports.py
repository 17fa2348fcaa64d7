"""End-to-end: a multi-canister project whose modules import each other from the project
root (`from src.canister2.types import Account`), built with the book's dfx.json build
commands (`python -m kybra NAME src/canisterN/main.py ...`), deployed, and calling each
other (`tests/e2e/projects/multi/`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import REPO, Project, copy_project, served


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("multi") / "multi"
    with served(copy_project(REPO / "tests" / "e2e" / "projects" / "multi", root)) as p:
        yield p


def test_both_canisters_build_with_types_from_the_project_root(multi: Project) -> None:
    did1 = (multi.root / "src" / "canister1" / "main.did").read_text()
    did2 = (multi.root / "src" / "canister2" / "main.did").read_text()
    for did in (did1, did2):
        assert "type Account = record { id : text; balance : nat64 };" in did, did
    assert "deposit : (text, nat64) -> (TransferResult);" in did1, did1


def test_canister1_calls_canister2_with_the_shared_types(multi: Project) -> None:
    assert multi.call("canister1", "deposit", '("alice", 5)') == (
        '(variant { Ok = record { id = "alice"; balance = 5 : nat64 } })'
    )
    multi.call("canister1", "deposit", '("alice", 7)')
    assert multi.call("canister1", "balance", '("alice")') == (
        '(record { id = "alice"; balance = 12 : nat64 })'
    )
    assert multi.call("canister2", "account", '(record { id = "alice" })') == (
        '(record { id = "alice"; balance = 12 : nat64 })'
    )
    assert multi.call("canister1", "deposit", '("bob", 0)') == (
        '(variant { Err = "amount must be positive" })'
    )
