"""The benchmark's surroundings: a fresh database, timed commands, a real gunicorn server.

What needs a server or a new database is marked ``pragma: no cover``: ``make bench
BENCH_SCALE=small`` runs it in CI, not the unit tests.
"""

from __future__ import annotations

import ctypes.util
import gc
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openisms.bench.httpclient import Session
from openisms.bench.stats import Timings

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "openisms_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"


class StepFailed(RuntimeError):
    """A command of the benchmark failed: the run reports it and exits non-zero."""


def bin_path(name: str) -> str:
    """A program of the virtualenv this Python runs in."""
    return str(Path(sys.executable).parent / name)


@dataclass
class Environment:
    """Where the benchmark runs: its directory, the database URL, the variables to pass."""

    db: str
    directory: Path
    database_url: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def prepare(self) -> None:  # pragma: no cover
        """A new, empty database and production settings (no OPENISMS_DEBUG)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.db == "pg":
            self.database_url = PG_URL
            _pg_recreate()
        else:
            path = self.directory / "bench.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            self.database_url = f"sqlite:///{path}"
        (self.directory / "var" / "static").mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "OPENISMS_DEBUG"}
        env.update(
            DATABASE_URL=self.database_url,
            OPENISMS_SECRET_KEY=secrets.token_urlsafe(50),
            OPENISMS_VAR_DIR=str(self.directory / "var"),
            DJANGO_SETTINGS_MODULE="openisms.settings",
        )
        self.env = env
        os.environ.clear()
        os.environ.update(env)

    def cleanup(self) -> None:  # pragma: no cover
        """Drop the PostgreSQL database (the SQLite file stays for inspection)."""
        if self.db == "pg":
            _pg_drop()

    def run(self, *args: str, label: str) -> float:  # pragma: no cover
        """Run ``openisms <args>``; its wall time in seconds, or StepFailed."""
        started = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own program with our arguments
            [bin_path("openisms"), *args], env=self.env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise StepFailed(f"{label} failed ({done.returncode}): {done.stderr[-2000:]}")
        return seconds

    def probe(
        self, name: str, *command: str, expect_error: bool = False
    ) -> dict[str, Any]:  # pragma: no cover
        """Time one command in a process of its own (see ``probe``): seconds and peak MB."""
        out = self.directory / f"probe-{name}.json"
        out.unlink(missing_ok=True)
        args = [sys.executable, "-m", "openisms.bench.probe", str(out), *command]
        done = subprocess.run(args, env=self.env, capture_output=True, text=True)  # noqa: S603
        if not out.exists():
            raise StepFailed(f"{name} crashed ({done.returncode}): {done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(out.read_text())
        if bool(result["error"]) != expect_error:
            raise StepFailed(f"{name}: unexpected outcome {result['error'] or 'success'!r}")
        return result


def _pg_execute(*statements: str) -> None:  # pragma: no cover
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement.encode())


def _pg_recreate() -> None:  # pragma: no cover
    _pg_execute(
        f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)", f"CREATE DATABASE {PG_DATABASE}"
    )


def _pg_drop() -> None:  # pragma: no cover
    _pg_execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """``openisms serve`` (gunicorn, two workers) as a child process."""

    environment: Environment
    workers: int = 2
    port: int = field(default_factory=free_port)

    def start(self) -> None:  # pragma: no cover
        log = (self.environment.directory / "gunicorn.log").open("wb")
        args = ["serve", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        self.process = subprocess.Popen(  # noqa: S603 - our own program
            [bin_path("openisms"), *args],
            env=self.environment.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StepFailed("gunicorn stopped at start; see gunicorn.log")
            try:
                Session("127.0.0.1", self.port).get("/accounts/login/")
                return
            except OSError:
                time.sleep(0.2)
        raise StepFailed("gunicorn did not answer within 60 s")

    def session(self, **headers: str) -> Session:  # pragma: no cover
        return Session("127.0.0.1", self.port, headers=dict(headers))

    def worker_memory(self) -> dict[str, float]:  # pragma: no cover
        """Resident memory of the workers now (VmRSS) and at their peak (VmHWM), in MB."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        current, peak = [], []
        for child in children:
            status = _proc_status(int(child))
            current.append(status.get("VmRSS", 0.0))
            peak.append(status.get("VmHWM", 0.0))
        master = _proc_status(pid)
        return {
            "workers": len(children),
            "worker_rss_max_mb": max(current, default=0.0),
            "worker_peak_mb": max(peak, default=0.0),
            "master_rss_mb": master.get("VmRSS", 0.0),
        }

    def stop(self) -> None:  # pragma: no cover
        if getattr(self, "process", None) is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _proc_status(pid: int) -> dict[str, float]:
    """The memory lines of /proc/<pid>/status in MB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key.startswith("Vm") and rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def machine() -> dict[str, Any]:
    """The cores, the CPU model and the memory of this machine."""
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": sys.version.split()[0],
        "font_subsetter": font_subsetter(),
    }


def font_subsetter() -> str:
    """What WeasyPrint subsets the PDFs' fonts with: HarfBuzz's subsetter (in C) where its
    library is installed, else fontTools (in Python), which makes a PDF of 1,000 risks take
    about 70% longer; CI installs the library (``.ci/run``)."""
    return "HarfBuzz" if ctypes.util.find_library("harfbuzz-subset") else "fontTools"


#: The memory check: how many small objects the collector walks, and how many times.
MEMORY_CHECK_OBJECTS = 500_000
MEMORY_CHECK_ROUNDS = 3


def memory_check() -> float:
    """Seconds for a full garbage collection over ``MEMORY_CHECK_OBJECTS`` small lists, held
    in shuffled order by one list, the best of ``MEMORY_CHECK_ROUNDS``: this machine's speed
    at work that waits on memory rather than on the processor (reading rows into objects,
    walking them), which the CPU check misses. On 2026-11-29 a machine whose CPU check read
    like a faster one's ran requests twice as slowly; it took 214 ms for a million objects.
    The process's own objects are set aside (``gc.freeze``) while it runs."""
    frozen_before = gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    try:
        objects = [[n] for n in range(MEMORY_CHECK_OBJECTS)]
        random.Random(1).shuffle(objects)  # noqa: S311 - a fixed order, not a secret
        best = float("inf")
        for _ in range(MEMORY_CHECK_ROUNDS):
            started = time.perf_counter()
            gc.collect()
            best = min(best, time.perf_counter() - started)
        del objects
    finally:
        if not frozen_before:
            gc.unfreeze()
    return best


#: The CPU check: how many ORM queries it compiles, and how many times (the best counts).
CPU_CHECK_QUERIES = 200
CPU_CHECK_ROUNDS = 5


def cpu_check() -> float:
    """Seconds to build and compile ``CPU_CHECK_QUERIES`` ORM queries (to SQL, not run), the
    best of ``CPU_CHECK_ROUNDS``: this machine's speed at what a request spends most of its
    time on, so that runs made on different days (the machine is virtual and shared, and not
    the same one) can be compared. Needs Django set up; touches no database."""
    from openisms.assets.models import Asset

    best = float("inf")
    for _ in range(CPU_CHECK_ROUNDS):
        started = time.perf_counter()
        for n in range(CPU_CHECK_QUERIES):
            found = Asset.objects.filter(organization_id=n, ref=f"A-{n:04d}", status="in_use")
            str(found.select_related("owner", "classification").order_by("number").query)
        best = min(best, time.perf_counter() - started)
    return best


#: The database check: how many round trips and committed one-row writes it times.
DATABASE_CHECK_TRIPS = 300
DATABASE_CHECK_WRITES = 100
_CHECK_TABLE = "openisms_bench_check"


@dataclass(frozen=True)
class DatabaseCheck:
    """The medians, in seconds, of a round trip to the database (``SELECT 1``) and of a
    transaction that inserts one row and commits (what every write pays at least)."""

    round_trip: float
    write: float

    def as_ms(self) -> dict[str, float]:
        return {
            "round_trip_ms": round(self.round_trip * 1000, 3),
            "write_ms": round(self.write * 1000, 3),
        }


def database_check() -> DatabaseCheck:
    """Time the database's floor, as the application reaches it (Django's connection and
    settings: the TCP connection and durable commits of PostgreSQL, SQLite's WAL and
    ``BEGIN IMMEDIATE``): a create of eight to thirteen statements pays the round trip for
    each and the write once. Commits, so it refuses to run inside a transaction or without
    autocommit; the table it writes to is made and dropped here (and one left by a run that
    was killed, dropped first)."""
    from django.db import connection, transaction

    if connection.in_atomic_block or not connection.get_autocommit():
        raise RuntimeError("the database check commits: run it outside a transaction")
    trips, writes = Timings(), Timings()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_CHECK_TABLE}")
        cursor.execute(f"CREATE TABLE {_CHECK_TABLE} (id integer PRIMARY KEY, note text)")
        try:
            for _ in range(DATABASE_CHECK_TRIPS):
                started = time.perf_counter()
                cursor.execute("SELECT 1")
                cursor.fetchone()
                trips.values.append(time.perf_counter() - started)
            for n in range(DATABASE_CHECK_WRITES):
                started = time.perf_counter()
                with transaction.atomic():
                    cursor.execute(
                        f"INSERT INTO {_CHECK_TABLE} (id, note) VALUES (%s, %s)",  # noqa: S608
                        [n, "check"],
                    )
                writes.values.append(time.perf_counter() - started)
        finally:
            cursor.execute(f"DROP TABLE {_CHECK_TABLE}")
    return DatabaseCheck(trips.p50, writes.p50)
