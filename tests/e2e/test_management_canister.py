"""End-to-end: the book's management canister samples (`examples/management_canister/`)
deployed with the `kybra` CLI: a Python canister drives the replica's management canister
through `kybra.canisters.management` — create a canister, read its status, change its
settings, install, uninstall, stop, start, top up, deposit cycles and delete it; 32 fresh
random bytes; a threshold ECDSA signature that an independent secp256k1 library (`ecdsa`)
verifies against the returned public key; the Bitcoin API on the local regtest network;
and the book's HTTP transform function, called directly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import ecdsa  # pyright: ignore[reportMissingTypeStubs]
import pytest
from conftest import REPO, Project, copy_project, served

NAME = "management_canister"

# The smallest valid wasm module: magic and version, no sections.
EMPTY_WASM = "\\00\\61\\73\\6d\\01\\00\\00\\00"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("management") / NAME
    with served(copy_project(REPO / "examples" / NAME, root)) as p:
        yield p


def call(p: Project, method: str, *args: str) -> Any:
    return json.loads(p.call(NAME, method, *args, "--output", "json"))


def ok(value: Any) -> Any:
    assert isinstance(value, dict) and set(value) == {"Ok"}, f"expected Ok, got {value}"
    return value["Ok"]


def principal_arg(text: str) -> str:
    return f'(principal "{text}")'


def status(p: Project, canister_id: str) -> dict[str, Any]:
    return ok(
        call(
            p,
            "get_canister_status",
            f'(record {{ canister_id = principal "{canister_id}" }})',
        )
    )


def test_the_transform_function_drops_the_headers(project: Project) -> None:
    arg = (
        '(record { response = record { status = 200; headers = vec { record { name = "date"; value = "today" } };'
        ' body = blob "{\\"num\\": 642}" }; context = blob "" })'
    )
    assert call(project, "xkcd_transform", arg) == {
        "status": "200",
        "headers": [],
        "body": b'{"num": 642}'.hex(),
    }


def test_raw_rand_gives_32_fresh_bytes(project: Project) -> None:
    first = ok(call(project, "random_bytes"))
    second = call(project, "get_randomness_directly")
    assert len(bytes.fromhex(first)) == 32 and len(bytes.fromhex(second)) == 32
    assert first != second


def test_a_canisters_life_through_the_management_canister(project: Project) -> None:
    created = ok(call(project, "execute_create_canister"))["canister_id"]
    own_id = project.kybra("canister", "id", NAME).stdout.strip()

    before = status(project, created)
    assert before["status"] == {"running": None}
    assert before["module_hash"] is None
    assert before["settings"]["controllers"] == [own_id]

    assert ok(call(project, "execute_update_settings", principal_arg(created))) is True
    settings = status(project, created)["settings"]
    assert settings["freezing_threshold"] == "2000000", settings
    assert settings["memory_allocation"] == "3000000", settings

    installed = call(
        project, "execute_install_code", f'(principal "{created}", blob "{EMPTY_WASM}")'
    )
    assert ok(installed) is True
    assert status(project, created)["module_hash"] is not None

    assert ok(call(project, "execute_uninstall_code", principal_arg(created))) is True
    assert status(project, created)["module_hash"] is None

    assert ok(call(project, "execute_stop_canister", principal_arg(created))) is True
    assert status(project, created)["status"] == {"stopped": None}
    assert ok(call(project, "execute_start_canister", principal_arg(created))) is True
    assert status(project, created)["status"] == {"running": None}

    cycles = int(status(project, created)["cycles"])
    top_up = call(
        project,
        "provisional_top_up_canister",
        f'(principal "{created}", 1_000_000_000)',
    )
    assert ok(top_up) is True
    assert ok(call(project, "execute_deposit_cycles", principal_arg(created))) is True
    assert int(status(project, created)["cycles"]) >= cycles + 1_000_000_000

    assert ok(call(project, "execute_stop_canister", principal_arg(created))) is True
    assert ok(call(project, "execute_delete_canister", principal_arg(created))) is True
    gone = call(
        project,
        "get_canister_status",
        f'(record {{ canister_id = principal "{created}" }})',
    )
    assert set(gone) == {"Err"}, gone


def test_provisional_create_canister_with_cycles(project: Project) -> None:
    created = ok(call(project, "provisional_create_canister_with_cycles"))[
        "canister_id"
    ]
    assert status(project, created)["status"] == {"running": None}


def test_a_threshold_ecdsa_signature_verifies(project: Project) -> None:
    from ecdsa.util import sigdecode_string  # pyright: ignore[reportMissingTypeStubs]

    public_key = bytes.fromhex(ok(call(project, "public_key"))["public_key"])
    assert len(public_key) == 33 and public_key[0] in (2, 3)
    message_hash = hashlib.sha256(b"kybra").digest()
    blob = "".join(f"\\{b:02x}" for b in message_hash)
    signature = bytes.fromhex(
        ok(call(project, "sign", f'(blob "{blob}")'))["signature"]
    )
    assert len(signature) == 64
    key = ecdsa.VerifyingKey.from_string(public_key, curve=ecdsa.SECP256k1)
    assert key.verify_digest(signature, message_hash, sigdecode=sigdecode_string)
    with pytest.raises(ecdsa.BadSignatureError):
        key.verify_digest(
            signature, hashlib.sha256(b"other").digest(), sigdecode=sigdecode_string
        )


def dsha256(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def p2wpkh_spend(txid: bytes, vout: int, value: int, fee: int) -> bytes:
    """A segwit transaction spending output `vout` of `txid` (internal byte order), worth
    `value` satoshi, held by private key 1 (the BIP173 test address), back to itself
    minus `fee`, signed as BIP143 says."""
    key = ecdsa.SigningKey.from_secret_exponent(
        1, curve=ecdsa.SECP256k1, hashfunc=hashlib.sha256
    )
    pubkey = key.get_verifying_key().to_string("compressed")
    script_pubkey = bytes.fromhex("0014") + KEY1_HASH160
    outpoint = txid + vout.to_bytes(4, "little")
    sequence = b"\xff\xff\xff\xff"
    output = (
        (value - fee).to_bytes(8, "little")
        + bytes([len(script_pubkey)])
        + script_pubkey
    )
    preimage = (
        (2).to_bytes(4, "little")
        + dsha256(outpoint)
        + dsha256(sequence)
        + outpoint
        + bytes.fromhex("1976a914")
        + KEY1_HASH160
        + bytes.fromhex("88ac")
        + value.to_bytes(8, "little")
        + sequence
        + dsha256(output)
        + (0).to_bytes(4, "little")
        + (1).to_bytes(4, "little")
    )
    signature = (
        key.sign_digest_deterministic(
            dsha256(preimage), sigencode=ecdsa.util.sigencode_der_canonize
        )
        + b"\x01"
    )
    witness = (
        b"\x02" + bytes([len(signature)]) + signature + bytes([len(pubkey)]) + pubkey
    )
    return (
        (2).to_bytes(4, "little")
        + b"\x00\x01"
        + b"\x01"
        + outpoint
        + b"\x00"
        + sequence
        + b"\x01"
        + output
        + witness
        + (0).to_bytes(4, "little")
    )


# The BIP173 test vector: the P2WPKH address of private key 1, on regtest.
KEY1_ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
KEY1_HASH160 = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
# Another BIP173 vector (a P2WSH regtest address) that mines the confirming block.
MINER = "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry"


def test_the_bitcoin_api_on_regtest(project: Project) -> None:
    # Nobody has funded the address yet: no balance, no UTXOs, no fees seen.
    assert ok(call(project, "get_balance", f'("{KEY1_ADDRESS}")')) == "0"
    utxos = ok(call(project, "get_utxos", f'("{KEY1_ADDRESS}")'))
    assert utxos["utxos"] == [] and utxos["next_page"] is None
    assert ok(call(project, "get_current_fee_percentiles")) == []
    sent = call(project, "send_transaction", '(blob "\\00")')
    assert set(sent) == {"Err"}, f"a malformed transaction is refused: {sent}"

    # Fund it: 101 blocks mined to it (a coinbase spends after 100 confirmations).
    project.kybra("bitcoin", "mine", KEY1_ADDRESS, "--blocks", "101")
    funded = int(ok(call(project, "get_balance", f'("{KEY1_ADDRESS}")')))
    assert funded == 101 * 50 * 100_000_000
    utxos = ok(call(project, "get_utxos", f'("{KEY1_ADDRESS}")'))["utxos"]
    assert len(utxos) == 101
    oldest = min(utxos, key=lambda u: int(u["height"]))
    fee = 10_000
    tx = p2wpkh_spend(
        bytes.fromhex(oldest["outpoint"]["txid"]),
        int(oldest["outpoint"]["vout"]),
        int(oldest["value"]),
        fee,
    )
    blob = "".join(f"\\{b:02x}" for b in tx)
    assert ok(call(project, "send_transaction", f'(blob "{blob}")')) is None
    # Mined by someone else, the transaction costs the address its fee, and fees show.
    project.kybra("bitcoin", "mine", MINER, "--blocks", "1")
    assert int(ok(call(project, "get_balance", f'("{KEY1_ADDRESS}")'))) == funded - fee
    percentiles = ok(call(project, "get_current_fee_percentiles"))
    assert len(percentiles) == 101 and all(int(p) > 0 for p in percentiles), percentiles
