"""A canister that uses PyPI packages from the project's .venv (tests/e2e/test_packages.py)."""

import importlib.util
import json
import sys

import uses

from kybra import query, update, void

saved: list[str] = []


@query
def dates() -> str:
    return json.dumps(uses.dates())


@query
def models() -> str:
    return json.dumps(uses.models())


@query
def serialise(text: str) -> str:
    return json.dumps(uses.serialise(text))


@query
def templates(name: str, items: list[str]) -> str:
    return json.dumps(uses.templates(name, items))


@query
def utilities() -> str:
    return json.dumps(uses.utilities())


@query
def crypto(message: str) -> str:
    return json.dumps(uses.crypto(message))


@query
def domains(name: str) -> str:
    return json.dumps(uses.domains(name))


@query
def certificates() -> str:
    return json.dumps(uses.certificates())


@update
def save(text: str, name: str) -> void:
    """An update that uses the packages and keeps what they gave."""
    saved.append(
        json.dumps(
            [uses.serialise(text), uses.templates(name, ["x"]), uses.crypto(name)]
        )
    )


@query
def saved_results() -> str:
    return json.dumps([json.loads(s) for s in saved])


@query
def bytecode() -> str:
    """Per package module: did the build ship its bytecode? Its `__cached__` file exists (the
    canister writes none) and is an unchecked hash-based pyc of this interpreter."""
    found = {}
    for name in ("jinja2", "yaml", "ecdsa.keys", "dateutil.parser", "markupsafe"):
        try:
            with open(sys.modules[name].__cached__, "rb") as f:
                header = f.read(8)
        except OSError:
            header = b""
        found[name] = header == importlib.util.MAGIC_NUMBER + b"\x01\x00\x00\x00"
    return json.dumps(found)
