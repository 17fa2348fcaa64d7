"""The original Kybra examples' pretest flow, unchanged through a `dfx`-named shim onto
`kybra`: `dfx canister create NAME`, `dfx ledger fabricate-cycles --canister NAME
--cycles N`, `dfx deploy NAME --argument '(…)'`; and `kybra canister create --all`,
`kybra ledger fabricate-cycles --all --t T` with their bad-input cases, and `kybra canister
info` (this module gets its own replica)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import KYBRA, REPO, Project, copy_project, served


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("pretest") / "init_args"
    p = copy_project(REPO / "tests" / "e2e" / "projects" / "init_args", root)
    with served(p, False) as served_project:
        yield served_project


def balance(project: Project, name: str) -> int:
    out = project.kybra("canister", "status", name).stdout
    found = re.search(r"Balance: ([\d_]+)", out)
    assert found, out
    return int(found.group(1).replace("_", ""))


def module_hash(project: Project, name: str) -> str:
    out = project.kybra("canister", "status", name).stdout
    found = re.search(r"Module hash: (\S+)", out)
    assert found, out
    return found.group(1)


def test_the_original_pretest_flow_through_a_dfx_shim(
    project: Project, tmp_path: Path
) -> None:
    shim = tmp_path / "bin" / "dfx"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\nexec "{KYBRA}" "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{shim.parent}{os.pathsep}{os.environ['PATH']}")

    def dfx(*args: str) -> str:
        done = subprocess.run(
            ["dfx", *args],
            cwd=project.root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        assert done.returncode == 0, f"dfx {args}: {done.stdout}{done.stderr}"
        return done.stdout

    created = dfx("canister", "create", "bare")
    bare = project.kybra("canister", "id", "bare").stdout.strip()
    assert f"bare: {bare}" in created
    assert module_hash(project, "bare") == "None"
    before = balance(project, "bare")
    dfx("ledger", "fabricate-cycles", "--canister", "bare", "--cycles", "5000000000000")
    assert balance(project, "bare") - before == 5_000_000_000_000
    dfx("deploy", "bare", "--argument", '(record {"hi"; record { id = "1" }})')
    assert project.kybra("canister", "id", "bare").stdout.strip() == bare
    assert project.call("bare", "last") == '("init hi 1")'


def test_create_all_installs_nothing_and_is_idempotent(project: Project) -> None:
    project.kybra("canister", "create", "--all")
    ids = {
        name: project.kybra("canister", "id", name).stdout.strip()
        for name in ("configured", "from_file", "plain")
    }
    for name in ids:
        assert module_hash(project, name) == "None"
    again = project.kybra("canister", "create", "--all").stdout
    for name, id_ in ids.items():
        assert f"{name}: {id_}" in again
    before = balance(project, "plain")
    project.kybra("ledger", "fabricate-cycles", "--all", "--t", "2")
    assert balance(project, "plain") - before == 2_000_000_000_000


def test_bad_input_says_what_to_do(project: Project) -> None:
    assert "name the canister to create, or pass --all" in project.fails(
        "canister", "create"
    )
    assert "name the canister" in project.fails("ledger", "fabricate-cycles")
    assert "local replica only" in project.fails(
        "ledger", "fabricate-cycles", "--canister", "plain", "--network", "ic"
    )
    assert "nosuch" in project.fails("canister", "create", "nosuch")
    assert "neither a canister of this project's dfx.json nor a canister id" in (
        project.fails("ledger", "fabricate-cycles", "--canister", "nosuch")
    )


def test_info_shows_controllers_and_module_hash_to_anyone(project: Project) -> None:
    project.kybra("canister", "create", "configured")
    me = project.principal()
    project.kybra("identity", "new", "e2e_info", "--force")
    for who in ([], ["--identity", "e2e_info"]):
        out = project.kybra("canister", "info", "configured", *who).stdout
        assert out.splitlines() == [f"Controllers: {me}", "Module hash: None"], out
    project.kybra("deploy", "plain")
    out = project.kybra("canister", "info", "plain").stdout
    assert f"Module hash: {module_hash(project, 'plain')}" in out, out
    assert "cannot read the controllers of aaaaa-aa" in project.fails(
        "canister", "info", "aaaaa-aa"
    )
