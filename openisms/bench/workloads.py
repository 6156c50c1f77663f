"""The measurements of ``make bench``; each returns table rows and raw numbers for the JSON.

They run in the runner's process once Django is set up against the benchmark database, and
talk to the gunicorn server over loopback; those that need the server are marked ``pragma: no
cover`` (``make bench BENCH_SCALE=small`` runs them in CI).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from openisms.bench import wrk
from openisms.bench.environment import Environment, Server, StepFailed
from openisms.bench.httpclient import LoadResult, Session, load_test, time_requests
from openisms.bench.names import BENCH_SLUG, PEER_SLUG, SMALL_OWNER_EMAIL, SMALL_SLUG
from openisms.bench.stats import Row, Timings, ms, time_row

QUERY_BUDGET = 25
PAGE_BUDGET_MS = 100.0
PAGES: tuple[tuple[str, str, float], ...] = (
    ("dashboard", "/o/{org}/", PAGE_BUDGET_MS),
    ("assets list", "/o/{org}/assets/", PAGE_BUDGET_MS),
    ("risk register", "/o/{org}/risks/", PAGE_BUDGET_MS),
    ("heat map", "/o/{org}/risks/heatmap/", PAGE_BUDGET_MS),
    ("SoA page", "/o/{org}/controls/", 150.0),
    ("treatment plan", "/o/{org}/risks/treatment-plan/", PAGE_BUDGET_MS),
    ("audit events", "/o/{org}/audit/", PAGE_BUDGET_MS),
)
APIS: tuple[tuple[str, str, float], ...] = (
    ("API assets", "/api/v1/orgs/{org}/assets", PAGE_BUDGET_MS),
    ("API risks", "/api/v1/orgs/{org}/risks", PAGE_BUDGET_MS),
    ("API controls", "/api/v1/orgs/{org}/controls", PAGE_BUDGET_MS),
    ("API soa", "/api/v1/orgs/{org}/soa", PAGE_BUDGET_MS),
    ("API audit events", "/api/v1/orgs/{org}/audit-events", PAGE_BUDGET_MS),
)


@dataclass
class Plan:
    """How long and how often: the reference run and the short one for CI."""

    repeat: int
    load_seconds: float
    peer_seconds: float
    peer_count: int
    import_rows: int


PLANS = {
    "reference": Plan(
        repeat=30, load_seconds=30, peer_seconds=20, peer_count=1000, import_rows=10_000
    ),
    "small": Plan(repeat=10, load_seconds=5, peer_seconds=5, peer_count=200, import_rows=1000),
    "tiny": Plan(repeat=3, load_seconds=1, peer_seconds=1, peer_count=10, import_rows=20),
}


@dataclass
class Context:
    """What every workload needs: the server, the logins, the plan, the raw results."""

    environment: Environment
    server: Server
    plan: Plan
    credentials: dict[str, Any]
    raw: dict[str, Any]

    def browser(self) -> Session:  # pragma: no cover
        session = self.server.session()
        session.login(self.credentials["email"], self.credentials["password"])
        return session

    def api(self, org: str) -> Session:  # pragma: no cover
        return self.server.session(Authorization=f"Bearer {self.credentials['tokens'][org]}")


def server_times(ctx: Context) -> list[Row]:  # pragma: no cover
    """p50 and p95 of each main page (session) and API list (token), in organisation bench;
    with the SQL queries the request runs (see ``query_counts``)."""
    rows: list[Row] = []
    raw: dict[str, Any] = {}
    queries = ctx.raw.get("queries", {})
    browser, api = ctx.browser(), ctx.api(BENCH_SLUG)
    for sessions, items in ((browser, PAGES), (api, APIS)):
        for name, path, budget in items:
            timings = time_requests(sessions, path.format(org=BENCH_SLUG), ctx.plan.repeat)
            raw[name] = timings.summary_ms()
            row = time_row(name, budget, timings)
            count = queries.get(name, {}).get(BENCH_SLUG)
            if count is not None:
                row = replace(row, measured=f"{row.measured}; {count} queries")
            rows.append(row)
    ctx.raw["server_times"] = raw
    return rows


def query_counts(ctx: Context) -> list[Row]:
    """SQL queries per request, counted in this process with the test client, for the bench
    organisation and a small one: the same count means constant in the number of rows."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openisms.core.models import User

    def count(client: Client, path: str) -> int:
        client.get(path)  # warm per-process caches
        cache.clear()  # but count what is computed once per change too: the worst case
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise StepFailed(f"GET {path} answered {response.status_code} in process")
        return len(captured.captured_queries)

    owners = {
        BENCH_SLUG: User.objects.get(email=ctx.credentials["email"]),
        SMALL_SLUG: User.objects.get(email=SMALL_OWNER_EMAIL.format(slug=SMALL_SLUG)),
    }
    counts: dict[str, dict[str, int]] = {}
    for slug, user in owners.items():
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user)
        for name, path, _ in (*PAGES, *APIS):
            counts.setdefault(name, {})[slug] = count(client, path.format(org=slug))
    ctx.raw["queries"] = counts
    worst = max(counts, key=lambda name: max(counts[name].values()))
    top = max(counts[worst].values())
    grows = [name for name, c in counts.items() if len(set(c.values())) > 1]
    what = "SQL queries per page or API call"
    rows = [Row(f"{what} (max)", f"<= {QUERY_BUDGET}", f"{top} ({worst})", top, QUERY_BUDGET)]
    differ = "; ".join(f"{n}: {counts[n]}" for n in grows) or "the same on every page"
    rows.append(Row(f"{what}: bench vs {SMALL_SLUG}", "equal", differ, len(grows), 0))
    return rows


def _export(ctx: Context, name: str, org: str, *command: str) -> dict[str, Any]:  # pragma: no cover
    path = ctx.environment.directory / f"{name}.out"
    result = ctx.environment.probe(name, *command, "-o", str(path), "--org", org)
    result["bytes"] = path.stat().st_size
    ctx.raw.setdefault("exports", {})[name] = result
    return result


def _export_row(
    what: str, result: dict[str, Any], limit_s: float | None, mem: float | None
) -> Row:  # pragma: no cover
    measured = f"{result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB"
    budget = "report" if limit_s is None else f"<= {limit_s:g} s"
    if mem is not None:
        budget += f", < {mem:g} MB"
    value, limit = result["seconds"], limit_s
    if mem is not None and limit_s is not None and result["peak_mb"] >= mem:
        value, limit = limit_s + 1, limit_s  # the memory misses: show it as a miss
    return Row(what, budget, measured, value, limit)


def exports(ctx: Context) -> list[Row]:  # pragma: no cover
    """The SoA in three formats, the risk register and the treatment plan of every risk."""
    rows = []
    for fmt, limit in (("xlsx", 1.0), ("docx", None), ("pdf", None)):
        result = _export(
            ctx, f"soa-{fmt}", BENCH_SLUG, "soa", "export", "--format", fmt, "--working"
        )
        rows.append(_export_row(f"SoA {fmt.upper()} export", result, limit, None))
    risks = ctx.raw.get("counts", {}).get("risks", 0)
    result = _export(ctx, "risk-register-xlsx", BENCH_SLUG, "risks", "export", "--format", "xlsx")
    rows.append(_export_row(f"risk register XLSX of {risks:,} risks", result, 10.0, 500.0))
    # No budget, but a web request must end well inside the server's worker timeout.
    result = _export(ctx, "treatment-plan-docx", BENCH_SLUG, "risks", "export", "--format", "docx")
    rows.append(_export_row(f"risk treatment plan DOCX of {risks:,} risks", result, None, None))
    return rows


#: Before a load test is measured, the same load runs for this share of its time (at least
#: ``LOAD_WARMUP_MIN_SECONDS``), uncounted: each worker then has its caches as it has them
#: in steady use (every page read once since the last change), as the page timings are taken
#: after warm-up requests. The cold start is a different figure (docs/performance.md).
LOAD_WARMUP_SHARE = 0.1
LOAD_WARMUP_MIN_SECONDS = 2.0


def _load(
    ctx: Context, org: str, paths: list[str], clients: int, seconds: float
) -> LoadResult:  # pragma: no cover
    """API GETs of ``paths`` by ``clients`` at once, after an uncounted warm-up: with wrk
    where it is installed (the client DESIGN.md names), otherwise with the threaded Python
    client."""
    warmup = max(LOAD_WARMUP_MIN_SECONDS, seconds * LOAD_WARMUP_SHARE)
    if wrk.available():
        token = ctx.credentials["tokens"][org]
        base = f"http://127.0.0.1:{ctx.server.port}"
        headers = {"Authorization": f"Bearer {token}"}
        wrk.load_test(base, headers, paths, clients, warmup)
        return wrk.load_test(base, headers, paths, clients, seconds)
    load_test(lambda: ctx.api(org), paths, clients, warmup)
    return load_test(lambda: ctx.api(org), paths, clients, seconds)


def api_load(ctx: Context) -> list[Row]:  # pragma: no cover
    """32 clients on 10-row pages of the bench API lists for the plan's seconds."""
    pages = max(1, ctx.raw.get("counts", {}).get("assets", 10) // 10)
    paths = [
        f"/api/v1/orgs/{BENCH_SLUG}/{kind}?page_size=10&page={1 + (n * 37) % pages}"
        for n in range(50)
        for kind in ("assets", "risks", "controls")
    ]
    result = _load(ctx, BENCH_SLUG, paths, 32, ctx.plan.load_seconds)
    ctx.raw["load_32"] = result.as_dict()
    measured = (
        f"{result.rps:.0f} req/s, p50 {ms(result.p50)}, p95 {ms(result.p95)}, "
        f"p99 {ms(result.p99)}, {result.errors} errors ({result.client})"
    )
    return [Row("load: 32 clients, API reads", "report (0 errors)", measured, result.errors, 0)]


#: The smallest authenticated API request (the token, one read, a small JSON answer): timed
#: between the creates, it is what any request costs on this machine at that moment.
FLOOR_PATH = "/api/v1/me"


@dataclass
class Creates:
    """The creates' timings, and those of ``FLOOR_PATH`` taken one after each create."""

    assets: Timings
    risks: Timings
    floor: Timings


def _creates(ctx: Context, session: Session, count: int) -> Creates:  # pragma: no cover
    """``count`` assets, then ``count`` risks on them, one API call each, each followed by a
    request of ``FLOOR_PATH``."""
    from openisms.controls.models import Control
    from openisms.risks.models import Threat

    threats = list(Threat.objects.filter(organization=None).values_list("ref", flat=True)[:20])
    annex_a = Control.objects.filter(organization__slug=PEER_SLUG, requirement__isnull=False)
    controls = list(annex_a.values_list("ref", flat=True))
    email, base = ctx.credentials["email"], f"/api/v1/orgs/{PEER_SLUG}"
    done, refs = Creates(Timings(), Timings(), Timings()), []
    for n in range(count):
        body = {"name": f"Peer asset {n}", "kind": "information", "owner": email}
        answer = session.post_json(f"{base}/assets", body)
        done.assets.values.append(answer.seconds)
        done.floor.values.append(session.get(FLOOR_PATH).seconds)
        refs.append(answer.json()["ref"])
    for n in range(count):
        body = {
            "title": f"Peer risk {n}",
            "owner": email,
            "assets": [refs[n]],
            "threats": [threats[n % len(threats)]],
            "controls": [controls[n % len(controls)]],
            "inherent_likelihood": 1 + n % 5,
            "inherent_impact": 1 + (n // 5) % 5,
            "treatment": "modify",
        }
        done.risks.values.append(session.post_json(f"{base}/risks", body).seconds)
        done.floor.values.append(session.get(FLOOR_PATH).seconds)
    return done


def create_rows(count: int, done: Creates) -> list[Row]:
    """The creates' rows, each with how far above the smallest request it was (timed in the
    same minutes, so that the machine's hour, which moves both, shows apart), and that one."""
    floor = done.floor.p50
    rows = [
        Row(
            f"API create {kind} (x{count}), median",
            "<= 5 ms",
            f"{ms(timings.p50)} ({ms(timings.p50 - floor)} above GET {FLOOR_PATH})",
            timings.p50,
            0.005,
        )
        for kind, timings in (("asset", done.assets), ("risk", done.risks))
    ]
    what = f"GET {FLOOR_PATH} between the creates (the smallest API request), median"
    rows.append(Row(what, "report", f"p50 {ms(floor)}, p95 {ms(done.floor.p95)}", floor))
    return rows


def _list_all(
    ctx: Context, session: Session, kind: str, count: int
) -> tuple[Timings, int]:  # pragma: no cover
    """Time the list of every ``kind`` in one page; also how many rows a page really gave."""
    path = f"/api/v1/orgs/{PEER_SLUG}/{kind}?page_size={count}"
    got = len(session.get(path).json()["items"])
    if got != count:
        ctx.raw.setdefault("notes", []).append(f"{path} gave {got} of {count} rows (page cap)")
    return time_requests(session, path, max(5, ctx.plan.repeat // 2), warmup=1), got


def peer_workload(ctx: Context) -> list[Row]:  # pragma: no cover
    """The fixed workload other tools are compared on, in organisation ``peer``."""
    n, session = ctx.plan.peer_count, ctx.api(PEER_SLUG)
    done = _creates(ctx, session, n)
    rows = create_rows(n, done)
    for kind in ("assets", "risks"):
        timings, got = _list_all(ctx, session, kind, n)
        if got != n:
            shown = f"capped at {got} rows per page"
            rows.append(
                Row(f"API {kind}: page_size={n} allowed", f"{n:,} rows", shown, got, n, True)
            )
        what = f"API list of {kind}, page_size={n} ({got:,} rows came), median"
        rows.append(
            Row(
                what,
                "<= 50 ms",
                f"p50 {ms(timings.p50)}, p95 {ms(timings.p95)}",
                timings.p50,
                0.050,
            )
        )
    pages = [
        f"/api/v1/orgs/{PEER_SLUG}/assets?page_size=10&page={1 + k % (n // 10 or 1)}"
        for k in range(100)
    ]
    result = _load(ctx, PEER_SLUG, pages, 20, ctx.plan.peer_seconds)
    ctx.raw["peer"] = {
        "create_asset": done.assets.summary_ms(),
        "create_risk": done.risks.summary_ms(),
        "floor_between_creates": done.floor.summary_ms(),
        "load_20": result.as_dict(),
    }
    rows += [
        Row(
            "API 10-row page, 20 clients: throughput",
            ">= 500 req/s",
            f"{result.rps:.0f} req/s ({result.client})",
            result.rps,
            500,
            at_least=True,
        ),
        Row(
            "API 10-row page, 20 clients: p99",
            "<= 60 ms",
            f"p50 {ms(result.p50)}, p99 {ms(result.p99)}",
            result.p99,
            0.060,
        ),
        Row("API 10-row page, 20 clients: errors", "0", str(result.errors), result.errors, 0),
    ]
    xlsx = _export(ctx, "peer-register-xlsx", PEER_SLUG, "risks", "export", "--format", "xlsx")
    rows.append(_export_row(f"risk register XLSX of {n:,} risks", xlsx, None, None))
    pdf = _export(ctx, "peer-assessment-pdf", PEER_SLUG, "risks", "export", "--format", "pdf")
    rows.append(_export_row(f"risk assessment PDF of {n:,} risks", pdf, 2.0, None))
    return rows


def worker_memory(ctx: Context) -> list[Row]:  # pragma: no cover
    """The workers' resident memory after everything above."""
    memory = ctx.server.worker_memory()
    ctx.raw["server_memory"] = memory
    rss, peak = memory["worker_rss_max_mb"], memory["worker_peak_mb"]
    measured = f"{rss:.0f} MB (peak {peak:.0f} MB; {memory['workers']:.0f} workers)"
    return [Row("app-server worker RSS after the run", "<= 150 MB", measured, rss, 150)]


def import_csv(rows: int, owner: str, bad_last: bool = False) -> bytes:
    """An asset file of ``rows`` new assets (the last one wrong when ``bad_last``)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "Name",
            "Kind",
            "Owner",
            "Classification",
            "Confidentiality",
            "Integrity",
            "Availability",
            "Status",
            "Location",
            "Tags",
            "Description",
        ]
    )
    kinds = ("information", "software", "hardware", "service")
    for n in range(rows):
        kind = "spaceship" if bad_last and n == rows - 1 else kinds[n % 4]
        writer.writerow(
            [
                f"Imported asset {n}",
                kind,
                owner,
                "Internal",
                1 + n % 4,
                2,
                3,
                "in use",
                "Head office",
                "imported; bench",
                "From the benchmark.",
            ]
        )
    return out.getvalue().encode()


def asset_import(ctx: Context) -> list[Row]:  # pragma: no cover
    """The import of the plan's number of assets into a new organisation; then a file with one
    bad row, which must change nothing (all or nothing)."""
    from openisms.assets.models import Asset
    from openisms.core import services
    from openisms.core.actors import SYSTEM
    from openisms.core.models import User

    owner = User.objects.get(email=ctx.credentials["email"])
    org = services.organization_create(actor=SYSTEM, name="Import", owner=owner, slug="import")
    n, directory = ctx.plan.import_rows, ctx.environment.directory
    good, bad = directory / "import.csv", directory / "import-bad.csv"
    good.write_bytes(import_csv(n, owner.email))
    bad.write_bytes(import_csv(100, owner.email, bad_last=True))
    result = ctx.environment.probe("asset-import", "assets", "import", str(good), "--org", org.slug)
    created = Asset.objects.filter(organization=org).count()
    ctx.environment.probe(
        "asset-import-bad", "assets", "import", str(bad), "--org", org.slug, expect_error=True
    )
    after = Asset.objects.filter(organization=org).count()
    ctx.raw["import"] = {**result, "rows": n, "created": created, "after_bad_file": after}
    if created != n or after != n:
        raise StepFailed(f"import: {created} of {n} created; {after} after the bad file")
    measured = f"{result['seconds']:.2f} s, peak {result['peak_mb']:.0f} MB; bad file: no change"
    return [
        Row(
            f"CSV import of {n:,} assets, all or nothing",
            "<= 5 s",
            measured,
            result["seconds"],
            5.0,
        )
    ]


WORKLOADS: Sequence[tuple[str, Callable[[Context], list[Row]]]] = (
    ("query counts", query_counts),
    ("server times", server_times),
    ("exports", exports),
    ("load test", api_load),
    ("peer workload", peer_workload),
    ("worker memory", worker_memory),
    ("import", asset_import),
)
