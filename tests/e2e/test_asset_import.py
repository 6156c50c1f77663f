"""Import a CSV through the pages, check the preview, commit, filter the list: in a browser."""

from __future__ import annotations

from typing import Any

import pytest

from openisms.core.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "Asset name,Type,Asset owner,Classification,C,I,A,Tags,Remarks\n"
    "Production database,software,owner@alpha.test,Restricted,4,4,4,pii; production,x\n"
    "Staff laptops,hardware,owner@alpha.test,Internal,3,2,2,endpoint,y\n"
    "Build servers,hardware,owner@alpha.test,Internal,2,3,2,engineering,z\n"
    "London office,site,owner@alpha.test,Internal,2,2,3,office,\n"
)


def test_an_owner_imports_a_csv_checks_the_preview_and_filters_the_list(
    owner_page: Any, org_a: Organization
) -> None:
    page = owner_page
    page.get_by_role("link", name="Assets", exact=True).click()
    page.wait_for_url("**/o/alpha/assets/")
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_label("CSV or XLSX file").set_input_files(
        files=[{"name": "inventory.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/o/alpha/assets/import/*/")

    # The preview: the detected mapping, the first rows, no errors.
    assert page.get_by_label("Column 1 (Asset name) fills").input_value() == "name"
    assert page.get_by_label("Column 2 (Type) fills").input_value() == "kind"
    assert page.get_by_label("Column 3 (Asset owner) fills").input_value() == "owner"
    assert page.get_by_label("Column 9 (Remarks) fills").input_value() == ""
    rows = page.get_by_test_id("preview-row")
    assert rows.count() == 4
    assert "Production database" in rows.first.inner_text()
    assert "No errors" in page.get_by_test_id("import-summary").inner_text()

    # Use the remarks as descriptions, check again, then import.
    page.get_by_label("Column 9 (Remarks) fills").select_option("description")
    page.get_by_role("button", name="Apply the mapping and check again").click()
    assert page.get_by_label("Column 9 (Remarks) fills").input_value() == "description"
    page.get_by_role("button", name="3. Import 4 rows").click()
    page.wait_for_url("**/o/alpha/assets/")
    assert page.get_by_text("4 created, 0 updated, 0 unchanged").is_visible()
    assert page.get_by_test_id("asset-row").count() == 4

    # Filter the list: hardware only, then by tag.
    page.get_by_label("Kind", exact=True).select_option("hardware")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=hardware**")
    names = page.get_by_test_id("asset-row").all_inner_texts()
    assert len(names) == 2
    assert any("Staff laptops" in n for n in names) and any("Build servers" in n for n in names)
    page.get_by_label("Kind", exact=True).select_option("")
    page.get_by_label("Tag", exact=True).fill("pii")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**tag=pii**")
    assert page.get_by_test_id("asset-row").count() == 1
    assert "Production database" in page.get_by_test_id("asset-row").first.inner_text()
    assert "Critical" in page.get_by_test_id("asset-row").first.inner_text()
