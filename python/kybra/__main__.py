"""`python -m kybra ...`: run the installed `kybra` command with the same arguments.

Promises: looks for the `kybra` executable next to this interpreter (the environment's
scripts directory), then on PATH, and replaces this process with it. The book's dfx.json
build command `python -m kybra NAME src/main.py src/main.did` is forwarded as
`kybra compile NAME src/main.py src/main.did`. `KYBRA_PYTHON` is set to this interpreter:
the build takes installed packages from its environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig

_EXECUTABLE = "kybra.exe" if os.name == "nt" else "kybra"


def find_kybra() -> str | None:
    """The path of the `kybra` executable, or None if it is not installed."""
    scripts = sysconfig.get_path("scripts")
    candidates = [os.path.join(scripts, _EXECUTABLE)] if scripts else []
    candidates.append(os.path.join(os.path.dirname(sys.executable), _EXECUTABLE))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("kybra")


def translate(args: list[str]) -> list[str]:
    """Map the book's `NAME MAIN.py [DID]` form to the `compile` subcommand."""
    if 2 <= len(args) <= 3 and not args[0].startswith("-") and args[1].endswith(".py"):
        return ["compile", *args]
    return args


def main(argv: list[str] | None = None) -> int:
    args = translate(sys.argv[1:] if argv is None else argv)
    executable = find_kybra()
    if executable is None:
        print(
            "error: the `kybra` command is not installed in this environment;"
            " install it with `pip install kybra` (or `pip install .` in the Kybra"
            " repository)",
            file=sys.stderr,
        )
        return 127
    os.environ["KYBRA_PYTHON"] = sys.executable
    if os.name == "posix":
        os.execv(executable, [executable, *args])
    return subprocess.call([executable, *args])


if __name__ == "__main__":
    sys.exit(main())
