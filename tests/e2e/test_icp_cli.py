"""The official `icp` command line (npm `@icp-sdk/icp-cli-linux-x64`, pinned in tests/icp-cli/)
against our replica: it deploys the canister `kybra build` wrote and calls it.

icp runs with its own home (`ICP_HOME`, `HOME`) in a temporary folder and a new plaintext
identity there, so nothing of the user's icp set-up is read or written. The project is a copy
of tests/icp-cli/project/ with a `connected` network pointing at the replica the `running`
fixture started (root key fetched from `/api/v2/status`).

icp creates canisters through the cycles ledger (`create_canister`, after asking the cycles
minting canister for subnets); the replica has both built in, at their mainnet ids, and
`test_icp_creates_the_canister_itself` deploys that way. The module fixture instead creates
the empty canister itself (`provisional_create_canister_with_cycles`, controlled by icp's
identity) and links it to the project (`icp canister link`), so `icp deploy --no-create`
installs into an existing canister; the calls go through `icp canister call`."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import KYBRA, REPO, Project, npm_ci
from test_agents import canister_id, replica_url

HELLO = "kybra_hello_world"
ICP_PACKAGE = REPO / "tests" / "icp-cli"
ICP_BIN = (
    ICP_PACKAGE / "node_modules" / "@icp-sdk" / "icp-cli-linux-x64" / "bin" / "icp"
)
# The environment (and network) and the canister, as tests/icp-cli/project/icp.yaml names them.
ENVIRONMENT = "kybra"
CANISTER = "hello"

# ic-py 1.0.1 posts bodies the way httpx 0.28 deprecates; that is ic-py's business.
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")


def icp_ready() -> Path:
    """Path of the pinned `icp` binary, after `npm ci` in tests/icp-cli if it is missing."""
    npm_ci(ICP_PACKAGE, "@icp-sdk/icp-cli-linux-x64")
    assert ICP_BIN.exists(), f"npm ci did not install {ICP_BIN}"
    return ICP_BIN


@dataclass
class Icp:
    """An icp project folder and an isolated icp home, driven through the `icp` binary."""

    binary: Path
    root: Path
    home: Path

    def run(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ICP_")}
        env.update(
            HOME=str(self.home),
            ICP_HOME=str(self.home / "icp"),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            DO_NOT_TRACK="1",  # no usage data from test runs
            NO_COLOR="1",
            RUST_BACKTRACE="0",  # icp's errors without a stack trace of icp itself
            # Build steps run `kybra build`: the kybra of this environment.
            PATH=f"{KYBRA.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        result = subprocess.run(
            [str(self.binary), *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"icp {' '.join(args)} failed ({result.returncode})\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def call(self, method: str, argument: str = "()") -> str:
        """`icp canister call` of the project's canister, returning its printed answer."""
        return self.run(
            "canister", "call", CANISTER, method, argument, "-e", ENVIRONMENT
        ).stdout.strip()

    def link(self, cid: str) -> None:
        """Records `cid` as the project's canister in the environment (icp's id store), as
        `icp deploy` does after creating one."""
        self.run("canister", "link", CANISTER, cid, "-e", ENVIRONMENT)


def fresh_identity(icp: Icp) -> Icp:
    """`icp` with a new plaintext identity as its default, in its own home."""
    icp.home.mkdir()
    icp.run("identity", "new", "kybra-e2e", "--storage", "plaintext")
    icp.run("identity", "default", "kybra-e2e")
    return icp


def new_icp_project(running: Project, dest: Path) -> Icp:
    """A copy of tests/icp-cli/project/ pointing at the running replica, with the wasm
    `kybra build` wrote for the fixture's hello world, and a new identity in a fresh home."""
    shutil.copytree(ICP_PACKAGE / "project", dest / "project")
    root = dest / "project"
    config = root / "icp.yaml"
    config.write_text(config.read_text().replace("@REPLICA_URL@", replica_url(running)))
    shutil.copy(running.root / ".kybra" / HELLO / f"{HELLO}.wasm.gz", root)
    return fresh_identity(Icp(icp_ready(), root, dest / "home"))


def ic(module: str) -> Any:
    """A module of ic-py (`ic.agent`, `ic.candid`, ...): it ships no type information."""
    return importlib.import_module(f"ic.{module}")


def create_empty_canister(running: Project, controller: str) -> str:
    """A new empty canister controlled by `controller`, made with the management canister's
    `provisional_create_canister_with_cycles` (sent by ic-py as the anonymous principal)."""
    candid = ic("candid")
    types = candid.Types
    settings = types.Record({"controllers": types.Opt(types.Vec(types.Principal))})
    arg_type = types.Record(
        {"amount": types.Opt(types.Nat), "settings": types.Opt(settings)}
    )
    arg = candid.encode(
        [
            {
                "type": arg_type,
                "value": {"amount": [], "settings": [{"controllers": [[controller]]}]},
            }
        ]
    )
    agent = ic("agent").Agent(
        ic("identity").Identity(anonymous=True),
        ic("client").Client(url=replica_url(running)),
    )
    # Any canister id of the replica's subnet routes the creation: the hello world's.
    answer: Any = agent.update_raw(
        "aaaaa-aa",
        "provisional_create_canister_with_cycles",
        arg,
        effective_canister_id=canister_id(running),
    )
    assert not isinstance(answer, str), (
        f"provisional_create_canister_with_cycles: {answer}"
    )
    return str(answer[0]["value"]["_1313628723"])  # the field `canister_id`


@pytest.fixture(scope="module")
def icp(running: Project, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Icp]:
    """An icp project whose canister `icp deploy` installed on the running replica."""
    project = new_icp_project(running, tmp_path_factory.mktemp("icp"))
    principal = project.run("identity", "principal").stdout.strip()
    cid = create_empty_canister(running, principal)
    project.link(cid)
    deploy = project.run(
        "deploy", "-e", ENVIRONMENT, "--no-create", "--yes", check=False
    )
    if deploy.returncode != 0:
        # `icp deploy` hides why it failed; `icp canister status` says it (e.g. a field of
        # the canister_status reply that icp needs and the replica left out).
        status = project.run("canister", "status", cid, "-e", ENVIRONMENT, check=False)
        raise AssertionError(
            f"icp deploy failed ({deploy.returncode})\n{deploy.stdout}\n{deploy.stderr}\n"
            f"icp canister status {cid}:\n{status.stdout}\n{status.stderr}"
        )
    yield project


def icp_canister_id(icp: Icp) -> str:
    return icp.run(
        "canister", "status", CANISTER, "-e", ENVIRONMENT, "--id-only"
    ).stdout.strip()


def test_icp_deploys_the_kybra_build_and_calls_it(running: Project, icp: Icp) -> None:
    message = f"set through icp {uuid.uuid4().hex[:8]}"
    assert icp.call("get_message") != f'("{message}")'
    assert icp.call("set_message", f'("{message}")') == "()"
    assert icp.call("get_message") == f'("{message}")'
    # The kybra CLI, by id (typed by the canister's candid:service metadata), sees the same.
    cid = icp_canister_id(icp)
    assert cid != canister_id(running)
    assert running.call(cid, "get_message", "--network", replica_url(running)) == (
        f'("{message}")'
    )


def test_icp_canister_status_after_deploy(icp: Icp) -> None:
    status = json.loads(
        icp.run("canister", "status", CANISTER, "-e", ENVIRONMENT, "--json").stdout
    )
    # As on the IC: the hash of the module as installed (icp installs the .wasm.gz as is).
    wasm = (icp.root / f"{HELLO}.wasm.gz").read_bytes()
    assert status["status"] == "Running", status
    assert status["module_hash"] == "0x" + hashlib.sha256(wasm).hexdigest(), status
    principal = icp.run("identity", "principal").stdout.strip()
    assert status["settings"]["controllers"] == [principal], status


def test_icp_redeploy_upgrades_the_same_canister(running: Project, icp: Icp) -> None:
    before = icp_canister_id(icp)
    assert icp.call("set_message", '("before the upgrade")') == "()"
    icp.run("deploy", "-e", ENVIRONMENT, "--no-create", "--yes")
    assert icp_canister_id(icp) == before
    # The book's hello world keeps its message in a Python global: the new code starts
    # with it empty, so the second deploy did install again.
    assert icp.call("get_message") == '("")'
    assert running.call(before, "get_message", "--network", replica_url(running)) == (
        '("")'
    )


def test_icp_creates_the_canister_itself(
    running: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`icp deploy` without a linked canister: icp asks the replica's built-in cycles minting
    canister for a subnet and creates the canister with the built-in cycles ledger."""
    project = new_icp_project(running, tmp_path_factory.mktemp("icp-create"))
    project.run("deploy", "-e", ENVIRONMENT, "--yes")
    assert project.call("set_message", '("created by icp")') == "()"
    assert project.call("get_message") == '("created by icp")'
    cid = icp_canister_id(project)
    assert cid != canister_id(running)
    # A new canister of the replica, controlled by icp's identity (the caller of
    # create_canister), that the kybra CLI reaches by id too.
    status = json.loads(
        project.run("canister", "status", CANISTER, "-e", ENVIRONMENT, "--json").stdout
    )
    principal = project.run("identity", "principal").stdout.strip()
    assert status["settings"]["controllers"] == [principal], status
    assert running.call(cid, "get_message", "--network", replica_url(running)) == (
        '("created by icp")'
    )


def test_a_kybra_new_project_deploys_with_icp(
    running: Project, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`kybra new` writes an icp.yaml whose build step runs `kybra build`: plain `icp deploy`
    (its `local` environment, which icp.yaml points at the kybra replica) builds the
    project and deploys it."""
    parent = tmp_path_factory.mktemp("icp-new")
    Project(parent).kybra("new", "icp_app")
    root = parent / "icp_app"
    config = root / "icp.yaml"
    text = config.read_text()
    assert "- kybra build icp_app" in text, text
    # The replica of this test runs on a port of its own instead of 4943.
    config.write_text(text.replace("http://127.0.0.1:4943", replica_url(running)))
    icp = fresh_identity(Icp(icp_ready(), root, parent / "home"))
    deploy = icp.run("deploy", "--yes")
    assert (root / ".kybra" / "icp_app" / "icp_app.wasm.gz").is_file(), deploy.stdout
    call = ["canister", "call", "icp_app"]
    assert icp.run(*call, "set_message", '("deployed by icp")').stdout.strip() == "()"
    assert icp.run(*call, "get_message", "()").stdout.strip() == '("deployed by icp")'
    cid = icp.run("canister", "status", "icp_app", "--id-only").stdout.strip()
    assert running.call(cid, "get_message", "--network", replica_url(running)) == (
        '("deployed by icp")'
    )
