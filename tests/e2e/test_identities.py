"""Identities of the command line (`kybra identity ...`, `--identity`), as dfx's: the
caller a canister sees is the identity the CLI signs with, PEM files round-trip (import,
export), a key changes password or storage mode and keeps its principal, and the replica
refuses a non-controller's `install_code`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Project

MISC = "misc"
ANONYMOUS = "2vxsx-fae"


def test_each_identity_is_the_caller_the_canister_sees(running: Project) -> None:
    running.kybra("identity", "new", "e2e_alice", "--key-type", "ed25519")
    running.kybra("identity", "new", "e2e_bob")  # secp256k1, dfx's default
    alice, bob = running.principal("e2e_alice"), running.principal("e2e_bob")
    assert len({alice, bob, running.principal(), ANONYMOUS}) == 4
    for name, principal in [
        ("e2e_alice", alice),
        ("e2e_bob", bob),
        ("anonymous", ANONYMOUS),
    ]:
        assert running.call(MISC, "whoami", "--identity", name) == f'("{principal}")'
    listed = running.kybra("identity", "list").stdout.split()
    assert {"anonymous", "default", "e2e_alice", "e2e_bob"} <= set(listed)


def test_use_switches_the_default_and_whoami_names_it(running: Project) -> None:
    running.kybra("identity", "new", "e2e_carol", "--force")
    try:
        running.kybra("identity", "use", "e2e_carol")
        assert running.kybra("identity", "whoami").stdout.strip() == "e2e_carol"
        assert "e2e_carol *" in running.kybra("identity", "list").stdout
        assert running.call(MISC, "whoami") == f'("{running.principal("e2e_carol")}")'
        assert "in use" in running.fails("identity", "remove", "e2e_carol")
    finally:
        running.kybra("identity", "use", "default")
    running.kybra("identity", "remove", "e2e_carol")
    assert "no identity named e2e_carol" in running.fails(
        "canister", "call", MISC, "whoami", "--identity", "e2e_carol"
    )


def test_import_of_a_pem_file_keeps_the_principal(
    running: Project, tmp_path: Path
) -> None:
    running.kybra("identity", "new", "e2e_dave", "--key-type", "ed25519")
    pem = (
        Path(os.environ["KYBRA_CONFIG_DIR"]) / "identity" / "e2e_dave" / "identity.pem"
    )
    copy = tmp_path / "dave.pem"
    copy.write_bytes(pem.read_bytes())
    running.kybra("identity", "import", "e2e_dave2", str(copy))
    assert running.principal("e2e_dave2") == running.principal("e2e_dave")
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    assert "not a key kybra can use" in running.fails(
        "identity", "import", "e2e_bad", str(garbage)
    )


def test_a_non_controller_cannot_reinstall(running: Project) -> None:
    running.kybra("identity", "new", "e2e_mallory", "--force")
    message = running.fails(
        "deploy", MISC, "--mode", "reinstall", "--yes", "--identity", "e2e_mallory"
    )
    assert "controller" in message.lower(), message
    # The canister still works and kept its state.
    assert running.call(MISC, "whoami").startswith('("')


def test_export_and_change_password_keep_the_key(
    running: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running.kybra("identity", "new", "e2e_plain", "--force")
    pem = (
        Path(os.environ["KYBRA_CONFIG_DIR"]) / "identity" / "e2e_plain" / "identity.pem"
    )
    assert running.kybra("identity", "export", "e2e_plain").stdout == pem.read_text()
    principal = running.principal("e2e_plain")
    # Plaintext -> a password, then another password, then plaintext again.
    monkeypatch.setenv("KYBRA_IDENTITY_NEW_PASSWORD", "first password")
    running.kybra("identity", "change-password", "e2e_plain")
    assert not pem.exists()
    monkeypatch.setenv("KYBRA_IDENTITY_PASSWORD", "first password")
    assert running.principal("e2e_plain") == principal
    exported = running.kybra("identity", "export", "e2e_plain").stdout
    assert "PRIVATE KEY" in exported
    monkeypatch.setenv("KYBRA_IDENTITY_NEW_PASSWORD", "second password")
    running.kybra("identity", "change-password", "e2e_plain")
    assert "wrong password" in running.fails(
        "identity", "get-principal", "--identity", "e2e_plain"
    )
    monkeypatch.setenv("KYBRA_IDENTITY_PASSWORD", "second password")
    assert running.principal("e2e_plain") == principal
    assert running.kybra("identity", "export", "e2e_plain").stdout == exported
    # A wrong current password changes nothing; a short new one is refused.
    monkeypatch.setenv("KYBRA_IDENTITY_PASSWORD", "not the password")
    monkeypatch.setenv("KYBRA_IDENTITY_NEW_PASSWORD", "third password")
    assert "wrong password" in running.fails("identity", "change-password", "e2e_plain")
    monkeypatch.setenv("KYBRA_IDENTITY_PASSWORD", "second password")
    monkeypatch.setenv("KYBRA_IDENTITY_NEW_PASSWORD", "short")
    assert "longer than 8 characters" in running.fails(
        "identity", "change-password", "e2e_plain"
    )
    assert running.principal("e2e_plain") == principal
    monkeypatch.delenv("KYBRA_IDENTITY_NEW_PASSWORD")
    assert "KYBRA_IDENTITY_NEW_PASSWORD" in running.fails(
        "identity", "change-password", "e2e_plain"
    )
    running.kybra(
        "identity", "change-password", "e2e_plain", "--storage-mode", "plaintext"
    )
    monkeypatch.delenv("KYBRA_IDENTITY_PASSWORD")
    assert pem.read_text() == exported
    assert running.principal("e2e_plain") == principal
    assert "no identity named nosuch" in running.fails("identity", "export", "nosuch")
