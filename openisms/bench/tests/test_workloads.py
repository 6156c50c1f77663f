"""The query counts of ``make bench``, in process against the tiny data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from openisms.bench import workloads
from openisms.bench.environment import Environment, Server
from openisms.bench.generator import SCALES, generate
from openisms.bench.stats import Timings
from openisms.bench.workloads import PLANS, Context, query_counts


@pytest.mark.django_db
def test_query_counts_compare_the_bench_organisation_with_a_small_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two pages and one API list are enough to check the comparison (all of them: make bench).
    monkeypatch.setattr(workloads, "PAGES", workloads.PAGES[1:3])
    monkeypatch.setattr(workloads, "APIS", workloads.APIS[1:2])
    summary = generate(SCALES["tiny"], seed=3)
    environment = Environment("sqlite", tmp_path)
    ctx = Context(environment, Server(environment), PLANS["tiny"], summary.credentials, {})
    rows = query_counts(ctx)
    assert rows[0].verdict == "holds", rows[0]
    assert set(ctx.raw["queries"]["risk register"]) == {"bench", "small-001"}


def test_each_create_is_shown_above_the_smallest_request_of_the_same_minutes() -> None:
    done = workloads.Creates(
        assets=Timings([0.0040, 0.0042, 0.0044]),
        risks=Timings([0.0058, 0.0060, 0.0090]),
        floor=Timings([0.0020, 0.0021, 0.0022, 0.0019, 0.0023, 0.0021]),
    )
    asset, risk, floor = workloads.create_rows(3, done)
    assert (asset.verdict, risk.verdict, floor.verdict) == ("holds", "MISSES", "report")
    assert asset.measured == "4.2 ms (2.1 ms above GET /api/v1/me)"
    assert risk.measured == "6.0 ms (3.9 ms above GET /api/v1/me)"
    assert floor.measured.startswith("p50 2.1 ms, p95 2.")
