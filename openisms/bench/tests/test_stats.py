"""Percentiles, verdicts and the printed table."""

from __future__ import annotations

from openisms.bench.stats import Row, Timings, percentile, table, time_row


def test_percentile_takes_the_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) == 0.0
    assert percentile([3.0], 0.99) == 3.0


def test_a_row_holds_misses_reports_or_errs() -> None:
    assert Row("t", "<= 1", "0.5", 0.5, 1.0).verdict == "holds"
    assert Row("t", "<= 1", "2", 2.0, 1.0).verdict == "MISSES"
    assert Row("rps", ">= 500", "600", 600, 500, at_least=True).verdict == "holds"
    assert Row("rps", ">= 500", "400", 400, 500, at_least=True).verdict == "MISSES"
    assert Row("t", "report", "1").verdict == "report"
    assert Row("t", "-", "boom", failed=True).verdict == "ERROR"
    assert Row("t", "<= 1", "0.5", 0.5, 1.0).as_dict()["verdict"] == "holds"


def test_time_rows_judge_the_p95_by_default() -> None:
    timings = Timings([0.01] * 19 + [0.2])
    assert time_row("page", 100, timings).verdict == "holds"
    assert time_row("page", 5, timings, label="p50").verdict == "MISSES"
    assert time_row("page", None, timings).budget == "report"
    summary = timings.summary_ms()
    assert summary["p50_ms"] == 10.0
    assert summary["max_ms"] == 200.0
    assert Timings().summary_ms()["n"] == 0


def test_the_table_has_one_line_per_row_and_a_header() -> None:
    rows = [Row("first", "<= 1 s", "0.2 s", 0.2, 1.0), Row("second", "report", "3 s")]
    lines = table(rows).splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("| what")
    assert "holds" in lines[2]
    assert "report" in lines[3]
