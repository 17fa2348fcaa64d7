"""The management canister's chunk store from Python (`kybra.canisters.management`'s
`upload_chunk`, `stored_chunks`, `install_chunked_code`, `clear_chunk_store`): a canister
creates another, uploads a module to it in chunks, installs it by the chunks' hashes, and
clears the store; a wrong module hash is a clear reject that installs nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kybra.testing import Replica

CANISTER = """
import hashlib

from kybra import Async, CallResult, Principal, Vec, blob, update
from kybra.canisters.management import CanisterStatusResult, ChunkHash, CreateCanisterResult, management_canister

# The smallest module: the header, then an empty custom section (in two chunks).
MODULE = b"\\x00asm\\x01\\x00\\x00\\x00" + b"\\x00\\x05\\x04name"
CHUNKS = [MODULE[:8], MODULE[8:]]


@update
def create() -> Async[Principal]:
    r: CallResult[CreateCanisterResult] = yield management_canister.create_canister(
        {"settings": None}
    ).with_cycles(1_000_000_000_000)
    return r.Ok["canister_id"]


@update
def upload(target: Principal) -> Async[Vec[blob]]:
    hashes = []
    for chunk in CHUNKS:
        r: CallResult[ChunkHash] = yield management_canister.upload_chunk(
            {"canister_id": target, "chunk": chunk}
        )
        hashes.append(r.Ok["hash"])
    stored: CallResult[Vec[ChunkHash]] = yield management_canister.stored_chunks(
        {"canister_id": target}
    )
    return hashes + [b"--"] + sorted(h["hash"] for h in stored.Ok)


@update
def install(target: Principal, module_hash: blob) -> Async[str]:
    r: CallResult[None] = yield management_canister.install_chunked_code(
        {
            "mode": {"install": None},
            "target_canister": target,
            "store_canister": None,
            "chunk_hashes_list": [{"hash": hashlib.sha256(c).digest()} for c in CHUNKS],
            "wasm_module_hash": module_hash,
            "arg": b"",
            "sender_canister_version": None,
        }
    )
    return "installed" if r.Err is None else r.Err


@update
def installed_hash(target: Principal) -> Async[blob]:
    r: CallResult[CanisterStatusResult] = yield management_canister.canister_status(
        {"canister_id": target}
    )
    return r.Ok["module_hash"] or b""


@update
def clear(target: Principal) -> Async[int]:
    yield management_canister.clear_chunk_store({"canister_id": target})
    stored: CallResult[Vec[ChunkHash]] = yield management_canister.stored_chunks(
        {"canister_id": target}
    )
    return len(stored.Ok)


@update
def whole_module_hash() -> blob:
    return hashlib.sha256(MODULE).digest()
"""


def test_a_python_canister_installs_a_module_from_chunks(
    replica: Replica, tmp_path: Path
) -> None:
    main = tmp_path / "main.py"
    main.write_text(CANISTER)
    c = replica.deploy(main)
    target = c.create()
    module = b"\x00asm\x01\x00\x00\x00" + b"\x00\x05\x04name"
    chunks = [module[:8], module[8:]]
    answer: list[bytes] = c.upload(target)
    hashes, separator, stored = answer[:2], answer[2], answer[3:]
    assert separator == b"--"
    assert hashes == [hashlib.sha256(x).digest() for x in chunks]
    assert stored == sorted(hashes)
    assert c.whole_module_hash() == hashlib.sha256(module).digest()

    # A module hash that is not the chunks' module: refused, nothing installed.
    refused = c.install(target, bytes(32))
    assert refused != "installed" and "hash" in refused.lower(), refused
    assert c.installed_hash(target) == b""

    assert c.install(target, hashlib.sha256(module).digest()) == "installed"
    assert c.installed_hash(target) == hashlib.sha256(module).digest()
    assert c.clear(target) == 0
