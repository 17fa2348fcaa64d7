"""The book's hello world, deployed by the `kybra` command line, called through real
third-party agents over the replica's IC HTTP interface: `@dfinity/agent` (Node, the
script in tests/agents/) and `ic-py` (Python). The agents deploy nothing themselves."""

from __future__ import annotations

import hashlib
import importlib
import json
import shutil
import subprocess
import uuid
from typing import Any

import pytest
from conftest import REPO, Project, npm_ci, run_json

HELLO = "kybra_hello_world"
AGENTS = REPO / "tests" / "agents"
ANONYMOUS = "2vxsx-fae"

# ic-py 1.0.1 posts bodies the way httpx 0.28 deprecates; that is ic-py's business.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def replica_url(project: Project) -> str:
    """The URL `kybra start` recorded for the running replica."""
    record = project.root / ".kybra" / "local" / "replica.json"
    assert record.exists(), f"{record} is missing: is the replica running?"
    return str(json.loads(record.read_text())["url"])


def canister_id(project: Project) -> str:
    return project.kybra("canister", "id", HELLO).stdout.strip()


def wasm_sha256(project: Project) -> str:
    """sha256 of the module `kybra deploy` installed: the `.wasm.gz` (the IC hashes what was installed)."""
    wasm = project.root / ".kybra" / HELLO / f"{HELLO}.wasm.gz"
    return hashlib.sha256(wasm.read_bytes()).hexdigest()


def unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


# --- @dfinity/agent (Node) -------------------------------------------------------------


def npm_ready() -> str:
    """Path of `node`, after `npm ci` in tests/agents if its packages (@dfinity/agent,
    @dfinity/identity, @dfinity/vetkeys, playwright-core, typescript) are not installed."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node and npm are needed for the @dfinity/agent tests: install Node.js >= 20"
        )
    npm_ci(
        AGENTS,
        "@dfinity/agent",
        "@dfinity/identity",
        "@dfinity/vetkeys",
        "playwright-core",
        "typescript",
    )
    return node


@pytest.fixture(scope="module")
def node_run(running: Project) -> dict[str, Any]:
    """Runs tests/agents/hello_world.mjs once: what @dfinity/agent saw, and what was sent."""
    node = npm_ready()
    messages = {"v3": unique("set through v3"), "v2": unique("set through v2")}
    report = run_json(
        [
            node,
            "hello_world.mjs",
            replica_url(running),
            canister_id(running),
            messages["v3"],
            messages["v2"],
        ],
        AGENTS,
    )
    report["sent"] = messages
    return report


def test_dfinity_agent_fetches_root_key_and_verifies_query_signatures(
    running: Project, node_run: dict[str, Any]
) -> None:
    # A DER-wrapped BLS12-381 G2 public key: 37 bytes of header + 96 bytes of key.
    assert node_run["root_key_bytes"] == 133
    cid = canister_id(running)
    # The query, then the read_state that fetches the node keys its signature is checked with.
    assert node_run["first_query_endpoints"] == [
        f"POST /api/v2/canister/{cid}/query",
        f"POST /api/v2/canister/{cid}/read_state",
    ]
    forged = node_run["forged_query"]
    assert forged["rejected"], (
        f"a query answer altered on the wire was accepted: {forged}"
    )
    assert "signature verification failed" in forged["error"].lower(), forged


def test_dfinity_agent_query_then_v3_update_then_query(
    running: Project, node_run: dict[str, Any]
) -> None:
    cid = canister_id(running)
    sent = node_run["sent"]["v3"]
    assert node_run["before"] != sent
    assert node_run["set_v3"] == {
        "status": 200,  # synchronous v3 call: the certificate came with the answer
        "endpoints": [f"POST /api/v3/canister/{cid}/call"],
    }
    assert node_run["after_v3"] == sent


def test_dfinity_agent_v2_update_polls_request_status(
    running: Project, node_run: dict[str, Any]
) -> None:
    cid = canister_id(running)
    set_v2 = node_run["set_v2"]
    assert set_v2["status"] == 202
    assert set_v2["endpoints"][0] == f"POST /api/v2/canister/{cid}/call"
    assert set_v2["endpoints"][1:], "the v2 call was never polled"
    assert set(set_v2["endpoints"][1:]) == {f"POST /api/v2/canister/{cid}/read_state"}
    assert bytes.fromhex(set_v2["reply_hex"]) == b"DIDL\x00\x00"  # Candid `()`
    assert node_run["after_v2"] == node_run["sent"]["v2"] != node_run["after_v3"]
    # The CLI sees what the agent left behind.
    assert running.call(HELLO, "get_message") == f'("{node_run["sent"]["v2"]}")'


def test_dfinity_agent_canister_status_module_hash_and_controllers(
    running: Project, node_run: dict[str, Any]
) -> None:
    assert node_run["module_hash"] == wasm_sha256(running)
    # `kybra deploy` creates canisters as the CLI's default identity, as dfx does.
    assert node_run["controllers"] == [running.principal()]


# --- ic-py (Python) --------------------------------------------------------------------


def ic(module: str) -> Any:
    """A module of ic-py (`ic.agent`, `ic.candid`, ...): it ships no type information."""
    return importlib.import_module(f"ic.{module}")


@pytest.fixture(scope="module")
def icpy(running: Project) -> Any:
    """An ic-py agent with the anonymous identity, talking to the running replica."""
    client = ic("client").Client(url=replica_url(running))
    agent = ic("agent").Agent(ic("identity").Identity(anonymous=True), client)
    assert agent.get_principal().to_str() == ANONYMOUS
    return agent


def icpy_get(agent: Any, cid: str) -> str:
    # A reject comes back as the reject message (a str), not as an exception.
    answer: Any = agent.query_raw(cid, "get_message", ic("candid").encode([]))
    assert not isinstance(answer, str), f"get_message was rejected: {answer}"
    assert len(answer) == 1 and answer[0]["type"] == "text", answer
    return str(answer[0]["value"])


def icpy_set(agent: Any, cid: str, value: object, candid_type: str) -> Any:
    typ = getattr(ic("candid").Types, candid_type)
    arg = ic("candid").encode([{"type": typ, "value": value}])
    return agent.update_raw(cid, "set_message", arg)


def test_icpy_anonymous_query_update_query(running: Project, icpy: Any) -> None:
    cid = canister_id(running)
    before = icpy_get(icpy, cid)
    assert before == running.call(HELLO, "get_message")[2:-2]
    message = unique("from ic-py")
    assert icpy_set(icpy, cid, message, "Text") == []
    assert icpy_get(icpy, cid) == message != before
    assert running.call(HELLO, "get_message") == f'("{message}")'


def test_icpy_rejected_update_changes_nothing(running: Project, icpy: Any) -> None:
    cid = canister_id(running)
    before = icpy_get(icpy, cid)
    with pytest.raises(Exception, match="Rejected") as rejected:
        icpy_set(icpy, cid, 42, "Nat")
    assert "set_message" in str(rejected.value), rejected.value
    assert icpy_get(icpy, cid) == before


def test_icpy_canister_from_generated_did(running: Project, icpy: Any) -> None:
    """ic-py's Candid-driven client, built from the .did that `kybra build` wrote."""
    did = (running.root / ".kybra" / HELLO / f"{HELLO}.did").read_text()
    cid = canister_id(running)
    hello = ic("canister").Canister(agent=icpy, canister_id=cid, candid=did)
    message = unique("through ic-py's Canister")
    assert hello.get_message() != [message]
    assert hello.set_message(message) == []
    assert hello.get_message() == [message]


def test_icpy_certified_module_hash(running: Project, icpy: Any) -> None:
    cid = canister_id(running)
    path = [b"canister", ic("principal").Principal.from_str(cid).bytes, b"module_hash"]
    certificate = icpy.read_state_raw(cid, [path])
    module_hash = ic("certificate").lookup(path, certificate)
    assert module_hash is not None, "no module_hash in the certificate"
    assert bytes(module_hash).hex() == wasm_sha256(running)


# --- declarations from `kybra generate` (Node, @dfinity/agent; TypeScript) -------------


@pytest.fixture(scope="module")
def declarations(running: Project) -> Any:
    """`kybra generate` of the hello world, in a project folder that resolves
    `@dfinity/agent` from tests/agents (as a frontend project's node_modules would)."""
    npm_ready()
    running.kybra("generate", HELLO)
    modules = running.root / "node_modules"
    if not modules.exists():
        modules.symlink_to(AGENTS / "node_modules", target_is_directory=True)
    # The declarations are ES modules, as in a frontend project's package.json.
    (running.root / "package.json").write_text(json.dumps({"type": "module"}))
    return running.root / "src" / "declarations" / HELLO


def test_generated_declarations_call_a_fresh_replica_with_certificates_verified(
    running: Project, declarations: Any
) -> None:
    message = unique("through the declarations")
    report = run_json(
        [
            npm_ready(),
            "declarations.mjs",
            str(declarations),
            HELLO,
            replica_url(running),
            canister_id(running),
            message,
        ],
        AGENTS,
    )
    # dfx's exports: the default actor, canisterId, createActor, idlFactory.
    assert report["exports"] == ["canisterId", "createActor", "idlFactory", HELLO]
    assert report["canisterId"] == canister_id(running)
    assert report["default_actor"] == "function"
    # createActor's own agent fetched the replica's root key (not the mainnet one it
    # would otherwise verify with): the update's certificate and the queries' signatures
    # verified against it.
    assert report["root_key_bytes"] == 133
    assert report["after"] == message != report["before"]
    # With DFX_NETWORK=ic the agent keeps mainnet's root key, which this replica's
    # signatures do not match: the declarations behave as dfx's do for mainnet.
    mainnet = report["mainnet"]
    assert mainnet["rejected"], mainnet
    assert "signature" in mainnet["error"].lower(), mainnet
    assert running.call(HELLO, "get_message") == f'("{message}")'


def test_generated_typescript_declarations_type_check(
    running: Project, declarations: Any
) -> None:
    """index.d.ts and NAME.did.d.ts, used from TypeScript as a frontend would, pass `tsc`."""
    (running.root / "check.ts").write_text(
        f'import {{ createActor, canisterId, idlFactory, {HELLO} }} from "./src/declarations/{HELLO}/index.js";\n'
        f"const actor = createActor(canisterId, {{ agentOptions: {{ host: 'http://127.0.0.1:4943' }} }});\n"
        "const message: Promise<string> = actor.get_message();\n"
        "const unit: Promise<undefined> = actor.set_message('x');\n"
        f"const same: Promise<string> = {HELLO}.get_message();\n"
        "export { message, unit, same, idlFactory };\n"
    )
    (running.root / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "strict": True,
                    "noEmit": True,
                    # As a frontend bundler (vite, webpack) resolves modules.
                    "module": "esnext",
                    "moduleResolution": "bundler",
                    "target": "es2022",
                },
                "files": ["check.ts"],
            }
        )
    )
    tsc = AGENTS / "node_modules" / "typescript" / "bin" / "tsc"

    def type_check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [npm_ready(), str(tsc), "-p", str(running.root / "tsconfig.json")],
            cwd=running.root,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    result = type_check()
    assert result.returncode == 0, f"tsc failed:\n{result.stdout}\n{result.stderr}"
    # A wrong use is caught: the declarations carry the real types.
    (running.root / "check.ts").write_text(
        f'import {{ {HELLO} }} from "./src/declarations/{HELLO}/index.js";\n'
        f"export const wrong: Promise<number> = {HELLO}.get_message();\n"
    )
    result = type_check()
    assert result.returncode != 0 and "TS2322" in result.stdout, result.stdout
