"""The book's Hello World, verbatim, built and deployed with the `kybra` command line and
called through the replica's HTTP interface, plus the bad-input paths around it."""

from __future__ import annotations

import gzip

from conftest import Project
from wasm import summarize

HELLO = "kybra_hello_world"


def test_book_flow_get_set_get(running: Project) -> None:
    assert running.call(HELLO, "get_message") == '("")'
    assert running.call(HELLO, "set_message", '("Hello World!")') == "()"
    assert running.call(HELLO, "get_message") == '("Hello World!")'


def test_build_outputs_and_module_shape(running: Project) -> None:
    out = running.root / ".kybra" / HELLO
    wasm = (out / f"{HELLO}.wasm").read_bytes()
    assert gzip.decompress((out / f"{HELLO}.wasm.gz").read_bytes()) == wasm
    did = (running.root / "src" / "main.did").read_text()
    assert (out / f"{HELLO}.did").read_text() == did
    assert "get_message : () -> (text) query" in did
    assert "set_message : (text) -> ()" in did

    module = summarize(wasm)
    assert {m for m, _ in module.imports} == {"ic0"}, module.imports
    assert module.custom["icp:public candid:service"].decode() == did
    assert module.custom["icp:public cdk"].decode().startswith("kybra ")
    assert "canister_query get_message" in module.exports
    assert "canister_update set_message" in module.exports
    assert not [e for e in module.exports if e.startswith("kybra")], module.exports
    post_install = out / "post_install.sh"
    assert post_install.exists() and post_install.stat().st_mode & 0o111


def test_wrong_argument_type_is_refused_and_changes_nothing(running: Project) -> None:
    before = running.call(HELLO, "get_message")
    message = running.fails("canister", "call", HELLO, "set_message", "(42)")
    assert "set_message" in message and "text" in message
    assert running.call(HELLO, "get_message") == before


def test_malformed_candid_is_refused(running: Project) -> None:
    before = running.call(HELLO, "get_message")
    message = running.fails("canister", "call", HELLO, "set_message", '("unterminated')
    assert "candid" in message.lower() or "parse" in message.lower(), message
    assert running.call(HELLO, "get_message") == before


def test_unknown_method_is_refused(running: Project) -> None:
    message = running.fails("canister", "call", HELLO, "no_such_method")
    assert "no_such_method" in message


def test_canister_id_is_remembered(running: Project) -> None:
    first = running.kybra("canister", "id", HELLO).stdout.strip()
    assert first.endswith("-cai")
    ids = (running.root / ".kybra" / "local" / "canister_ids.json").read_text()
    assert first in ids
