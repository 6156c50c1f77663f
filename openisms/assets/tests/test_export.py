"""Exports: exactly the filtered list as CSV and XLSX, read back; the import templates."""

from __future__ import annotations

import csv
import io

from django.test import Client
from openpyxl import load_workbook

from openisms.assets import exports
from openisms.assets.filters import AssetFilters
from openisms.assets.imports import import_file
from openisms.assets.imports.reading import read_table
from openisms.assets.models import Asset
from openisms.assets.tests.factories import make_asset
from openisms.core.models import Organization, User


def _inventory(org: Organization) -> None:
    db = make_asset(org, "Production database", confidentiality=4, tags="pii; production")
    make_asset(org, "Payroll app", depends_on=[db.ref], tags="production", location="AWS")
    make_asset(org, "Office", kind="site", tags="office")
    make_asset(org, "=SUM(A1)", kind="information", tags="production")


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(content: bytes, sheet: str = "Assets") -> list[dict[str, object]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]  # type: ignore[arg-type]


def test_the_csv_export_is_exactly_the_filtered_list(
    client_owner_a: Client, org_a: Organization
) -> None:
    _inventory(org_a)
    response = client_owner_a.get("/o/alpha/assets/export/?tag=production&sort=-name&format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="alpha-assets-')
    rows = _csv_rows(response.content)
    expected = Asset.objects.filter(tags__name="production").order_by("-name")
    assert [r["Ref"] for r in rows] == [a.ref for a in expected]
    app = next(r for r in rows if r["Name"] == "Payroll app")
    assert app["Depends on"] == "A-0001" and app["Owner"] == "owner@alpha.test"
    assert app["Location"] == "AWS" and app["Tags"] == "production"
    assert next(r for r in rows if r["Ref"] == "A-0004")["Name"] == "'=SUM(A1)"


def test_the_xlsx_export_is_the_filtered_list_with_an_about_sheet(
    client_owner_a: Client, org_a: Organization
) -> None:
    _inventory(org_a)
    response = client_owner_a.get("/o/alpha/assets/export/?criticality=4&format=xlsx")
    assert response["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    rows = _xlsx_rows(response.content)
    assert [(r["Ref"], r["Name"], r["Criticality"]) for r in rows] == [
        ("A-0001", "Production database", "Critical")
    ]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Organisation"] == "Alpha Ltd" and about["Produced by"] == "owner@alpha.test"
    assert about["Filters"] == "criticality=4" and about["Version"] == "Working copy"


def test_an_export_imports_back_unchanged(owner_a: User, org_a: Organization) -> None:
    _inventory(org_a)
    for file_format in exports.FORMATS:
        content, name = exports.export_inventory(
            actor=owner_a, org=org_a, filters=AssetFilters(), file_format=file_format
        )
        result = import_file(actor=owner_a, org=org_a, filename=name, content=content)
        assert result.summary()["unchanged"] == 4, file_format
        assert not result.created and not result.updated


def test_text_typed_in_a_browser_imports_back_as_it_was(owner_a: User, org_a: Organization) -> None:
    described = "Racked in hall 2,\r\nrow 4; _x0041_ is its label."
    make_asset(org_a, "Rack", kind="hardware", description=described)
    for file_format in exports.FORMATS:
        content, name = exports.export_inventory(
            actor=owner_a, org=org_a, filters=AssetFilters(), file_format=file_format
        )
        result = import_file(actor=owner_a, org=org_a, filename=name, content=content)
        assert result.summary()["unchanged"] == 1, file_format
    assert Asset.objects.get(name="Rack").description == described


def test_the_templates_have_the_headers_and_one_example_row(client_owner_a: Client) -> None:
    for file_format in exports.FORMATS:
        response = client_owner_a.get(f"/o/alpha/assets/import/template/?format={file_format}")
        assert response.status_code == 200
        table = read_table(f"t.{file_format}", response.content)
        assert table.headers[:3] == ["Ref", "External ID", "Name"]
        assert "Criticality" not in table.headers
        assert len(table.rows) == 1 and table.rows[0][1][2] == "Customer payroll data"


def test_an_unknown_format_is_refused(client_owner_a: Client) -> None:
    assert client_owner_a.get("/o/alpha/assets/export/?format=pdf").status_code == 422
