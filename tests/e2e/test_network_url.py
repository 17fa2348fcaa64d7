"""Mainnet's way, end to end: `--network URL` against a second replica started with
`kybra start --mainnet-like` (mainnet is unreachable from here, so this replica behaves like
it: no provisional API for users, canisters created through the cycles ledger and paid with
the identity's cycles). The flow: an unfunded deploy fails and creates nothing; the faucet
funds the identity with ICP; ICP is converted into cycles through the cycles minting canister;
`kybra deploy --network URL` creates the canister through the cycles ledger and records its
id in `canister_ids.json` at the project root; the canister is called, topped up three ways,
and its logs read; the local canister stays apart."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, Project, copy_project, served
from test_agents import replica_url

HELLO = "kybra_hello_world"


@pytest.fixture(scope="module")
def other_replica(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second, mainnet-like replica, started from a project of its own; yields its URL."""
    base = tmp_path_factory.mktemp("other")
    holder = copy_project(REPO / "examples" / "hello_world", base / "holder")
    with served(holder, False, "--mainnet-like"):
        yield replica_url(holder)


def cycles_of(project: Project, url: str, *args: str) -> int:
    """The identity's cycles on the cycles ledger, from `kybra cycles balance`."""
    out = project.kybra("cycles", "balance", "--network", url, *args).stdout
    found = re.search(r"\((\d+) cycles\)", out)
    assert found, out
    return int(found.group(1))


def canister_cycles(project: Project, url: str) -> int:
    out = project.kybra("canister", "status", HELLO, "--network", url).stdout
    found = re.search(r"Balance: ([\d_,]+) Cycles", out)
    assert found, out
    return int(re.sub(r"[_,]", "", found.group(1)))


def test_an_unfunded_deploy_fails_clearly_and_creates_nothing(
    other_replica: str, tmp_path: Path
) -> None:
    fresh = copy_project(REPO / "examples" / "hello_world", tmp_path / "fresh")
    fresh.kybra("identity", "new", "e2e_unfunded", "--force")
    message = fresh.fails(
        "deploy", HELLO, "--network", other_replica, "--identity", "e2e_unfunded"
    )
    assert "costs" in message and "cycles ledger" in message, message
    assert "kybra cycles convert" in message and "kybra ledger faucet" in message
    assert not (fresh.root / "canister_ids.json").exists()
    # Nor does the provisional API exist here, as on mainnet.
    refused = fresh.fails(
        "ledger",
        "fabricate-cycles",
        "--canister",
        "ryjl3-tyaaa-aaaaa-aaaba-cai",  # the ICP ledger: inside the ranges
        "--network",
        other_replica,
    )
    assert "mainnet-like" in refused, refused


def test_the_mainnet_flow_on_a_mainnet_like_replica(
    running: Project, other_replica: str
) -> None:
    url = other_replica
    local_id = running.kybra("canister", "id", HELLO).stdout.strip()
    running.call(HELLO, "set_message", '("on the local replica")')

    # Fund: ICP from the faucet, then ICP → cycles through the cycles minting canister.
    funded = running.kybra("ledger", "faucet", "--icp", "10", "--network", url).stdout
    assert "10.00000000 ICP" in funded, funded
    assert (
        "10.00000000 ICP" in running.kybra("ledger", "balance", "--network", url).stdout
    )
    converted = running.kybra(
        "cycles", "convert", "--amount", "2", "--network", url
    ).stdout
    assert "7.000 TC" in converted, converted  # 2 ICP at 3.5 XDR per ICP
    assert cycles_of(running, url) == 7_000_000_000_000
    icp_left = running.kybra("ledger", "balance", "--network", url).stdout
    assert "7.99990000 ICP" in icp_left, icp_left  # 10 − 2 − the fee

    # Deploy: created through the cycles ledger (1 T + its fee), id in canister_ids.json.
    out = running.kybra("deploy", HELLO, "--network", url).stdout
    assert "paid from the cycles ledger" in out, out
    remote_id = running.kybra("canister", "id", HELLO, "--network", url).stdout.strip()
    assert remote_id  # (two replicas may well give the same first id)
    ids = json.loads((running.root / "canister_ids.json").read_text())
    assert ids[HELLO] == {url: remote_id}, ids
    assert cycles_of(running, url) == 6_000_000_000_000 - 100_000_000

    # Call it; the local canister is untouched and keeps its id.
    running.call(HELLO, "set_message", '("on the other replica")', "--network", url)
    assert running.call(HELLO, "get_message", "--network", url) == (
        '("on the other replica")'
    )
    assert running.call(HELLO, "get_message") == '("on the local replica")'
    assert running.kybra("canister", "id", HELLO).stdout.strip() == local_id

    # Top up: from the identity's cycles, as dfx's deposit-cycles, and from its ICP.
    before = canister_cycles(running, url)
    running.kybra("cycles", "top-up", HELLO, "--t", "1", "--network", url)
    running.kybra("canister", "deposit-cycles", "500000000000", HELLO, "--network", url)
    topped = running.kybra(
        "cycles", "top-up", HELLO, "--icp", "1", "--network", url
    ).stdout
    assert "3.500 TC" in topped, topped
    after = canister_cycles(running, url)
    assert after - before >= 5_000_000_000_000 - 10_000_000_000, (before, after)
    assert cycles_of(running, url) == 6_000_000_000_000 - 100_000_000 - (
        1_500_000_000_000 + 200_000_000
    )
    # A top-up beyond the balance is refused and moves nothing.
    refused = running.fails("cycles", "top-up", HELLO, "--t", "100", "--network", url)
    assert "kybra cycles convert" in refused, refused
    # The logs, through the management canister.
    running.kybra("canister", "logs", HELLO, "--network", url)
    status = running.kybra("canister", "status", HELLO, "--network", url).stdout
    assert f"({remote_id})" in status and "Status: Running" in status


def test_a_name_not_deployed_on_that_network_says_how(
    running: Project, other_replica: str, tmp_path: Path
) -> None:
    fresh = copy_project(REPO / "examples" / "hello_world", tmp_path / "fresh")
    message = fresh.fails(
        "canister", "call", HELLO, "get_message", "--network", other_replica
    )
    assert f"kybra deploy {HELLO} --network {other_replica}" in message


def test_ledger_and_cycles_commands_and_their_bad_input(
    running: Project, other_replica: str
) -> None:
    url = other_replica
    running.kybra("identity", "new", "e2e_payee", "--force")
    payee = running.kybra(
        "identity", "get-principal", "--identity", "e2e_payee"
    ).stdout.strip()
    account = running.kybra(
        "ledger", "account-id", "--of-principal", payee
    ).stdout.strip()
    running.kybra("ledger", "faucet", "--icp", "1", "--t", "1", "--network", url)

    # ICP and cycles transfers, seen by account identifier and by principal.
    sent = running.kybra(
        "ledger", "transfer", "--to", account, "--amount", "0.25", "--network", url
    ).stdout
    assert "Transferred 0.25000000 ICP" in sent, sent
    for who in (["--account-id", account], ["--of-principal", payee]):
        balance = running.kybra("ledger", "balance", *who, "--network", url).stdout
        assert "0.25000000 ICP" in balance, balance
    running.kybra(
        "cycles",
        "transfer",
        "--to",
        payee,
        "--cycles",
        "500000000000",
        "--network",
        url,
    )
    assert cycles_of(running, url, "--of-principal", payee) == 500_000_000_000

    # Bad input: each refused with what to write, nothing moved.
    for args, says in [
        (
            ["ledger", "transfer", "--to", "abc", "--amount", "1"],
            "not an account identifier",
        ),
        (
            ["ledger", "transfer", "--to", account, "--amount", "1,5"],
            "not an amount of ICP",
        ),
        (
            ["ledger", "transfer", "--to", account, "--amount", "1000"],
            "kybra ledger faucet",
        ),
        (["cycles", "transfer", "--to", payee, "--t", "1000"], "kybra cycles convert"),
        (["cycles", "transfer", "--to", "nobody", "--t", "1"], "is not a principal"),
        (["cycles", "top-up", HELLO, "--network", url], "say how"),
        (
            ["cycles", "convert", "--amount", "5", "--identity", "e2e_payee"],
            "fund it first",
        ),
    ]:
        if "--network" not in args:
            args = [*args, "--network", url]
        message = running.fails(*args)
        assert says in message, (args, message)
    assert cycles_of(running, url, "--of-principal", payee) == 500_000_000_000
    balance = running.kybra(
        "ledger", "balance", "--of-principal", payee, "--network", url
    )
    assert "0.25000000 ICP" in balance.stdout
    # The faucet is for replicas of this machine only.
    refused = running.fails("ledger", "faucet", "--network", "ic")
    assert "replica of this machine only" in refused, refused


def test_a_cycles_wallet_pays_on_a_mainnet_like_replica(
    other_replica: str, tmp_path: Path
) -> None:
    url = other_replica
    fresh = copy_project(REPO / "examples" / "hello_world", tmp_path / "walleted")
    fresh.kybra("identity", "new", "e2e_wallet_owner", "--force")
    me = ("--network", url, "--identity", "e2e_wallet_owner")

    # No wallet and no cycles: each refusal says what to do; nothing is made.
    no_wallet = fresh.fails(
        "canister", "call", HELLO, "set_message", '("x")', "--with-cycles", "1", *me
    )
    assert "kybra deploy" in no_wallet, no_wallet  # not deployed there yet
    assert "kybra identity deploy-wallet" in fresh.fails("wallet", "balance", *me)
    unfunded = fresh.fails("identity", "deploy-wallet", *me)
    assert "kybra cycles convert" in unfunded, unfunded
    assert "no cycles wallet" in fresh.fails("identity", "get-wallet", *me)

    # Funded: the wallet's canister is paid from the cycles ledger, and pays in turn.
    fresh.kybra("ledger", "faucet", "--t", "10", *me)
    out = fresh.kybra(
        "identity", "deploy-wallet", "--with-cycles", "4000000000000", *me
    ).stdout
    assert "paid from the cycles ledger" in out, out
    wallet = fresh.kybra("identity", "get-wallet", *me).stdout.strip()
    assert wallet in out
    out = fresh.kybra("deploy", HELLO, "--wallet", *me).stdout
    assert "paid from the cycles wallet" in out, out
    remote_id = fresh.kybra("canister", "id", HELLO, *me).stdout.strip()
    ids = json.loads((fresh.root / "canister_ids.json").read_text())
    assert ids[HELLO] == {url: remote_id}, ids
    status = fresh.kybra("canister", "status", HELLO, *me).stdout
    assert wallet in status, status

    # A call carrying cycles, forwarded by the wallet; hello keeps none, so all come back.
    fresh.kybra(
        "canister",
        "call",
        HELLO,
        "set_message",
        '("paid")',
        "--with-cycles",
        "1000000",
        *me,
    )
    assert fresh.call(HELLO, "get_message", *me) == '("paid")'
    left = fresh.kybra("wallet", "balance", "--precise", *me).stdout
    found = re.fullmatch(r"(\d+) cycles\.\n", left)
    assert found, left
    # 4 T − the 1 T canister (− any fees of what it did); the call's cycles came back.
    assert 2_900_000_000_000 < int(found.group(1)) <= 3_000_000_000_000, left
