"""``openisms bench-data``: the console command and its alias."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from openisms.bench.names import BENCH_SLUG, OWNER_EMAIL


@pytest.mark.django_db
def test_bench_data_prints_a_summary_and_writes_the_credentials(tmp_path: Path) -> None:
    out, path = StringIO(), tmp_path / "credentials.json"
    call_command(
        "bench_data", "--scale", "tiny", "--seed", "2", "--credentials", str(path), stdout=out
    )
    printed = out.getvalue()
    assert "scale tiny, seed 2" in printed
    assert "skipped: evidence items and findings" in printed
    credentials = json.loads(path.read_text())
    assert credentials["email"] == OWNER_EMAIL
    assert credentials["tokens"][BENCH_SLUG].startswith("oisms_")
    assert path.stat().st_mode & 0o777 == 0o600
