"""The Candid web UI the replica serves (`/_/candid?id=<canister-id>`), driven in headless
Debian Chromium through playwright-core (ui/candid/test/drive.mjs): the book's hello world,
deployed by the `kybra` command line, gets `set_message` called and `get_message` queried
from the page's forms, and the page must show the new message. A screenshot is kept in
build/test-artifacts/candid-ui.png."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Project, npm_ci
from test_agents import HELLO, canister_id, replica_url, unique

UI = REPO / "ui" / "candid"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO / "build" / "test-artifacts" / "candid-ui.png"
# A valid canister id (number 0x9fffff) far beyond the few a test replica hands out.
UNKNOWN_ID = "xzo6w-7aaaa-aaaae-7777q-cai"


def fetch(url: str) -> tuple[int, str, str]:
    """GET `url`: status, content type, body text (error answers included)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return (
                response.status,
                response.headers["Content-Type"],
                response.read().decode(),
            )
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def node_for_ui() -> str:
    """Path of `node`, with ui/candid's packages (playwright-core) installed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail(
            "node and npm are needed for the Candid UI test: install Node.js >= 20"
        )
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    npm_ci(UI, "playwright-core")
    return node


def ui_url(project: Project, canister: str) -> str:
    return f"{replica_url(project)}/_/candid?id={canister}"


def drive(
    project: Project, canister: str, steps: list[dict[str, Any]], screenshot: Path
) -> dict[str, Any]:
    """Runs ui/candid/test/drive.mjs on the canister's page: what the page showed."""
    node = node_for_ui()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.unlink(missing_ok=True)
    url = ui_url(project, project.kybra("canister", "id", canister).stdout.strip())
    result = subprocess.run(
        [node, "test/drive.mjs", url, str(screenshot), json.dumps(steps)],
        cwd=UI,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    print(f"Candid UI screenshot: {screenshot}")
    assert result.returncode == 0, (
        f"drive.mjs failed ({result.returncode})\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    page: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert screenshot.stat().st_size > 0
    assert page["status"] == 200
    assert page["state"] == "ready", (
        f"the page did not start: {page['text']}\n{page['console']}"
    )
    return page


def test_the_page_calls_set_message_and_shows_get_message(running: Project) -> None:
    message = unique("set from the Candid UI")
    steps = [
        {"method": "set_message", "inputs": [message]},
        {"method": "get_message", "inputs": []},
    ]
    page = drive(running, HELLO, steps, SCREENSHOT)
    assert page["methods"] == ["get_message", "set_message"]
    assert page["steps"] == [
        {"method": "set_message", "button": "Call", "kind": "ok", "outcome": "()"},
        {
            "method": "get_message",
            "button": "Query",
            "kind": "ok",
            "outcome": f'("{message}")',
        },
    ]
    assert message in page["text"]
    # The page's call really reached the canister.
    assert running.call(HELLO, "get_message") == f'("{message}")'


def test_the_page_shows_rejects_and_refuses_bad_arguments(running: Project) -> None:
    word = unique("ui")
    steps = [
        {"method": "set_then_trap", "inputs": [word]},
        {"method": "echo_nat8", "inputs": ["300"]},
        {"method": "echo_nat8", "inputs": ["7"]},
    ]
    page = drive(running, "misc", steps, SCREENSHOT.with_name("candid-ui-misc.png"))
    trap, too_big, seven = page["steps"]
    assert (trap["button"], trap["kind"]) == ("Call", "error")
    assert f"set_then_trap refused {word}" in trap["outcome"]
    assert too_big["kind"] == "error" and "Invalid argument" in too_big["outcome"]
    assert (seven["button"], seven["kind"], seven["outcome"]) == ("Query", "ok", "(7)")
    # The trap rolled the update back.
    assert word not in running.call("misc", "get_state")


def test_the_interface_module_comes_from_the_candid_service_metadata(
    running: Project,
) -> None:
    status, kind, body = fetch(
        f"{replica_url(running)}/_/candid/{canister_id(running)}/service.js"
    )
    assert (status, kind) == (200, "text/javascript; charset=utf-8"), body
    assert "export const idlFactory = ({ IDL }) =>" in body
    assert "'get_message' : IDL.Func([], [IDL.Text], ['query'])" in body
    assert "'set_message' : IDL.Func([IDL.Text], [], [])" in body
    assert "export const init = ({ IDL }) =>" in body

    status, kind, body = fetch(f"{replica_url(running)}/_/candid/ui.js")
    assert (status, kind) == (200, "text/javascript; charset=utf-8"), body
    assert "/service.js" in body


def test_the_index_lists_the_deployed_canisters(running: Project) -> None:
    status, _, body = fetch(f"{replica_url(running)}/_/candid")
    assert status == 200
    for name in (HELLO, "misc"):
        canister = running.kybra("canister", "id", name).stdout.strip()
        assert f'href="/_/candid?id={canister}"' in body


def test_unknown_or_malformed_canisters_get_a_page_saying_so(running: Project) -> None:
    status, kind, body = fetch(ui_url(running, UNKNOWN_ID))
    assert (status, kind) == (404, "text/html; charset=utf-8")
    assert "no such canister on this replica" in body
    status, _, body = fetch(ui_url(running, "not-a-canister"))
    assert status == 400 and "not a valid canister id" in body
    status, kind, body = fetch(
        f"{replica_url(running)}/_/candid/{UNKNOWN_ID}/service.js"
    )
    assert (status, kind) == (404, "text/plain; charset=utf-8")
    assert f"Canister {UNKNOWN_ID}: no such canister" in body


def test_deploy_prints_the_candid_ui_link(running: Project) -> None:
    out = running.kybra("deploy", HELLO).stdout
    assert (
        f"{HELLO}: {replica_url(running)}/_/candid?id={canister_id(running)}" in out
    ), out
