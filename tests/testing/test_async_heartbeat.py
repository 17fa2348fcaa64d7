"""A heartbeat makes a cross-canister call on every beat, driven by `tick()`: written as
`async def` with `await`, and as the original Kybra wrote it, `-> Async[void]` with `yield`."""

import shutil
from pathlib import Path

import pytest

from kybra.testing import Replica

HERE = Path(__file__).resolve().parent


GENERATOR = """@heartbeat
def beat() -> Async[void]:
    global seen
    result = yield Me(ic.id()).beats()
"""


@pytest.mark.parametrize("style", ["async def", "Async[void] generator"])
def test_a_heartbeat_awaits_a_call_each_beat(
    replica: Replica, tmp_path: Path, style: str
) -> None:
    project = shutil.copytree(HERE / "projects" / "heartbeat", tmp_path / "heartbeat")
    if style != "async def":
        main = project / "src" / "main.py"
        source = main.read_text()
        coroutine = (
            "@heartbeat\nasync def beat() -> void:\n    global seen\n"
            "    result = await Me(ic.id()).beats()\n"
        )
        assert coroutine in source
        source = source.replace(coroutine, GENERATOR)
        main.write_text(
            source.replace("from kybra import ", "from kybra import Async, ")
        )
    c = replica.deploy(project, name="heartbeat")
    replica.tick()
    first = c.beats()
    assert first >= 1
    replica.tick(3)
    assert c.beats() >= first + 3
    assert c.logged() == c.beats()
