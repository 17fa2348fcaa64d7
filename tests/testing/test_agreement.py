"""The two paths agree: the same calls to the book's hello world and stable structures
samples give byte-identical Candid replies through kybra.testing and through the HTTP
replica (`kybra start`, `kybra deploy`, `kybra canister call --output raw`)."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kybra.testing import Replica, find_kybra

# project -> (canister, [(method, Candid text argument, Python arguments)])
CALLS: dict[str, tuple[str, list[tuple[str, str, tuple[Any, ...]]]]] = {
    "hello_world": (
        "kybra_hello_world",
        [
            ("get_message", "()", ()),
            ("set_message", '("hi")', ("hi",)),
            ("get_message", "()", ()),
        ],
    ),
    "stable_structures": (
        "stable_structures",
        [
            ("insert", '(3 : nat8, "three")', (3, "three")),
            ("insert", '(1 : nat8, "one")', (1, "one")),
            ("insert", '(3 : nat8, "THREE")', (3, "THREE")),
            ("items", "()", ()),
            ("keys", "()", ()),
            ("get", "(2 : nat8)", (2,)),
            ("remove", "(1 : nat8)", (1,)),
            ("len", "()", ()),
        ],
    ),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kybra(project: Path, *args: str) -> str:
    proc = subprocess.run(
        [str(find_kybra()), *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"kybra {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


@pytest.fixture(params=sorted(CALLS))
def served(request: pytest.FixtureRequest, projects: Path) -> Iterator[Path]:
    """The project, deployed to its own HTTP replica."""
    project = projects / str(request.param)
    kybra(
        project,
        "start",
        "--background",
        "--clean",
        "--host",
        f"127.0.0.1:{free_port()}",
    )
    try:
        kybra(project, "deploy", CALLS[project.name][0])
        yield project
    finally:
        subprocess.run(
            [str(find_kybra()), "stop"], cwd=project, capture_output=True, check=False
        )


def test_replies_are_byte_identical(served: Path) -> None:
    canister, calls = CALLS[served.name]
    over_http = [
        bytes.fromhex(
            kybra(
                served, "canister", "call", canister, m, text, "--output", "raw"
            ).strip()
        )
        for m, text, _ in calls
    ]
    with Replica() as r:
        c = r.deploy(served, canister)
        in_process: list[bytes] = []
        for method, _, args in calls:
            arg = c.interface.encode_args(method, args)
            kind = c.methods()[method]
            call = r.native.query if kind == "query" else r.native.update
            in_process.append(call(c.caller.bytes, c.id.bytes, method, arg))
    assert in_process == over_http
    # ...and the values tests see are the decoded replies.
    assert c.interface.decode_reply(calls[-1][0], in_process[-1]) is not None
