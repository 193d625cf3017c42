"""The replay server as an attacker and a crowd meet it: raw sockets, hostile targets, 200 clients."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from catalog.hub.replay import ReplayServer
from catalog.hub.snapshot import Snapshot, write_snapshot

MODELS = [
    {"_id": f"oid{i}", "id": f"org/m{i}", "likes": i, "tags": ["gguf" if i % 2 else "onnx", f"t{i % 5}"]}
    for i in range(40)
]
INJECTION = (
    "/api/models/org/m1/revision/x%0d%0aContent-Type:%20text/html%0d%0aX-Injected:%201%0d%0a%0d%0a"
    "%3Cscript%3Ewindow.__pwned%3D1%3C/script%3E"
)
CHROMIUM = os.environ.get("CATALOG_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return write_snapshot(tmp_path_factory.mktemp("snap"), models=MODELS)


@pytest.fixture
def server(snapshot: Snapshot) -> Iterator[ReplayServer]:
    with ReplayServer(snapshot, page_size=5) as server:
        yield server


def _raw(server: ReplayServer, request: bytes) -> bytes:
    """Send ``request`` as bytes on a fresh socket; return every byte answered until the server closes."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _head(answer: bytes) -> tuple[str, list[tuple[str, str]], bytes]:
    """Split a raw answer into its status line, its header lines (name, value) and its body."""
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    return status, [tuple(line.split(": ", 1)) for line in lines], body  # type: ignore[misc]


def test_a_revision_cannot_set_headers_or_serve_html(server: ReplayServer) -> None:
    status, headers, body = _head(_raw(server, f"GET {INJECTION} HTTP/1.1\r\nHost: x\r\n\r\n".encode()))
    assert status == "HTTP/1.1 404 Not Found"
    assert [name for name, _ in headers] == [
        "Server",
        "Date",
        "Content-Length",
        "Content-Type",
        "X-Error-Message",
        "X-Error-Code",
    ]
    values = dict(headers)
    assert values["Content-Type"] == "application/json; charset=utf-8"
    assert values["X-Error-Message"] == (
        "Invalid rev id: x\\x0d\\x0aContent-Type: text/html\\x0d\\x0aX-Injected: 1\\x0d\\x0a\\x0d\\x0a"
        "<script>window.__pwned=1</script>"
    )
    assert orjson.loads(body) == {
        "error": "Invalid rev id: x\r\nContent-Type: text/html\r\nX-Injected: 1\r\n\r\n<script>window.__pwned=1</script>"
    }


def test_the_injection_runs_no_script_in_chromium(server: ReplayServer) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium, or set CATALOG_CHROMIUM")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            response = page.goto(server.url + INJECTION)
            assert response is not None and response.status == 404
            assert response.headers["content-type"] == "application/json; charset=utf-8"
            assert "x-injected" not in response.headers
            assert page.evaluate("window.__pwned") is None
            assert page.locator("script").count() == 0
        finally:
            browser.close()


def test_non_latin1_and_non_utf8_answer_4xx_on_a_connection_that_stays_open(
    server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    answers = []
    for target in ["/api/models?limit=%ff", "/api/models/org/m1/revision/%E4%B8%AD%E6%96%87"]:
        connection.request("GET", target)
        response = connection.getresponse()
        answers.append(
            (response.status, response.getheader("X-Error-Message"), orjson.loads(response.read()))
        )
    # The same connection answered both: nothing was dropped.
    connection.request("GET", "/api/models?limit=1")
    assert connection.getresponse().status == 200
    connection.close()
    status, headers, body = _head(_raw(server, "GET /api/models?limit=中 HTTP/1.1\r\n\r\n".encode()))
    answers.append((int(status.split()[1]), dict(headers)["X-Error-Message"], orjson.loads(body)))
    assert answers == [
        (
            400,
            "Bad request: the path or query is not UTF-8 once percent-decoded",
            {"error": "Bad request: the path or query is not UTF-8 once percent-decoded"},
        ),
        (404, "Invalid rev id: \\u4e2d\\u6587", {"error": "Invalid rev id: 中文"}),
        (
            400,
            "Bad request: the target must be printable ASCII (percent-encode other bytes)",
            {"error": "Bad request: the target must be printable ASCII (percent-encode other bytes)"},
        ),
    ]
    assert capsys.readouterr().err == ""


def test_every_byte_in_a_path_or_query_gets_a_4xx(
    server: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    targets = []
    for byte in range(256):
        raw = bytes([byte])
        encoded = f"%{byte:02X}".encode()
        targets += [b"/api/models/nobody/x" + raw, b"/api/models/nobody/x" + encoded]
        targets += [
            b"/api/models?limit=x" + raw,
            b"/api/models?limit=x" + encoded,
            b"/api/models/org/m1?expand=" + encoded,
        ]
    statuses = {}
    for target in targets:
        status, headers, body = _head(_raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n"))
        statuses[target] = int(status.split()[1])
        assert dict(headers)["Content-Type"] == "application/json; charset=utf-8", target
        assert "error" in orjson.loads(body), target
    assert {t: s for t, s in statuses.items() if not 400 <= s < 500} == {}
    assert capsys.readouterr().err == ""


def test_a_hostile_host_header_is_not_echoed_in_the_link(server: ReplayServer) -> None:
    status, headers, _ = _head(_raw(server, b"GET /api/models HTTP/1.1\r\nHost: evil.test\xff/\r\n\r\n"))
    assert status == "HTTP/1.1 200 OK"
    assert dict(headers)["Link"].startswith(f"<{server.url}/api/models?cursor=")


def test_the_listen_backlog_is_real(server: ReplayServer) -> None:
    if shutil.which("ss") is None:
        pytest.skip("no `ss` to read the listen backlog with")
    port = server.url.rsplit(":", 1)[1]
    listing = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=True)
    somaxconn = int(Path("/proc/sys/net/core/somaxconn").read_text())
    # Columns: State Recv-Q Send-Q (for a listening socket, Send-Q is its backlog) ...
    assert [int(line.split()[2]) for line in listing.stdout.splitlines()] == [min(1024, somaxconn)]


def test_200_concurrent_clients_all_get_their_answer(server: ReplayServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    clients = 200
    start = threading.Barrier(clients, timeout=60)
    answers: dict[int, object] = {}

    def client(n: int) -> None:
        try:
            start.wait()
            connection = http.client.HTTPConnection(host, int(port), timeout=60)
            connection.request("GET", f"/api/models?filter=t{n % 5}&sort=likes&limit=2")
            response = connection.getresponse()
            answers[n] = (response.status, [m["id"] for m in orjson.loads(response.read())])
            connection.close()
        except Exception as exc:  # the assertion below shows it
            answers[n] = repr(exc)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    expected = {n: (200, [f"org/m{35 + n % 5}", f"org/m{30 + n % 5}"]) for n in range(clients)}
    assert answers == expected


def test_a_new_filter_value_reads_no_record_again(server: ReplayServer) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    found = {}
    for query in [
        "filter=gguf",
        "filter=onnx",
        "filter=t3",
        "filter=gguf&filter=t3",
        "author=org",
        "author=nobody",
    ]:
        connection.request("GET", f"/api/models?{query}&limit=100")
        found[query] = len(orjson.loads(connection.getresponse().read()))
    connection.close()
    assert found == {
        "filter=gguf": 5,  # a page holds at most page_size
        "filter=onnx": 5,
        "filter=t3": 5,
        "filter=gguf&filter=t3": 4,
        "author=org": 5,
        "author=nobody": 0,
    }
    # One scan of the records per facet (tags, owner), however many values were asked for.
    assert server.served.listings["models"].scans == 2
