"""What a standard-library module imports, and when: the edges of the compiler's import
closure (`runtime/make_stdlib_bundle.py` writes them into `stdlib.json`).

Promises (docs/architecture.md, "Build-time assets"): `classify` sorts every absolute
module name a module's code may import into
- `imports`: runs when the module is imported (module level, class bodies, module-level
  `if`/`with`/`for`/`try` bodies), or inside a function — unless the target is one of
  `NOT_IN_A_CANISTER` (processes, sockets, file-system tools, packaging metadata: reached
  only lazily from general-purpose modules, useless in a canister) or the edge is one of
  `RARE_LAZY_EDGES`;
- `fallbacks`: imported by a module-level `except ImportError:` handler, mapped to the
  modules its `try` body imports (the fallback runs only when one of those is missing);
- `deferred`: everything else that may be imported only later (a function's import of a
  `NOT_IN_A_CANISTER` module, a module-level handler of other errors): the compiler
  leaves these out and puts a stub in their place whose import raises a
  `ModuleNotFoundError` that names the module and says how to build it in.
Never counted: `if __name__ == "__main__":` blocks and module-level functions only they
call, and the body of `if TYPE_CHECKING:` (its `else:` counts). Relative imports are
resolved; `from pkg import name` also gives `pkg.name`; parents of every name are added;
string literals passed to `__import__` / `importlib.import_module` count as imports.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

# Modules that general-purpose modules import only inside functions for things a canister
# cannot do (run processes, open sockets, walk or archive a file system, read installed
# packages' metadata, trace allocations). Following those edges would make `import typing`
# carry half the standard library. A canister that imports one itself gets it.
NOT_IN_A_CANISTER = frozenset(
    {
        "subprocess",
        "socket",
        "selectors",
        "ssl",
        "shutil",
        "tempfile",
        "tarfile",
        "zipfile",
        "plistlib",
        "tracemalloc",
        "importlib.metadata",
        "importlib.readers",
        "importlib.resources",
        "pydoc",
        "webbrowser",
        "http.client",
        "urllib.request",
        "ftplib",
        "mimetypes",
        "netrc",
        "getpass",
        "pty",
        "tty",
        "readline",
        "rlcompleter",
        "code",
        "pdb",
        "cProfile",
        "profile",
        "py_compile",
        "compileall",
    }
)

# Imports inside functions of core modules that serve only rare paths, each of which would
# pull a large part of the standard library into every canister that uses the module.
# (module, target): why the path is rare. Reaching one raises the stub's clear error.
RARE_LAZY_EDGES: dict[tuple[str, str], str] = {
    ("functools", "typing"): "singledispatch's register() reading a type annotation",
    (
        "warnings",
        "traceback",
    ): "coroutine origins, off unless set_coroutine_origin_tracking_depth",
    ("warnings", "linecache"): "the source line of a warning printed to stderr",
    ("ast", "inspect"): "ast.get_docstring(clean=True)",
}

# What modules compiled into the interpreter import from their C code (CPython 3.11.2's
# `PyImport_ImportModule` calls in Modules/*.c): invisible to `classify`, followed by the
# compiler when a canister reaches the built-in module (`builtin_imports` in stdlib.json).
BUILTIN_IMPORTS: dict[str, list[str]] = {
    "_decimal": ["collections", "collections.abc", "numbers"],
    "_datetime": ["_strptime"],
    "time": ["_strptime"],
    "_json": ["json", "json.decoder"],
    "_operator": ["functools"],
    "_pickle": ["_compat_pickle", "codecs", "copyreg", "functools"],
    "_elementtree": ["copy", "xml", "xml.etree", "xml.etree.ElementPath"],
    "_zoneinfo": [
        "io",
        "pickle",
        "weakref",
        "zoneinfo",
        "zoneinfo._common",
        "zoneinfo._tzpath",
    ],
    "array": ["collections.abc"],
}

IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


@dataclass
class Edges:
    imports: set[str] = field(default_factory=set[str])
    fallbacks: dict[str, set[str]] = field(default_factory=dict[str, set[str]])
    deferred: set[str] = field(default_factory=set[str])


def parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def resolve_relative(
    name: str, package: bool, level: int, target: str | None
) -> str | None:
    """The absolute name of `from {'.' * level}{target} import ...` inside module `name`."""
    base = name.split(".")
    if not package:
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
    """`if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:` (False when the code runs)."""
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _referenced(node: ast.AST) -> set[str]:
    names: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Attribute):
            names.add(n.attr)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            names.add(n.value)  # __all__ entries, getattr(...) names
    return names


def script_only_functions(tree: ast.Module) -> set[str]:
    """Module-level functions used only under `if __name__ == "__main__":`, directly or
    through other such functions (`_test()` calling `_test_generator()`): never run in a
    canister."""
    functions = {
        n.name: _referenced(n)
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    in_guard: set[str] = set()
    elsewhere: set[str] = set()
    for top in tree.body:
        if is_main_guard(top):
            in_guard |= _referenced(top)
        elif not isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef)):
            elsewhere |= _referenced(top)
    script_only: set[str] = set()
    while True:
        users = in_guard.union(*(functions[f] for f in script_only))
        more = {
            f
            for f in functions
            if f in users
            and f not in script_only
            and f not in elsewhere
            and not any(
                f in refs
                for g, refs in functions.items()
                if g != f and g not in script_only
            )
        }
        if not more:
            return script_only
        script_only |= more


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in IMPORT_ERRORS for k in kinds)


class _Walker:
    def __init__(self, name: str, package: bool, tree: ast.Module) -> None:
        self.name = name
        self.package = package
        self.skipped = script_only_functions(tree)
        self.edges = Edges()

    def names_of(self, node: ast.AST) -> set[str]:
        """Absolute names one import node (or literal `__import__` call) imports."""
        names: set[str] = set()
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = (
                resolve_relative(self.name, self.package, node.level, node.module)
                if node.level
                else node.module
            )
            if base is not None:
                names.add(base)
                names.update(f"{base}.{a.name}" for a in node.names if a.name != "*")
        elif isinstance(node, ast.Call):
            literal = literal_import(node)
            if literal:
                names.add(literal)
        for n in list(names):
            names.update(parents(n))
        return names

    def imports_in(self, nodes: list[ast.stmt]) -> set[str]:
        found: set[str] = set()
        for stmt in nodes:
            for node in ast.walk(stmt):
                found |= self.names_of(node)
        return found

    def visit(self, node: ast.AST, lazy: bool, fallback_for: set[str] | None) -> None:
        if is_main_guard(node) or is_type_checking_guard(node):
            assert isinstance(node, ast.If)
            for child in node.orelse:
                self.visit(child, lazy, fallback_for)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not lazy and getattr(node, "name", None) in self.skipped:
                return
            for child in ast.iter_child_nodes(node):
                self.visit(child, True, fallback_for)
            return
        if isinstance(node, ast.Try) and not lazy and fallback_for is None:
            for part in (node.body, node.orelse, node.finalbody):
                for child in part:
                    self.visit(child, lazy, None)
            primary = self.imports_in(node.body)
            for handler in node.handlers:
                guarded = (
                    primary if primary and catches_import_error(handler) else set[str]()
                )
                for child in handler.body:
                    self.visit(child, lazy, guarded)
            return
        for name in self.names_of(node):
            self.add(name, lazy, fallback_for)
        for child in ast.iter_child_nodes(node):
            self.visit(child, lazy, fallback_for)

    def add(self, name: str, lazy: bool, fallback_for: set[str] | None) -> None:
        e = self.edges
        if fallback_for:
            e.fallbacks.setdefault(name, set()).update(fallback_for)
        elif fallback_for is not None or (
            lazy and (name in NOT_IN_A_CANISTER or (self.name, name) in RARE_LAZY_EDGES)
        ):
            e.deferred.add(name)
        else:
            e.imports.add(name)


def classify(name: str, package: bool, tree: ast.Module) -> Edges:
    """The import edges of module `name` (a package if `package`) parsed as `tree`."""
    walker = _Walker(name, package, tree)
    walker.visit(tree, False, None)
    edges = walker.edges
    edges.imports.update(parents(name))
    edges.imports.discard(name)
    for key in [k for k in edges.fallbacks if k in edges.imports or k == name]:
        del edges.fallbacks[key]
    edges.deferred -= edges.imports | set(edges.fallbacks) | {name}
    return edges
