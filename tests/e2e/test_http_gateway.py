"""End-to-end: the book's HTTP chapter sample (`examples/http_counter/`) deployed with the
`kybra` CLI and fetched with real `curl` through the replica's HTTP gateway, both as
`http://<canister-id>.localhost:<port>/` and as `/?canisterId=<canister-id>`: the counter is
read, incremented by POST (upgraded to `http_request_update`), and streamed in several
chunks through the `http_streaming` callback."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from conftest import REPO, Project, copy_project, served

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None, reason="curl is not installed"
)


@dataclass
class Site:
    project: Project
    canister_id: str
    port: int

    def by_host(self, path: str) -> str:
        return f"http://{self.canister_id}.localhost:{self.port}{path}"

    def by_query(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}?canisterId={self.canister_id}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("http") / "http_counter"
    with served(copy_project(REPO / "examples" / "http_counter", root)) as p:
        url = json.loads((p.root / ".kybra" / "local" / "replica.json").read_text())[
            "url"
        ]
        port = int(url.rsplit(":", 1)[1])
        canister_id = p.kybra("canister", "id", "http_counter").stdout.strip()
        yield Site(p, canister_id, port)


def curl(site: Site, url: str, *args: str) -> tuple[int, bytes]:
    """Runs curl on `url` and returns (status code, body). `*.localhost` names resolve to
    the loopback address in curl itself (7.78+); `--resolve` makes that explicit."""
    host = url.split("/")[2]
    name = host.split(":")[0]
    out = subprocess.run(
        [
            "curl",
            "--silent",
            "--show-error",
            "--max-time",
            "60",
            "--resolve",
            f"{name}:{site.port}:127.0.0.1",
            "--write-out",
            "\n%{http_code}",
            *args,
            url,
        ],
        capture_output=True,
        check=True,
    ).stdout
    body, _, status = out.rpartition(b"\n")
    return int(status), body


def test_counter_is_read_and_incremented(site: Site) -> None:
    assert curl(site, site.by_host("/")) == (200, b"Counter is 0\n")
    assert curl(site, site.by_query("/")) == (200, b"Counter is 0\n")
    assert curl(site, site.by_host("/"), "-X", "POST") == (
        201,
        b"Counter updated to 1\n",
    )
    assert curl(site, site.by_query("/"), "-X", "POST") == (
        201,
        b"Counter updated to 2\n",
    )
    assert curl(site, site.by_host("/")) == (200, b"Counter is 2\n")


def test_streamed_body_comes_in_chunks(site: Site) -> None:
    counter = curl(site, site.by_host("/"))[1].decode().split()[-1]
    status, body = curl(site, site.by_host("/stream"))
    assert (status, body) == (200, f"Counter is {counter} (streamed)\n".encode())
    # --raw keeps the chunked transfer encoding: one chunk per callback reply.
    status, raw = curl(site, site.by_query("/stream"), "--raw")
    assert status == 200
    chunks: list[bytes] = []
    rest = raw
    while True:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        chunks.append(rest[:size])
        rest = rest[size + 2 :]
    assert chunks == [b"Counter", b" is ", counter.encode(), b" (streamed)\n"], raw


def test_errors_are_plain_text(site: Site) -> None:
    ghost = "bd3sg-teaaa-aaaaa-qaaba-cai"
    if ghost != site.canister_id:
        status, body = curl(site, f"http://127.0.0.1:{site.port}/?canisterId={ghost}")
        assert status == 404
        assert f"canister {ghost} does not exist".encode() in body
    status, body = curl(site, site.by_query("/"), "-X", "PUT")
    assert (status, body) == (400, b"Method PUT is not supported\n")
