"""The book's stable structures sample (`examples/stable_structures`): a StableBTreeMap
whose contents survive upgrades and not reinstalls."""

from pathlib import Path

import pytest

from kybra.testing import Replica


def test_map_operations_in_key_order(replica: Replica, projects: Path) -> None:
    c = replica.deploy(projects / "stable_structures")
    assert c.is_empty() is True
    assert c.insert(3, "three") is None
    assert c.insert(1, "one") is None
    assert c.insert(3, "THREE") == "three"
    assert c.get(3) == "THREE"
    assert c.get(2) is None
    assert c.contains_key(1) is True
    assert c.keys() == bytes(
        [1, 3]
    )  # Vec[nat8] is Candid's blob: bytes, as in canisters
    assert c.values() == ["one", "THREE"]
    assert c.items() == [(1, "one"), (3, "THREE")]
    assert c.len() == 2
    assert c.remove(1) == "one"
    assert c.len() == 1


def test_contents_survive_an_upgrade_not_a_reinstall(
    replica: Replica, projects: Path
) -> None:
    c = replica.deploy(projects / "stable_structures")
    c.insert(7, "seven")
    c = replica.upgrade(c)
    assert c.get(7) == "seven"
    c = replica.reinstall(c)
    assert c.is_empty() is True


def test_a_value_out_of_range_is_refused_before_the_call(
    replica: Replica, projects: Path
) -> None:
    c = replica.deploy(projects / "stable_structures")
    with pytest.raises(TypeError, match="argument 1"):
        c.insert(300, "too big for nat8")
    with pytest.raises(TypeError, match="takes 2 arguments"):
        c.insert(1)
