"""Building Kybra projects for tests: runs the installed `kybra` binary
(`kybra build NAME` in the project folder) and finds the module it wrote.

Promises: each (project, canister) is built at most once per process while its files are
unchanged (a fingerprint of the project's file names, sizes and modification times,
outside `.kybra/`); a failed build raises `BuildError` with the compiler's output; a
missing `kybra` binary raises `BuildError` saying how to install it. A canister's main
module stands for its project (`project_of_module`): the nearest folder above it whose
dfx.json has a canister with that `main`, else a one-module project made for it in a
temporary folder (the user's folders get no files).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = [
    "BuildError",
    "Built",
    "build",
    "find_kybra",
    "project_of_module",
    "specified_id",
]


class BuildError(Exception):
    """The project could not be built (the message holds the compiler's output)."""


class Built:
    """A built canister: its module and its project."""

    __slots__ = ("module", "name", "project", "specified_id")

    def __init__(self, project: Path, name: str, module: Path) -> None:
        self.project = project
        self.name = name
        self.module = module
        self.specified_id = specified_id(project, name)

    def __repr__(self) -> str:
        return f"Built({str(self.project)!r}, name={self.name!r})"


_cache: dict[tuple[Path, str], tuple[int, Built]] = {}


def find_kybra() -> Path:
    """The `kybra` binary installed with this package (next to the interpreter), else the
    one on PATH."""
    here = Path(sys.executable).parent / ("kybra.exe" if os.name == "nt" else "kybra")
    if here.is_file():
        return here
    found = shutil.which("kybra")
    if found:
        return Path(found)
    raise BuildError(
        "kybra.testing builds projects with the `kybra` command, which is not installed"
        f" next to {sys.executable} nor on PATH: install the kybra wheel into this"
        " environment (`pip install kybra`, or `bash scripts/setup.sh` in the repository)"
    )


def canister_names(project: Path) -> list[str]:
    """The canisters dfx.json declares, in order."""
    dfx = project / "dfx.json"
    if not dfx.is_file():
        raise BuildError(
            f"{project} has no dfx.json: pass a Kybra project folder or a .wasm file"
        )
    canisters = json.loads(dfx.read_text()).get("canisters", {})
    return list(canisters)


def _main_of(config: object) -> str | None:
    """A dfx.json canister's main module: its `main`, or MAIN of the book's build command
    `python -m kybra NAME MAIN [DID]`."""
    if not isinstance(config, dict):
        return None
    main = config.get("main")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if isinstance(main, str):
        return main
    command = config.get("build")  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if not isinstance(command, str):
        return None
    words = shlex.split(command)
    for i in range(len(words) - 3):
        if words[i : i + 2] == ["-m", "kybra"]:
            return words[i + 3]
    return None


def project_of_module(module: Path) -> tuple[Path, str]:
    """The project and canister name whose main module is `module` (a .py file): the
    nearest dfx.json above it that has a canister with this `main`; with no dfx.json above
    it, a one-module project of its own (in a temporary folder, refreshed when the file
    changes)."""
    module = module.resolve()
    for folder in module.parents:
        dfx = folder / "dfx.json"
        if not dfx.is_file():
            continue
        canisters = json.loads(dfx.read_text()).get("canisters", {})
        mains: dict[str, str] = {}
        for name, config in canisters.items():
            main = _main_of(config)
            if main is not None:
                mains[name] = main
                if (folder / main).resolve() == module:
                    return folder, name
        listed = ", ".join(f"{n} (main {m})" for n, m in mains.items()) or "none"
        raise BuildError(
            f"{module} is in the project {folder}, but no canister of its dfx.json has it"
            f" as main: it has {listed}. Deploy the project folder with name=..., or a"
            " canister's main module"
        )
    name = re.sub(r"[^A-Za-z0-9_]", "_", module.stem)
    digest = hashlib.sha256(str(module).encode()).hexdigest()[:16]
    project = Path(tempfile.gettempdir()) / "kybra-testing" / digest
    (project / "src").mkdir(parents=True, exist_ok=True)
    copy = project / "src" / module.name
    source = module.read_bytes()
    if not copy.is_file() or copy.read_bytes() != source:
        copy.write_bytes(source)
    dfx = {"canisters": {name: {"type": "kybra", "main": f"src/{module.name}"}}}
    text = json.dumps(dfx, indent=4)
    if (
        not (project / "dfx.json").is_file()
        or (project / "dfx.json").read_text() != text
    ):
        (project / "dfx.json").write_text(text)
    return project, name


def specified_id(project: Path, name: str) -> str | None:
    """dfx.json's `specified_id` of canister `name` (the id it must be created at), if any."""
    config = json.loads((project / "dfx.json").read_text()).get("canisters", {})
    value = config.get(name, {}).get("specified_id")
    return value if isinstance(value, str) else None


def _fingerprint(project: Path) -> int:
    entries: list[tuple[str, int, int]] = []
    for root, dirs, files in os.walk(project):
        dirs[:] = [
            d
            for d in dirs
            if d not in (".kybra", "__pycache__", "node_modules", ".git")
        ]
        for f in files:
            st = os.stat(os.path.join(root, f))
            entries.append((os.path.join(root, f), st.st_size, st.st_mtime_ns))
    return hash(tuple(sorted(entries)))


def build(project: str | os.PathLike[str], name: str | None = None) -> Built:
    """Builds canister `name` of the project (the only one when `name` is None)."""
    path = Path(project).resolve()
    names = canister_names(path)
    if name is None:
        if len(names) != 1:
            raise BuildError(
                f"{path}/dfx.json declares {names}: pass name=... to choose one"
            )
        name = names[0]
    elif name not in names:
        raise BuildError(f"{path}/dfx.json has no canister {name!r}; it has {names}")
    stamp = _fingerprint(path)
    cached = _cache.get((path, name))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    # Installed packages come from the interpreter running the tests (as with
    # `python -m kybra`), unless KYBRA_PYTHON names another.
    env = {
        **os.environ,
        "KYBRA_PYTHON": os.environ.get("KYBRA_PYTHON") or sys.executable,
    }
    proc = subprocess.run(
        [str(find_kybra()), "build", name],
        cwd=path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BuildError(
            f"`kybra build {name}` in {path} failed (exit {proc.returncode}):\n"
            f"{proc.stdout}{proc.stderr}"
        )
    module = path / ".kybra" / name / f"{name}.wasm"
    if not module.is_file():
        raise BuildError(f"`kybra build {name}` succeeded but wrote no {module}")
    built = Built(path, name, module)
    _cache[(path, name)] = (_fingerprint(path), built)
    return built
