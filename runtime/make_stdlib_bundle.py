"""Compile the standard library and the `kybra` package into `stdlib.json` + `stdlib.bin`.

Run with CPython 3.11 (the runtime's version, so `marshal` formats match):

    python3.11 runtime/make_stdlib_bundle.py --lib LIB_DIR --kybra python/kybra --out OUT_DIR

Promises (format: docs/architecture.md, "Build-time assets"):
- every bundled module's code object is `marshal.dumps(compile(...))`, concatenated into
  `stdlib.bin` at the recorded `offset`/`size`;
- `imports`, `fallbacks` and `deferred` are the module's import edges, as
  `stdlib_imports.classify` sorts them (what runs at import or in a function; what runs
  only when a module-level `try` body's import fails; what the compiler may leave out);
- `builtin_imports` maps modules compiled into the interpreter to what their C code
  imports (`stdlib_imports.BUILTIN_IMPORTS`);
- `missing_stub` is the code the compiler puts in place of a left-out (`deferred`)
  module: importing it raises a `ModuleNotFoundError` naming the module;
- `bootstrap` lists the bundled modules the interpreter imports while starting (measured
  by starting this same CPython with the runtime's configuration) plus the runtime glue's;
- `not_in_a_canister` is `stdlib_imports.NOT_IN_A_CANISTER`, which the compiler applies
  to installed packages' lazy imports too;
- `frozen` (extra key) lists bundled modules CPython 3.11 already carries deep-frozen: the
  runtime uses its built-in copy, so a compiler may leave their code out but must still
  follow their `imports`.
"""

from __future__ import annotations

import argparse
import ast
import json
import marshal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stdlib_imports import BUILTIN_IMPORTS, NOT_IN_A_CANISTER, Edges, classify

PYTHON_VERSION = "3.11.2"

# Directories and modules that are tests, tools, or cannot work inside a canister
# (no threads, processes, sockets, terminals, GUIs, ctypes or sqlite in wasm32-wasip1).
SKIPPED_TOP_LEVEL = frozenset(
    {
        "test",
        "idlelib",
        "tkinter",
        "turtledemo",
        "turtle",
        "ensurepip",
        "lib2to3",
        "distutils",
        "venv",
        "multiprocessing",
        "concurrent",
        "ctypes",
        "sqlite3",
        "dbm",
        "curses",
        "msilib",
        "pydoc_data",
        "site-packages",
        "__phello__",
        "__hello__",
    }
)
SKIPPED_PARTS = frozenset({"test", "tests", "idle_test", "__pycache__"})

# What the runtime's Rust glue imports by itself: only built-in modules (`sys`,
# `builtins`, `marshal`), so nothing beyond the start-up set.
GLUE_IMPORTS: tuple[str, ...] = ()

# The code of a module the compiler left out (a `deferred` import): importing it says so.
MISSING_STUB = """raise ModuleNotFoundError(
    f"module {__name__!r} is not built into this canister: the standard library imports "
    f"it only on paths canisters rarely or never take, so kybra left it out. If you need "
    f"it, add `import {__name__}` to your canister's code and build again.",
    name=__name__,
)
"""

# Start-up imports of the runtime's configuration (isolated, UTF-8 mode, no site),
# measured by the same CPython; see `measure_startup`.
STARTUP_PROBE = "import sys; print('\\n'.join(sorted(sys.modules)))"


@dataclass
class Module:
    name: str
    package: bool
    path: Path
    filename: str
    edges: Edges = field(default_factory=Edges)
    code: bytes = b""


def module_name(root: Path, path: Path, prefix: str) -> tuple[str, bool]:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    package = parts[-1] == "__init__"
    if package:
        parts = parts[:-1]
    return ".".join([p for p in [prefix, *parts] if p]), package


def discover(root: Path, prefix: str, file_prefix: str) -> list[Module]:
    """All `.py` files under `root` that belong in the bundle."""
    found: list[Module] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if not prefix and rel.parts[0].removesuffix(".py") in SKIPPED_TOP_LEVEL:
            continue
        if any(part in SKIPPED_PARTS for part in rel.parts[:-1]):
            continue
        if rel.name.startswith("test_") and len(rel.parts) > 1:
            continue
        if any(not part.removesuffix(".py").isidentifier() for part in rel.parts):
            continue
        name, package = module_name(root, path, prefix)
        filename = f"{file_prefix}{rel.as_posix()}"
        found.append(Module(name=name, package=package, path=path, filename=filename))
    return found


def compile_module(module: Module) -> bool:
    source = module.path.read_bytes()
    try:
        tree = ast.parse(source, filename=module.filename)
        code = compile(tree, module.filename, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError) as error:
        print(f"    skipped {module.name}: {error}", file=sys.stderr)
        return False
    module.edges = classify(module.name, module.package, tree)
    module.code = marshal.dumps(code)
    return True


def measure_startup(python: str) -> list[str]:
    """Modules this CPython imports when started as the runtime starts it."""
    result = subprocess.run(
        [
            python,
            "-I",
            "-S",
            "-X",
            "utf8",
            "-X",
            "frozen_modules=on",
            "-c",
            STARTUP_PROBE,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.split()


def frozen_names() -> set[str]:
    """Modules this CPython 3.11 carries frozen (`_imp._frozen_module_names`)."""
    import _imp

    lister: Callable[[], list[str]] = getattr(_imp, "_frozen_module_names")  # noqa: B009
    return set(lister())


def main() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(
            f"error: run this with CPython 3.11 (the runtime's version; marshal formats differ), "
            f"not {sys.version.split()[0]}: e.g. /usr/bin/python3.11 {sys.argv[0]}"
        )
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--lib", type=Path, required=True, help="CPython 3.11.2's Lib directory"
    )
    parser.add_argument(
        "--kybra", type=Path, required=True, help="the kybra package directory"
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="directory for stdlib.json/stdlib.bin"
    )
    args = parser.parse_args()
    lib: Path = args.lib
    kybra: Path = args.kybra
    out: Path = args.out
    if not (lib / "os.py").is_file():
        sys.exit(
            f"error: {lib} is not a CPython Lib directory (no os.py): run runtime/build-cpython.sh"
        )
    if not (kybra / "__init__.py").is_file():
        sys.exit(f"error: {kybra} is not the kybra package (no __init__.py)")

    modules = discover(lib, "", "") + discover(kybra, "kybra", "kybra/")
    # `kybra.testing` runs on the host (it drives a replica), never inside a canister.
    modules = [
        m
        for m in modules
        if m.name != "kybra.testing" and not m.name.startswith("kybra.testing.")
    ]
    modules = [m for m in modules if compile_module(m)]
    modules.sort(key=lambda m: m.name)
    index = {m.name for m in modules}

    startup = measure_startup(sys.executable)
    bootstrap = sorted(
        {n for n in [*startup, *GLUE_IMPORTS] if n in index} - frozen_names()
    )
    frozen = sorted(frozen_names() & index)

    out.mkdir(parents=True, exist_ok=True)
    entries: dict[str, dict[str, object]] = {}
    offset = 0
    with open(out / "stdlib.bin.tmp", "wb") as blob:
        for m in modules:
            blob.write(m.code)
            entry: dict[str, object] = {
                "package": m.package,
                "imports": sorted(m.edges.imports),
                "offset": offset,
                "size": len(m.code),
            }
            if m.edges.fallbacks:
                entry["fallbacks"] = {
                    k: sorted(v) for k, v in sorted(m.edges.fallbacks.items())
                }
            if m.edges.deferred:
                entry["deferred"] = sorted(m.edges.deferred)
            entries[m.name] = entry
            offset += len(m.code)
        stub = marshal.dumps(
            compile(MISSING_STUB, "<not built in>", "exec", dont_inherit=True)
        )
        blob.write(stub)
        missing_stub = {"offset": offset, "size": len(stub)}
        offset += len(stub)
    document = {
        "python_version": PYTHON_VERSION,
        "bootstrap": bootstrap,
        "frozen": frozen,
        "missing_stub": missing_stub,
        "builtin_imports": BUILTIN_IMPORTS,
        "not_in_a_canister": sorted(NOT_IN_A_CANISTER),
        "modules": entries,
    }
    (out / "stdlib.json.tmp").write_text(
        json.dumps(document, indent=1, sort_keys=False) + "\n"
    )
    (out / "stdlib.bin.tmp").replace(out / "stdlib.bin")
    (out / "stdlib.json.tmp").replace(out / "stdlib.json")
    print(
        f"    {len(modules)} modules, {offset} bytes of code; bootstrap: {', '.join(bootstrap)}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
