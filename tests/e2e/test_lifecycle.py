"""End-to-end: the book's lifecycle, inspect_message, guard, manual-reply and `ic` API
samples (`examples/lifecycle/`), built and deployed with the `kybra` CLI to a local replica
and called through its HTTP interface, as a user would."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, Project, copy_project, free_port


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("lifecycle") / "lifecycle"
    project = copy_project(REPO / "examples" / "lifecycle", root)
    project.kybra(
        "start", "--background", "--clean", "--host", f"127.0.0.1:{free_port()}"
    )
    try:
        for name in [
            "lifecycle",
            "inspect_message",
            "ic_api",
            "manual_reply",
            "guard_functions",
            "heartbeat",
        ]:
            project.kybra("deploy", name)
        project.kybra("deploy", "init_params", "--argument", '("hi", 2)')
        yield project
    finally:
        project.kybra("stop", check=False)


def replica_log(project: Project) -> str:
    return (project.root / ".kybra" / "local" / "replica.log").read_text(
        errors="replace"
    )


def test_init_and_upgrade_hooks_run(project: Project) -> None:
    assert "runs on first canister install" in replica_log(project)
    project.kybra("deploy", "lifecycle", "--mode", "upgrade")
    log = replica_log(project)
    assert "runs before canister upgrade" in log
    assert "runs after canister upgrade" in log


def test_init_arguments_are_in_the_generated_candid_and_reach_init(
    project: Project,
) -> None:
    did = Path(project.root / ".kybra" / "init_params" / "init_params.did").read_text()
    assert "service : (text, nat64) -> {" in did, did
    assert project.call("init_params", "greeting") == '("hihi")'
    # ic.caller() in init is the identity that deployed.
    assert (
        project.call("init_params", "installer")
        == f'(principal "{project.principal()}")'
    )


def test_a_failing_post_upgrade_keeps_the_old_canister(project: Project) -> None:
    assert project.call("init_params", "bump") == "(1 : nat64)"
    # (`deploy` skips an upgrade to the module already installed: `canister install` does not.)
    out = project.fails(
        "canister",
        "install",
        "init_params",
        "--mode",
        "upgrade",
        "--argument",
        '("fail", 1)',
    )
    assert "Uncaught ValueError: post_upgrade refuses fail" in out, out
    assert re.search(r"src/init_params\.py:\d+ in refuse", out), out
    # Old code, old heap.
    assert project.call("init_params", "greeting") == '("hihi")'
    assert project.call("init_params", "bump") == "(2 : nat64)"
    # A good upgrade runs post_upgrade with its arguments on a fresh heap.
    project.kybra(
        "canister",
        "install",
        "init_params",
        "--mode",
        "upgrade",
        "--argument",
        '("yo", 3)',
    )
    assert project.call("init_params", "greeting") == '("upgraded yoyoyo")'
    assert project.call("init_params", "bump") == "(1 : nat64)"


def test_inspect_message_accepts_only_what_it_accepts(project: Project) -> None:
    assert project.call("inspect_message", "accessible") == "(true)"
    out = project.fails("canister", "call", "inspect_message", "inaccessible")
    assert "accept_message" in out, out
    out = project.fails("canister", "call", "inspect_message", "also_inaccessible")
    assert "Method also_inaccessible is not allowed" in out, out
    assert "inspect_message called" in replica_log(project)


def test_guards(project: Project) -> None:
    results = [
        project.kybra("canister", "call", "guard_functions", "hello_world", check=False)
        for _ in range(12)
    ]
    passed = [r.stdout.strip() for r in results if r.returncode == 0]
    rejected = [r.stdout + r.stderr for r in results if r.returncode != 0]
    # The book's guard lets about half the calls through: 12 same outcomes are 1 in 2,048.
    assert passed and rejected, (passed, rejected)
    assert passed[0] == '("Hello world!")'
    assert (
        "guard `protect_the_world` rejected the call: The world must be protected"
        in rejected[0]
    ), rejected[0]

    assert project.call("guard_functions", "knock") == '("come in")'
    project.call("guard_functions", "set_open", "(false)")
    out = project.fails("canister", "call", "guard_functions", "knock")
    assert "guard `is_open` rejected the call: the door is closed" in out, out


def test_manual_replies(project: Project) -> None:
    out = project.fails("canister", "call", "manual_reply", "reject", '("no thanks")')
    assert "no thanks" in out, out
    assert project.call("manual_reply", "update_blob") == '(blob "Surprise!")'
    reply = project.call("manual_reply", "reply_raw")
    for part in [
        '"int" = 42 : int',
        '"text" = "text"',
        '"bool" = true',
        '"blob" = blob "Surprise!"',
        '"variant" = variant { Medium }',
    ]:
        assert part in reply, reply


def test_ic_api(project: Project) -> None:
    raw = project.call("ic_api", "arg_data_raw", '(blob "\\01\\02", -3, true, "hi")')
    assert raw.startswith('(blob "\\44\\49\\44\\4c'), raw  # "DIDL"
    size = project.call(
        "ic_api", "arg_data_raw_size", '(blob "\\01\\02", -3, true, "hi")'
    )
    assert re.fullmatch(r"\((\d+) : nat32\)", size), size
    assert project.call("ic_api", "caller") == f'(principal "{project.principal()}")'
    canister_id = project.kybra("canister", "id", "ic_api").stdout.strip()
    assert project.call("ic_api", "id") == f'(principal "{canister_id}")'
    balance = re.fullmatch(
        r"\(([\d_]+) : nat64\)", project.call("ic_api", "canister_balance")
    )
    assert balance and int(balance.group(1).replace("_", "")) > 0
    assert (
        project.call("ic_api", "candid_decode", '(blob "DIDL\\00\\01\\71\\02hi")')
        == '("(\\"hi\\")")'
    )
    assert project.call("ic_api", "print", '("hello from e2e")') == "(true)"
    assert re.fullmatch(
        r"\([\d_]+ : nat64\)", project.call("ic_api", "performance_counter")
    )
    assert re.fullmatch(r"\([\d_]+ : nat64\)", project.call("ic_api", "time"))
    out = project.fails("canister", "call", "ic_api", "trap", '("it is a trap")')
    assert "it is a trap" in out, out
    assert project.call("ic_api", "set_certified_data", '(blob "abc")') == "()"
    assert project.call("ic_api", "receive_cycles") == "(0 : nat64)"
    out = project.call("ic_api", "accept_message_in_a_query")
    assert (
        '"IcError: ic.accept_message() may only be called in @inspect_message (it was called in a @query function)"'
        in out
    ), out


def test_heartbeat_runs(project: Project) -> None:
    # Only canisters with a `@heartbeat` export `canister_heartbeat`.
    wasm = (project.root / ".kybra" / "heartbeat" / "heartbeat.wasm").read_bytes()
    assert b"canister_heartbeat" in wasm
    other = (project.root / ".kybra" / "ic_api" / "ic_api.wasm").read_bytes()
    assert b"canister_heartbeat" not in other
    # The replica's rounds run it (bounded wait).
    deadline = time.monotonic() + 30
    while "this runs ~1 time per second" not in replica_log(project):
        assert time.monotonic() < deadline, "no heartbeat within 30 s"
        time.sleep(0.5)
