"""The risk pages: register, risk page and its forms, heat maps, treatment plan, methodology,
threats and vulnerabilities; access by role; query counts that do not grow with the rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from openisms.assets.tests.factories import make_asset
from openisms.core.actors import SYSTEM
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks import services
from openisms.risks.models import Methodology, Risk
from openisms.risks.rules import AssessmentInput, RiskInput, VulnerabilityInput
from openisms.risks.tests.factories import (
    linked_risks,
    make_action,
    make_methodology,
    make_risk,
    make_vulnerability,
)
from tests import support

pytestmark = pytest.mark.django_db
BASE = "/o/alpha/risks/"


def _adder(org: Organization) -> Any:
    asset = make_asset(org, "Shared asset")

    def add(count: int) -> None:
        linked_risks(org, count, asset)

    return add


def test_the_register_runs_the_same_queries_for_1_and_200_linked_risks(
    client_owner_a: Client, org_a: Organization, method_a: Methodology, annex_a: None, threats: None
) -> None:
    count = support.assert_constant_queries(
        lambda: client_owner_a.get(f"{BASE}?per_page=200&sort=-inherent"), _adder(org_a)
    )
    assert count <= 20
    page = client_owner_a.get(f"{BASE}?per_page=200").content.decode()
    assert page.count('data-testid="risk-row"') == 200


def test_the_heat_map_and_the_treatment_plan_run_constant_queries(
    client_owner_a: Client, org_a: Organization, method_a: Methodology, annex_a: None, threats: None
) -> None:
    add = _adder(org_a)
    support.assert_constant_queries(lambda: client_owner_a.get(f"{BASE}heatmap/"), add)
    support.assert_constant_queries(
        lambda: client_owner_a.get(f"{BASE}treatment-plan/?per_page=200"), add
    )


def test_the_risk_page_runs_constant_queries_for_its_actions_and_history(
    client_owner_a: Client, org_a: Organization, owner_a: User, method_a: Methodology, annex_a: None
) -> None:
    asset = make_asset(org_a, "DB")
    risk = make_risk(org_a, assess=(3, 3), assets=[asset.ref], controls=["A.5.15"])

    def add(count: int) -> None:
        for number in range(count):
            make_action(risk, f"Step {number}", owner=owner_a.email)
            services.risk_assess(actor=owner_a, risk=risk, data=AssessmentInput(2, 2))

    support.assert_constant_queries(lambda: client_owner_a.get(f"{BASE}{risk.ref}/"), add)


def test_a_heat_map_cells_number_is_the_row_count_of_the_register_it_links_to(
    client_owner_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    for _ in range(3):
        make_risk(org_a, assess=(3, 4), residual=(2, 2))
    make_risk(org_a, assess=(3, 4))
    closed = make_risk(org_a, assess=(3, 4))
    services.risk_close(actor=SYSTEM, risk=closed, reason="gone")
    html = client_owner_a.get(f"{BASE}heatmap/").content.decode()
    inherent = html.split('data-testid="heatmap-inherent"')[1].split("</figure>")[0]
    cell = re.search(
        r'<a href="([^"]+)"[^>]*data-likelihood="3" data-impact="4">.*?'
        r'data-testid="heat-count">(\d+)<',
        inherent,
        re.S,
    )
    assert cell is not None
    url, count = cell.group(1).replace("&amp;", "&"), int(cell.group(2))
    assert count == 4  # the closed risk is not on the map
    register = client_owner_a.get(url).content.decode()
    assert register.count('data-testid="risk-row"') == count


def test_create_assess_treat_and_accept_through_the_pages(
    client_owner_a: Client, org_a: Organization, owner_a: User, method_a: Methodology, annex_a: None
) -> None:
    asset = make_asset(org_a, "Payroll data", confidentiality=4)
    answer = client_owner_a.post(
        f"{BASE}new/",
        {
            "title": "Leak of payroll data",
            "owner": owner_a.email,
            "assets": asset.ref,
            "affects_confidentiality": "on",
        },
    )
    assert answer.status_code == 302 and answer["Location"].endswith("/R-0001/assess/")
    answer = client_owner_a.post(
        f"{BASE}R-0001/assess/",
        {
            "inherent_likelihood": 3,
            "inherent_impact": 5,
            "residual_likelihood": 2,
            "residual_impact": 3,
            "version": 1,
            "note": "workshop",
        },
    )
    assert answer.status_code == 302
    answer = client_owner_a.post(
        f"{BASE}R-0001/treatment/",
        {"treatment": "modify", "controls": ["A.5.12", "A.8.24"], "version": 2},
    )
    assert answer.status_code == 302
    answer = client_owner_a.post(
        f"{BASE}R-0001/accept/",
        {"rationale": "Encrypted at rest.", "valid_until": "2099-01-01", "version": 3},
    )
    assert answer.status_code == 302, answer.content[:2000]
    risk = Risk.objects.get(ref="R-0001")
    assert (risk.status, risk.inherent_level, risk.residual_level) == ("accepted", "high", "medium")
    assert [c.ref for c in risk.controls.all()] == ["A.5.12", "A.8.24"]
    verbs = list(
        AuditEvent.objects.filter(organization=org_a, verb__startswith="risk.").values_list(
            "verb", flat=True
        )
    )
    assert {"risk.created", "risk.assessed", "risk.updated", "risk.accepted"} <= set(verbs)
    page = client_owner_a.get(f"{BASE}R-0001/").content.decode()
    assert "Encrypted at rest." in page and "A.8.24" in page and "workshop" in page


def test_a_form_keeps_what_was_typed_and_shows_the_error_by_the_field(
    client_owner_a: Client, org_a: Organization, owner_a: User
) -> None:
    answer = client_owner_a.post(
        f"{BASE}new/", {"title": "Leak", "owner": owner_a.email, "assets": "A-0042"}
    )
    assert answer.status_code == 422
    html = answer.content.decode()
    assert "No asset A-0042 in this organisation." in html and 'value="Leak"' in html


def test_a_stale_edit_shows_a_conflict_message(
    client_owner_a: Client, org_a: Organization, owner_a: User
) -> None:
    make_risk(org_a)
    answer = client_owner_a.post(
        f"{BASE}R-0001/edit/", {"title": "New", "owner": owner_a.email, "version": 7}
    )
    assert answer.status_code == 422 and b"changed by someone else" in answer.content


def test_viewers_read_every_page_but_cannot_change(
    client_viewer_a: Client, org_a: Organization, method_a: Methodology, threats: None
) -> None:
    risk = make_risk(org_a, assess=(2, 2))
    make_vulnerability(org_a)
    for path in (
        "",
        "heatmap/",
        "treatment-plan/",
        "methodology/",
        "methodology/versions/",
        "methodology/versions/1/",
        "methodology/reassess/",
        "threats/",
        "threats/G%200.1/",
        "vulnerabilities/",
        "vulnerabilities/V-0001/",
        f"{risk.ref}/",
    ):
        assert client_viewer_a.get(f"{BASE}{path}").status_code == 200, path
    for path in (
        "new/",
        f"{risk.ref}/edit/",
        f"{risk.ref}/assess/",
        f"{risk.ref}/accept/",
        "methodology/new/",
        "vulnerabilities/new/",
        "threats/new/",
    ):
        assert client_viewer_a.get(f"{BASE}{path}").status_code == 403, path
    assert b"New risk" not in client_viewer_a.get(BASE).content


def test_a_new_methodology_version_by_editing_is_checked_by_field(
    client_owner_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    form = client_owner_a.get(f"{BASE}methodology/edit/?base=3x3").content.decode()
    fields = dict(re.findall(r'name="([a-z0-9_]+)"[^>]*value="([^"]*)"', form))
    selected = re.findall(r'name="(cell_\d_\d)".*?<option value="(\d)" selected>', form, re.S)
    data: dict[str, Any] = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    data.update(dict(selected))
    data.update({"level_1_owner_may_accept": "on", "level_2_owner_may_accept": "on"})
    bad = {**data, "likelihood_2_label": "", "level_1_colour": "red"}
    answer = client_owner_a.post(f"{BASE}methodology/edit/?base=3x3", bad)
    assert answer.status_code == 422
    assert b"This field is required." in answer.content and b"like #d63939" in answer.content
    data["impact_3_range"] = "> GBP 1m"
    answer = client_owner_a.post(f"{BASE}methodology/edit/?base=3x3", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    current = Methodology.objects.get(organization=org_a, is_current=True)
    assert current.version == 2 and current.size == "3x3"
    assert current.parsed.impact[2].range == "> GBP 1m"


def test_the_risks_to_reassess_page_lists_the_older_version(
    client_owner_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    old = make_risk(org_a, "Old", assess=(2, 2))
    make_methodology(org_a, "3x3")
    make_risk(org_a, "New", assess=(2, 2))
    html = client_owner_a.get(f"{BASE}methodology/reassess/").content.decode()
    assert html.count('data-testid="risk-row"') == 1 and old.ref in html


def test_actions_are_added_changed_and_removed_on_the_risk_page(
    client_owner_a: Client, org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    risk = make_risk(org_a, assess=(3, 3))
    answer = client_owner_a.post(
        f"{BASE}{risk.ref}/actions/new/",
        {
            "title": "Patch",
            "owner": owner_a.email,
            "due_date": "2020-01-01",
            "status": "planned",
            "progress": 0,
        },
    )
    assert answer.status_code == 302
    action = risk.actions.get()
    plan = client_owner_a.get(f"{BASE}treatment-plan/?overdue=1").content.decode()
    assert 'data-testid="overdue"' in plan and "Patch" in plan
    answer = client_owner_a.post(
        f"{BASE}{risk.ref}/actions/{action.pk}/edit/",
        {"title": "Patch", "status": "done", "progress": 50, "version": 1},
    )
    assert answer.status_code == 302
    assert Risk.objects.get(pk=risk.pk).status == "treated"
    assert client_owner_a.post(f"{BASE}{risk.ref}/actions/{action.pk}/delete/").status_code == 302
    assert not risk.actions.exists()


def test_vulnerability_and_threat_pages_create_and_edit(
    client_owner_a: Client, org_a: Organization
) -> None:
    make_asset(org_a, "Portal")
    answer = client_owner_a.post(
        f"{BASE}vulnerabilities/new/",
        {"title": "Old TLS", "assets": "A-0001", "severity": "high", "status": "open"},
    )
    assert answer.status_code == 302 and answer["Location"].endswith("/V-0001/")
    answer = client_owner_a.post(
        f"{BASE}vulnerabilities/V-0001/edit/",
        {"title": "Old TLS", "assets": "", "severity": "low", "status": "fixed", "version": 1},
    )
    assert answer.status_code == 302
    answer = client_owner_a.post(
        f"{BASE}threats/new/", {"name": "Deadline pressure", "category": "organisational"}
    )
    assert answer.status_code == 302 and answer["Location"].endswith("/threats/T-0001/")
    assert client_owner_a.post(f"{BASE}vulnerabilities/V-0001/delete/").status_code == 302


def test_the_asset_page_lists_its_risks_highest_first_with_a_link_to_all_of_them(
    client_owner_a: Client, client_viewer_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    asset = make_asset(org_a, "Payroll database")
    make_risk(org_a, "Low one", assess=(1, 1), assets=[asset.ref])
    make_risk(org_a, "Severe one", assess=(5, 5), assets=[asset.ref])
    make_risk(org_a, "Elsewhere", assess=(5, 5))
    html = client_owner_a.get(f"/o/alpha/assets/{asset.ref}/").content.decode()
    section = html.split('data-testid="linked-risks"')[1].split("</section>")[0]
    assert section.index("Severe one") < section.index("Low one")
    assert "Elsewhere" not in section
    assert f"/o/alpha/risks/new/?asset={asset.ref}" in section
    viewer = client_viewer_a.get(f"/o/alpha/assets/{asset.ref}/").content.decode()
    assert "Severe one" in viewer and "New risk on this asset" not in viewer


def test_the_asset_page_shows_ten_of_many_risks_in_constant_queries(
    client_owner_a: Client, org_a: Organization, method_a: Methodology, annex_a: None, threats: None
) -> None:
    asset = make_asset(org_a, "Shared asset")

    def add(count: int) -> None:
        linked_risks(org_a, count, asset)

    support.assert_constant_queries(
        lambda: client_owner_a.get(f"/o/alpha/assets/{asset.ref}/"), add
    )
    html = client_owner_a.get(f"/o/alpha/assets/{asset.ref}/").content.decode()
    assert html.count('data-testid="linked-risk"') == 10
    assert "All 200 risks on this asset in the register" in html
    assert f"/o/alpha/risks/?asset={asset.ref}" in html


def _risk_naming(org: Organization, ref: str) -> tuple[str, Callable[[], object]]:
    risk = make_risk(org, "Ransomware", assets=[ref])
    let_go = RiskInput(assets=[])
    return risk.ref, lambda: services.risk_update(actor=SYSTEM, risk=risk, data=let_go)


def _vulnerability_naming(org: Organization, ref: str) -> tuple[str, Callable[[], object]]:
    found = make_vulnerability(org, "Unpatched TLS library", assets=[ref])
    let_go = VulnerabilityInput(assets=[])
    return found.ref, lambda: services.vulnerability_update(
        actor=SYSTEM, vulnerability=found, data=let_go
    )


@pytest.mark.parametrize("holder", [_risk_naming, _vulnerability_naming])
def test_an_asset_that_a_risk_or_vulnerability_names_cannot_be_deleted_until_it_lets_go(
    client_owner_a: Client,
    api_owner_a: support.ApiClient,
    org_a: Organization,
    method_a: Methodology,
    holder: Callable[[Organization, str], tuple[str, Callable[[], object]]],
) -> None:
    asset = make_asset(org_a, "Payroll database")
    held_by, let_go = holder(org_a, asset.ref)
    page = client_owner_a.post(f"/o/alpha/assets/{asset.ref}/delete/")
    assert page.status_code == 409
    assert f"{asset.ref} is still named by {held_by}" in page.content.decode()
    answer = api_owner_a.send("DELETE", f"/api/v1/orgs/alpha/assets/{asset.ref}")
    assert answer.status_code == 409 and held_by in answer.json()["detail"]
    assert not AuditEvent.objects.filter(verb="asset.deleted").exists()
    let_go()
    assert client_owner_a.post(f"/o/alpha/assets/{asset.ref}/delete/").status_code == 302


def test_a_methodology_version_that_does_not_exist_lists_no_risk(
    client_owner_a: Client, org_a: Organization, method_a: Methodology
) -> None:
    make_risk(org_a, "Not assessed yet")
    make_risk(org_a, "Assessed", assess=(2, 2))
    assert client_owner_a.get(f"{BASE}?methodology=1").content.decode().count("risk-row") == 1
    assert client_owner_a.get(f"{BASE}?methodology=9").content.decode().count("risk-row") == 0
