"""End-to-end: the book's timers sample (`examples/timers/`) deployed with the `kybra` CLI
to a local replica in wall-clock mode, where the replica fires due timers on its own:
one-shot, lambda and closure timers fire once, the interval timer repeats until
`clear_timer` stops it, and the two cross-canister timers get `raw_rand`'s bytes."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
from conftest import REPO, Project, copy_project, served

TIMEOUT_SECONDS = 10.0


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("timers") / "timers"
    with served(copy_project(REPO / "examples" / "timers", root)) as p:
        yield p


def field(text: str, name: str) -> str:
    """The value of record field `name` in Candid text such as `record { repeat = 2 : nat8; }`."""
    found = re.search(rf"\b{name} = ([^;]*?)(?: : \w+)?;", text)
    assert found, f"no field `{name}` in {text}"
    return found.group(1)


def status(project: Project) -> str:
    return project.call("timers", "status_report")


def wait_for(project: Project, done: Callable[[str], bool]) -> str:
    deadline = time.monotonic() + TIMEOUT_SECONDS
    report = status(project)
    while not done(report) and time.monotonic() < deadline:
        time.sleep(0.3)
        report = status(project)
    return report


def test_timers_fire_and_a_cleared_interval_stops(project: Project) -> None:
    ids = project.call("timers", "set_timers", "(1, 1)")
    repeat_id = int(field(ids, "repeat").replace("_", ""))

    report = wait_for(
        project,
        lambda r: (
            field(r, "single") == "true"
            and field(r, "inline") == "1"
            and field(r, "capture") != '""'
            and int(field(r, "repeat")) >= 2
            and 'single_cross_canister = blob "";' not in r
            and 'repeat_cross_canister = blob "";' not in r
        ),
    )
    # raw_rand's bytes arrived (a blob may hold any byte: look for the empty one only).
    assert 'single_cross_canister = blob "";' not in report, report
    assert 'repeat_cross_canister = blob "";' not in report, report
    assert field(report, "single") == "true", report
    assert field(report, "inline") == "1", report
    assert field(report, "capture") == '"\\rightarrow"', report
    assert int(field(report, "repeat")) >= 2, report

    project.call("timers", "clear_timer", f"({repeat_id} : nat64)")
    stopped = int(field(status(project), "repeat"))
    time.sleep(2.5)
    assert int(field(status(project), "repeat")) == stopped, (
        "the interval ran after clear_timer"
    )
    # The one-shot timers fired once only.
    assert field(status(project), "inline") == "1"
