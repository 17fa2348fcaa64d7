"""End-to-end: PyPI packages in canisters (`tests/e2e/projects/packages/`). The test makes
the project's own `.venv`, fills it with pinned packages from PyPI with pip, builds and
deploys with `kybra`, calls query and update methods, and compares every answer with what
the same code (`src/uses.py`) gives in that venv's host CPython. Also: a package installed
but not imported leaves the module byte-identical, and a package that needs a compiled
extension fails the build with a diagnostic and writes no module."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, Project, copy_project, served
from conftest import candid_texts as text

PROJECT = REPO / "tests" / "e2e" / "projects" / "packages"
CANISTER = "packages"
# A package whose only module is a compiled extension: no pure-Python fallback.
C_EXTENSION_ONLY = "ujson==5.10.0"


def make_venv(path: Path, *requirements: str) -> Path:
    """A virtual environment at `path` (no pip of its own) filled by this interpreter's
    pip from PyPI (pip's cache keeps repeated runs offline-fast); returns its python."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(path)], check=True
    )
    python = path / "bin" / "python"
    if requirements:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "--python",
                str(python),
                "install",
                "--quiet",
                "--disable-pip-version-check",
                *requirements,
            ],
            check=True,
        )
    return python


@pytest.fixture(scope="module", autouse=True)
def no_outer_environment() -> Iterator[None]:
    """Builds here find the environment the test made, not the one running pytest."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("VIRTUAL_ENV", raising=False)
        mp.delenv("KYBRA_PYTHON", raising=False)
        yield


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("packages") / "packages"
    p = copy_project(PROJECT, root)
    make_venv(
        root / ".venv",
        "-r",
        str(root / "requirements.txt"),
        str(root / "assets_package"),
    )
    with served(p, False) as served_project:
        yield served_project


@pytest.fixture(scope="module")
def built(project: Project) -> str:
    """`kybra deploy`'s output (it builds first)."""
    return project.kybra("deploy").stdout


@pytest.fixture(scope="module")
def host(project: Project) -> dict[str, Any]:
    """Every function of src/uses.py run by the venv's host CPython."""
    script = (
        "import json, sys; sys.path.insert(0, 'src'); import uses\n"
        "print(json.dumps({'dates': uses.dates(), 'models': uses.models(),\n"
        " 'serialise': uses.serialise(sys.argv[1]), 'templates': uses.templates('Ada <3', ['a', 'b']),\n"
        " 'utilities': uses.utilities(), 'crypto': uses.crypto('kybra'),\n"
        " 'domains': uses.domains('ドメイン.テスト'), 'certificates': uses.certificates(),\n"
        " 'saved': [uses.serialise(sys.argv[1]), uses.templates('Bob', ['x']), uses.crypto('Bob')]}))"
    )
    out = subprocess.run(
        [str(project.root / ".venv" / "bin" / "python"), "-c", script, YAML],
        cwd=project.root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


YAML = "name: kybra\nversions: [1, 2.5, true]\nnested:\n  when: '2024-03-05'\n  none: null\n"


def call(p: Project, method: str, *args: str) -> Any:
    """The method's answer: JSON in a Candid text, decoded."""
    return json.loads(p.call_json(CANISTER, method, *args))


def test_the_build_uses_the_projects_venv_and_reports_each_package(
    project: Project, built: str
) -> None:
    assert f"Python environment: {project.root / '.venv'} (Python 3.11" in built, built
    assert "the project's .venv" in built
    for line in (
        "package Jinja2 3.1.6: ",
        "package tzdata 2026.6: ",
        "package PyYAML 6.0.4: ",
    ):
        assert line in built, built
    report = json.loads(
        (project.root / ".kybra" / CANISTER / "packages.json").read_text()
    )
    by_name = {p["name"]: p for p in report}
    # Fallbacks: markupsafe and PyYAML without their compiled speed-ups.
    assert by_name["MarkupSafe"]["modules"] == ["markupsafe", "markupsafe._native"]
    assert not any("cyaml" in m or "_yaml" in m for m in by_name["PyYAML"]["modules"])
    assert "tzdata/zoneinfo/Europe/Zurich" in by_name["tzdata"]["data_files"]
    assert by_name["certifi"]["data_files"] == ["certifi/cacert.pem"]
    assert by_name["kybra-e2e-assets"]["data_files"] == [
        "kybra_e2e_assets/templates/greeting.html"
    ]
    assert all(p["code_bytes"] > 0 for p in report if p["name"] != "tzdata")


def test_package_modules_ship_with_bytecode_compiled_at_build(
    project: Project, built: str
) -> None:
    # The venv's python is CPython 3.11: it compiles the package modules for the canister,
    # whose loader then takes each module's code from the .pyc beside it.
    python = project.root / ".venv" / "bin" / "python"
    assert f"package modules compiled to bytecode by {python}" in built, built
    assert call(project, "bytecode") == {
        "jinja2": True,
        "yaml": True,
        "ecdsa.keys": True,
        "dateutil.parser": True,
        "markupsafe": True,
    }


def test_dates_dateutil_and_zoneinfo_with_tzdata(
    project: Project, built: str, host: dict
) -> None:
    got = call(project, "dates")
    assert got == host["dates"]
    assert got["zurich"] == "2024-07-01T14:00:00+02:00" and got["zurich_name"] == "CEST"


def test_data_modelling_attrs(project: Project, built: str, host: dict) -> None:
    assert call(project, "models") == host["models"]


def test_parsing_and_serialising_pure_pyyaml_and_simplejson(
    project: Project, built: str, host: dict
) -> None:
    got = call(project, "serialise", text(YAML))
    assert got == host["serialise"]
    assert got["yaml_loaded"]["versions"] == [1, 2.5, True]


def test_templates_jinja2_package_loader_and_markupsafe_fallback(
    project: Project, built: str, host: dict
) -> None:
    got = call(project, "templates", '("Ada <3", vec { "a"; "b" })')
    assert got == host["templates"]
    assert got["escaped"] == "Ada &lt;3"
    assert "<li>A</li><li>B</li>" in got["package_template"]


def test_utilities_boltons_toolz_more_itertools(
    project: Project, built: str, host: dict
) -> None:
    assert call(project, "utilities") == host["utilities"]


def test_pure_python_crypto_ecdsa(project: Project, built: str, host: dict) -> None:
    got = call(project, "crypto", text("kybra"))
    assert got == host["crypto"] and got["verified"] is True


def test_idna(project: Project, built: str, host: dict) -> None:
    got = call(project, "domains", text("ドメイン.テスト"))
    assert got == host["domains"] and got["encoded"].startswith("xn--")


def test_certifi_reads_its_data_file(project: Project, built: str, host: dict) -> None:
    got = call(project, "certificates")
    assert got == host["certificates"] and got["where_reads_the_same"] is True


def test_update_methods_use_the_packages(
    project: Project, built: str, host: dict
) -> None:
    project.kybra("canister", "call", CANISTER, "save", text(YAML, "Bob"))
    assert call(project, "saved_results") == [host["saved"]]


def module_hash(p: Project, name: str) -> str:
    return hashlib.sha256(
        (p.root / ".kybra" / name / f"{name}.wasm").read_bytes()
    ).hexdigest()


def test_an_installed_package_that_is_not_imported_leaves_the_module_byte_identical(
    project: Project, built: str, tmp_path: Path
) -> None:
    hello = copy_project(REPO / "examples" / "hello_world", tmp_path / "hello")
    empty = make_venv(tmp_path / "empty-venv")
    os.environ["KYBRA_PYTHON"] = str(empty)
    try:
        out = hello.kybra("build").stdout
        assert f"Python environment: {tmp_path / 'empty-venv'}" in out, out
        without = module_hash(hello, "kybra_hello_world")
        # The packages project's venv: fourteen packages installed, none imported.
        os.environ["KYBRA_PYTHON"] = str(project.root / ".venv" / "bin" / "python")
        out = hello.kybra("build").stdout
        assert "package " not in out, out
        assert module_hash(hello, "kybra_hello_world") == without
    finally:
        os.environ.pop("KYBRA_PYTHON", None)


def test_a_package_that_needs_a_c_extension_fails_the_build_and_writes_no_module(
    tmp_path: Path,
) -> None:
    p = copy_project(REPO / "examples" / "hello_world", tmp_path / "cext")
    main = p.root / "src" / "main.py"
    main.write_text("import ujson\n" + main.read_text())
    make_venv(p.root / ".venv", C_EXTENSION_ONLY)
    out = p.fails("build")
    assert "src/main.py:1:8: cannot import `ujson`" in out, out
    assert "package ujson 5.10.0 needs the compiled extension" in out
    assert "ujson.cpython-311-x86_64-linux-gnu.so" in out
    assert "no pure-Python fallback" in out and "py3-none-any" in out
    assert not (p.root / ".kybra" / "kybra_hello_world").exists()
