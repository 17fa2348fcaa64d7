"""Code written for the original Kybra (0.7) runs unchanged inside a canister (a
one-module project): `Principal(bytes=...)`, `.len`, `.isPrincipal`,
`Principal.self_authenticating` (its SHA-224 from the interpreter's built-in module: the
result must equal the host's), `match` with a `"_"` arm, `CandidError` (an `Error`)
from `ic.candid_decode`, a `@canister` Service class whose `@service_method` methods are
called as updates, and `Principal.to_account_id` (the ICP ledger's account identifiers, checked
against hashlib + zlib here)."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

from kybra import Principal
from kybra.testing import Replica

CANISTER = """from kybra import (
    Async,
    CallResult,
    CandidError,
    Error,
    Principal,
    Service,
    Variant,
    canister,
    ic,
    match,
    query,
    service_method,
    update,
)


@canister
class Myself(Service):
    @service_method
    def color_name(self, color: "Color") -> str: ...


class Color(Variant, total=False):
    Red: None
    Green: None
    Blue: None


@query
def derive(key: bytes) -> Principal:
    return Principal.self_authenticating(key)


@query
def shape(raw: bytes) -> str:
    p = Principal(bytes=raw)
    return f"{p.len} {p.isPrincipal} {p.to_str()}"


@query
def color_name(color: Color) -> str:
    return match(color, {"Red": lambda _: "red", "_": lambda _: "not red"})


@query
def decode(data: bytes) -> str:
    try:
        return ic.candid_decode(data)
    except CandidError as e:
        return f"CandidError {isinstance(e, Error)} {isinstance(e, ValueError)}"


@query
def account(p: Principal, sub: bytes, number: int) -> str:
    by_bytes = p.to_account_id(sub if sub else None)
    by_number = p.to_account_id(sub_account=number)
    try:
        p.to_account_id(b"short")
        refused = "accepted"
    except TypeError as e:
        refused = str(e)
    return f"{by_bytes.to_hex()} {by_number} {refused}"


@update
def ask_myself() -> Async[str]:
    result: CallResult[str] = yield Myself(ic.id()).color_name({"Green": None})
    return result.Ok if result.Err is None else f"rejected: {result.Err}"
"""


def test_the_original_api_in_a_canister(replica: Replica, tmp_path: Path) -> None:
    module = tmp_path / "original.py"
    module.write_text(CANISTER)
    c = replica.deploy(module)
    key = bytes.fromhex("302a300506032b6570032100") + bytes(range(32))
    assert c.derive(key) == Principal.self_authenticating(key)
    assert c.shape(b"\x04") == "1 True 2vxsx-fae"
    assert (c.color_name({"Red": None}), c.color_name({"Blue": None})) == (
        "red",
        "not red",
    )
    assert c.decode(b"DIDL\x00\x01\x71\x02hi") == '("hi")'
    assert c.decode(b"not candid") == "CandidError True True"
    assert c.ask_myself() == "not red"


def ledger_account(principal: Principal, sub: bytes) -> str:
    """The ICP ledger's account identifier, computed here with hashlib and zlib."""
    digest = hashlib.sha224(b"\x0aaccount-id" + principal.bytes + sub).digest()
    return (zlib.crc32(digest).to_bytes(4, "big") + digest).hex()


def test_account_identifiers_are_the_ledgers(replica: Replica, tmp_path: Path) -> None:
    module = tmp_path / "original.py"
    module.write_text(CANISTER)
    c = replica.deploy(module)
    someone = Principal.from_str("rrkah-fqaaa-aaaaa-aaaaq-cai")
    sub = bytes(range(32))
    by_bytes, by_number, refused = c.account(someone, sub, 7).split(" ", 2)
    assert by_bytes == ledger_account(someone, sub)
    assert by_number == "0x" + ledger_account(someone, (7).to_bytes(32, "big"))
    assert refused.startswith("a subaccount is 32 bytes, an int or None, got b'short'")
    default, _, _ = c.account(Principal.anonymous(), b"", 0).split(" ", 2)
    assert default == ledger_account(Principal.anonymous(), bytes(32))
    assert default == Principal.anonymous().to_account_id().to_hex()
