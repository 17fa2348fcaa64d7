"""Build entry points: the book's `python -m kybra NAME MAIN DID` form, `kybra build`,
reproducible output, and compile errors that point at the source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO, Project, copy_project


def hello(tmp_path: Path) -> Project:
    return copy_project(
        REPO / "examples" / "hello_world", tmp_path / "kybra_hello_world"
    )


def test_python_dash_m_form_from_the_books_dfx_json(tmp_path: Path) -> None:
    project = hello(tmp_path)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kybra",
            "kybra_hello_world",
            "src/main.py",
            "src/main.did",
        ],
        cwd=project.root,
        check=True,
        timeout=600,
    )
    out = project.root / ".kybra" / "kybra_hello_world"
    assert (out / "kybra_hello_world.wasm").stat().st_size > 0
    assert (out / "kybra_hello_world.wasm.gz").stat().st_size > 0
    assert "service" in (project.root / "src" / "main.did").read_text()


def test_builds_are_reproducible_and_follow_source_changes(tmp_path: Path) -> None:
    project = hello(tmp_path)
    wasm = project.root / ".kybra" / "kybra_hello_world" / "kybra_hello_world.wasm"
    project.kybra("build")
    first = wasm.read_bytes()
    project.kybra("build")
    assert wasm.read_bytes() == first
    main = project.root / "src" / "main.py"
    main.write_text(
        main.read_text().replace("message: str = ''", "message: str = 'changed'")
    )
    project.kybra("build")
    assert wasm.read_bytes() != first


def test_missing_annotation_is_a_located_compile_error(tmp_path: Path) -> None:
    project = hello(tmp_path)
    main = project.root / "src" / "main.py"
    main.write_text(
        main.read_text().replace(
            "def set_message(new_message: str)", "def set_message(new_message)"
        )
    )
    message = project.fails("build")
    line = next(
        i
        for i, text in enumerate(main.read_text().splitlines(), 1)
        if "def set_message" in text
    )
    assert f"main.py:{line}:" in message, message
    assert "new_message" in message


def test_unsupported_annotation_says_what_to_write(tmp_path: Path) -> None:
    project = hello(tmp_path)
    main = project.root / "src" / "main.py"
    main.write_text(
        main.read_text().replace(
            "def get_message() -> str:", "def get_message() -> complex:"
        )
    )
    message = project.fails("build")
    assert "main.py:" in message and "complex" in message, message


def test_kybra_new_scaffolds_the_books_project(tmp_path: Path) -> None:
    root = Project(tmp_path)
    root.kybra("new", "fresh_project")
    created = tmp_path / "fresh_project"
    book = REPO / "examples" / "hello_world"
    assert (created / "src" / "main.py").read_text() == (
        book / "src" / "main.py"
    ).read_text()
    Project(created).kybra("build")
