"""A canister that uses PyPI packages from the project's .venv (tests/e2e/test_packages.py)."""

import json

from kybra import query, update, void

import uses

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
    saved.append(json.dumps([uses.serialise(text), uses.templates(name, ["x"]), uses.crypto(name)]))


@query
def saved_results() -> str:
    return json.dumps([json.loads(s) for s in saved])
