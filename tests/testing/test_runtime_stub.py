"""The type stub of the runtime's built-in module (`python/kybra/_kybra_ic.pyi`) names
exactly what the runtime registers: a canister lists `dir(_kybra_ic)` and the stub's
top-level functions and classes must be the same set."""

import ast
import shutil
from pathlib import Path

from kybra.testing import Replica

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
STUB = REPO / "python" / "kybra" / "_kybra_ic.pyi"


def stub_names() -> list[str]:
    tree = ast.parse(STUB.read_text())
    kinds = (ast.FunctionDef, ast.ClassDef)
    return sorted(node.name for node in tree.body if isinstance(node, kinds))


def test_the_stub_names_what_the_runtime_registers(
    replica: Replica, tmp_path: Path
) -> None:
    project = shutil.copytree(
        HERE / "projects" / "runtime_names", tmp_path / "runtime_names"
    )
    registered = replica.deploy(project).runtime_names()
    assert len(registered) > 40
    missing_from_stub = sorted(set(registered) - set(stub_names()))
    not_registered = sorted(set(stub_names()) - set(registered))
    assert (missing_from_stub, not_registered) == ([], [])
