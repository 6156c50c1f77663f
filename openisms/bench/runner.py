"""``make bench``: the budgets of DESIGN.md section 4, measured on this machine.

``python -m openisms.bench.runner --db sqlite|pg --scale reference|small`` makes a new
database, times ``migrate`` and ``bench-data``, starts gunicorn with production settings and
runs the workloads of ``workloads``; it prints one table (budget, measured, holds/MISSES) and
writes the numbers to ``var/bench/<db>-<scale>-<timestamp>.json``. A missed budget is
reported, not fatal: the exit status is 1 only when something failed (an HTTP error, a
command that did not succeed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from openisms.bench.environment import (
    CPU_CHECK_QUERIES,
    DATABASE_CHECK_TRIPS,
    DATABASE_CHECK_WRITES,
    MEMORY_CHECK_OBJECTS,
    Environment,
    Server,
    cpu_check,
    database_check,
    machine,
    memory_check,
)
from openisms.bench.stats import Row, table
from openisms.bench.workloads import PLANS, WORKLOADS, Context

PROJECT_DIR = Path(__file__).resolve().parents[2]


def _prepare(
    environment: Environment, scale: str, seed: int
) -> tuple[list[Row], dict[str, Any]]:  # pragma: no cover
    """Migrate the empty database and generate the data set, both timed."""
    migrate = environment.run("migrate", "--noinput", "-v", "0", label="migrate")
    credentials = environment.directory / f"credentials-{environment.db}.json"
    args = ["bench-data", "--scale", scale, "--seed", str(seed), "--credentials", str(credentials)]
    generate = environment.run(*args, label="bench-data")
    rows = [Row("migrate on an empty database", "<= 15 s", f"{migrate:.1f} s", migrate, 15.0)]
    limit = 120.0 if scale == "reference" else None
    budget = "< 120 s (issue 7)" if limit else "report"
    rows.append(Row(f"bench-data --scale {scale}", budget, f"{generate:.1f} s", generate, limit))
    data: dict[str, Any] = json.loads(credentials.read_text())
    return rows, {"migrate_s": migrate, "bench_data_s": generate, "credentials": data}


def _counts() -> dict[str, int]:  # pragma: no cover
    from openisms.assets.models import Asset
    from openisms.core.models import AuditEvent
    from openisms.risks.models import Risk

    return {
        "assets": Asset.objects.filter(organization__slug="bench").count(),
        "risks": Risk.objects.filter(organization__slug="bench").count(),
        "audit_events": AuditEvent.objects.filter(organization__slug="bench").count(),
    }


def _measure(ctx: Context) -> tuple[list[Row], list[str]]:  # pragma: no cover
    rows: list[Row] = []
    errors: list[str] = []
    for name, workload in WORKLOADS:
        started = time.perf_counter()
        try:
            rows += workload(ctx)
        except Exception as exc:  # reported; the exit status says so
            errors.append(f"{name}: {exc}")
            ctx.raw.setdefault("tracebacks", {})[name] = traceback.format_exc()
            rows.append(Row(name, "-", str(exc)[:120], failed=True))
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return rows, errors


def run(db: str, scale: str, seed: int, directory: Path) -> int:  # pragma: no cover
    """One benchmark run; returns the exit status."""
    environment = Environment(db, directory)
    environment.prepare()
    print(f"bench: {db}, scale {scale}; migrate and bench-data...", file=sys.stderr, flush=True)
    rows, raw = _prepare(environment, scale, seed)
    import django

    django.setup()
    raw["counts"] = _counts()
    raw["load_average_before"] = os.getloadavg()
    raw["cpu_check_ms"] = round(cpu_check() * 1000, 1)
    raw["memory_check_ms"] = round(memory_check() * 1000, 1)
    raw["database_check"] = database_check().as_ms()
    server = Server(environment)
    server.start()
    ctx = Context(environment, server, PLANS[scale], raw.pop("credentials"), raw)
    try:
        measured, errors = _measure(ctx)
    finally:
        server.stop()
        from django.db import connections

        connections.close_all()
        environment.cleanup()
    rows += measured
    raw["load_average_after"] = os.getloadavg()
    report(db, scale, seed, directory, rows, ctx.raw, errors)
    return 1 if errors else 0


def report(
    db: str,
    scale: str,
    seed: int,
    directory: Path,
    rows: list[Row],
    raw: dict[str, Any],
    errors: list[str],
) -> Path:
    """Print the table and write the JSON; returns the JSON's path."""
    info = machine()
    print(f"\nOpenISMS benchmark: {db}, scale {scale} ({raw.get('counts')}), seed {seed}")
    print(f"machine: {info['cores']} cores, {info['cpu']}, {info['ram_gb']} GB RAM")
    if info["font_subsetter"] != "HarfBuzz":
        print(
            "PDF fonts are subset by fontTools, in Python: HarfBuzz's subsetter is missing "
            "(apt-get install libharfbuzz-subset0), and the PDF exports take longer"
        )
    print(
        f"load average before/after: {raw.get('load_average_before')} / "
        f"{raw.get('load_average_after')}"
    )
    if "cpu_check_ms" in raw:
        print(
            f"CPU check: {CPU_CHECK_QUERIES} ORM queries compiled in {raw['cpu_check_ms']} ms "
            "(best of 5; compare runs by it, see docs/performance.md)"
        )
    if "memory_check_ms" in raw:
        print(
            f"memory check: a full garbage collection over {MEMORY_CHECK_OBJECTS:,} scattered "
            f"objects in {raw['memory_check_ms']} ms (best of 3; compare runs by it too)"
        )
    if "database_check" in raw:
        check = raw["database_check"]
        print(
            f"database check: a round trip (SELECT 1) in {check['round_trip_ms']:.3f} ms, one "
            f"row inserted and committed in {check['write_ms']:.3f} ms (medians of "
            f"{DATABASE_CHECK_TRIPS} and {DATABASE_CHECK_WRITES}; a create pays the first for "
            "each of its statements, the second once)"
        )
    print("server times are taken on the client over loopback (no Server-Timing header)\n")
    print(table(rows))
    misses = [r.what for r in rows if r.verdict == "MISSES"]
    print(f"\n{len(misses)} budget(s) missed" + (f": {'; '.join(misses)}" if misses else ""))
    for error in errors:
        print(f"ERROR {error}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"{db}-{scale}-{stamp}.json"
    document = {
        "db": db,
        "scale": scale,
        "seed": seed,
        "machine": info,
        "rows": [r.as_dict() for r in rows],
        "raw": raw,
        "errors": errors,
    }
    path.write_text(json.dumps(document, indent=2, default=str))
    print(f"written to {path}")
    return path


def main(argv: list[str] | None = None) -> int:  # pragma: no cover
    parser = argparse.ArgumentParser(prog="python -m openisms.bench.runner", description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "pg"), default="sqlite")
    parser.add_argument("--scale", choices=sorted(PLANS), default="reference")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=PROJECT_DIR / "var" / "bench")
    args = parser.parse_args(argv)
    return run(args.db, args.scale, args.seed, args.dir.resolve())


if __name__ == "__main__":  # pragma: no cover - the entry point of ``make bench``
    sys.exit(main())
