"""The SoA pages: the table, inline edit with htmx, one control, access."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openisms.controls.models import Control
from openisms.controls.tests.factories import control
from openisms.core.models import AuditEvent, Organization
from openisms.risks.models import Methodology
from openisms.risks.tests.factories import make_risk
from tests import support

pytestmark = pytest.mark.usefixtures("annex_a")


def _soa(org: Organization) -> str:
    return f"/o/{org.slug}/controls/"


def test_the_soa_lists_every_control_grouped_by_theme_with_risk_links(
    client_owner_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    risk = make_risk(org_a, controls=["A.8.8"], treatment="modify")
    response = client_owner_a.get(_soa(org_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="soa-row"') == 93
    assert "People controls (A.6)" in body
    assert f"/o/alpha/risks/{risk.ref}/" in body


def test_filters_live_in_the_url(client_owner_a: Client, org_a: Organization) -> None:
    response = client_owner_a.get(_soa(org_a) + "?theme=people")
    assert response.content.decode().count('data-testid="soa-row"') == 8


def test_a_row_swaps_to_a_form_and_back_when_saved(
    client_owner_a: Client, org_a: Organization
) -> None:
    url = _soa(org_a) + "A.5.1/row/"
    form = client_owner_a.get(url + "?edit=1")
    assert 'data-testid="soa-row-form"' in form.content.decode()
    saved = client_owner_a.post(
        url,
        {
            "version": 1,
            "applicability": "yes",
            "business_reason": "The board asked for it.",
            "implementation_status": "planned",
        },
    )
    assert 'data-testid="soa-row"' in saved.content.decode()
    assert control(org_a, "A.5.1").implementation_status == "planned"
    assert AuditEvent.objects.filter(organization=org_a, verb="control.updated").exists()


def test_an_exclusion_without_justification_is_refused_beside_the_field(
    client_owner_a: Client, org_a: Organization
) -> None:
    response = client_owner_a.post(
        _soa(org_a) + "A.7.4/row/",
        {"version": 1, "applicability": "no", "implementation_status": "not_started"},
    )
    body = response.content.decode()
    assert 'data-testid="soa-row-form"' in body
    assert "not applicable" in body
    assert control(org_a, "A.7.4").applicability == "undecided"


def test_a_viewer_sees_the_soa_but_cannot_edit(
    client_viewer_a: Client, org_a: Organization
) -> None:
    assert client_viewer_a.get(_soa(org_a)).status_code == 200
    assert client_viewer_a.get(_soa(org_a) + "A.5.1/").status_code == 200
    assert client_viewer_a.get(_soa(org_a) + "A.5.1/row/?edit=1").status_code == 403
    response = client_viewer_a.post(_soa(org_a) + "A.5.1/row/", {"applicability": "yes"})
    assert response.status_code == 403
    assert client_viewer_a.get(_soa(org_a) + "A.5.1/edit/").status_code == 403


def test_reading_the_soa_writes_nothing(client_viewer_a: Client, org_a: Organization) -> None:
    Control.objects.filter(organization=org_a, ref="A.5.1").delete()  # as if never made
    events = AuditEvent.objects.filter(organization=org_a).count()
    with CaptureQueriesContext(connection) as queries:
        response = client_viewer_a.get(_soa(org_a))
    assert response.status_code == 200 and "A.5.2" in response.content.decode()
    written = [q["sql"] for q in queries.captured_queries if not _reads(q["sql"])]
    assert written == []
    assert AuditEvent.objects.filter(organization=org_a).count() == events
    assert not Control.objects.filter(organization=org_a, ref="A.5.1").exists()


def _reads(sql: str) -> bool:
    """A read, or the login session's own bookkeeping (not the ISMS's data)."""
    reads = sql.lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE SAVEPOINT"))
    return reads or '"django_session"' in sql


def test_another_organisation_gets_404(client_owner_b: Client, org_a: Organization) -> None:
    assert client_owner_b.get(_soa(org_a)).status_code == 404


def test_the_detail_and_edit_pages(client_owner_a: Client, org_a: Organization) -> None:
    assert client_owner_a.get(_soa(org_a) + "A.5.15/").status_code == 200
    response = client_owner_a.post(
        _soa(org_a) + "A.5.15/edit/",
        {"version": 1, "applicability": "yes", "implementation_status": "implemented"},
    )
    assert response.status_code == 302
    assert client_owner_a.get(_soa(org_a) + "A.9.99/").status_code == 404


def test_a_link_is_added_to_a_control(client_owner_a: Client, org_a: Organization) -> None:
    response = client_owner_a.post(
        _soa(org_a) + "A.5.1/links/new/",
        {"kind": "document", "label": "Information security policy", "url": "https://x.test/p"},
    )
    assert response.status_code == 302
    assert control(org_a, "A.5.1").links.count() == 1


def test_the_soa_page_runs_a_constant_number_of_queries(
    client_owner_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    refs = list(Control.objects.filter(organization=org_a).values_list("ref", flat=True)[:5])

    def add_rows(count: int) -> None:
        for number in range(count):
            make_risk(org_a, f"Risk {number}", controls=refs[: 1 + number % 5], treatment="modify")

    support.assert_constant_queries(lambda: client_owner_a.get(_soa(org_a)), add_rows)


def test_a_control_chosen_by_many_risks_lists_the_first_and_counts_the_rest(
    client_owner_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    for number in range(12):
        make_risk(org_a, f"Risk {number}", controls=["A.8.8"], treatment="modify")
    body = client_owner_a.get(_soa(org_a) + "?q=A.8.8").content.decode()
    assert "/o/alpha/risks/R-0010/" in body
    assert "/o/alpha/risks/R-0011/" not in body
    assert "and 2 more" in body


def test_the_dashboard_shows_the_soa_tiles(client_owner_a: Client, org_a: Organization) -> None:
    body = client_owner_a.get(f"/o/{org_a.slug}/").content.decode()
    assert "Controls undecided" in body


def test_a_control_from_another_source_is_added_through_its_page(
    client_owner_a: Client, org_a: Organization
) -> None:
    page = client_owner_a.get(_soa(org_a) + "new/")
    assert page.status_code == 200 and 'name="source_note"' in page.content.decode()
    form = {"ref": "X-01", "title": "Customer data residency", "source_note": "Globex contract"}
    response = client_owner_a.post(_soa(org_a) + "new/", {**form, "business_reason": "Clause 9"})
    assert response.status_code == 302 and response["Location"] == _soa(org_a) + "X-01/"
    made = control(org_a, "X-01")
    assert (made.title, made.business_reason) == ("Customer data residency", "Clause 9")
    again = client_owner_a.post(_soa(org_a) + "new/", form)
    assert again.status_code == 422
    assert "There is already a control X-01." in again.content.decode()


def test_a_new_control_names_each_field_that_does_not_fit(
    client_owner_a: Client, org_a: Organization
) -> None:
    form = {"ref": "X\x0b02", "title": "T" * 201, "source_note": "", "business_reason": "a\x00"}
    response = client_owner_a.post(_soa(org_a) + "new/", form)
    html = response.content.decode()
    assert response.status_code == 422
    # The reference breaks two rules; the title and the business requirement one each.
    assert html.count('class="invalid-feedback d-block"') == 4
    assert "Use letters, digits, dots, hyphens and underscores only." in html
    assert "Remove the character U+000B (character 2)" in html
    assert "Ensure this value has at most 200 characters (it has 201)." in html
    assert not Control.objects.filter(organization=org_a, theme="other").exists()


def test_only_editors_of_the_organisation_add_controls(
    client_viewer_a: Client, client_owner_b: Client, org_a: Organization
) -> None:
    form = {"ref": "X-03", "title": "Anything"}
    assert client_viewer_a.post(_soa(org_a) + "new/", form).status_code == 403
    assert client_owner_b.post(_soa(org_a) + "new/", form).status_code == 404
    assert not Control.objects.filter(organization=org_a, ref="X-03").exists()
