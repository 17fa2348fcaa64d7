"""The book's timers sample (`examples/timers`): timers fire when time is advanced and
the replica ticks — no sleeping; the cross-canister timers' `raw_rand` calls complete
within the tick."""

from pathlib import Path

from kybra.testing import Replica


def test_timers_fire_on_advance_time_and_tick(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "timers")
    ids = c.set_timers(10, 3)
    assert set(ids) == {
        "single",
        "inline",
        "capture",
        "repeat",
        "single_cross_canister",
        "repeat_cross_canister",
    }
    replica.tick()
    assert c.status_report()["repeat"] == 0

    replica.advance_time(3)
    replica.tick()
    report = c.status_report()
    assert report["repeat"] == 1
    assert report["single"] is False
    assert len(report["repeat_cross_canister"]) == 32

    replica.advance_time(3)
    replica.tick()
    replica.advance_time(3)
    replica.tick()
    assert c.status_report()["repeat"] == 3

    replica.advance_time(1)
    replica.tick()
    report = c.status_report()
    assert report["single"] is True
    assert report["inline"] == 1
    assert report["capture"] == "\rightarrow"
    assert len(report["single_cross_canister"]) == 32
    assert len(report["repeat_cross_canister"]) == 3 * 32
    assert report["single_cross_canister"] not in report["repeat_cross_canister"]
    logs = "\n".join(c.logs())
    assert "one_time_timer_callback called" in logs
    assert "Inline timer called" in logs


def test_a_cleared_interval_stops(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "timers")
    ids = c.set_timers(100, 5)
    replica.advance_time(5)
    replica.tick()
    assert c.status_report()["repeat"] == 1
    c.clear_timer(ids["repeat"])
    for _ in range(3):
        replica.advance_time(5)
        replica.tick()
    assert c.status_report()["repeat"] == 1
    assert f"timer {ids['repeat']} cancelled" in "\n".join(c.logs())


def test_time_is_fixed_until_advanced(replica: Replica) -> None:
    start = replica.time_nanos
    replica.tick()
    assert replica.time_nanos == start
    replica.advance_time(1.5)
    assert replica.time_nanos == start + 1_500_000_000


def test_a_heartbeat_runs_once_per_tick(replica: Replica, projects: Path) -> None:
    """The book's heartbeat sample (`examples/lifecycle`, canister `heartbeat`)."""
    c = replica.deploy(projects / "lifecycle", "heartbeat")

    def beats() -> int:
        return sum("this runs ~1 time per second" in line for line in c.logs())

    assert beats() == 0
    assert replica.tick(3)[1] == 3
    assert beats() == 3
