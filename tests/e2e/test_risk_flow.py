"""Create a risk, assess it, choose its controls and accept it; a heat-map cell's number is
the row count of the register it links to: in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from openisms.catalog import services as catalog_services
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization
from openisms.risks.models import Risk
from openisms.risks.tests.factories import make_methodology, make_risk

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_risk_is_created_assessed_treated_with_controls_and_accepted(
    owner_page: Any, org_a: Organization
) -> None:
    page = owner_page
    catalog_services.catalog_load(actor=SYSTEM)
    make_methodology(org_a, "5x5")
    page.get_by_role("navigation", name="ISMS areas").get_by_role("link", name="Risks").click()
    page.wait_for_url("**/o/alpha/risks/")
    page.get_by_role("link", name="New risk").click()
    page.get_by_label("Title").fill("Ransomware encrypts the payroll database")
    page.get_by_label("Availability").check()
    page.get_by_role("button", name="Add risk").click()

    page.wait_for_url("**/o/alpha/risks/R-0001/assess/")
    page.get_by_label("Inherent likelihood").select_option(label="3 · Possible")
    page.get_by_label("Inherent impact").select_option(label="5 · Severe")
    page.get_by_label("Target residual likelihood").select_option(label="2 · Unlikely")
    page.get_by_label("Target residual impact").select_option(label="3 · Moderate")
    page.get_by_role("button", name="Save assessment").click()
    page.wait_for_url("**/o/alpha/risks/R-0001/")
    assert "High" in page.get_by_test_id("inherent-level").inner_text()
    assert "Medium" in page.get_by_test_id("residual-level").inner_text()

    page.get_by_role("link", name="Treatment and controls").click()
    page.get_by_label("Treatment").select_option("modify")
    page.get_by_label("Annex A controls").select_option(["A.8.13", "A.5.30"])
    page.get_by_role("button", name="Save treatment").click()
    page.wait_for_url("**/o/alpha/risks/R-0001/")
    chosen = page.get_by_test_id("chosen-controls").inner_text()
    assert "A.5.30" in chosen and "A.8.13" in chosen

    page.get_by_role("link", name="Accept", exact=True).click()
    page.get_by_label("Rationale").fill("Immutable backups restore within a day.")
    page.get_by_role("button", name="Accept the risk").click()
    page.wait_for_url("**/o/alpha/risks/R-0001/")
    assert "Accepted" in page.get_by_test_id("risk-status").inner_text()
    risk = Risk.objects.get(ref="R-0001")
    assert (risk.status, risk.accepted_level, risk.treatment) == ("accepted", "medium", "modify")


def test_a_heat_map_cells_number_equals_the_rows_of_the_register_it_links_to(
    owner_page: Any, org_a: Organization
) -> None:
    page = owner_page
    make_methodology(org_a, "5x5")
    for number in range(3):
        make_risk(org_a, f"Outage {number}", assess=(4, 3), residual=(2, 2))
    make_risk(org_a, "Other cell", assess=(1, 1))
    page.goto("/o/alpha/risks/heatmap/")
    cell = page.get_by_test_id("heatmap-inherent").locator(
        'a[data-likelihood="4"][data-impact="3"]'
    )
    number = int(cell.get_by_test_id("heat-count").text_content() or "0")
    assert number == 3
    cell.click()
    page.wait_for_url("**/o/alpha/risks/?*inherent_likelihood=4*")
    assert page.get_by_test_id("risk-row").count() == number
