"""A failing canister call shows the canister's Python traceback in pytest's failure
output: a generated test calls a method that raises, in a pytest subprocess."""

import subprocess
import sys
from pathlib import Path

TEST = """
from kybra.testing import Replica

def test_divide_by_zero():
    with Replica() as r:
        c = r.deploy({project!r}, init_args=("", 0))
        c.divide(1, 0)
"""


def test_the_canister_traceback_is_in_the_failure_output(
    projects: Path, tmp_path: Path
) -> None:
    (tmp_path / "test_fails.py").write_text(
        TEST.format(project=str(projects / "sample"))
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(tmp_path / "test_fails.py"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "CanisterReject" in out, out
    assert "ZeroDivisionError" in out, out
    assert "at src/main.py" in out and "in helper" in out, out
