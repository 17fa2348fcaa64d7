"""Benchmark: one test call through `kybra.testing` (in-process replica) beside the same
call over HTTP with an agent (ic-py against `kybra start`), on the book's hello world.

Prints a markdown table: per-call wall time (median and p90 over N calls) of the query
`get_message` and the update `set_message`, and the one-off costs (replica start + deploy).
Nothing is asserted. Run by `bash benches/run.sh` (or `.venv/bin/python benches/testing_call.py [N]`).
"""

from __future__ import annotations

import importlib
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kybra.testing import Replica, find_kybra

REPO = Path(__file__).resolve().parents[1]
NAME = "kybra_hello_world"


def timed(n: int, call: Callable[[int], object]) -> tuple[float, float]:
    """Median and p90 wall time of `call`, in microseconds."""
    times: list[float] = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        times.append((time.perf_counter() - start) * 1e6)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def ic(module: str) -> Any:
    """A module of ic-py (it ships no type information)."""
    return importlib.import_module(f"ic.{module}")


def in_process(project: Path, n: int) -> dict[str, Any]:
    start = time.perf_counter()
    with Replica() as r:
        c = r.deploy(project, NAME)
        setup = time.perf_counter() - start
        c.set_message("warm")
        c.get_message()
        query = timed(n, lambda _: c.get_message())
        update = timed(n, lambda i: c.set_message(f"message {i}"))
        check(c.get_message(), n)
    return {"setup": setup, "query": query, "update": update}


def check(last: object, n: int) -> None:
    """The last update's text must be what `get_message` answers: else no figure counts."""
    if last != f"message {n - 1}":
        raise SystemExit(
            f"testing_call: get_message answered {last!r} after {n} updates"
        )


def over_http(project: Path, n: int) -> dict[str, Any]:
    kybra = str(find_kybra())
    url = f"127.0.0.1:{free_port()}"
    start = time.perf_counter()
    subprocess.run(
        [kybra, "start", "--background", "--clean", "--host", url],
        cwd=project,
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(
            [kybra, "deploy", NAME], cwd=project, check=True, capture_output=True
        )
        setup = time.perf_counter() - start
        ids = json.loads(
            (project / ".kybra" / "local" / "canister_ids.json").read_text()
        )
        cid = ids[NAME]["local"]
        agent = ic("agent").Agent(
            ic("identity").Identity(anonymous=True),
            ic("client").Client(url=f"http://{url}"),
        )
        candid = ic("candid")
        no_args = candid.encode([])

        def text(v: str) -> Any:
            return candid.encode([{"type": candid.Types.Text, "value": v}])

        agent.update_raw(cid, "set_message", text("warm"))
        agent.query_raw(cid, "get_message", no_args)
        query = timed(n, lambda _: agent.query_raw(cid, "get_message", no_args))
        update = timed(
            n, lambda i: agent.update_raw(cid, "set_message", text(f"message {i}"))
        )
        check(agent.query_raw(cid, "get_message", no_args)[0]["value"], n)
    finally:
        subprocess.run([kybra, "stop"], cwd=project, check=False, capture_output=True)
    return {"setup": setup, "query": query, "update": update}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "hello_world"
        shutil.copytree(REPO / "examples" / "hello_world", project)
        subprocess.run(
            [str(find_kybra()), "build", NAME],
            cwd=project,
            check=True,
            capture_output=True,
        )
        local = in_process(project, n)
        http = over_http(project, n)
    print(
        f"\n## 8. A test call: kybra.testing (in process) vs HTTP with an agent (ic-py), hello world, {n} calls each\n"
    )
    print("| | kybra.testing | HTTP + ic-py | ratio |")
    print("|---|---:|---:|---:|")
    for kind, label in (
        ("query", "query `get_message`"),
        ("update", "update `set_message`"),
    ):
        for i, stat in enumerate(("median", "p90")):
            a, b = local[kind][i], http[kind][i]
            print(f"| {label}, {stat} | {a:,.0f} µs | {b:,.0f} µs | {b / a:,.1f}× |")
    print(
        f"| start + deploy (built already) | {local['setup']:.2f} s | {http['setup']:.2f} s | {http['setup'] / local['setup']:,.1f}× |"
    )


if __name__ == "__main__":
    main()
