"""The original Kybra's Principal spellings inside a canister (a one-module project):
`Principal(bytes=...)`, `.len`, `.isPrincipal` and `Principal.self_authenticating`, whose
SHA-224 comes from the interpreter's built-in module (nothing to bundle); the result must
equal the host's."""

from __future__ import annotations

from pathlib import Path

from kybra import Principal
from kybra.testing import Replica

CANISTER = """from kybra import Principal, query


@query
def derive(key: bytes) -> Principal:
    return Principal.self_authenticating(key)


@query
def shape(raw: bytes) -> str:
    p = Principal(bytes=raw)
    return f"{p.len} {p.isPrincipal} {p.to_str()}"
"""


def test_the_original_principal_api_in_a_canister(
    replica: Replica, tmp_path: Path
) -> None:
    module = tmp_path / "principals.py"
    module.write_text(CANISTER)
    c = replica.deploy(module)
    key = bytes.fromhex("302a300506032b6570032100") + bytes(range(32))
    assert c.derive(key) == Principal.self_authenticating(key)
    assert c.shape(b"\x04") == "1 True 2vxsx-fae"
