"""Fails when the modules of a Rust crate import each other in a circle.

Usage: python3 scripts/check_module_cycles.py crates/kybra-replica crates/kybra-runtime

A module is a source file (or an inline `mod name { ... }` with a body). Module A
depends on module B when A's code names a path into B: `use crate::b::...`,
`crate::b::Item` in an expression, `super::...`, `self::...`, or a child module's name
(`child::f()`). A path to an item of a module depends on that module; a path to an item
that the crate root defines or re-exports depends on the root. Declaring a module
(`mod b;`) is not a dependency, and neither are comments, doc links and string
literals. The check reports every strongly connected component of more than one module
(and a module that depends on itself through a re-export), with the edges inside it
and the line that makes each edge, so the circle can be cut where it is cheapest.

Promises: exits 0 when every listed crate's module graph is acyclic, 1 otherwise
(printing the cycles), 2 when a crate has no `src/lib.rs`.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
PATH_RE = re.compile(rf"(?<![A-Za-z0-9_:])((?:{IDENT})(?:::{IDENT})+)")
USE_RE = re.compile(r"\buse\s+([^;]+);")
MOD_DECL_RE = re.compile(
    rf"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+({IDENT})\s*;", re.MULTILINE
)
INLINE_MOD_RE = re.compile(
    rf"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+({IDENT})\s*\{{", re.MULTILINE
)


def strip(source: str) -> str:
    """The source with comments and string/char literals blanked (newlines kept)."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            j = source.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif source.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if source.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif source.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", source[i:j]))
            i = j
        elif (
            c == "r"
            and re.match(r'r#*"', source[i:])
            and (i == 0 or not source[i - 1].isalnum())
        ):
            hashes = re.match(r"r(#*)\"", source[i:]).group(1)  # type: ignore[union-attr]
            end = source.find('"' + hashes, i + 2 + len(hashes))
            j = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", source[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and source[j] != '"':
                j += 2 if source[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", source[i : j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'", source[i:]):
            m = re.match(r"'(\\.|[^\\'])'|'\\u\{[0-9a-fA-F]+\}'", source[i:])
            assert m is not None
            out.append(" " * len(m.group(0)))
            i += len(m.group(0))
        else:
            out.append(c)
            i += 1
    return "".join(out)


@dataclass
class Module:
    path: tuple[str, ...]
    file: Path
    text: str  # stripped source of this module only (inline children blanked)
    children: set[str] = field(default_factory=lambda: set[str]())


def matching_brace(text: str, open_at: int) -> int:
    depth = 0
    for j in range(open_at, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def load(crate: Path) -> dict[tuple[str, ...], Module]:
    modules: dict[tuple[str, ...], Module] = {}

    def add(
        path: tuple[str, ...], file: Path, text: str, dir_for_children: Path
    ) -> None:
        # Inline modules with bodies become modules of their own.
        inline: list[tuple[str, str]] = []
        while m := INLINE_MOD_RE.search(text):
            open_at = m.end() - 1
            close = matching_brace(text, open_at)
            inline.append((m.group(1), text[open_at + 1 : close]))
            text = (
                text[: m.start()]
                + re.sub(r"[^\n]", " ", text[m.start() : close + 1])
                + text[close + 1 :]
            )
        module = Module(path, file, text)
        modules[path] = module
        for name in MOD_DECL_RE.findall(text):
            module.children.add(name)
            for candidate in (
                dir_for_children / f"{name}.rs",
                dir_for_children / name / "mod.rs",
            ):
                if candidate.exists():
                    sub_dir = (
                        candidate.parent
                        if candidate.name == "mod.rs"
                        else dir_for_children / name
                    )
                    add(
                        path + (name,), candidate, strip(candidate.read_text()), sub_dir
                    )
                    break
        for name, body in inline:
            module.children.add(name)
            add(path + (name,), file, body, dir_for_children / name)

    lib = crate / "src" / "lib.rs"
    add((), lib, strip(lib.read_text()), crate / "src")
    return modules


def use_paths(tree: str) -> Iterator[str]:
    """The paths a `use` tree names: `a::{b, c::{d as e}}` gives a::b, a::c::d."""

    def leaf(prefix: str, t: str) -> str:
        return prefix + re.split(r"\s+as\s+", t.strip())[0].strip()

    def expand(prefix: str, t: str) -> Iterator[str]:
        t = t.strip()
        if "{" not in t:
            if t == "self":
                yield prefix.rstrip(":")
            elif t:
                yield leaf(prefix, t)
            return
        head, _, rest = t.partition("{")
        body = rest[: rest.rfind("}")]
        depth, start = 0, 0
        for k, ch in enumerate(body + ","):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == "," and depth == 0:
                yield from expand(prefix + head.strip(), body[start:k])
                start = k + 1

    yield from expand("", re.sub(r"\s+", " ", tree))


def resolve(
    modules: dict[tuple[str, ...], Module], here: tuple[str, ...], path: str
) -> tuple[str, ...] | None:
    """The module a path leads into, or None if it leaves the crate."""
    parts = [p for p in path.split("::") if p]
    if not parts:
        return None
    first = parts[0]
    if first == "crate":
        base: tuple[str, ...] = ()
        rest = parts[1:]
    elif first == "self":
        base, rest = here, parts[1:]
    elif first == "super":
        base, rest = here, parts
        while rest and rest[0] == "super":
            base, rest = base[:-1], rest[1:]
    elif first in modules[here].children:
        base, rest = here, parts
    else:
        return None
    target = base
    for p in rest:
        if target + (p,) in modules:
            target = target + (p,)
        else:
            break
    return target


def edges(
    modules: dict[tuple[str, ...], Module],
) -> dict[tuple[str, ...], dict[tuple[str, ...], str]]:
    graph: dict[tuple[str, ...], dict[tuple[str, ...], str]] = {m: {} for m in modules}
    for here, module in modules.items():
        lines = module.text.split("\n")
        found: list[tuple[int, str]] = []
        for m in USE_RE.finditer(module.text):
            line = module.text.count("\n", 0, m.start())
            for p in use_paths(m.group(1)):
                found.append((line, p))
        without_uses = USE_RE.sub(
            lambda m: re.sub(r"[^\n]", " ", m.group(0)), module.text
        )
        for m in PATH_RE.finditer(without_uses):
            found.append((without_uses.count("\n", 0, m.start()), m.group(1)))
        for line, p in found:
            target = resolve(modules, here, p)
            if target is None or target == here:
                continue
            where = f"{module.file}:{line + 1}: {lines[line].strip()[:90]}"
            graph[here].setdefault(target, where)
    return graph


def cycles(
    graph: dict[tuple[str, ...], dict[tuple[str, ...], str]],
) -> list[list[tuple[str, ...]]]:
    """Strongly connected components of more than one node (Tarjan)."""
    index: dict[tuple[str, ...], int] = {}
    low: dict[tuple[str, ...], int] = {}
    stack: list[tuple[str, ...]] = []
    on: set[tuple[str, ...]] = set()
    out: list[list[tuple[str, ...]]] = []
    counter = [0]

    def visit(v: tuple[str, ...]) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp: list[tuple[str, ...]] = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def name(path: tuple[str, ...]) -> str:
    return "crate::" + "::".join(path) if path else "crate (lib.rs)"


def main(argv: list[str]) -> int:
    failed = False
    for arg in argv:
        crate = Path(arg)
        if not (crate / "src" / "lib.rs").exists():
            print(f"error: {crate} has no src/lib.rs", file=sys.stderr)
            return 2
        modules = load(crate)
        graph = edges(modules)
        found = cycles(graph)
        n_edges = sum(len(t) for t in graph.values())
        if not found:
            print(f"{crate}: {len(modules)} modules, {n_edges} imports, no cycle")
            continue
        failed = True
        print(
            f"{crate}: {len(found)} import cycle(s) among its {len(modules)} modules:"
        )
        for comp in found:
            members = set(comp)
            print(f"  cycle of {len(comp)}: " + ", ".join(name(c) for c in comp))
            for a in comp:
                for b, where in sorted(graph[a].items()):
                    if b in members:
                        print(f"    {name(a)} -> {name(b)}   ({where})")
    if failed:
        print(
            "Cut each cycle: move what both sides need into a lower module, or pass it in "
            "as an argument; modules that only re-export belong at the top.",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
