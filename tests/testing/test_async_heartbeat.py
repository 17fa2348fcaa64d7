"""An `async def` heartbeat makes a cross-canister call on every beat, driven by `tick()`."""

import shutil
from pathlib import Path

from kybra.testing import Replica

HERE = Path(__file__).resolve().parent


def test_an_async_heartbeat_awaits_a_call_each_beat(
    replica: Replica, tmp_path: Path
) -> None:
    project = shutil.copytree(HERE / "projects" / "heartbeat", tmp_path / "heartbeat")
    c = replica.deploy(project, name="heartbeat")
    replica.tick()
    first = c.beats()
    assert first >= 1
    replica.tick(3)
    assert c.beats() >= first + 3
    assert c.logged() == c.beats()
