"""Load tests with wrk (Debian's package ``wrk``), the client DESIGN.md names for the
throughput budget: written in C, it leaves the two cores to the server, where the threaded
Python client (``httpclient.load_test``) takes a share of them. ``make bench`` uses wrk when
it is installed and says which client measured.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from openisms.bench.httpclient import LoadResult

#: Paths go into the Lua script as quoted strings: printable ASCII, no quote or backslash.
_SAFE_PATH = re.compile(r"^/[!#-\[\]-~]*$")
#: The line the script's ``done`` prints: requests, microseconds, the error counts, then
#: p50, p95 and p99 in microseconds.
_RESULT = re.compile(r"^OPENISMS-LOAD (.+)$", re.MULTILINE)

_SCRIPT = """
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("OPENISMS-LOAD %%d %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def available() -> bool:
    """Whether wrk is installed."""
    return shutil.which("wrk") is not None


def script(paths: Sequence[str]) -> str:
    """The Lua script that sends GETs of ``paths`` in turn and prints the outcome."""
    for path in paths:
        if not _SAFE_PATH.match(path):
            raise ValueError(f"a path wrk cannot be given as it is: {path!r}")
    return _SCRIPT % {"paths": ", ".join(f'"{path}"' for path in paths)}


def parse(output: str, clients: int) -> LoadResult:
    """The outcome printed by the script's ``done``."""
    found = _RESULT.search(output)
    if found is None:
        raise ValueError(f"wrk printed no result: {output[-500:]!r}")
    requests, micros, connect, read, write, status, timeout, p50, p95, p99 = (
        int(v) for v in found.group(1).split()
    )
    errors = connect + read + write + status + timeout
    named = ("connect", connect), ("read", read), ("write", write), ("HTTP status", status)
    first = ", ".join(f"{n} {name} errors" for name, n in (*named, ("timeout", timeout)) if n)
    return LoadResult(
        clients=clients,
        seconds=micros / 1e6,
        requests=requests - status,
        p50=p50 / 1e6,
        p95=p95 / 1e6,
        p99=p99 / 1e6,
        errors=errors,
        first_error=first,
        client="wrk",
    )


def load_test(
    base_url: str,
    headers: dict[str, str],
    paths: Sequence[str],
    clients: int,
    seconds: float,
) -> LoadResult:
    """``clients`` keep-alive connections (one wrk thread) GET ``paths`` in turn for
    ``seconds`` (whole seconds, at least one)."""
    with tempfile.TemporaryDirectory() as directory:
        lua = Path(directory) / "load.lua"
        lua.write_text(script(paths))
        command = ["wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "-s", str(lua)]
        command += ["--timeout", "10s"]
        for name, value in headers.items():
            command += ["-H", f"{name}: {value}"]
        done = subprocess.run(  # noqa: S603 - wrk with our own arguments
            [*command, base_url], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return parse(done.stdout, clients)
