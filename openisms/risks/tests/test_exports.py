"""Exports read back: the XLSX sheets, the CSV, the PDF report (pdftotext) and the DOCX plan;
each says whose, what, when and by whom."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from openisms.assets.tests.factories import make_asset
from openisms.core.errors import ValidationError
from openisms.core.models import Organization, User
from openisms.risks import exports
from openisms.risks.filters import RiskFilters
from openisms.risks.models import Methodology
from openisms.risks.tests.factories import make_action, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(org_a: Organization, method_a: Methodology, annex_a: None) -> None:
    asset = make_asset(org_a, "Payroll DB")
    first = make_risk(
        org_a,
        "=Ransomware",
        assess=(3, 5),
        residual=(2, 3),
        assets=[asset.ref],
        controls=["A.8.13"],
        treatment="modify",
    )
    make_action(first, "Vault lock", due_date="2020-01-01")
    make_risk(org_a, "Laptop loss", assess=(4, 3))
    make_risk(org_a, "Not assessed yet")


def _export(owner: User, org: Organization, file_format: str, **filters: Any) -> bytes:
    content, name = exports.export_risks(
        actor=owner,
        org=org,
        filters=RiskFilters(**filters),
        file_format=file_format,
    )
    assert name.startswith("alpha-") and name.endswith(f".{file_format}")
    return content


def test_the_xlsx_has_the_methodology_register_heat_maps_and_plan(
    owner_a: User, org_a: Organization, register: None
) -> None:
    book = load_workbook(io.BytesIO(_export(owner_a, org_a, "xlsx")))
    assert book.sheetnames == [
        "About",
        "Methodology",
        "Register",
        "Heat map (inherent)",
        "Heat map (residual)",
        "Treatment plan",
    ]
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=2, values_only=True)}
    assert about["Organisation"] == "Alpha Ltd" and about["Produced by"] == owner_a.email
    assert about["Contents"] == "Risk register" and about["Produced"]
    rows = list(book["Register"].iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert len(rows) == 4 and first["Ref"] == "R-0001"
    assert first["Title"] == "=Ransomware" and book["Register"]["B2"].data_type == "s"
    assert (first["Inherent level"], first["Residual level"], first["Annex A controls"]) == (
        "High",
        "Medium",
        "A.8.13",
    )
    heat = list(book["Heat map (inherent)"].iter_rows(values_only=True))
    assert heat[-1] == ("Total", 2, *([None] * 4))
    plan = list(book["Treatment plan"].iter_rows(values_only=True))
    assert plan[1][:3] == ("R-0001", "=Ransomware", "Vault lock") and plan[1][7] == "yes"
    methodology = [r[0] for r in book["Methodology"].iter_rows(values_only=True)]
    assert "Matrix (likelihood down, impact across)" in methodology


def test_the_csv_is_the_filtered_register_after_the_info_lines(
    owner_a: User, org_a: Organization, register: None
) -> None:
    text = _export(owner_a, org_a, "csv", level="high").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Organisation", "Alpha Ltd"] and ["Filters", "level=high"] in rows
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Ref")
    data = rows[start + 1 :]
    assert [row[0] for row in data] == ["R-0002"]  # R-0001's residual level (medium) counts
    assert "'=Ransomware" not in text  # filtered out; formulas would be guarded with '


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing")
def test_the_pdf_report_has_the_organisation_methodology_heat_maps_and_register(
    owner_a: User, org_a: Organization, register: None, tmp_path: Path
) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(_export(owner_a, org_a, "pdf"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Risk assessment report",
        "Alpha Ltd",
        owner_a.email,
        "Risk methodology",
        "Inherent risk",
        "Residual risk",
        "R-0001",
        "Laptop loss",
        "Top management only",
        "Risk register (3 risks)",
    ):
        assert expected in text, expected
    # Both heat maps whole on their page (the second used to run past its edge, last column lost).
    assert text.count("5 · Severe") == 2
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert pages and set(re.findall(r"Page \d+ of (\d+)", text)) == {pages[1]}
    assert len(re.findall(r"Page \d+ of", text)) == int(pages[1])  # every page has its footer


def test_the_docx_treatment_plan_lists_each_action(
    owner_a: User, org_a: Organization, register: None
) -> None:
    document = Document(io.BytesIO(_export(owner_a, org_a, "docx")))
    assert document.paragraphs[0].text == "Risk treatment plan: Alpha Ltd"
    info, risks, actions = document.tables
    assert ["Produced by", owner_a.email] in [[c.text for c in row.cells] for row in info.rows]
    assert [c.text for c in risks.rows[1].cells][:4] == [
        "R-0001",
        "=Ransomware",
        "owner@alpha.test",
        "Modify (reduce with controls)",
    ]
    action = [c.text for c in actions.rows[1].cells]
    assert action[:2] == ["R-0001", "Vault lock"] and action[-1] == "OVERDUE"


def test_docx_tables_keep_each_value_in_its_cell_with_line_breaks_and_spaces() -> None:
    from openisms.risks.exports.documents import DocxTables

    tables = DocxTables(Document())
    tables.document.add_paragraph("openisms-streamed-rows-0")  # a text like a marker
    rows: list[list[object]] = [
        ["R-0001", "two\nlines", None, " padded "],
        ["R-0002", "tab\there", 3, ""],
        ["R-0003", "<b>&amp; \x07bell", "Zürich · \u00d7", "  "],
    ]
    tables.add(["Ref", "Text", "Empty", "Spaces"], iter(rows))
    tables.add(["Second"], ([f"row {n}"] for n in range(1200)))  # flushed in chunks
    saved = Document(io.BytesIO(tables.save()))
    first, second = saved.tables
    assert saved.paragraphs[0].text == "openisms-streamed-rows-0"
    assert [[c.text for c in row.cells] for row in first.rows] == [
        ["Ref", "Text", "Empty", "Spaces"],
        ["R-0001", "two\nlines", "", " padded "],
        ["R-0002", "tab\there", "3", ""],
        ["R-0003", "<b>&amp; bell", "Zürich · \u00d7", "  "],
    ]
    assert all(run.bold for run in first.rows[0].cells[0].paragraphs[0].runs)
    assert not any(run.bold for run in first.rows[1].cells[0].paragraphs[0].runs)
    assert first.style is not None and first.style.name == "Light Grid Accent 1"
    texts = [row.cells[0].text for row in second.rows]
    assert texts[0] == "Second" and texts[1:] == [f"row {n}" for n in range(1200)]


def test_the_register_page_offers_the_exports_of_what_is_filtered(
    client_owner_a: object, org_a: Organization, register: None
) -> None:
    page = client_owner_a.get("/o/alpha/risks/?level=high").content.decode()  # type: ignore[attr-defined]
    assert "export/?level=high&amp;format=xlsx" in page
    answer = client_owner_a.get("/o/alpha/risks/export/?format=docx")  # type: ignore[attr-defined]
    assert answer.status_code == 200 and answer["Content-Type"].endswith(
        "wordprocessingml.document"
    )


def test_a_pdf_report_of_more_risks_than_paper_allows_is_refused_with_a_hint(
    owner_a: User, org_a: Organization, register: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(exports, "PDF_MAX_RISKS", 1)
    with pytest.raises(ValidationError) as caught:
        _export(owner_a, org_a, "pdf")
    assert "at most 1 risks and this selection has 3" in caught.value.errors["format"][0]
    narrowed = RiskFilters(q="Laptop")
    content, _ = exports.export_risks(actor=owner_a, org=org_a, filters=narrowed, file_format="pdf")
    assert content.startswith(b"%PDF")
