"""The runtime's foundation behaviours on a real replica: traps and exceptions roll back,
the instruction limit stops a runaway query and the replica keeps serving, `print` and
`ic.print` reach the log, and the basic `ic` API answers, including the subnet and the
root key the served replica signs with."""

from __future__ import annotations

import re
import urllib.request

import cbor2
from conftest import Project
from test_agents import replica_url

from kybra import Principal

MISC = "misc"


def state(p: Project) -> str:
    return p.call(MISC, "get_state")


def test_update_that_traps_changes_nothing(running: Project) -> None:
    running.call(MISC, "increment")
    before = state(running)
    message = running.fails("canister", "call", MISC, "set_then_trap", '("lost")')
    assert "set_then_trap refused lost" in message
    assert state(running) == before


def test_uncaught_exception_traps_with_type_message_and_line(running: Project) -> None:
    before = state(running)
    message = running.fails("canister", "call", MISC, "set_then_raise", '("oops")')
    assert "ValueError" in message and "bad value oops" in message
    assert re.search(r"main\.py:\d+", message), message
    assert state(running) == before


def test_runaway_query_hits_the_instruction_limit(running: Project) -> None:
    message = running.fails("canister", "call", MISC, "spin")
    assert "instruction" in message.lower(), message
    # The replica keeps serving.
    assert running.call(MISC, "increment").startswith("(")


def test_print_and_ic_print_reach_the_log(running: Project) -> None:
    assert running.call(MISC, "shout", '("hi there")') == '("HI THERE")'
    log = (running.root / ".kybra" / "local" / "replica.log").read_text()
    assert "print says hi there" in log
    assert "ic.print says hi there" in log


def test_ic_api_basics(running: Project) -> None:
    assert (
        running.call(MISC, "whoami") == f'("{running.principal()}")'
    )  # the CLI's identity
    canister_id = running.kybra("canister", "id", MISC).stdout.strip()
    assert running.call(MISC, "self_id") == f'("{canister_id}")'
    now = int(re.sub(r"[^0-9]", "", running.call(MISC, "now")))
    assert now > 1_700_000_000 * 10**9


def test_nat8_out_of_range_argument_is_refused(running: Project) -> None:
    assert running.call(MISC, "echo_nat8", "(255)") == "(255 : nat8)"
    message = running.fails("canister", "call", MISC, "echo_nat8", "(300)")
    assert "nat8" in message


def test_wrong_return_value_traps(running: Project) -> None:
    message = running.fails("canister", "call", MISC, "bad_return")
    assert "bad_return" in message and "nat8" in message


def test_the_root_key_is_the_one_agents_fetch(running: Project) -> None:
    with urllib.request.urlopen(f"{replica_url(running)}/api/v2/status") as r:
        status = cbor2.loads(r.read())
    root_key: bytes = status["root_key"]
    assert running.call_json(MISC, "root_key_hex") == root_key.hex()
    # The subnet's id is its root key's self-authenticating principal (one subnet here).
    subnet = Principal.self_authenticating(root_key).to_str()
    assert running.call_json(MISC, "subnet") == subnet
