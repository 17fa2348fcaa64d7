"""`kybra ledger account-id`, as `dfx ledger account-id`: the ICP ledger account identifier
of the current identity, another identity, a principal or a canister, with a subaccount;
every answer is checked against the ledger's definition computed here (hashlib + zlib),
and bad input says what to write."""

from __future__ import annotations

import hashlib
import zlib

from conftest import Project

from kybra import Principal

MISC = "misc"


def ledger_account(principal: str, sub: bytes = bytes(32)) -> str:
    raw = Principal.from_str(principal).bytes
    digest = hashlib.sha224(b"\x0aaccount-id" + raw + sub).digest()
    return (zlib.crc32(digest).to_bytes(4, "big") + digest).hex()


def account_id(project: Project, *args: str) -> str:
    return project.kybra("ledger", "account-id", *args).stdout.strip()


def test_account_ids_are_the_ledgers(running: Project) -> None:
    assert account_id(running) == ledger_account(running.principal())
    running.kybra("identity", "new", "e2e_ledger", "--force")
    assert account_id(running, "--identity", "e2e_ledger") == ledger_account(
        running.principal("e2e_ledger")
    )
    assert account_id(running, "--of-principal", "2vxsx-fae") == ledger_account(
        "2vxsx-fae"
    )
    one = bytes(31) + b"\x01"
    assert account_id(
        running, "--of-principal", "2vxsx-fae", "--subaccount", "01"
    ) == ledger_account("2vxsx-fae", one)
    misc = running.kybra("canister", "id", MISC).stdout.strip()
    assert account_id(running, "--of-canister", MISC) == ledger_account(misc)
    assert account_id(running, "--of-canister", misc) == ledger_account(misc)


def test_bad_input_says_what_to_write(running: Project) -> None:
    assert "is not a principal" in running.fails(
        "ledger", "account-id", "--of-principal", "not-a-principal"
    )
    assert "up to 64 hex digits" in running.fails(
        "ledger", "account-id", "--subaccount", "xyz"
    )
    assert "not both" in running.fails(
        "ledger", "account-id", "--of-principal", "2vxsx-fae", "--of-canister", MISC
    )
    assert "neither a canister of this project's dfx.json nor a canister id" in (
        running.fails("ledger", "account-id", "--of-canister", "nosuch")
    )
