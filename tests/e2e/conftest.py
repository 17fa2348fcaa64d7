"""Fixtures for the end-to-end tests: real projects built with the installed `kybra`
command, deployed to a real local replica that each test module starts on a free port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
KYBRA = Path(sys.executable).parent / "kybra"

# The CLI keeps identities in $KYBRA_CONFIG_DIR: the tests get their own, never the user's.
os.environ["KYBRA_CONFIG_DIR"] = tempfile.mkdtemp(prefix="kybra-e2e-config-")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Project:
    """A copy of a project folder, driven through the `kybra` command line."""

    root: Path

    def kybra(
        self, *args: str, check: bool = True, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ)
        env["PATH"] = f"{KYBRA.parent}{os.pathsep}{env.get('PATH', '')}"
        result = subprocess.run(
            [str(KYBRA), *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"kybra {' '.join(args)} failed ({result.returncode})\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def call(self, canister: str, method: str, *args: str) -> str:
        """`kybra canister call`, returning its printed answer."""
        return self.kybra("canister", "call", canister, method, *args).stdout.strip()

    def call_json(self, canister: str, method: str, *args: str) -> Any:
        """`kybra canister call --output json`, decoded."""
        return json.loads(self.call(canister, method, *args, "--output", "json"))

    def principal(self, identity: str | None = None) -> str:
        """The principal of `identity` (default: the CLI's default identity)."""
        extra = ["--identity", identity] if identity else []
        return self.kybra("identity", "get-principal", *extra).stdout.strip()

    def fails(self, *args: str) -> str:
        """Runs a command that must fail; returns what it printed, stdout and stderr."""
        result = self.kybra(*args, check=False)
        assert result.returncode != 0, (
            f"kybra {' '.join(args)} unexpectedly succeeded:\n{result.stdout}"
        )
        return result.stdout + result.stderr


def npm_ci(folder: Path, *packages: str) -> None:
    """`npm ci` in `folder` (pinned by its package-lock.json), unless `packages` are
    installed in its node_modules already."""
    if all((folder / "node_modules" / p / "package.json").exists() for p in packages):
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail(
            f"npm is needed to install the packages of {folder}: install Node.js"
        )
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (
        f"npm ci in {folder} failed:\n{result.stdout}\n{result.stderr}"
    )


def run_json(command: list[str], cwd: Path, timeout: float = 300) -> dict[str, Any]:
    """Runs a script that prints one JSON object as its last line, and returns it; fails
    with the script's output when it exits non-zero."""
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, (
        f"{' '.join(command)} failed ({result.returncode})\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


def candid_texts(*values: object) -> str:
    """Candid arguments of text values: `("a", "b")`."""
    return "(" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + ")"


def copy_project(source: Path, dest: Path) -> Project:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(".kybra", ".dfx"))
    return Project(dest)


def add_canister(project: Project, name: str, source: Path, folder: str) -> None:
    """Copies the Python sources in `source` to `folder` of `project` and adds canister
    `name` to its dfx.json in the short form (`{"type": "kybra", "main": ...}`)."""
    shutil.copytree(source, project.root / folder)
    config = json.loads((project.root / "dfx.json").read_text())
    config["canisters"][name] = {"type": "kybra", "main": f"{folder}/main.py"}
    (project.root / "dfx.json").write_text(json.dumps(config, indent=4))


@contextmanager
def served(
    project: Project, deploy: bool = True, *start_args: str
) -> Iterator[Project]:
    """A replica of its own for `project` on a free port (empty: `--clean`; `start_args`
    go to `kybra start`), with every canister of its dfx.json deployed; stopped afterwards."""
    project.kybra(
        "start",
        "--background",
        "--clean",
        "--host",
        f"127.0.0.1:{free_port()}",
        *start_args,
    )
    try:
        if deploy:
            project.kybra("deploy")
        yield project
    finally:
        project.kybra("stop", check=False)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The book's hello world and the misc test canister, deployed to one replica: one
    dfx.json with both canisters, the book's custom form and the newer kybra form; with the
    system canisters the `icp` command line needs (`--system-canisters`)."""
    base = tmp_path_factory.mktemp("e2e")
    project = copy_project(
        REPO / "examples" / "hello_world", base / "kybra_hello_world"
    )
    add_canister(
        project,
        "misc",
        REPO / "tests" / "e2e" / "projects" / "misc" / "src",
        "misc_src",
    )
    with served(project, True, "--system-canisters") as p:
        yield p
