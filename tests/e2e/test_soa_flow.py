"""The Statement of Applicability in a real browser: an exclusion needs its justification;
publish, approve, change a row and see the change in the diff."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from openisms.catalog import services as catalog_services
from openisms.controls.models import Control, SoaVersion
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization

pytestmark = pytest.mark.django_db(transaction=True)


def _edit_row(page: Any, ref: str) -> Any:
    page.get_by_role("button", name=f"Edit {ref}", exact=True).click()
    form = page.get_by_role("form", name=f"Edit {ref}")
    form.wait_for()
    return form


def test_an_exclusion_without_justification_is_refused_and_a_change_shows_in_the_diff(
    owner_page: Any, org_a: Organization
) -> None:
    page = owner_page
    catalog_services.catalog_load(actor=SYSTEM)  # gives org_a its 93 controls
    areas = page.get_by_role("navigation", name="ISMS areas")
    areas.get_by_role("link", name="Controls & SoA").click()
    page.wait_for_url("**/o/alpha/controls/")

    form = _edit_row(owner_page, "A.7.4")
    form.get_by_label("Applicability").select_option("no")
    form.get_by_role("button", name="Save").click()
    refused = page.get_by_role("form", name="Edit A.7.4")
    refused.get_by_text("Say why the control is not applicable").wait_for()  # the swapped form
    assert Control.objects.get(organization=org_a, ref="A.7.4").applicability != "no"

    refused.get_by_label("Exclusion justification").fill(
        "No premises: staff work remotely and the platform runs at a certified cloud provider."
    )
    refused.get_by_role("button", name="Save").click()
    row = page.locator('[data-testid="soa-row"][data-ref="A.7.4"]')
    expect(row).to_contain_text("Not applicable")

    page.get_by_role("link", name="Versions").click()
    page.get_by_label("Reason to publish despite blockers").fill("First draft for the review.")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url("**/o/alpha/controls/versions/1/")
    expect(page.get_by_test_id("version-status")).to_contain_text("In review")
    page.get_by_label("Comment").fill("Agreed at the management review.")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url("**/o/alpha/controls/versions/1/")
    expect(page.get_by_test_id("version-status")).to_contain_text("Approved")
    assert SoaVersion.objects.get(organization=org_a, number=1).status == "approved"

    page.get_by_role("link", name="Statement of Applicability").click()
    form = _edit_row(owner_page, "A.5.1")
    form.get_by_label("Applicability").select_option("yes")
    form.get_by_label("Business requirement or good practice").fill("Customers ask for it.")
    form.get_by_label("Implementation", exact=True).select_option("implemented")
    form.get_by_role("button", name="Save").click()
    page.locator('[data-testid="soa-row"][data-ref="A.5.1"]').wait_for()

    page.get_by_role("link", name="Compare").click()
    page.get_by_label("From").select_option("1")
    page.get_by_label("To").select_option("working")
    page.get_by_role("button", name="Compare").click()
    change = page.get_by_test_id("diff").locator('tr[data-ref="A.5.1"]')
    expect(change).to_contain_text("implemented")
    assert page.get_by_test_id("diff").locator('tr[data-ref="A.7.4"]').count() == 0
