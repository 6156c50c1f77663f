"""Exports read back: XLSX with openpyxl, DOCX with python-docx, PDF as text, CSV, JSON."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from django.test import Client
from openpyxl import load_workbook

from openisms.controls import exports, selectors, services
from openisms.controls.tests.factories import make_clean_soa, set_control
from openisms.core.models import AuditEvent, Organization, User

pytestmark = pytest.mark.usefixtures("annex_a")


@pytest.fixture
def approved(org_a: Organization, owner_a: User) -> Organization:
    make_clean_soa(org_a)
    version = services.soa_publish(actor=owner_a, org=org_a)
    services.soa_approve(actor=owner_a, version=version, comment="Approved for Stage 1")
    return org_a


def _build(org: Organization, user: User, fmt: str, working: bool = False) -> bytes:
    return exports.build(actor=user, org=org, fmt=fmt, working=working).content


def test_the_xlsx_matches_the_page_and_has_a_cover(approved: Organization, owner_a: User) -> None:
    book = load_workbook(io.BytesIO(_build(approved, owner_a, "xlsx")))
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=2, values_only=True)}
    assert cover["Organisation"] == "Alpha Ltd"
    assert cover["Version"] == "version 1"
    assert str(cover["Approval"]).startswith("owner@alpha.test")
    sheet = list(book["SoA"].iter_rows(values_only=True))
    assert sheet[0][:4] == ("Control id", "Title", "Theme", "Applicable")
    page = selectors.soa_rows(actor=owner_a, org=approved)
    assert [row[0] for row in sheet[1:]] == [row.control.ref for row in page]
    assert {row[3] for row in sheet[1:]} == {"Applicable"}


def test_exports_show_the_approved_version_unless_the_working_copy_is_asked_for(
    approved: Organization, owner_a: User
) -> None:
    set_control(approved, "A.5.1", implementation_status="implemented")
    rows = list(csv.reader(io.StringIO(_build(approved, owner_a, "csv").decode())))
    assert next(r for r in rows if r[0] == "A.5.1")[6] == "Planned"
    rows = list(csv.reader(io.StringIO(_build(approved, owner_a, "csv", True).decode())))
    assert next(r for r in rows if r[0] == "A.5.1")[6] == "Implemented"


def test_the_csv_guards_text_a_spreadsheet_would_run_as_a_formula(
    approved: Organization, owner_a: User
) -> None:
    set_control(approved, "A.5.1", implementation_description='=HYPERLINK("x")')
    rows = list(csv.reader(io.StringIO(_build(approved, owner_a, "csv", True).decode())))
    assert next(r for r in rows if r[0] == "A.5.1")[7] == '\'=HYPERLINK("x")'


def test_the_docx_reads_back(approved: Organization, owner_a: User) -> None:
    document = docx.Document(io.BytesIO(_build(approved, owner_a, "docx")))
    refs = [row.cells[0].text for row in document.tables[1].rows[1:]]
    assert len(refs) == 93 and refs[0] == "A.5.1"
    assert "Alpha Ltd" in document.paragraphs[0].text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_the_pdf_holds_every_control_id(
    approved: Organization, owner_a: User, tmp_path: Path
) -> None:
    path = tmp_path / "soa.pdf"
    path.write_bytes(_build(approved, owner_a, "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    refs = [row.control.ref for row in selectors.soa_rows(actor=owner_a, org=approved)]
    assert all(ref in text for ref in refs)


def test_the_json_carries_the_rows_and_is_audited(approved: Organization, owner_a: User) -> None:
    body = json.loads(_build(approved, owner_a, "json"))
    assert body["statement_of_applicability"]["version"] == "version 1"
    assert len(body["rows"]) == 93
    assert AuditEvent.objects.filter(organization=approved, verb="soa.exported").exists()


def test_the_page_export_and_a_viewer_may_export(
    client_viewer_a: Client, approved: Organization
) -> None:
    response = client_viewer_a.get(f"/o/{approved.slug}/controls/export/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
