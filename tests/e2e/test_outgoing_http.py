"""End-to-end: the book's outgoing HTTP sample (`examples/outgoing_http/`, ethereum JSON-RPC
with a transform) against a JSON-RPC server run by this test on 127.0.0.1; the replica
performs the requests for real. An unreachable URL comes back as a `CallResult` error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from conftest import REPO, Project, copy_project, free_port, served

NAME = "ethereum_json_rpc"


class JsonRpc(BaseHTTPRequestHandler):
    """Answers every POST with `{"jsonrpc", "id", "result": "<method>:<first param>"}`."""

    requests: ClassVar[list[dict[str, object]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        request = json.loads(self.rfile.read(length))
        JsonRpc.requests.append(request)
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": request["id"],
                "result": f"{request['method']}:{request['params'][0]}",
            }
        )
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("x-request-time", "varies between replicas")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), JsonRpc)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/rpc"
    httpd.shutdown()


@pytest.fixture(scope="module")
def project(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("outgoing") / "outgoing_http"
    with served(
        copy_project(REPO / "examples" / "outgoing_http", root), deploy=False
    ) as p:
        p.kybra("deploy", NAME, "--argument", f'("{server}")')
        yield p


def test_the_book_sample_posts_and_transforms(project: Project) -> None:
    answer = project.call(NAME, "eth_get_balance", '("0xabc")')
    expected = json.dumps({"jsonrpc": "2.0", "id": 1, "result": "eth_getBalance:0xabc"})
    assert answer == f"({json.dumps(expected)})", answer
    assert JsonRpc.requests[-1] == {
        "jsonrpc": "2.0",
        "method": "eth_getBalance",
        "params": ["0xabc", "earliest"],
        "id": 1,
    }
    answer = project.call(NAME, "eth_get_block_by_number", "(255)")
    assert "eth_getBlockByNumber:0xff" in answer, answer


def test_an_unreachable_url_is_an_error_value(project: Project) -> None:
    answer = project.call(NAME, "fetch", f'("http://127.0.0.1:{free_port()}/")')
    assert "Err = " in answer and "Rejection code 2 (SysTransient)" in answer, answer
