"""Shared fixtures of the kybra.testing suites: the projects they deploy, copied once per
session into a temporary folder (a build writes `.kybra/` and the `.did` into the
project, so the repository's examples stay untouched) and built there once.

The `replica` fixture comes from kybra.testing's pytest plugin (installed with the wheel).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".kybra", "__pycache__"))
    return dst


@pytest.fixture(scope="session")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a copy of every project these suites deploy."""
    root = tmp_path_factory.mktemp("projects")
    for name in (
        "hello_world",
        "stable_structures",
        "timers",
        "cross_canister",
        "lifecycle",
        "icrc2_payments",
        "threshold_schnorr",
    ):
        _copy(REPO / "examples" / name, root / name)
    _copy(HERE / "projects" / "sample", root / "sample")
    return root


@pytest.fixture(scope="session")
def rust_caller() -> Path:
    """The Rust test canister `tests/canisters/rust_caller` (built with cargo if needed)."""
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "rust_caller"
    subprocess.run(
        [
            "cargo",
            "build",
            "--release",
            "--quiet",
            "--target",
            "wasm32-unknown-unknown",
            "--target-dir",
            str(target),
        ],
        cwd=REPO / "tests" / "canisters" / "rust_caller",
        check=True,
    )
    return target / "wasm32-unknown-unknown" / "release" / "rust_caller.wasm"
