"""``openisms risks``: list, export, import, threats load, methodology show and preset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from openisms.core.models import Organization, User
from openisms.risks.models import Methodology, Risk, Threat
from openisms.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db


def test_methodology_preset_and_show(
    org_a: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match="preset"):
        call_command("risks", "methodology", "show", "--org", "alpha")
    call_command("risks", "methodology", "preset", "3x3", "--org", "alpha", "--note", "start")
    out = capsys.readouterr().out
    assert "version 1 (3x3)" in out and "High       accepted by top management" in out
    call_command("risks", "methodology", "show", "--org", "alpha", "--json")
    assert json.loads(capsys.readouterr().out)["size"] == "3x3"
    assert Methodology.objects.get().note == "start"


def test_threats_load_is_idempotent(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("risks", "threats", "load")
    call_command("risks", "threats", "load")
    out = capsys.readouterr().out.splitlines()
    assert "created" in out[0] and "unchanged" in out[1]
    assert Threat.objects.count() == 64


def test_list_prints_text_or_the_apis_json(
    org_a: Organization, method_a: Methodology, capsys: pytest.CaptureFixture[str]
) -> None:
    make_risk(org_a, "Ransomware", assess=(4, 4))
    make_risk(org_a, "Flood", assess=(1, 1))
    call_command("risks", "list", "--org", "alpha", "--level", "critical")
    out = capsys.readouterr().out
    assert "R-0001" in out and "critical" in out and "Flood" not in out
    call_command("risks", "list", "--org", "alpha", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert [r["ref"] for r in listed] == ["R-0001", "R-0002"] and listed[0][
        "inherent_level"
    ] == "critical"


def test_export_writes_each_format(
    org_a: Organization, method_a: Methodology, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_risk(org_a, assess=(2, 2))
    target = tmp_path / "risks.xlsx"
    call_command("risks", "export", "--org", "alpha", "--format", "xlsx", "-o", str(target))
    assert load_workbook(target)["Register"]["A2"].value == "R-0001"
    call_command("risks", "export", "--org", "alpha", "--format", "csv")
    assert "R-0001" in capsys.readouterr().out
    with pytest.raises(CommandError, match="give a file for pdf"):
        call_command("risks", "export", "--org", "alpha", "--format", "pdf")


def test_import_exits_1_naming_row_and_field_and_writes_nothing(
    org_a: Organization, owner_a: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(f"Title,Owner\nFine,{owner_a.email}\n,nobody@x.test\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1 row has problems; nothing was imported"):
        call_command("risks", "import", str(bad), "--org", "alpha")
    err = capsys.readouterr().err
    assert "row 3, title: Give the risk a title." in err
    assert "row 3, owner: nobody@x.test is not a member of Alpha Ltd." in err
    assert not Risk.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(f"Title,Owner\nFine,{owner_a.email}\n", encoding="utf-8")
    call_command("risks", "import", str(good), "--org", "alpha", "--dry-run")
    assert "Would import (dry run) 1 rows: 1 created" in capsys.readouterr().out
    call_command("risks", "import", str(good), "--org", "alpha", "--json")
    assert json.loads(capsys.readouterr().out)["created_refs"] == ["R-0001"]
