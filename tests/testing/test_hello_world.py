"""The book's hello world (`examples/hello_world`) through kybra.testing."""

from pathlib import Path

from kybra.testing import Replica


def test_set_then_get_message(projects: Path) -> None:
    with Replica() as r:
        c = r.deploy(projects / "hello_world")
        assert c.get_message() == ""
        assert c.set_message("hi") is None
        assert c.get_message() == "hi"


def test_methods_keep_their_kind_and_report_instructions(projects: Path) -> None:
    with Replica() as r:
        c = r.deploy(projects / "hello_world")
        assert c.methods() == {"get_message": "query", "set_message": "update"}
        c.set_message("a" * 1000)
        after_update = c.last_instructions
        assert after_update is not None and after_update > 0
        assert c.get_message() == "a" * 1000
        assert c.last_instructions is not None and c.last_instructions > 0


def test_the_fixture_gives_a_fresh_replica_per_test(
    replica: Replica, projects: Path
) -> None:
    c = replica.deploy(projects / "hello_world")
    assert c.get_message() == ""
    assert str(c.id) == "bkyz2-fmaaa-aaaaa-qaaaq-cai"  # the first canister, as dfx's
