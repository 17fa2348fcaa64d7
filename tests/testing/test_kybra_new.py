"""`kybra new` projects come with a pytest suite on kybra.testing that passes as generated."""

import subprocess
import sys
from pathlib import Path

from kybra.testing import find_kybra


def test_a_new_project_s_tests_pass(tmp_path: Path) -> None:
    subprocess.run(
        [str(find_kybra()), "new", "fresh"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    project = tmp_path / "fresh"
    assert (project / "tests" / "test_main.py").is_file()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout
