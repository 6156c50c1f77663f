"""The controls and SoA API: reads, PATCH with version, versions, the check, exports."""

from __future__ import annotations

import pytest

from openisms.controls.models import Control
from openisms.controls.tests.factories import make_clean_soa
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks.models import Methodology
from openisms.risks.tests.factories import make_risk
from tests import support

pytestmark = pytest.mark.usefixtures("annex_a")
BASE = "/api/v1/orgs/alpha"


def test_controls_are_listed_and_paginated(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    body = api_owner_a.get(f"{BASE}/controls?page_size=10").json()
    assert body["count"] == 93 and len(body["items"]) == 10
    assert body["items"][0]["ref"] == "A.5.1"


def test_one_control_and_a_patch_with_version(
    api_owner_a: support.ApiClient, org_a: Organization, owner_a: User
) -> None:
    found = api_owner_a.get(f"{BASE}/controls/A.5.1").json()
    assert found["version"] == 1
    patch = {"version": 1, "applicability": "yes", "owner": owner_a.email, "business_reason": "x"}
    changed = api_owner_a.send("PATCH", f"{BASE}/controls/A.5.1", patch)
    assert changed.status_code == 200, changed.content
    assert changed.json()["owner"] == owner_a.email
    stale = api_owner_a.send("PATCH", f"{BASE}/controls/A.5.1", {"version": 1, "owner": None})
    assert stale.status_code == 409
    assert AuditEvent.objects.filter(organization=org_a, verb="control.updated").count() == 1


def test_an_exclusion_without_justification_answers_422(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    response = api_owner_a.send("PATCH", f"{BASE}/controls/A.7.1", {"applicability": "no"})
    assert response.status_code == 422
    assert "exclusion_justification" in response.json()["errors"]


def test_a_viewer_cannot_patch(api_viewer_a: support.ApiClient, org_a: Organization) -> None:
    assert api_viewer_a.get(f"{BASE}/controls/A.5.1").status_code == 200
    response = api_viewer_a.send("PATCH", f"{BASE}/controls/A.5.1", {"business_reason": "x"})
    assert response.status_code == 403


def test_the_soa_rows_carry_their_reasons(
    api_owner_a: support.ApiClient, org_a: Organization, method_a: Methodology
) -> None:
    risk = make_risk(org_a, controls=["A.8.8"], treatment="modify")
    rows = api_owner_a.get(f"{BASE}/soa?q=A.8.8").json()["items"]
    assert rows[0]["reasons"]["risks"] == [risk.ref]
    assert rows[0]["applicable"] == "yes"


def test_publish_approve_versions_and_check(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    make_clean_soa(org_a)
    assert api_owner_a.get(f"{BASE}/soa/check").json() == []
    made = api_owner_a.send("POST", f"{BASE}/soa/versions", {"note": "first"})
    assert made.status_code == 201, made.content
    approved = api_owner_a.send("POST", f"{BASE}/soa/versions/1/approve", {"comment": "ok"})
    assert approved.json()["status"] == "approved"
    assert api_owner_a.get(f"{BASE}/soa/versions").json()["count"] == 1
    assert len(api_owner_a.get(f"{BASE}/soa/versions/1").json()["rows"]) == 93
    Control.objects.filter(organization=org_a, ref="A.5.2").update(
        applicability="no", exclusion_justification="N/A"
    )
    rules = {f["rule"] for f in api_owner_a.get(f"{BASE}/soa/check").json()}
    assert "weak-exclusion" in rules


def test_the_export_answers_a_file(api_owner_a: support.ApiClient, org_a: Organization) -> None:
    response = api_owner_a.get(f"{BASE}/soa/export?format=csv&working=true")
    assert response.status_code == 200
    assert b"A.8.34" in response.content
    assert api_owner_a.get(f"{BASE}/soa/export?format=rtf").status_code == 422


def test_the_lists_run_a_constant_number_of_queries(
    api_owner_a: support.ApiClient, org_a: Organization, method_a: Methodology
) -> None:
    def add_rows(count: int) -> None:
        for number in range(count):
            make_risk(org_a, f"Risk {number}", controls=["A.5.1", "A.8.8"], treatment="modify")

    support.assert_constant_queries(lambda: api_owner_a.get(f"{BASE}/soa"), add_rows)
