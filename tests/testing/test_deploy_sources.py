"""What `Replica.deploy` accepts besides a project folder: a canister's main module (its
project found by the dfx.json above it, in dfx.json's `main` or the book's build-command
form, or a one-module project when there is none), and clear errors for anything else."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kybra.testing import BuildError, Replica

HELLO = """from kybra import query, update, void

message: str = "solo"

@query
def get_message() -> str:
    return message

@update
def set_message(new_message: str) -> void:
    global message
    message = new_message
"""


def test_a_main_module_deploys_its_project(
    replica: Replica, projects: Path, tmp_path: Path
) -> None:
    # The book's dfx.json (a custom build command) and the `main` form.
    book = shutil.copytree(projects / "hello_world", tmp_path / "book")
    c = replica.deploy(book / "src" / "main.py")
    c.set_message("from the main module")
    assert c.get_message() == "from the main module"
    sample = shutil.copytree(
        Path(__file__).parent / "projects" / "pythonic_map", tmp_path / "map"
    )
    assert replica.deploy(str(sample / "src" / "main.py")).run(["len"]) == ["0"]


def test_a_lone_module_is_a_one_module_project(
    replica: Replica, tmp_path: Path
) -> None:
    module = tmp_path / "solo.py"
    module.write_text(HELLO)
    c = replica.deploy(module)
    assert c.get_message() == "solo"
    # Rebuilt when the file changes, and nothing is written beside it.
    module.write_text(HELLO.replace('"solo"', '"changed"'))
    assert replica.deploy(module).get_message() == "changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solo.py"]


def test_what_deploy_does_not_accept_is_a_clear_error(
    replica: Replica, projects: Path, tmp_path: Path
) -> None:
    book = shutil.copytree(projects / "hello_world", tmp_path / "book")
    (book / "src" / "helper.py").write_text("x = 1\n")
    with pytest.raises(BuildError, match="no canister of its dfx.json has it as main"):
        replica.deploy(book / "src" / "helper.py")
    with pytest.raises(BuildError, match="not 'other'"):
        replica.deploy(book / "src" / "main.py", "other")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a canister")
    with pytest.raises(ValueError, match=r"deploy accepts a Kybra project folder"):
        replica.deploy(notes)
    with pytest.raises(FileNotFoundError, match="does not exist: deploy accepts"):
        replica.deploy(tmp_path / "missing.py")
