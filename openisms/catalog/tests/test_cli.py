"""``openisms catalog load|list|show|map`` and the demo's catalogue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from openisms.catalog.models import Framework
from openisms.catalog.tests import factories
from openisms.core.models import AuditEvent

ROOT = Path(__file__).resolve().parents[3]


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def test_load_prints_one_line_per_file_then_unchanged(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("catalog", "load")
    lines = _out(capsys).splitlines()
    assert len(lines) == 5
    assert "iso27001-2022.yaml: iso27001-2022 2022.1 created (138 created, 0 updated" in lines[1]
    assert AuditEvent.objects.filter(verb="catalog.loaded", actor__startswith="cli:").count() == 5
    call_command("catalog", "load")
    assert all(" unchanged (" in line for line in _out(capsys).splitlines())


def test_load_json_reports_each_file(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("catalog", "load", "--json")
    rows = json.loads(_out(capsys))
    assert [r["status"] for r in rows] == ["created"] * 5
    assert rows[4] == {
        "file": "map-iso27001-2022-to-soc2-2017.yaml",
        "kind": "mapping set",
        "name": "iso27001-2022-to-soc2-2017",
        "version": "1",
        "previous_version": None,
        "rows": 422,
        "created": 422,
        "updated": 0,
        "deleted": 0,
        "status": "created",
    }


def test_load_from_a_directory_with_a_bad_file_fails_with_the_problem(
    db: None, tmp_path: Path
) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc(expect={"control": 9}))
    with pytest.raises(CommandError, match=r"demo-1\.yaml: expect\.control: expected 9"):
        call_command("catalog", "load", "--dir", str(tmp_path))
    assert not Framework.objects.exists()


@pytest.mark.usefixtures("catalogue")
class TestReading:
    def test_list_shows_the_frameworks_with_counts(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command("catalog", "list")
        out = _out(capsys)
        assert "iso27001-2022    2022.1   ISO/IEC 27001:2022 (41 clauses, 93 controls)" in out
        assert "soc2-2017" in out and "(61 criteria)" in out

    def test_list_one_framework_as_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        call_command("catalog", "list", "--framework", "iso27001-2013", "--json")
        rows = json.loads(_out(capsys))
        assert len(rows) == 128 and rows[0]["key"] == "iso27001-2013:A.5"
        assert sum(r["kind"] == "control" for r in rows) == 114

    def test_list_one_framework_as_text_is_indented(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        call_command("catalog", "list", "--framework", "soc2-2017")
        lines = _out(capsys).splitlines()
        assert lines[0].startswith("CC ") and "    CC1.1    criterion" in "\n".join(lines)

    def test_show_prints_attributes_and_mappings(self, capsys: pytest.CaptureFixture[str]) -> None:
        call_command("catalog", "show", "iso27001-2022:A.8.8")
        out = _out(capsys)
        assert out.startswith("iso27001-2022:A.8.8  Management of technical vulnerabilities")
        assert "Operational capabilities: Threat and vulnerability management" in out
        assert "Predecessors in ISO/IEC 27001:2013" in out and "A.12.6.1" in out

    def test_show_json_matches_the_api(self, capsys: pytest.CaptureFixture[str]) -> None:
        call_command("catalog", "show", "iso27001-2022:A.5.7", "--json")
        body = json.loads(_out(capsys))
        assert body["requirement"]["is_new"] is True
        assert {link["direction"] for link in body["links"]} == {"to"}

    def test_show_an_unknown_ref_fails_with_a_hint(self) -> None:
        with pytest.raises(CommandError, match=r"No requirement '8\.8'.*Did you mean A\.8\.8\?"):
            call_command("catalog", "show", "iso27001-2022:8.8")

    def test_map_follows_a_2013_control_to_2022(self, capsys: pytest.CaptureFixture[str]) -> None:
        call_command(
            "catalog", "map", "A.12.6.1", "--from", "iso27001-2013", "--to", "iso27001-2022"
        )
        assert _out(capsys).strip() == (
            "A.12.6.1 -> iso27001-2022:A.8.8  Management of technical vulnerabilities  "
            "(subset: A.12.6.1 part of it)"
        )

    def test_map_works_backwards_and_as_json(self, capsys: pytest.CaptureFixture[str]) -> None:
        call_command(
            "catalog", "map", "A.8.8", "--from", "iso27001-2022", "--to", "iso27001-2013", "--json"
        )
        body = json.loads(_out(capsys))
        assert body["from"] == "iso27001-2022:A.8.8"
        assert {(t["key"], t["relationship"]) for t in body["to"]} == {
            ("iso27001-2013:A.12.6.1", "superset"),
            ("iso27001-2013:A.18.2.3", "subset"),
        }

    def test_map_says_when_a_control_is_new(self, capsys: pytest.CaptureFixture[str]) -> None:
        call_command("catalog", "map", "A.5.7", "--from", "iso27001-2022", "--to", "iso27001-2013")
        assert "iso27001-2022:A.5.7 (new in 2022) maps to nothing" in _out(capsys)

    def test_map_without_a_mapping_set_fails(self) -> None:
        with pytest.raises(CommandError, match="No mapping set between iso27001-2013 and soc2"):
            call_command(
                "catalog", "map", "A.5.1.1", "--from", "iso27001-2013", "--to", "soc2-2017"
            )


def test_the_demo_loads_the_catalogue(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo")
    assert set(Framework.objects.values_list("code", flat=True)) == {
        "iso27001-2013",
        "iso27001-2022",
        "soc2-2017",
    }


def test_a_bad_key_exits_with_1_and_a_message() -> None:
    env = {**os.environ, "OPENISMS_DEBUG": "1", "DATABASE_URL": "sqlite:////nonexistent/x.db"}
    result = subprocess.run(
        [sys.executable, "-m", "openisms.cli", "catalog", "show", "A.8.8"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "use <framework>:<ref>, e.g. iso27001-2022:A.8.8" in result.stderr
