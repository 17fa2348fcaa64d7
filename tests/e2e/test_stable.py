"""Stable memory and StableBTreeMap through the CLI on a real replica: the book's audio
recorder CRUD scenario, then an upgrade (`kybra deploy --mode upgrade` and
`kybra canister install --mode upgrade`), then the same reads; the chapter's map sample
with keys in order; the Reference's stable memory samples and reading beyond the end;
files in stable memory (`StableFileSystem`) across a replica restart."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Project, copy_project, free_port

EXAMPLES = ("audio_recorder", "stable_structures", "stable_memory")


@pytest.fixture(scope="module")
def stable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The three examples as one project (one dfx.json), deployed to one replica."""
    base = tmp_path_factory.mktemp("stable")
    project = copy_project(REPO / "examples" / "audio_recorder", base / "stable")
    config = json.loads((project.root / "dfx.json").read_text())
    for name in EXAMPLES[1:]:
        shutil.copytree(REPO / "examples" / name / "src", project.root / f"{name}_src")
        config["canisters"][name] = {"type": "kybra", "main": f"{name}_src/main.py"}
    (project.root / "dfx.json").write_text(json.dumps(config, indent=4))
    project.kybra(
        "start", "--background", "--clean", "--host", f"127.0.0.1:{free_port()}"
    )
    try:
        project.kybra("deploy")
        yield project
    finally:
        project.kybra("stop", check=False)


def call(p: Project, canister: str, method: str, *args: str) -> Any:
    out = p.kybra(
        "canister", "call", canister, method, *args, "--output", "json"
    ).stdout
    return json.loads(out)


def audio_reads(p: Project, user_id: str, recording_id: str) -> dict[str, Any]:
    return {
        "users": call(p, "audio_recorder", "read_users"),
        "user": call(
            p, "audio_recorder", "read_user_by_id", f'(principal "{user_id}")'
        ),
        "recordings": call(p, "audio_recorder", "read_recordings"),
        "recording": call(
            p, "audio_recorder", "read_recording_by_id", f'(principal "{recording_id}")'
        ),
    }


def test_audio_recorder_full_scenario_survives_upgrades(stable: Project) -> None:
    alice = call(stable, "audio_recorder", "create_user", '("alice")')
    assert alice["username"] == "alice" and alice["recording_ids"] == []
    bob = call(stable, "audio_recorder", "create_user", '("bob")')
    first = call(
        stable,
        "audio_recorder",
        "create_recording",
        f'(blob "\\01\\02\\03", "first", principal "{alice["id"]}")',
    )["Ok"]
    second = call(
        stable,
        "audio_recorder",
        "create_recording",
        f'(blob "\\ff", "second", principal "{alice["id"]}")',
    )["Ok"]
    assert first["audio"] == "010203" and first["user_id"] == alice["id"]
    user = call(
        stable, "audio_recorder", "read_user_by_id", f'(principal "{alice["id"]}")'
    )
    assert user["recording_ids"] == [first["id"], second["id"]]
    # Deleting a recording updates its user; unknown ids are the book's Err cases.
    deleted = call(
        stable, "audio_recorder", "delete_recording", f'(principal "{second["id"]}")'
    )
    assert deleted == {"Ok": second}
    assert call(
        stable, "audio_recorder", "delete_recording", f'(principal "{second["id"]}")'
    ) == {"Err": {"RecordingDoesNotExist": second["id"]}}
    nobody = "aaaaa-aa"
    assert call(
        stable,
        "audio_recorder",
        "create_recording",
        f'(blob "", "x", principal "{nobody}")',
    ) == {"Err": {"UserDoesNotExist": nobody}}
    before = audio_reads(stable, alice["id"], first["id"])
    assert sorted(u["username"] for u in before["users"]) == ["alice", "bob"]
    assert before["user"]["recording_ids"] == [first["id"]]
    assert before["recordings"] == [first]

    stable.kybra("deploy", "audio_recorder", "--mode", "upgrade")
    assert audio_reads(stable, alice["id"], first["id"]) == before
    stable.kybra("canister", "install", "audio_recorder", "--mode", "upgrade")
    assert audio_reads(stable, alice["id"], first["id"]) == before

    # Deleting a user deletes their recordings, after the upgrades too.
    assert (
        call(stable, "audio_recorder", "delete_user", f'(principal "{alice["id"]}")')[
            "Ok"
        ]["username"]
        == "alice"
    )
    assert call(stable, "audio_recorder", "read_recordings") == []
    assert [u["username"] for u in call(stable, "audio_recorder", "read_users")] == [
        "bob"
    ]
    assert (
        call(stable, "audio_recorder", "read_user_by_id", f'(principal "{bob["id"]}")')[
            "username"
        ]
        == "bob"
    )


def test_stable_structures_sample_keys_in_order_across_an_upgrade(
    stable: Project,
) -> None:
    name = "stable_structures"
    assert call(stable, name, "is_empty") is True
    for key, value in [(30, "thirty"), (2, "two"), (255, "max"), (0, "zero")]:
        assert call(stable, name, "insert", f'({key}, "{value}")') is None
    assert call(stable, name, "insert", '(2, "TWO")') == "two"
    stable.kybra("deploy", name, "--mode", "upgrade")
    assert bytes.fromhex(call(stable, name, "keys")) == bytes(
        [0, 2, 30, 255]
    )  # vec nat8: a blob
    assert call(stable, name, "values") == ["zero", "TWO", "thirty", "max"]
    assert call(stable, name, "items") == [
        {"0": 0, "1": "zero"},
        {"0": 2, "1": "TWO"},
        {"0": 30, "1": "thirty"},
        {"0": 255, "1": "max"},
    ]
    assert call(stable, name, "len") == "4"  # nat64: a JSON string
    assert call(stable, name, "contains_key", "(30)") is True
    assert call(stable, name, "remove", "(30)") == "thirty"
    assert call(stable, name, "get", "(30)") is None
    assert call(stable, name, "is_empty") is False


def test_stable_memory_samples_and_reading_beyond_the_end(stable: Project) -> None:
    name = "stable_memory"
    assert call(stable, name, "stable_size") == 0
    assert call(stable, name, "stable_grow", "(1)") == {"Ok": 0}
    assert call(stable, name, "stable64_grow", "(2)") == {"Ok": "1"}
    assert call(stable, name, "stable64_size") == "3"
    stable.call(name, "stable_write", '(10, blob "hello")')
    stable.call(name, "stable64_write", '(131072, blob "world")')
    assert call(stable, name, "stable_read", "(10, 5)") == b"hello".hex()
    assert call(stable, name, "stable64_read", "(131072, 5)") == b"world".hex()
    assert len(call(stable, name, "stable_bytes")) == 2 * 3 * 65536
    assert call(stable, name, "stable_grow", "(70000)") == {
        "Err": {"OutOfMemory": None}
    }
    message = stable.fails("canister", "call", name, "stable_read", "(196600, 10)")
    assert (
        "IndexError" in message
        and "beyond the end of stable memory (196608 bytes = 3 pages)" in message
    )
    stable.kybra("deploy", name, "--mode", "upgrade")
    assert call(stable, name, "stable_read", "(10, 5)") == b"hello".hex()


def test_files_in_stable_memory_survive_a_replica_restart(tmp_path: Path) -> None:
    # The kybra.testing project that declares `StableFileSystem`: a file written through
    # the command line is read back after `kybra stop` and `kybra start` (no `--clean`),
    # then after an upgrade.
    project = copy_project(
        REPO / "tests" / "testing" / "projects" / "stable_files",
        tmp_path / "stable_files",
    )
    host = f"127.0.0.1:{free_port()}"
    project.kybra("start", "--background", "--clean", "--host", host)
    try:
        project.kybra("deploy")
        assert call(project, "stable_files", "makedirs", '("/keep")') is None
        written = call(project, "stable_files", "write", '("/keep/me", blob "kept")')
        assert written == "ok"
        project.kybra("stop")
        project.kybra("start", "--background", "--host", host)
        assert call(project, "stable_files", "read", '("/keep/me")') == "6b657074"
        project.kybra("deploy", "--mode", "upgrade")
        assert call(project, "stable_files", "listdir", '("/keep")') == ["me"]
    finally:
        project.kybra("stop", check=False)
