"""`kybra canister status|stop|start|uninstall-code|install|delete` and `kybra generate`,
and `logs`, `update-settings`, `snapshot create|list|load|delete`, as dfx has them, against the real replica (this module gets
its own replica: it stops and deletes canisters)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess

from conftest import KYBRA, Project
from test_agents import AGENTS, npm_ready, replica_url

HELLO = "kybra_hello_world"


def status(project: Project, canister: str = HELLO) -> dict[str, str]:
    out = project.kybra("canister", "status", canister).stdout
    return dict(re.findall(r"^([A-Za-z ]+): (.*)$", out, re.MULTILINE))


def test_status_shows_what_dfx_shows(running: Project) -> None:
    s = status(running)
    assert s["Status"] == "Running"
    assert s["Controllers"].split() == [running.principal()]
    # As on the IC: the hash of the module as installed (kybra deploy installs the .wasm.gz).
    gz = running.root / ".kybra" / HELLO / f"{HELLO}.wasm.gz"
    assert s["Module hash"] == "0x" + hashlib.sha256(gz.read_bytes()).hexdigest()
    assert int(s["Balance"].split()[0]) > 0
    assert int(s["Memory Size"].split()[0]) > 0


def test_stop_refuses_calls_and_start_resumes_them(running: Project) -> None:
    running.call(HELLO, "set_message", '("kept")')
    running.kybra("canister", "stop", HELLO)
    assert status(running)["Status"] == "Stopped"
    message = running.fails("canister", "call", HELLO, "set_message", '("lost")')
    assert "stopped" in message.lower(), message
    running.kybra("canister", "start", HELLO)
    assert running.call(HELLO, "get_message") == '("kept")'


def test_a_non_controller_cannot_stop(running: Project) -> None:
    running.kybra("identity", "new", "e2e_intruder", "--force")
    message = running.fails("canister", "stop", HELLO, "--identity", "e2e_intruder")
    assert "controller" in message.lower(), message
    assert status(running)["Status"] == "Running"


def test_uninstall_then_install_with_a_mode(running: Project) -> None:
    running.kybra("canister", "uninstall-code", HELLO)
    assert status(running)["Module hash"] == "None"
    message = running.fails("canister", "call", HELLO, "get_message")
    assert "no wasm module" in message.lower() or "empty" in message.lower(), message
    running.kybra("canister", "install", HELLO, "--mode", "install")
    assert running.call(HELLO, "get_message") == '("")'
    running.call(HELLO, "set_message", '("before reinstall")')
    running.kybra("canister", "install", HELLO, "--mode", "reinstall", "--yes")
    assert running.call(HELLO, "get_message") == '("")'


def test_snapshots_bring_a_canisters_state_back(running: Project) -> None:
    running.call(HELLO, "set_message", '("in the snapshot")')
    out = running.kybra("canister", "snapshot", "create", HELLO).stdout
    found = re.search(r"Snapshot ID: ([0-9a-f]+)$", out.strip())
    assert found, out
    snapshot = found.group(1)
    canister_id = running.kybra("canister", "id", HELLO).stdout.strip()
    assert snapshot.startswith("00" * 8), snapshot
    listed = running.kybra("canister", "snapshot", "list", HELLO).stdout
    assert re.match(rf"^{snapshot}: \d+ bytes, taken at \d{{4}}-", listed), listed
    running.call(HELLO, "set_message", '("after the snapshot")')
    running.kybra("canister", "snapshot", "load", canister_id, snapshot)
    assert running.call(HELLO, "get_message") == '("in the snapshot")'
    # Bad ids are clear errors that change nothing.
    assert "not hex" in running.fails("canister", "snapshot", "load", HELLO, "xyz")
    unknown = "00" * 8 + snapshot[16:-2] + "ff"
    message = running.fails("canister", "snapshot", "load", HELLO, unknown)
    assert "Could not find the snapshot ID" in message, message
    running.kybra("identity", "new", "e2e_snooper", "--force")
    message = running.fails(
        "canister", "snapshot", "delete", HELLO, snapshot, "--identity", "e2e_snooper"
    )
    assert "controller" in message.lower(), message
    assert running.call(HELLO, "get_message") == '("in the snapshot")'
    running.kybra("canister", "snapshot", "delete", HELLO, snapshot)
    listed = running.kybra("canister", "snapshot", "list", HELLO).stdout
    assert "No snapshots" in listed, listed


def test_generate_writes_declarations_an_agent_can_use(running: Project) -> None:
    out = running.kybra("generate", HELLO).stdout
    decl = running.root / "src" / "declarations" / HELLO
    for name in [
        f"{HELLO}.did",
        f"{HELLO}.did.js",
        f"{HELLO}.did.d.ts",
        "index.js",
        "index.d.ts",
    ]:
        assert (decl / name).is_file(), out
    assert "get_message" in (decl / f"{HELLO}.did.d.ts").read_text()
    # The generated actor factory, used by @dfinity/agent from Node.
    node = npm_ready()
    (running.root / "node_modules").symlink_to(AGENTS / "node_modules")
    (running.root / "package.json").write_text(json.dumps({"type": "module"}))
    canister_id = running.kybra("canister", "id", HELLO).stdout.strip()
    script = running.root / "use_declarations.mjs"
    script.write_text(
        "import { HttpAgent } from '@dfinity/agent';\n"
        f"import {{ createActor }} from './src/declarations/{HELLO}/index.js';\n"
        "const agent = await HttpAgent.create({ host: process.argv[2], shouldFetchRootKey: true });\n"
        "const actor = createActor(process.argv[3], { agent });\n"
        "await actor.set_message('through generated declarations');\n"
        "console.log(JSON.stringify(await actor.get_message()));\n"
    )
    result = subprocess.run(
        [node, str(script), replica_url(running), canister_id],
        cwd=running.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (
        json.loads(result.stdout.strip().splitlines()[-1])
        == "through generated declarations"
    )


def test_delete_stops_the_canister_and_forgets_its_id(running: Project) -> None:
    canister_id = running.kybra("canister", "id", HELLO).stdout.strip()
    out = running.kybra("canister", "delete", HELLO).stdout
    assert "Stopping" in out and "Deleted" in out
    assert "has no id" in running.fails("canister", "id", HELLO)
    message = running.fails("canister", "status", canister_id)
    assert "not found" in message.lower() or "does not exist" in message.lower(), (
        message
    )


def test_logs_show_what_the_canister_printed(running: Project) -> None:
    running.call("misc", "shout", '("logged words")')
    out = running.kybra("canister", "logs", "misc").stdout
    lines = re.findall(
        r"^\[(\d+)\. (\d{4}-\d\d-\d\dT[\d:.]+Z)\]: (.*)$", out, re.MULTILINE
    )
    contents = [content for _, _, content in lines]
    assert "print says logged words" in contents, out
    assert "ic.print says logged words" in contents, out
    indexes = [int(i) for i, _, _ in lines]
    assert indexes == sorted(indexes) and len(set(indexes)) == len(indexes), out
    # Only controllers read a canister's log (its visibility is the default).
    running.kybra("identity", "new", "e2e_reader", "--force")
    assert "not allowed" in running.fails(
        "canister", "logs", "misc", "--identity", "e2e_reader"
    )


def test_logs_follow_prints_new_records(running: Project) -> None:
    follow = subprocess.Popen(
        [str(KYBRA), "canister", "logs", "misc", "--follow"],
        cwd=running.root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        running.call("misc", "shout", '("followed words")')
        assert follow.stdout is not None
        for _ in range(10_000):
            line = follow.stdout.readline()
            assert line, (
                f"--follow ended: {follow.stderr.read() if follow.stderr else ''}"
            )
            if line.rstrip().endswith("]: ic.print says followed words"):
                break
        assert follow.poll() is None, "--follow must keep running"
    finally:
        follow.kill()
        follow.wait()


def test_update_settings_changes_what_it_names_and_nothing_else(
    running: Project,
) -> None:
    running.kybra(
        "canister",
        "update-settings",
        "misc",
        "--freezing-threshold",
        "1234567",
        "--compute-allocation",
        "5",
        "--reserved-cycles-limit",
        "7000000000000",
        "--wasm-memory-limit",
        "3000000000",
        "--log-visibility",
        "public",
    )
    s = status(running, "misc")
    assert s["Freezing threshold"] == "1_234_567"
    assert s["Compute allocation"] == "5"
    assert s["Reserved cycles limit"] == "7_000_000_000_000"
    assert s["Wasm memory limit"] == "3_000_000_000"
    assert s["Log visibility"] == "public"
    me = running.principal()
    running.kybra("identity", "new", "e2e_settings", "--force")
    other = running.principal("e2e_settings")
    # Public logs: anyone reads them.
    running.kybra("canister", "logs", "misc", "--identity", "e2e_settings")
    running.kybra("canister", "update-settings", "misc", "--add-controller", other)
    assert status(running, "misc")["Controllers"].split() == [me, other]
    running.kybra("canister", "update-settings", "misc", "--remove-controller", other)
    assert status(running, "misc")["Controllers"].split() == [me]
    # Bad input is refused and changes nothing.
    assert "give at least one setting" in running.fails(
        "canister", "update-settings", "misc"
    )
    assert "must be in 0..=100" in running.fails(
        "canister", "update-settings", "misc", "--compute-allocation", "101"
    )
    assert "is not a principal" in running.fails(
        "canister", "update-settings", "misc", "--add-controller", "nope"
    )
    assert "`public` or `controllers`" in running.fails(
        "canister", "update-settings", "misc", "--log-visibility", "friends"
    )
    assert (
        "controller"
        in running.fails(
            "canister",
            "update-settings",
            "misc",
            "--freezing-threshold",
            "1",
            "--identity",
            "e2e_settings",
        ).lower()
    )
    s = status(running, "misc")
    assert (s["Freezing threshold"], s["Compute allocation"]) == ("1_234_567", "5")
    running.kybra(
        "canister", "update-settings", "misc", "--log-visibility", "controllers"
    )
    assert status(running, "misc")["Log visibility"] == "controllers"
