"""The cycles wallet on the local network, as dfx users know it: `kybra canister call
--with-cycles` makes the identity a wallet the first time (dfx's habit) and forwards the call
through it; `kybra identity get-wallet|set-wallet|deploy-wallet`, `kybra wallet
balance|send|authorize|deauthorize|custodians|controllers`, `kybra canister create|deploy
--wallet`, and each one's bad input, which changes nothing. The wallet is driven through
ic-utils' `WalletCanister`, dfx's own client. Mainnet's way with a wallet (paid from the
cycles ledger) is in test_network_url.py."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, Project, copy_project, served

MISC = "misc"
HELLO = "kybra_hello_world"


def wallet_cycles(project: Project, *args: str) -> int:
    out = project.kybra("wallet", "balance", "--precise", *args).stdout
    found = re.fullmatch(r"(\d+) cycles\.\n", out)
    assert found, out
    return int(found.group(1))


def canister_cycles(project: Project, name: str) -> int:
    out = project.kybra("canister", "status", name).stdout
    found = re.search(r"Balance: ([\d_,]+) Cycles", out)
    assert found, out
    return int(re.sub(r"[_,]", "", found.group(1)))


def test_a_call_with_cycles_goes_through_the_identitys_wallet(
    running: Project,
) -> None:
    running.kybra("identity", "new", "e2e_payer", "--force")
    me = ("--identity", "e2e_payer")
    assert "no cycles wallet" in running.fails("identity", "get-wallet", *me)

    out = running.kybra(
        "canister", "call", MISC, "receive_cycles", "--with-cycles", "1000000", *me
    ).stdout
    assert "Creating a cycles wallet" in out, out
    assert out.strip().endswith("(500_000 : nat64)"), out  # half kept, half refunded
    wallet = running.kybra("identity", "get-wallet", *me).stdout.strip()
    assert wallet in out
    balance = wallet_cycles(running, *me)
    assert balance == 100_000_000_000_000 - 500_000
    assert running.kybra("wallet", "controllers", *me).stdout.split() == [
        running.principal("e2e_payer")
    ]

    # Bad input changes nothing.
    too_much = running.fails(
        "canister", "call", MISC, "receive_cycles", "--with-cycles", str(10**18), *me
    )
    assert "fewer than the" in too_much and wallet in too_much, too_much
    query = running.fails("canister", "call", MISC, "whoami", "--with-cycles", "1", *me)
    assert "a query cannot carry cycles" in query, query
    assert "not a principal" in running.fails(
        "canister",
        "call",
        MISC,
        "receive_cycles",
        "--with-cycles",
        "1",
        "--wallet",
        "not-a-wallet",
        *me,
    )
    assert wallet_cycles(running, *me) == balance

    # Sending cycles to a canister.
    before = canister_cycles(running, MISC)
    sent = running.kybra("wallet", "send", MISC, "2000000000", *me).stdout
    assert "Sent 0.002 TC" in sent, sent
    assert canister_cycles(running, MISC) == before + 2_000_000_000
    assert wallet_cycles(running, *me) == balance - 2_000_000_000
    assert "fewer than the" in running.fails("wallet", "send", MISC, str(10**18), *me)


def test_custodians_spend_and_others_are_refused(running: Project) -> None:
    running.kybra("identity", "new", "e2e_owner", "--force")
    running.kybra("identity", "new", "e2e_friend", "--force")
    owner, friend = ("--identity", "e2e_owner"), ("--identity", "e2e_friend")
    running.kybra("identity", "deploy-wallet", *owner)
    wallet = running.kybra("identity", "get-wallet", *owner).stdout.strip()

    # The friend names the owner's wallet, but may not spend from it yet.
    running.kybra("identity", "set-wallet", wallet, *friend)
    refused = running.fails("wallet", "balance", *friend)
    assert "neither a controller nor a custodian" in refused, refused
    refused = running.fails(
        "canister", "call", MISC, "receive_cycles", "--with-cycles", "10", *friend
    )
    assert "neither a controller nor a custodian" in refused, refused

    friend_principal = running.principal("e2e_friend")
    assert "is not a principal" in running.fails("wallet", "authorize", "me", *owner)
    assert "is not a controller of this wallet" in running.fails(
        "wallet", "authorize", friend_principal, *friend
    )
    running.kybra("wallet", "authorize", friend_principal, *owner)
    assert running.kybra("wallet", "custodians", *owner).stdout.split() == [
        friend_principal
    ]
    out = running.call(MISC, "receive_cycles", "--with-cycles", "10", *friend)
    assert out == "(5 : nat64)", out
    running.kybra("wallet", "deauthorize", friend_principal, *owner)
    assert running.kybra("wallet", "custodians", *owner).stdout.strip() == ""
    assert "not a custodian" in running.fails(
        "wallet", "deauthorize", friend_principal, *owner
    )
    assert "neither a controller" in running.fails("wallet", "balance", *friend)


def test_wallet_commands_refuse_what_is_not_a_wallet(running: Project) -> None:
    hello = running.kybra("canister", "id", HELLO).stdout.strip()
    not_wallet = running.fails("identity", "set-wallet", hello)
    assert "does not answer as a cycles wallet" in not_wallet, not_wallet
    has_code = running.fails("identity", "deploy-wallet", hello)
    assert "already has code" in has_code, has_code
    assert "is not a canister id" in running.fails("identity", "set-wallet", "nope")


def test_canisters_created_through_a_wallet(tmp_path: Path) -> None:
    fresh = copy_project(REPO / "examples" / "hello_world", tmp_path / "paid")
    with served(fresh, False):
        fresh.kybra("identity", "deploy-wallet", "--with-cycles", "5000000000000")
        wallet = fresh.kybra("identity", "get-wallet").stdout.strip()
        assert wallet_cycles(fresh) == 5_000_000_000_000

        # More than the wallet holds: refused, nothing created, nothing spent.
        refused = fresh.fails("deploy", HELLO, "--wallet", "--with-cycles", str(10**16))
        assert "fewer than the" in refused, refused
        assert "has no id" in fresh.fails("canister", "id", HELLO)
        assert wallet_cycles(fresh) == 5_000_000_000_000

        out = fresh.kybra(
            "deploy", HELLO, "--wallet", "--with-cycles", "2000000000000"
        ).stdout
        assert "paid from the cycles wallet" in out, out
        assert wallet_cycles(fresh) == 3_000_000_000_000
        assert canister_cycles(fresh, HELLO) == 2_000_000_000_000
        status = fresh.kybra("canister", "status", HELLO).stdout
        assert wallet in status and fresh.principal() in status, status
        fresh.call(HELLO, "set_message", '("paid by the wallet")')
        assert fresh.call(HELLO, "get_message") == '("paid by the wallet")'
