"""A small HTTP client for the benchmark: keep-alive connections, login, timings, load.

Only the standard library, so that ``make bench`` needs nothing beyond the project. Times are
taken on the client over loopback (the server sends no Server-Timing header): they include
the request's trip through the kernel, a fraction of a millisecond.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openisms.bench.stats import Timings

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class HttpError(RuntimeError):
    """The server answered with an unexpected status (a 5xx is always one)."""


@dataclass
class Response:
    """What one request gave back."""

    status: int
    body: bytes
    headers: dict[str, str]
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Session:
    """One keep-alive connection with its cookies and default headers."""

    host: str
    port: int
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 120.0

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Send one request, reconnecting once if the server closed the connection."""
        sent = {"Host": f"{self.host}:{self.port}", **self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=body, headers=sent)
                answer = self.connection.getresponse()
                data = answer.read()
                seconds = time.perf_counter() - started
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                if attempt == 2:
                    raise
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        return Response(answer.status, data, dict(answer.headers.items()), seconds)

    def _keep_cookies(self, lines: Sequence[str]) -> None:
        for line in lines:
            name, _, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, path: str, expect: int = 200) -> Response:
        """GET ``path``; any other status than ``expect`` is an HttpError."""
        response = self.request("GET", path)
        _check(response, "GET", path, expect)
        return response

    def post_json(self, path: str, payload: Any, expect: int = 201) -> Response:
        """POST ``payload`` as JSON."""
        body = json.dumps(payload).encode()
        response = self.request("POST", path, body, {"Content-Type": "application/json"})
        _check(response, "POST", path, expect)
        return response

    def login(self, email: str, password: str) -> None:
        """Log in through the login page, as a browser does (CSRF token, session cookie)."""
        page = self.get("/accounts/login/")
        match = _CSRF_INPUT.search(page.body.decode())
        if match is None:
            raise HttpError("the login page has no CSRF token")
        form = {"username": email, "password": password, "csrfmiddlewaretoken": match.group(1)}
        body = urllib.parse.urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        response = self.request("POST", "/accounts/login/", body, headers)
        if response.status != 302 or "sessionid" not in self.cookies:
            raise HttpError(f"login as {email} failed with HTTP {response.status}")

    def close(self) -> None:
        self.connection.close()


def _check(response: Response, method: str, path: str, expect: int) -> None:
    if response.status != expect:
        raise HttpError(
            f"{method} {path} answered HTTP {response.status} (expected {expect}): "
            f"{response.body[:300]!r}"
        )


def time_requests(session: Session, path: str, repeat: int, warmup: int = 3) -> Timings:
    """Time ``repeat`` sequential GETs of ``path`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        session.get(path)
    return Timings([session.get(path).seconds for _ in range(repeat)])


@dataclass
class LoadResult:
    """The outcome of a load test: requests answered 200 (or 2xx/3xx for wrk), their latency
    percentiles in seconds, the errors, and which client made them."""

    clients: int
    seconds: float
    requests: int
    p50: float
    p95: float
    p99: float
    errors: int
    first_error: str = ""
    client: str = "python"

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "clients": self.clients,
            "seconds": round(self.seconds, 2),
            "requests": self.requests,
            "rps": round(self.rps, 1),
            "errors": self.errors,
            "first_error": self.first_error,
            "p50_ms": round(self.p50 * 1000, 1),
            "p95_ms": round(self.p95 * 1000, 1),
            "p99_ms": round(self.p99 * 1000, 1),
        }


def load_test(
    make_session: Callable[[], Session], paths: Sequence[str], clients: int, seconds: float
) -> LoadResult:
    """``clients`` threads, each on its own keep-alive connection, GET ``paths`` in turn
    until ``seconds`` have passed; every answer but 200 counts as an error."""
    lock = threading.Lock()
    values: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        session, n, mine = make_session(), offset, []
        try:
            while time.perf_counter() < deadline:
                path = paths[n % len(paths)]
                n += 1
                try:
                    response = session.request("GET", path)
                except OSError as exc:
                    response = Response(599, str(exc).encode(), {}, 0.0)
                if response.status == 200:
                    mine.append(response.seconds)
                else:
                    with lock:
                        errors.append(f"HTTP {response.status} on {path}")
        finally:
            session.close()
            with lock:
                values.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    timings = Timings(values)
    return LoadResult(
        clients,
        elapsed,
        len(values),
        timings.p50,
        timings.p95,
        timings.p99,
        len(errors),
        errors[0] if errors else "",
    )
