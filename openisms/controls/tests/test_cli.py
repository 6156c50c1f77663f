"""``openisms soa``: show, check (exit code), publish, approve, diff, export, import."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from openisms.controls.models import Control, SoaVersion
from openisms.controls.tests.factories import control, make_clean_soa
from openisms.core.models import AuditEvent, Organization

pytestmark = pytest.mark.usefixtures("annex_a")


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("soa", *args, stdout=out)
    return out.getvalue()


def test_check_exits_non_zero_on_blockers(org_a: Organization) -> None:
    make_clean_soa(org_a)
    assert "No problems" in _call("check", "--org", "alpha")
    Control.objects.filter(organization=org_a, ref="A.5.2").update(
        applicability="no", exclusion_justification="N/A"
    )
    with pytest.raises(CommandError, match="1 blocker"):
        _call("check", "--org", "alpha")


def test_publish_approve_diff_and_show(org_a: Organization) -> None:
    make_clean_soa(org_a)
    assert "version 1" in _call("publish", "--org", "alpha", "--note", "first")
    _call("approve", "--org", "alpha", "--version", "1", "--comment", "ok")
    assert SoaVersion.objects.get(organization=org_a).status == "approved"
    Control.objects.filter(organization=org_a, ref="A.5.3").update(implementation_status="partial")
    changes = json.loads(_call("diff", "--org", "alpha", "1", "--json"))
    assert [c["ref"] for c in changes] == ["A.5.3"]
    assert len(json.loads(_call("show", "--org", "alpha", "--json"))) == 93
    assert AuditEvent.objects.filter(organization=org_a, actor__startswith="cli:").exists()


def test_export_writes_a_file(org_a: Organization, tmp_path: Path) -> None:
    target = tmp_path / "soa.xlsx"
    call_command("soa", "export", "--org", "alpha", "--working", "-o", str(target))
    assert load_workbook(target)["SoA"]["A2"].value == "A.5.1"


def test_an_exported_workbook_imports_back_with_its_line_breaks(
    org_a: Organization, tmp_path: Path
) -> None:
    typed = "Backups nightly,\r\nrestored monthly (_x0041_ is the tape's label)."
    Control.objects.filter(organization=org_a, ref="A.8.13").update(
        implementation_description=typed
    )
    target = tmp_path / "soa.xlsx"
    call_command("soa", "export", "--org", "alpha", "--working", "-o", str(target))
    Control.objects.filter(organization=org_a, ref="A.8.13").update(implementation_description="")
    _call("import", str(target), "--org", "alpha")
    assert control(org_a, "A.8.13").implementation_description == typed


def test_import_with_2022_ids(org_a: Organization, tmp_path: Path) -> None:
    path = tmp_path / "soa.csv"
    path.write_text(
        "Control id,Applicable,Exclusion justification,Implementation status\n"
        "A.5.1,yes,,Implemented\n"
        "A.7.4,no,We run no premises; staff work from home.,Not started\n"
    )
    report = json.loads(_call("import", str(path), "--org", "alpha", "--json"))
    assert report["updated"] == ["A.5.1", "A.7.4"]
    assert control(org_a, "A.7.4").applicability == "no"
    assert control(org_a, "A.5.1").implementation_status == "implemented"
    assert "A.8.28" in report["needs_decision"]


def test_import_with_2013_ids_merges_and_reports(org_a: Organization, tmp_path: Path) -> None:
    path = tmp_path / "old.csv"
    path.write_text(
        "Control id,Applicable,Implementation status,Inclusion reasons\n"
        "A.8.1.1,yes,Implemented,Inventory policy\n"
        "A.8.1.2,yes,Planned,Ownership of assets\n"
    )
    report = json.loads(_call("import", str(path), "--org", "alpha", "--json"))
    assert report["edition"] == "2013"
    assert report["merged"] == {"A.5.9": ["A.8.1.1", "A.8.1.2"]}
    merged = control(org_a, "A.5.9")
    assert merged.implementation_status == "planned"
    assert "Inventory policy" in merged.business_reason
    assert "A.5.7" in report["needs_decision"]  # threat intelligence: new in 2022


def test_import_is_all_or_nothing(org_a: Organization, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("Control id,Applicable\nA.5.1,yes\nA.99.1.1,yes\n")
    with pytest.raises(CommandError, match=r"A\.99\.1\.1"):
        _call("import", str(path), "--org", "alpha")
    assert control(org_a, "A.5.1").applicability == "undecided"
