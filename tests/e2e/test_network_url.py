"""`--network URL` on deploy, call, status and id, as dfx has it: tested against a second
replica started on another port (mainnet is unreachable from here). Ids are recorded per
network, so the project's local canister and its copy on the other replica stay apart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, Project, copy_project, served
from test_agents import replica_url

HELLO = "kybra_hello_world"


@pytest.fixture(scope="module")
def other_replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second replica, started from a project of its own; yields its URL."""
    base = tmp_path_factory.mktemp("other")
    holder = copy_project(REPO / "examples" / "hello_world", base / "holder")
    with served(holder, deploy=False):
        yield replica_url(holder)


def test_deploy_and_call_on_a_replica_given_by_url(
    running: Project, other_replica: str
) -> None:
    local_id = running.kybra("canister", "id", HELLO).stdout.strip()
    running.call(HELLO, "set_message", '("on the local replica")')
    out = running.kybra("deploy", HELLO, "--network", other_replica).stdout
    assert other_replica in out
    remote_id = running.kybra(
        "canister", "id", HELLO, "--network", other_replica
    ).stdout.strip()
    assert remote_id  # recorded under the URL, beside the local id
    running.call(
        HELLO, "set_message", '("on the other replica")', "--network", other_replica
    )
    assert (
        running.call(HELLO, "get_message", "--network", other_replica)
        == '("on the other replica")'
    )
    # The local canister is untouched, and keeps its own id.
    assert running.call(HELLO, "get_message") == '("on the local replica")'
    assert running.kybra("canister", "id", HELLO).stdout.strip() == local_id
    status = running.kybra(
        "canister", "status", HELLO, "--network", other_replica
    ).stdout
    assert f"({remote_id})" in status and "Status: Running" in status


def test_a_name_not_deployed_on_that_network_says_how(
    running: Project, other_replica: str, tmp_path: Path
) -> None:
    fresh = copy_project(REPO / "examples" / "hello_world", tmp_path / "fresh")
    message = fresh.fails(
        "canister", "call", HELLO, "get_message", "--network", other_replica
    )
    assert f"kybra deploy {HELLO} --network {other_replica}" in message
