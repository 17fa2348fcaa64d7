"""End-to-end: cross-canister calls from Python on the HTTP replica, through the CLI.

`examples/cross_canister/` holds the book's samples (token/payout, composite query,
notify, cycles, call_raw, rejections), deployed at the ids the book hard-codes
(dfx.json `specified_id`); `examples/call_chain/` is a three-canister chain A -> B -> C
that finds its peers through dfx's `CANISTER_ID_<NAME>` variables, written with
`async def`/`await` (A) and generators (B)."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator

import pytest
from conftest import REPO, Project, copy_project, served


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("xc") / "cross_canister"
    with served(
        copy_project(REPO / "examples" / "cross_canister", root), deploy=False
    ) as p:
        for name in ("token", "payout", "some_canister", "cycles", "caller"):
            p.kybra("deploy", name)
        yield p


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("chain") / "call_chain"
    with served(copy_project(REPO / "examples" / "call_chain", root)) as p:
        yield p


def nat(text: str) -> int:
    """The first number in Candid text such as `(1_000 : nat64)`."""
    found = re.search(r"\d[\d_]*", text)
    assert found, text
    return int(found.group(0).replace("_", ""))


def test_payout_calls_the_token_canister(book: Project) -> None:
    payout = book.kybra("canister", "id", "payout").stdout.strip()
    someone = book.principal()
    # The payout canister owns nothing yet: the token canister says so, as a variant.
    refused = book.call("payout", "payout", f'(principal "{someone}", 5)')
    assert "Err" in refused and "InsufficientBalance" in refused, refused
    book.call("token", "mint", f'(principal "{payout}", 100)')
    assert (
        book.call("payout", "payout", f'(principal "{someone}", 30)')
        == "(variant { Ok = 30 : nat64 })"
    )
    assert nat(book.call("token", "balance", f'(principal "{someone}")')) == 30
    assert nat(book.call("token", "balance", f'(principal "{payout}")')) == 70


def test_composite_query_calls_a_query(book: Project) -> None:
    assert book.call("caller", "query_some_canister") == "(variant { Ok = true })"
    did = (book.root / ".kybra" / "caller" / "caller.did").read_text()
    assert (
        "query_some_canister : () -> (QuerySomeCanisterResult) composite_query;" in did
    )


def test_notify_reaches_the_other_canister(book: Project) -> None:
    assert book.call("caller", "send_notification") == "(variant { Ok })"
    assert book.call("caller", "send_notification_raw") == "(variant { Ok = true })"
    deadline = time.monotonic() + 10
    seen = book.call("some_canister", "get_notifications")
    while "This is the notification" not in seen and time.monotonic() < deadline:
        time.sleep(0.2)
        seen = book.call("some_canister", "get_notifications")
    assert "This is the notification" in seen, seen


def test_cycles_are_attached_and_refunded(book: Project) -> None:
    # The cycles canister keeps half of what it is sent: half comes back.
    assert book.call("caller", "send_cycles") == "(variant { Ok = 500_000 : nat64 })"
    assert book.call("caller", "send_cycles128") == "(variant { Ok = 500_000 : nat })"
    assert book.call("caller", "send_cycles128_notify") == "(variant { Ok })"


def test_call_raw(book: Project) -> None:
    some = book.kybra("canister", "id", "some_canister").stdout.strip()
    answer = book.call(
        "caller",
        "execute_call_raw128",
        f'(principal "{some}", "query_for_boolean", "()", 0)',
    )
    assert answer == '(variant { Ok = "(true)" })', answer


def test_rejections(book: Project) -> None:
    # Nothing lives at rkp4c-7iaaa-aaaaa-aaaca-cai yet.
    code = book.call("caller", "get_rejection_code_destination_invalid")
    assert code == "(variant { DestinationInvalid })", code
    book.kybra("deploy", "rejector")
    message = book.call("caller", "get_rejection_message", '("nope, not today")')
    assert message == '("nope, not today")', message


def test_kybra_build_sees_the_ids_deploy_saw(chain: Project) -> None:
    # As `dfx build`, `kybra build` sets CANISTER_ID_<NAME> for canisters that exist, so
    # it rebuilds exactly the module `kybra deploy` installed.
    chain.kybra("build", "a")
    built = hashlib.sha256(
        (chain.root / ".kybra" / "a" / "a.wasm.gz").read_bytes()
    ).hexdigest()
    assert f"Module hash: 0x{built}" in chain.kybra("canister", "status", "a").stdout


def test_a_calls_b_calls_c(chain: Project) -> None:
    first = nat(chain.call("a", "chain", "(5)"))
    assert nat(chain.call("a", "chain", "(2)")) == first + 2
    # B's composite query reads C; so does A's `async def` query.
    assert nat(chain.call("b", "c_count")) == first + 2
    assert nat(chain.call("a", "c_count")) == first + 2


def test_cycles_go_down_the_chain_and_come_back(chain: Project) -> None:
    report = chain.call("a", "cycles_through_b", "(1_000_000)")
    # B accepts half and forwards it, C keeps half of that; A gets back what B left.
    assert "kept_by_c = 250_000" in report and "refunded = 500_000" in report, report


def test_a_rejection_from_c_reaches_a(chain: Project) -> None:
    report = chain.call("a", "refusal_through_b", '("no thanks")')
    assert "code = variant { CanisterReject }" in report, report
    assert 'message = "CanisterReject: no thanks"' in report, report
    assert "Rejection code 4 (CanisterReject): CanisterReject: no thanks" in report, (
        report
    )


def test_state_before_an_await_is_kept_and_a_trap_after_it_rolls_back_only_the_callback(
    chain: Project,
) -> None:
    before = nat(chain.call("a", "get_counter"))
    c_before = nat(chain.call("a", "c_count"))
    failed = chain.fails("canister", "call", "a", "commit_then_fail")
    assert "failed after the await" in failed, failed
    assert nat(chain.call("a", "get_counter")) == before + 1
    assert nat(chain.call("a", "c_count")) == c_before + 1


def test_many_calls_in_flight(chain: Project) -> None:
    start = nat(chain.call("a", "c_count"))
    answer = chain.call("a", "many_at_once", "(4)")
    values = [
        int(v.replace("_", "")) for v in re.findall(r"(\d[\d_]*) : nat64", answer)
    ]
    assert values == [start + 1, start + 2, start + 3, start + 4], answer


def test_misused_calls_are_clear_errors_and_change_nothing(chain: Project) -> None:
    before = nat(chain.call("a", "c_count"))
    errors = chain.call("a", "bad_calls")
    assert (
        "`C.bump`: argument 1: value: expected nat64, got str" in errors
        and "five" in errors
    ), errors
    assert (
        "may only yield (or await) cross-canister calls" in errors
        and "yielded a `int`" in errors
    ), errors
    assert nat(chain.call("a", "c_count")) == before
    answer = chain.call("a", "plain_query_calls")
    assert (
        "cannot make cross-canister calls" in answer and "composite query" in answer
    ), answer


def test_nested_generators_delegate_their_calls(chain: Project) -> None:
    assert nat(chain.call("a", "nested")) == 1


def test_a_yielded_generator_runs_to_its_end(chain: Project) -> None:
    before = nat(chain.call("c", "get"))
    answer = chain.call("a", "nested_by_yield")
    assert "1: the helper failed after its call" in answer, answer
    assert nat(chain.call("c", "get")) == before + 3, "each helper's calls were made"


def test_a_composite_query_cannot_call_an_update(chain: Project) -> None:
    answer = chain.call("a", "composite_calls_update")
    assert "Rejection code" in answer and "the update was allowed" not in answer, answer


def test_an_async_timer_makes_a_call(chain: Project) -> None:
    chain.call("a", "start_timer")
    deadline = time.monotonic() + 10
    while nat(chain.call("a", "get_timer_result")) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert nat(chain.call("a", "get_timer_result")) > 0
