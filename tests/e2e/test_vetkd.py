"""The vetKD notes sample (`examples/vetkd_notes`, on `kybra.canisters.management`'s
`vetkd_public_key` and `vetkd_derive_key`), deployed by the `kybra` command line and used
through @dfinity/agent with DFINITY's client library @dfinity/vetkeys (the script
tests/agents/vetkd_notes.mjs): keys decrypt and verify, a note round-trips encrypted, and
one user's key opens nothing of another's."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import REPO, Project, copy_project, run_json, served
from test_agents import AGENTS, npm_ready, replica_url

NAME = "vetkd_notes"


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    project = copy_project(
        REPO / "examples" / NAME, tmp_path_factory.mktemp("vetkd") / NAME
    )
    with served(project) as p:
        yield p


@pytest.fixture(scope="module")
def report(notes: Project) -> dict[str, Any]:
    node = npm_ready()
    canister = notes.kybra("canister", "id", NAME).stdout.strip()
    note = f"meet at the old mill, {uuid.uuid4().hex[:8]}"
    result = run_json(
        [node, "vetkd_notes.mjs", replica_url(notes), canister, note], AGENTS
    )
    result["note"] = note
    return result


def test_keys_decrypt_and_verify_with_dfinitys_client(report: dict[str, Any]) -> None:
    assert report["public_key_bytes"] == 96
    assert report["encrypted_key_bytes"] == 192
    assert report["verified"] is True
    assert report["same_key_again"] is True


def test_a_note_round_trips_encrypted(report: dict[str, Any]) -> None:
    assert report["note_back"] == report["note"]
    assert report["stored_is_plaintext"] is False


def test_one_users_key_opens_nothing_of_anothers(report: dict[str, Any]) -> None:
    assert report["bob_note"] is None
    assert report["bob_reads_alice"] is False
    assert report["bob_as_alice"] is False


def test_a_bad_transport_key_is_a_clear_error(report: dict[str, Any]) -> None:
    refused = report["bad_transport_key"]
    assert refused is not None and "transport public key" in refused, refused
