"""The benchmark's HTTP client against a small local server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from openisms.bench import wrk
from openisms.bench.httpclient import HttpError, Session, load_test, time_requests

LOGIN_PAGE = b'<form><input name="csrfmiddlewaretoken" value="tok"></form>'


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, cookie: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/accounts/login/":
            self._send(200, LOGIN_PAGE, "csrftoken=abc; Path=/")
        elif self.path.startswith("/fail"):
            self._send(500, b"boom")
        else:
            self._send(200, json.dumps({"path": self.path}).encode())

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length)
        if self.path == "/accounts/login/":
            ok = b"csrfmiddlewaretoken=tok" in body and "csrftoken=abc" in self.headers["Cookie"]
            self._send(302 if ok else 403, b"", "sessionid=s1; HttpOnly" if ok else "")
        else:
            self._send(201, body)


@pytest.fixture
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_session_logs_in_and_keeps_its_cookies(port: int) -> None:
    session = Session("127.0.0.1", port)
    session.login("someone@example.com", "secret")
    assert session.cookies["sessionid"] == "s1"
    assert session.get("/x").json() == {"path": "/x"}
    assert session.post_json("/items", {"a": 1}).json() == {"a": 1}
    session.close()


def test_an_unexpected_status_is_an_error(port: int) -> None:
    session = Session("127.0.0.1", port)
    with pytest.raises(HttpError, match="HTTP 500"):
        session.get("/fail")


def test_timed_requests_and_a_load_test_count_requests_and_errors(port: int) -> None:
    session = Session("127.0.0.1", port)
    assert len(time_requests(session, "/a", 5, warmup=1).values) == 5
    result = load_test(lambda: Session("127.0.0.1", port), ["/a", "/fail"], 3, 0.3)
    summary = result.as_dict()
    assert summary["requests"] > 0 and summary["client"] == "python"
    assert result.errors > 0 and result.first_error == "HTTP 500 on /fail"
    assert 0 < result.p50 <= result.p95 <= result.p99 and result.rps > 0


@pytest.mark.skipif(not wrk.available(), reason="wrk is not installed (apt-get install wrk)")
def test_wrk_sends_the_paths_in_turn_and_counts_what_failed(port: int) -> None:
    result = wrk.load_test(f"http://127.0.0.1:{port}", {"X-Test": "1"}, ["/a", "/fail"], 2, 1)
    assert result.client == "wrk" and result.requests > 0
    assert result.errors > 0 and "HTTP status errors" in result.first_error
    assert 0 < result.p50 <= result.p99 and 0.5 < result.seconds < 5


def test_the_wrk_script_takes_only_plain_paths_and_its_result_is_read() -> None:
    lua = wrk.script(["/api/v1/orgs/x/assets?page_size=10&page=2"])
    assert '"/api/v1/orgs/x/assets?page_size=10&page=2"' in lua and "done = function" in lua
    with pytest.raises(ValueError, match="cannot be given"):
        wrk.script(['/a"); os.exit(1) --'])
    printed = "Running 1s test\nOPENISMS-LOAD 1000 2000000 0 1 0 10 0 4000 9000 20000\n"
    result = wrk.parse(printed, 20)
    assert (result.requests, result.errors, result.seconds) == (990, 11, 2.0)
    assert (result.p50, result.p95, result.p99) == (0.004, 0.009, 0.02)
    assert result.rps == 495 and result.first_error == "1 read errors, 10 HTTP status errors"
    with pytest.raises(ValueError, match="no result"):
        wrk.parse("unable to connect", 20)
