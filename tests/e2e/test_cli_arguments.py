"""`kybra canister call` beyond inline arguments: `--argument-file` (a file or standard
input), `--output raw|json`, and a canister called by id from outside its project, typed by
the `candid:service` metadata the canister publishes (as dfx does)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from conftest import KYBRA, Project

HELLO = "kybra_hello_world"


def test_argument_file_and_stdin(running: Project, tmp_path: Path) -> None:
    arg = tmp_path / "arg.did"
    arg.write_text('("from a file")\n')
    assert running.call(HELLO, "set_message", "--argument-file", str(arg)) == "()"
    assert running.call(HELLO, "get_message") == '("from a file")'
    result = subprocess.run(
        [str(KYBRA), "canister", "call", HELLO, "set_message", "--argument-file", "-"],
        cwd=running.root,
        input='("from stdin")',
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
    )
    assert result.stdout.strip() == "()"
    assert running.call(HELLO, "get_message") == '("from stdin")'


def test_missing_argument_file_says_which(running: Project, tmp_path: Path) -> None:
    missing = tmp_path / "nope.did"
    message = running.fails(
        "canister", "call", HELLO, "set_message", "--argument-file", str(missing)
    )
    assert "cannot read the argument file" in message and "nope.did" in message


def test_inline_and_file_arguments_conflict(running: Project, tmp_path: Path) -> None:
    arg = tmp_path / "arg.did"
    arg.write_text('("x")')
    message = running.fails(
        "canister", "call", HELLO, "set_message", '("y")', "--argument-file", str(arg)
    )
    assert "cannot be used with" in message


def test_output_raw_and_json(running: Project) -> None:
    running.call(HELLO, "set_message", '("raw")')
    raw = running.call(HELLO, "get_message", "--output", "raw")
    # DIDL, one type-table entry-less text value: 4449444c 00 01 71 03 "raw"
    assert raw == "4449444c000171" + "03" + b"raw".hex()
    assert running.call(HELLO, "get_message", "--output", "json") == '"raw"'


def test_call_by_id_outside_the_project_uses_canister_metadata(
    running: Project, tmp_path: Path
) -> None:
    canister_id = running.kybra("canister", "id", HELLO).stdout.strip()
    record = running.root / ".kybra" / "local" / "replica.json"
    address = str(json.loads(record.read_text())["url"])
    outside = Project(tmp_path)
    # Typed by the metadata: the text argument is checked before sending, and the reply
    # prints as Candid text rather than untyped bytes.
    assert (
        outside.call(canister_id, "set_message", '("by id")', "--network", address)
        == "()"
    )
    assert outside.call(canister_id, "get_message", "--network", address) == '("by id")'
    message = outside.fails(
        "canister", "call", canister_id, "set_message", "(42)", "--network", address
    )
    assert "set_message" in message and "text" in message
