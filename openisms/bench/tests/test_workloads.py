"""The query counts of ``make bench``, in process against the tiny data set."""

from __future__ import annotations

from pathlib import Path

import pytest

from openisms.bench import workloads
from openisms.bench.environment import Environment, Server
from openisms.bench.generator import SCALES, generate
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
