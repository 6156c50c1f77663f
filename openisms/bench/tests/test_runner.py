"""The pieces of ``make bench`` that run without a server: the probe, the files, the report."""

from __future__ import annotations

import csv
import ctypes.util
import gc
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, transaction

from openisms.bench import probe
from openisms.bench.environment import (
    _proc_status,
    cpu_check,
    database_check,
    font_subsetter,
    free_port,
    machine,
    memory_check,
)
from openisms.bench.runner import report
from openisms.bench.stats import Row
from openisms.bench.workloads import PLANS, import_csv


def test_the_probe_times_a_command_and_reports_its_failure(tmp_path: Path) -> None:
    out = tmp_path / "probe.json"
    assert probe.main([str(out), "check"]) == 0
    result = json.loads(out.read_text())
    assert result["error"] == ""
    assert result["seconds"] > 0
    assert result["peak_mb"] > 10


@pytest.mark.django_db
def test_the_probe_reports_a_failing_command(tmp_path: Path) -> None:
    out = tmp_path / "probe.json"
    assert probe.main([str(out), "audit", "verify", "--org", "nowhere"]) == 1
    assert json.loads(out.read_text())["error"]


def test_the_import_file_has_one_row_per_asset_and_can_carry_a_bad_one() -> None:
    rows = list(csv.reader(io.StringIO(import_csv(5, "o@example.com", bad_last=True).decode())))
    assert len(rows) == 6
    assert rows[1][1] == "information"
    assert rows[-1][1] == "spaceship"


def test_the_ci_plan_is_shorter_than_the_reference_one() -> None:
    assert PLANS["small"].load_seconds < PLANS["reference"].load_seconds
    assert PLANS["reference"].import_rows == 10_000
    assert PLANS["reference"].peer_count == 1000


def test_machine_facts_and_process_memory_are_read_from_proc() -> None:
    info = machine()
    assert info["cores"] == os.cpu_count()
    assert _proc_status(os.getpid())["VmRSS"] > 0
    assert 0 < free_port() < 65536


def test_the_report_prints_the_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [Row("migrate", "<= 15 s", "20 s", 20.0, 15.0), Row("x", "-", "boom", failed=True)]
    raw = {
        "counts": {},
        "cpu_check_ms": 41.5,
        "memory_check_ms": 87.0,
        "database_check": {"round_trip_ms": 0.116, "write_ms": 0.452},
    }
    path = report("sqlite", "tiny", 1, tmp_path, rows, raw, ["x: boom"])
    printed = capsys.readouterr().out
    assert "| migrate" in printed
    assert "CPU check: 200 ORM queries compiled in 41.5 ms" in printed
    assert "garbage collection over 500,000 scattered objects in 87.0 ms" in printed
    assert "a round trip (SELECT 1) in 0.116 ms, one row inserted and committed in 0.452" in printed
    assert "1 budget(s) missed: migrate" in printed
    assert "ERROR x: boom" in printed
    document = json.loads(path.read_text())
    assert document["rows"][0]["verdict"] == "MISSES"
    assert path.name.startswith("sqlite-tiny-")
    assert document["raw"]["cpu_check_ms"] == 41.5


def test_the_report_says_when_pdf_fonts_are_subset_without_harfbuzz(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw: dict[str, Any] = {"counts": {}}
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    path = report("sqlite", "tiny", 1, tmp_path, [], raw, [])
    assert "HarfBuzz's subsetter is missing" in capsys.readouterr().out
    assert json.loads(path.read_text())["machine"]["font_subsetter"] == "fontTools"
    monkeypatch.setattr(ctypes.util, "find_library", lambda name: f"lib{name}.so.0")
    report("sqlite", "tiny", 1, tmp_path, [], raw, [])
    assert "subsetter is missing" not in capsys.readouterr().out


def test_the_font_subsetter_named_is_the_one_weasyprint_loaded() -> None:
    from weasyprint.text import ffi

    assert font_subsetter() == ("HarfBuzz" if ffi.harfbuzz_subset is not None else "fontTools")


def test_the_memory_check_walks_its_objects_and_leaves_the_collector_as_it_was() -> None:
    assert gc.get_freeze_count() == 0
    assert 0 < memory_check() < 10
    assert gc.get_freeze_count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_database_check_times_round_trips_and_commits_and_leaves_no_table() -> None:
    check = database_check()
    assert 0 < check.round_trip < check.write < 1
    assert "openisms_bench_check" not in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True)
def test_the_database_check_drops_a_table_left_by_a_killed_run() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE openisms_bench_check (id integer PRIMARY KEY, note text)")
    assert database_check().write > 0
    assert "openisms_bench_check" not in connection.introspection.table_names()


@pytest.mark.django_db
def test_the_database_check_refuses_to_run_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="outside a transaction"):
        database_check()
    assert "openisms_bench_check" not in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True)
def test_the_database_check_refuses_to_run_without_autocommit() -> None:
    transaction.set_autocommit(False)
    try:
        with pytest.raises(RuntimeError, match="outside a transaction"):
            database_check()
    finally:
        transaction.rollback()
        transaction.set_autocommit(True)
    assert "openisms_bench_check" not in connection.introspection.table_names()


def test_the_cpu_check_compiles_queries_without_running_them() -> None:
    # No django_db mark: a query would fail the test ("Database access not allowed").
    assert 0 < cpu_check() < 5
