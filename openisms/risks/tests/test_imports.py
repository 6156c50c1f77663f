"""Import from CSV and XLSX: all or nothing, through the same rules, problems by row and column;
an exported register imports back unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from openisms.assets.tests.factories import make_asset
from openisms.core.actors import SYSTEM
from openisms.core.errors import PermissionDenied, ValidationError
from openisms.core.models import Organization, User
from openisms.risks import exports
from openisms.risks.filters import RiskFilters
from openisms.risks.imports import import_file
from openisms.risks.models import Methodology, Risk
from openisms.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db
HEADER = ["Ref", "Title", "Owner", "Assets", "Inherent likelihood", "Inherent impact", "Treatment"]


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_new_rows_are_created_and_assessed(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    asset = make_asset(org_a, "DB")
    content = _csv(
        [
            ["", "Ransomware", owner_a.email, asset.ref, "3", "5", "modify"],
            ["", "Laptop loss", owner_a.email, "", "", "", ""],
        ]
    )
    result = import_file(actor=SYSTEM, org=org_a, filename="r.csv", content=content)
    assert result.created == ["R-0001", "R-0002"] and result.rows == 2
    first = Risk.objects.get(ref="R-0001")
    assert (first.inherent_level, first.status) == ("high", "treatment_planned")
    assert first.assessments.get().note == "Imported from a file."
    assert Risk.objects.get(ref="R-0002").status == "identified"


def test_one_bad_row_stops_the_whole_import_and_every_problem_is_named(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    content = _csv(
        [
            ["", "Fine", owner_a.email, "", "2", "2", ""],
            ["", "", "nobody@x.test", "A-0042", "9", "1", "sell"],
            ["R-0077", "Ghost", owner_a.email, "", "", "", ""],
        ]
    )
    with pytest.raises(ValidationError) as caught:
        import_file(actor=SYSTEM, org=org_a, filename="r.csv", content=content)
    errors = caught.value.errors
    assert caught.value.message == "2 rows have problems; nothing was imported."
    assert errors["row 3, title"] == ["Give the risk a title."]
    assert errors["row 3, owner"] == ["nobody@x.test is not a member of Alpha Ltd."]
    assert errors["row 3, assets"] == ["No asset A-0042 in this organisation."]
    assert "row 3, treatment" in errors
    assert errors["row 4, ref"] == ["No risk R-0077; leave Ref empty to add a new risk."]
    assert not Risk.objects.exists()


def test_a_dry_run_checks_everything_and_writes_nothing(org_a: Organization, owner_a: User) -> None:
    content = _csv([["", "Fine", owner_a.email, "", "", "", ""]])
    result = import_file(actor=SYSTEM, org=org_a, filename="r.csv", content=content, dry_run=True)
    assert result.created == ["R-0001"] and result.dry_run
    assert not Risk.objects.exists()


def test_an_exported_register_imports_back_without_changes(
    org_a: Organization, owner_a: User, method_a: Methodology, annex_a: None
) -> None:
    asset = make_asset(org_a, "DB")
    make_risk(
        org_a,
        "One",
        assess=(3, 4),
        residual=(1, 2),
        assets=[asset.ref],
        controls=["A.8.13"],
        treatment="modify",
        affects_availability=True,
    )
    # Typed in a browser's text box (CR LF), with text that looks like a spreadsheet's code
    # for a character, and a review date before spreadsheets have date numbers.
    described = "First line\r\nsecond line, _x0041_ as typed."
    make_risk(org_a, "Two", description=described, next_review=dt.date(1899, 6, 1))
    make_risk(org_a, "'Tis the season: short-staffed in December")  # an apostrophe of its own
    for file_format in ("csv", "xlsx"):
        content, _ = exports.export_risks(
            actor=owner_a, org=org_a, filters=RiskFilters(), file_format=file_format
        )
        result = import_file(actor=owner_a, org=org_a, filename=f"r.{file_format}", content=content)
        assert (result.unchanged, result.created, result.updated) == (3, [], []), file_format
    assert Risk.objects.get(ref="R-0001").version == 1
    assert Risk.objects.get(ref="R-0002").description == described


def test_an_xlsx_row_changes_the_risk_it_names(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    make_risk(org_a, "Old title", assess=(2, 2))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Ref", "Title", "Inherent likelihood", "Inherent impact"])
    sheet.append(["R-0001", "New title", 4, 4])
    out = io.BytesIO()
    book.save(out)
    result = import_file(actor=owner_a, org=org_a, filename="r.xlsx", content=out.getvalue())
    assert result.updated == ["R-0001"]
    risk = Risk.objects.get()
    assert (risk.title, risk.inherent_level, risk.assessments.count()) == (
        "New title",
        "critical",
        2,
    )


def test_viewers_cannot_import(org_a: Organization, viewer_a: User) -> None:
    with pytest.raises(PermissionDenied):
        import_file(actor=viewer_a, org=org_a, filename="r.csv", content=_csv([]))


def test_a_control_character_in_any_cell_is_named_by_row_and_column(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    content = _csv(
        [
            ["", "Fine", owner_a.email, "", "2", "2", ""],
            ["", "Ransom\x00ware", owner_a.email, "A-0001\x00", "2", "2", ""],
        ]
    )
    with pytest.raises(ValidationError) as caught:
        import_file(actor=SYSTEM, org=org_a, filename="r.csv", content=content)
    assert set(caught.value.errors) == {"row 3, title", "row 3, assets"}
    assert "U+0000" in caught.value.errors["row 3, assets"][0]
    assert not Risk.objects.exists()
