"""``openisms assets import|export``: summaries, every error listed, exit codes, files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, OutputWrapper
from openpyxl import load_workbook

from openisms.assets.management.commands.assets import ProgressBar
from openisms.assets.models import Asset
from openisms.assets.tests.factories import make_asset
from openisms.assets.tests.test_import import csv_bytes
from openisms.core.models import AuditEvent, Organization

HEADER = ["Name", "Kind", "Owner"]


def _file(tmp_path: Path, rows: list[list[str]], name: str = "assets.csv") -> str:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, HEADER))
    return str(path)


def test_import_prints_a_summary_and_is_audited_as_the_console(
    org_a: Organization, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, [["Server", "hardware", "owner@alpha.test"]] * 3)
    call_command("assets", "import", path, "--org", "alpha")
    out = capsys.readouterr().out
    assert "Imported 3 rows: 3 created, 0 updated, 0 unchanged, 0 errors." in out
    assert AuditEvent.objects.get(verb="asset.imported").actor.startswith("cli:")


def test_a_bad_file_lists_every_error_and_exits_1(
    org_a: Organization, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ["Server", "hardware", "owner@alpha.test"],
        ["", "hardware", "x@alpha.test"],
        ["Desk", "furniture", "owner@alpha.test"],
    ]
    with pytest.raises(CommandError, match="3 errors; nothing was imported"):
        call_command("assets", "import", _file(tmp_path, rows), "--org", "alpha")
    err = capsys.readouterr().err
    assert "row 3: name: " in err and "row 3: owner: x@alpha.test is not a member" in err
    assert "row 4: kind: 'furniture' is not a kind of asset" in err
    assert not Asset.objects.exists()


def test_dry_run_and_json(
    org_a: Organization, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, [["Server", "hardware", "owner@alpha.test"]])
    call_command("assets", "import", path, "--org", "alpha", "--dry-run", "--json")
    body = json.loads(capsys.readouterr().out)
    assert body["ok"] and body["dry_run"] and body["created"] == 1
    assert not Asset.objects.exists()


def test_json_lists_the_errors_too(
    org_a: Organization, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _file(tmp_path, [["Server", "hardware", "nobody@alpha.test"]])
    with pytest.raises(CommandError):
        call_command("assets", "import", path, "--org", "alpha", "--json")
    body = json.loads(capsys.readouterr().out)
    assert not body["ok"] and list(body["errors"]) == ["row 2: owner"]


def test_a_missing_file_is_a_clear_error(org_a: Organization) -> None:
    with pytest.raises(CommandError, match="no file"):
        call_command("assets", "import", "/nonexistent/file.csv", "--org", "alpha")


def test_the_progress_bar_draws_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = ProgressBar(OutputWrapper(screen), width=10)
    bar("checking", 5, 10)
    bar.finish()
    assert screen.getvalue() == "\rchecking  [#####.....]  50%\n"
    piped = io.StringIO()
    quiet = ProgressBar(OutputWrapper(piped))
    quiet("checking", 5, 10)
    quiet.finish()
    assert piped.getvalue() == ""


def test_export_csv_to_stdout_with_filters(
    org_a: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    make_asset(org_a, "Server", kind="hardware")
    make_asset(org_a, "Office", kind="site")
    call_command("assets", "export", "--org", "alpha", "--kind", "site")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Ref,External ID,Name") and len(lines) == 2
    assert lines[1].startswith("A-0002,,Office,Site")


def test_export_xlsx_to_a_file(org_a: Organization, tmp_path: Path) -> None:
    make_asset(org_a, "Server", kind="hardware")
    target = tmp_path / "inventory.xlsx"
    call_command("assets", "export", "--org", "alpha", "--format", "xlsx", "-o", str(target))
    book = load_workbook(target, read_only=True)
    rows = list(book["Assets"].iter_rows(values_only=True))
    assert rows[1][:3] == ("A-0001", None, "Server")
    with pytest.raises(CommandError, match="give a file for XLSX"):
        call_command("assets", "export", "--org", "alpha", "--format", "xlsx")
