"""Real projects, as dfx deploys them: one `kybra deploy` of a project with canisters of
every kind dfx.json has that can be had here — the Python backend and asset-canister
frontend that `kybra new --frontend` scaffolds, a `rust` canister built by cargo and a
`custom` canister whose build command makes a gzip'd module (tests/e2e/projects/rust_pair)
— in dependency order; the frontend's page loaded in headless Chromium from the asset
canister through the gateway, showing (and changing) the backend's message. Then install
arguments as dfx takes them (dfx.json's `init_arg`/`init_arg_file`, a single Candid value
without parentheses, a missing one), deploy's flags, kinds Kybra cannot build, and
`kybra start --artificial-delay`."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Project, copy_project, run_json, served
from test_agents import npm_ready, replica_url, unique

AGENTS = REPO / "tests" / "agents"
RUST_PAIR = REPO / "tests" / "e2e" / "projects" / "rust_pair"
SCREENSHOT = REPO / "build" / "test-artifacts" / "frontend.png"
CHROMIUM = Path("/usr/bin/chromium")


def cargo_target_dir() -> str:
    """The target folder the Rust test canisters are built in (kybra-test-canisters'), so
    the project's cargo builds reuse their compiled dependencies."""
    base = os.environ.get("CARGO_TARGET_DIR") or str(REPO / "target")
    return str(Path(base) / "rust_hello")


def new_full_project(parent: Path) -> Project:
    """`kybra new backend --frontend`, plus the two Rust canisters of rust_pair: `counter`
    (`rust`) and `greeter` (`custom`, a build command, gzip'd module, init_arg_file with a
    bare value, extra metadata)."""
    Project(parent).kybra("new", "backend", "--frontend")
    project = Project(parent / "backend")
    for entry in RUST_PAIR.iterdir():
        target = project.root / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target)
        else:
            shutil.copy(entry, target)
    (project.root / "greeter" / "init_arg.txt").write_text('"Hello"\n')
    config = json.loads((project.root / "dfx.json").read_text())
    config["canisters"]["counter"] = {
        "type": "rust",
        "package": "counter",
        "candid": "counter/counter.did",
        "dependencies": ["backend"],
    }
    config["canisters"]["greeter"] = {
        "type": "custom",
        "build": "sh build_greeter.sh",
        "wasm": "dist/greeter.wasm.gz",
        "candid": "greeter/greeter.did",
        "init_arg_file": "greeter/init_arg.txt",
        "metadata": [{"name": "kybra:e2e", "content": "from dfx.json"}],
    }
    # The frontend shows what the backend holds; it depends on every other canister.
    config["canisters"]["backend_frontend"]["dependencies"] += ["counter", "greeter"]
    (project.root / "dfx.json").write_text(json.dumps(config, indent=4))
    return project


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str]]:
    """The full project, deployed by one `kybra deploy`; yields it and deploy's output."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CARGO_TARGET_DIR", cargo_target_dir())
        project = new_full_project(tmp_path_factory.mktemp("full"))
        with served(project, False) as p:
            deployed = p.kybra("deploy", timeout=1200).stdout
            yield p, deployed


def canister_id(project: Project, name: str) -> str:
    return project.kybra("canister", "id", name).stdout.strip()


def test_one_deploy_installs_every_kind_in_dependency_order(
    full: tuple[Project, str],
) -> None:
    project, out = full
    installs = re.findall(r"^Installing code for canister (\S+)", out, re.MULTILINE)
    assert installs == ["backend", "counter", "greeter", "backend_frontend"], out
    assert "Uploading the files of backend_frontend" in out
    frontend = canister_id(project, "backend_frontend")
    assert f"backend_frontend: http://{frontend}.localhost:" in out


def test_every_canister_answers(full: tuple[Project, str]) -> None:
    project, _ = full
    assert project.call("backend", "get_message") == '("")'
    assert project.call("counter", "increment") == "(1 : nat64)"
    # cargo ran with CANISTER_ID_BACKEND set, as dfx sets it for builds.
    backend = canister_id(project, "backend")
    assert project.call("counter", "backend_id") == f'("{backend}")'
    # The bare value `"Hello"` of init_arg_file reached the Rust canister's init.
    assert project.call("greeter", "greet", '("World")') == '("Hello, World!")'


def test_prebuilt_module_gets_candid_and_dfx_json_metadata(
    full: tuple[Project, str],
) -> None:
    project, _ = full
    module = (project.root / ".kybra" / "greeter" / "greeter.wasm").read_bytes()
    assert b"icp:public candid:service" in module
    assert b"icp:public kybra:e2e" + b"from dfx.json" in module
    installed = gzip.decompress(
        (project.root / ".kybra" / "greeter" / "greeter.wasm.gz").read_bytes()
    )
    assert installed == module
    # By id, the CLI types the call from the candid:service metadata on the replica.
    greeter = canister_id(project, "greeter")
    url = replica_url(project)
    assert project.call(greeter, "greet", '"you"', "--network", url) == (
        '("Hello, you!")'
    )


def fetch(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return (
            response.status,
            {k.lower(): v for k, v in response.headers.items()},
            response.read(),
        )


def test_the_gateway_serves_the_frontend_certified(full: tuple[Project, str]) -> None:
    project, _ = full
    frontend = canister_id(project, "backend_frontend")
    url = f"{replica_url(project)}/?canisterId={frontend}"
    status, headers, body = fetch(url, {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-type"].startswith("text/html"), headers
    assert headers.get("content-encoding") == "gzip", headers
    assert "<title>backend</title>" in gzip.decompress(body).decode()
    # The asset canister certifies its responses (a data certificate came with the query).
    assert headers["ic-certificate"].startswith("version=2, certificate=:"), headers
    assert "ic-certificateexpression" in headers
    status, headers, body = fetch(
        f"{replica_url(project)}/env.js?canisterId={frontend}", {}
    )
    backend = canister_id(project, "backend")
    assert f'"CANISTER_ID_BACKEND": "{backend}"' in body.decode(), body
    assert "ic-certificate" in headers


def run_frontend(project: Project, new_message: str) -> dict[str, Any]:
    node = npm_ready()
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    frontend = canister_id(project, "backend_frontend")
    port = replica_url(project).rsplit(":", 1)[1]
    url = f"http://{frontend}.localhost:{port}/"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    print(f"frontend screenshot: {SCREENSHOT}")
    return run_json([node, "frontend.mjs", url, str(SCREENSHOT), new_message], AGENTS)


def test_the_page_shows_and_sets_the_backends_message(
    full: tuple[Project, str],
) -> None:
    project, _ = full
    message = unique("set by the CLI")
    project.call("backend", "set_message", f'("{message}")')
    typed = unique("typed in the page")
    page = run_frontend(project, typed)
    assert page["status"] == 200, page
    assert page["headers"].get("ic-certificate", "").startswith("version=2"), page
    assert page["state"] == "ready", page
    # The page read the message through the generated declarations (a query)...
    assert page["shown"] == message, page
    # ...and its form's update went through them too, its certificate verified.
    assert page["after"] == typed, page
    assert project.call("backend", "get_message") == f'("{typed}")'


def test_a_second_deploy_changes_nothing(full: tuple[Project, str]) -> None:
    project, _ = full
    out = project.kybra("deploy", timeout=1200).stdout
    for name in ("backend", "counter", "greeter", "backend_frontend"):
        assert f"is already installed in {name}" in out, out
    assert project.call("counter", "get") != "(0 : nat64)"


# --- install arguments, flags -------------------------------------------------------


@pytest.fixture(scope="module")
def args_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("args") / "init_args"
    project = copy_project(REPO / "tests" / "e2e" / "projects" / "init_args", root)
    with served(project, False) as p:
        yield p


def test_specified_id_and_with_cycles(args_project: Project) -> None:
    wanted = "rrkah-fqaaa-aaaaa-aaaaq-cai"
    args_project.kybra(
        "deploy", "plain", "--specified-id", wanted, "--with-cycles", "7000000000000"
    )
    assert args_project.kybra("canister", "id", "plain").stdout.strip() == wanted
    assert args_project.call("plain", "hello") == '("plain")'
    status = args_project.kybra("canister", "status", "plain").stdout
    found = re.search(r"Balance: ([\d_]+)", status)
    assert found, status
    assert 6_000_000_000_000 < int(found.group(1).replace("_", "")) <= 7_000_000_000_000


def test_a_missing_init_argument_is_a_clear_error_and_installs_nothing(
    args_project: Project,
) -> None:
    message = args_project.fails("deploy")
    assert "canister bare needs an install argument of type" in message, message
    assert "(Pair) where Pair = record { text; Inner }" in message, message
    assert "kybra deploy bare --argument" in message, message
    assert '"init_arg"' in message, message
    # Nothing was installed, not even the canisters whose arguments were fine.
    for name in ("configured", "from_file", "bare"):
        status = args_project.kybra("canister", "status", name).stdout
        assert "Module hash: None" in status, status


def test_init_arg_and_init_arg_file_reach_init(args_project: Project) -> None:
    args_project.kybra("deploy", "configured")
    assert args_project.call("configured", "last") == '("init hi 1")'
    # The file holds a single value without the parentheses.
    args_project.kybra("deploy", "from_file")
    assert args_project.call("from_file", "last") == '("init from file")'


def test_a_single_value_without_parentheses_is_one_argument(
    args_project: Project,
) -> None:
    # The example, which dfx deploys.
    args_project.kybra(
        "deploy", "bare", "--argument", 'record {"hi"; record { id = "1" }}'
    )
    assert args_project.call("bare", "last") == '("init hi 1")'
    assert (
        args_project.call("bare", "describe", 'record {"x"; record { id = "y" }}')
        == '("x y")'
    )
    # An unchanged module is skipped, as dfx does; --upgrade-unchanged upgrades it anyway,
    # so post_upgrade runs with the new argument.
    out = args_project.kybra(
        "deploy", "bare", "--argument", 'record {"new"; record { id = "2" }}'
    ).stdout
    assert "--upgrade-unchanged" in out, out
    assert args_project.call("bare", "last") == '("init hi 1")'
    args_project.kybra(
        "deploy",
        "bare",
        "--upgrade-unchanged",
        "--argument",
        'record {"new"; record { id = "2" }}',
    )
    assert args_project.call("bare", "last") == '("post_upgrade new 2")'


def test_a_reinstall_asks_unless_yes(args_project: Project) -> None:
    args_project.kybra("deploy", "configured")
    message = args_project.fails("deploy", "configured", "--mode", "reinstall")
    assert "deletes its state" in message and "--yes" in message, message
    assert args_project.call("configured", "last") == '("init hi 1")'
    args_project.kybra(
        "canister",
        "install",
        "configured",
        "--mode",
        "reinstall",
        "--yes",
        "--argument",
        'record {"again"; record { id = "3" }}',
    )
    assert args_project.call("configured", "last") == '("init again 3")'


def test_kinds_kybra_cannot_build_stop_everything_first(
    tmp_path: Path,
) -> None:
    project = copy_project(REPO / "examples" / "hello_world", tmp_path / "hello")
    config = json.loads((project.root / "dfx.json").read_text())
    config["canisters"]["ledger"] = {"type": "motoko", "main": "src/ledger.mo"}
    config["canisters"]["ii"] = {"type": "pull", "id": "rdmx6-jaaaa-aaaaa-aaadq-cai"}
    (project.root / "dfx.json").write_text(json.dumps(config))
    for command in (["deploy"], ["build"]):
        message = project.fails(*command)
        assert "canister `ledger`: it is a Motoko canister" in message, message
        assert "canister `ii`: it is a `pull` canister" in message, message
        assert "rdmx6-jaaaa-aaaaa-aaadq-cai" in message, message
    # Checked before anything: nothing was created, built or started.
    assert not (project.root / ".kybra").exists()


def test_artificial_delay_comes_before_an_updates_reply(tmp_path: Path) -> None:
    project = copy_project(REPO / "examples" / "hello_world", tmp_path / "hello")
    with served(project, True, "--artificial-delay", "1500") as p:

        def timed(*args: str) -> float:
            started = time.monotonic()
            p.call("kybra_hello_world", *args)
            return time.monotonic() - started

        query = timed("get_message")
        update = timed("set_message", '("slow")')
        assert update >= 1.5, (update, query)
        assert query < 1.5, (update, query)
        assert p.call("kybra_hello_world", "get_message") == '("slow")'
