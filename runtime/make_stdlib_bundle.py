"""Compile the standard library and the `kybra` package into `stdlib.json` + `stdlib.bin`.

Run with CPython 3.11 (the runtime's version, so `marshal` formats match):

    python3.11 runtime/make_stdlib_bundle.py --lib LIB_DIR --kybra python/kybra --out OUT_DIR

Promises (format: docs/architecture.md, "Build-time assets"):
- every bundled module's code object is `marshal.dumps(compile(...))`, concatenated into
  `stdlib.bin` at the recorded `offset`/`size`;
- `imports` lists every absolute module name the module's code may import (anywhere in
  the file except under `if __name__ == "__main__":` and in module-level functions only
  that block calls, and except in the body of `if TYPE_CHECKING:` (never true when the
  code runs; the `else:` branch counts), relative imports resolved, `from pkg import name` also gives `pkg.name`, the
  parent packages of every imported name, string literals passed to `__import__` /
  `importlib.import_module`);
- `bootstrap` lists the bundled modules the interpreter imports while starting (measured
  by starting this same CPython with the runtime's configuration) plus the runtime glue's;
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

# Start-up imports of the runtime's configuration (isolated, UTF-8 mode, no site),
# measured by the same CPython; see `measure_startup`.
STARTUP_PROBE = "import sys; print('\\n'.join(sorted(sys.modules)))"


@dataclass
class Module:
    name: str
    package: bool
    path: Path
    filename: str
    imports: set[str] = field(default_factory=set[str])
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


def parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def resolve_relative(module: Module, level: int, target: str | None) -> str | None:
    """The absolute name of `from {'.' * level}{target} import ...` inside `module`."""
    base = module.name.split(".")
    if not module.package:
        base = base[:-1]
    if level > 1:
        if level - 1 > len(base):
            return None
        base = base[: len(base) - (level - 1)]
    if target:
        base = [*base, *target.split(".")]
    return ".".join(base) if base else None


def literal_import(node: ast.Call) -> str | None:
    """`__import__("x")` / `importlib.import_module("x")` with a literal, absolute name."""
    func = node.func
    is_import = (isinstance(func, ast.Name) and func.id == "__import__") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )
    if not is_import or not node.args:
        return None
    first = node.args[0]
    if (
        isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value
        and not first.value.startswith(".")
    ):
        return first.value
    return None


def is_main_guard(node: ast.AST) -> bool:
    """`if __name__ == "__main__":` (never true inside a canister)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare):
        return False
    test = node.test
    sides = [test.left, *test.comparators]
    return (
        len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
        and any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    )


def is_type_checking_guard(node: ast.AST) -> bool:
    """`if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:`: its body is for type checkers
    only (the constant is False when the code runs), so its imports never happen."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def script_only_functions(tree: ast.Module) -> set[str]:
    """Module-level functions referenced only under `if __name__ == "__main__":`
    (`_test()`, `main()` of modules that double as scripts): never run in a canister."""
    functions = {
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    in_guard: set[str] = set()
    elsewhere: set[str] = set()
    for top in tree.body:
        if is_main_guard(top):
            in_guard.update(n.id for n in ast.walk(top) if isinstance(n, ast.Name))
            continue
        for node in ast.walk(top):
            if isinstance(node, ast.Name):
                elsewhere.add(node.id)
            elif isinstance(node, ast.Attribute):
                elsewhere.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                elsewhere.add(node.value)  # __all__ entries, getattr(...) names
    return {f for f in functions if f in in_guard and f not in elsewhere}


def walk_reachable(tree: ast.AST) -> list[ast.AST]:
    """Like `ast.walk`, minus `if __name__ == "__main__":` blocks, the bodies of
    functions only they call, and the bodies of `if TYPE_CHECKING:` blocks."""
    skipped = (
        script_only_functions(tree) if isinstance(tree, ast.Module) else set[str]()
    )
    out: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        if is_main_guard(node) or is_type_checking_guard(node):
            assert isinstance(node, ast.If)
            stack.extend(node.orelse)
            continue
        if (
            isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name in skipped
        ):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return out


def find_imports(module: Module, tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in walk_reachable(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = resolve_relative(module, node.level, node.module)
            else:
                base = node.module
            if base is None:
                continue
            names.add(base)
            names.update(
                f"{base}.{alias.name}" for alias in node.names if alias.name != "*"
            )
        elif isinstance(node, ast.Call):
            literal = literal_import(node)
            if literal:
                names.add(literal)
    for name in list(names):
        names.update(parents(name))
    names.update(parents(module.name))
    names.discard(module.name)
    return names


def compile_module(module: Module) -> bool:
    source = module.path.read_bytes()
    try:
        tree = ast.parse(source, filename=module.filename)
        code = compile(tree, module.filename, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError) as error:
        print(f"    skipped {module.name}: {error}", file=sys.stderr)
        return False
    module.imports = find_imports(module, tree)
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
            entries[m.name] = {
                "package": m.package,
                "imports": sorted(m.imports),
                "offset": offset,
                "size": len(m.code),
            }
            offset += len(m.code)
    document = {
        "python_version": PYTHON_VERSION,
        "bootstrap": bootstrap,
        "frozen": frozen,
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
