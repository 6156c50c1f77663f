"""The risks API: methodology, threats, vulnerabilities, risks with assess and accept,
treatment actions, heat map and exports; the same rules as the pages; constant queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openisms.api.risks.register import RiskOut
from openisms.assets.tests.factories import make_asset
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role
from openisms.core.models import Organization, User
from openisms.risks import services
from openisms.risks.models import Methodology, Risk, Threat
from openisms.risks.rules import ThreatInput
from openisms.risks.tests.factories import (
    accept_until_yesterday,
    linked_risks,
    make_action,
    make_methodology,
    make_risk,
    make_vulnerability,
)
from tests import support

pytestmark = pytest.mark.django_db
URL = "/api/v1/orgs/alpha/risks"


def test_the_methodology_is_created_from_a_preset_and_read_back(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    assert api_owner_a.get(f"{URL}/methodology").status_code == 404
    answer = api_owner_a.send("POST", f"{URL}/methodology", {"preset": "4x4", "note": "start"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["version"] == 1 and body["size"] == "4x4" and len(body["matrix"]) == 4
    assert body["levels"][-1] == {
        "key": "critical",
        "label": "Critical",
        "colour": "#d63939",
        "owner_may_accept": False,
        "review_months": 1,
    }
    spec = {k: body[k] for k in ("likelihood", "impact", "levels", "matrix")}
    spec["matrix"][0][0] = "nope"
    answer = api_owner_a.send("POST", f"{URL}/methodology", {"spec": spec})
    assert answer.status_code == 422 and "matrix" in answer.json()["errors"]
    assert api_owner_a.get(f"{URL}/methodology/versions/1").json()["note"] == "start"
    assert api_owner_a.get(f"{URL}/methodology/versions/2").status_code == 404


def test_a_risk_is_created_assessed_treated_and_accepted(
    api_owner_a: support.ApiClient,
    org_a: Organization,
    owner_a: User,
    method_a: Methodology,
    annex_a: None,
    threats: None,
) -> None:
    asset = make_asset(org_a, "DB")
    answer = api_owner_a.send(
        "POST",
        URL,
        {
            "title": "Ransomware",
            "owner": owner_a.email,
            "assets": [asset.ref],
            "threats": ["OI-ransomware"],
            "controls": ["8.13"],
            "treatment": "modify",
            "affects_availability": True,
            "inherent_likelihood": 3,
            "inherent_impact": 5,
        },
    )
    assert answer.status_code == 201, answer.content
    risk = answer.json()
    assert risk["ref"] == "R-0001" and risk["inherent_level"] == "high"
    assert risk["controls"] == ["A.8.13"] and risk["status"] == "treatment_planned"
    assert risk["methodology_version"] == 1 and len(risk["history"]) == 1
    assert api_owner_a.get(f"{URL}/R-0001").json() == risk  # the answer is the stored risk
    answer = api_owner_a.send(
        "POST",
        f"{URL}/R-0001/assess",
        {
            "inherent_likelihood": 3,
            "inherent_impact": 5,
            "residual_likelihood": 1,
            "residual_impact": 4,
            "version": risk["version"],
        },
    )
    assert answer.json()["residual_level"] == "low"
    action = api_owner_a.send(
        "POST", f"{URL}/R-0001/actions", {"title": "Vault lock", "owner": owner_a.email}
    )
    assert action.status_code == 201 and action.json()["risk"] == "R-0001"
    done = api_owner_a.send(
        "PATCH", f"{URL}/R-0001/actions/{action.json()['id']}", {"status": "done", "version": 1}
    )
    assert done.json()["progress"] == 100
    assert api_owner_a.get(f"{URL}/R-0001").json()["status"] == "treated"
    accepted = api_owner_a.send(
        "POST", f"{URL}/R-0001/accept", {"rationale": "ok", "valid_until": "2099-01-01"}
    )
    assert accepted.status_code == 200
    assert accepted.json()["acceptance"]["level"] == "low"
    assert accepted.json()["acceptance"]["accepted_by"] == owner_a.email


@pytest.mark.usefixtures("method_a", "annex_a", "threats")
def test_a_create_answers_what_reading_the_risk_gives(
    api_owner_a: support.ApiClient, org_a: Organization, owner_a: User
) -> None:
    db, web, mail = (make_asset(org_a, name) for name in ("DB", "Web", "Mail"))
    weak = make_vulnerability(org_a, "Weak passwords")
    unpatched = make_vulnerability(org_a, "Unpatched server")
    library = Threat.objects.filter(organization=None).order_by("-position")
    last, middle, first = library.values_list("ref", flat=True)[:3]
    given: list[dict[str, Any]] = [
        {"title": "Named only", "owner": owner_a.email},
        {
            "title": "  Everything  ",
            "owner": owner_a.email.upper(),
            "description": "Both halls.",
            "assets": [mail.ref.lower(), db.ref, mail.ref, web.ref],
            "threats": [last, first, middle, first],
            "vulnerabilities": [unpatched.ref, weak.ref],
            "controls": ["8.13", "A.5.1", "5.1", "A.6.3"],
            "affects_confidentiality": True,
            "affects_availability": True,
            "existing_controls": "Nightly backups.",
            "treatment": "modify",
            "inherent_likelihood": 4,
            "inherent_impact": 5,
            "residual_likelihood": 2,
            "residual_impact": 2,
            "note": "  First look.  ",
        },
        {"title": "Low", "owner": owner_a.email, "inherent_likelihood": 1, "inherent_impact": 1},
    ]
    for body in given:
        created = api_owner_a.send("POST", URL, body)
        assert created.status_code == 201, created.json()
        assert api_owner_a.get(f"{URL}/{created.json()['ref']}").json() == created.json()
    everything = api_owner_a.get(f"{URL}/R-0002").json()
    assert everything["assets"] == [db.ref, web.ref, mail.ref]
    assert everything["threats"] == [first, middle, last]
    assert everything["controls"] == ["A.5.1", "A.6.3", "A.8.13"]
    assert everything["history"][0]["note"] == "First look."


def test_a_create_reads_nothing_of_the_risk_back(
    api_owner_a: support.ApiClient, org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    asset = make_asset(org_a, "DB")
    body: dict[str, Any] = {"title": "Leak", "owner": owner_a.email, "assets": [asset.ref]}
    body |= {"inherent_likelihood": 2, "inherent_impact": 3}
    with CaptureQueriesContext(connection) as queries:
        created = api_owner_a.send("POST", URL, body)
    assert created.status_code == 201 and created.json()["assets"] == [asset.ref]
    statements = [q["sql"] or "" for q in queries.captured_queries]
    reads = [sql for sql in statements if sql.startswith(("SELECT", "("))]
    tables = ('FROM "risks_risk"', 'FROM "risks_riskasset"', 'FROM "risks_riskassessment"')
    assert not [sql for sql in reads if any(table in sql for table in tables)]


def test_the_list_says_which_risks_are_due_for_review_and_whose_acceptance_ran_out(
    api_owner_a: support.ApiClient, org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    today = timezone.localdate()
    make_risk(org_a, "Never assessed")  # no review date: not due (false, not null)
    make_risk(org_a, "Review passed", next_review=today - dt.timedelta(days=1))
    make_risk(org_a, "Review ahead", next_review=today + dt.timedelta(days=30))
    lapsed = make_risk(org_a, "Acceptance ran out", assess=(2, 2))
    accept_until_yesterday(lapsed, owner_a)
    closed = make_risk(org_a, "Closed", next_review=today - dt.timedelta(days=1))
    services.risk_close(actor=SYSTEM, risk=closed, reason="Asset retired.")
    items = api_owner_a.get(f"{URL}?page_size=10").json()["items"]
    support.assert_api_rows(items, RiskOut)
    due = {r["title"]: r["due_for_review"] for r in items}
    assert due == {
        "Never assessed": False,
        "Review passed": True,
        "Review ahead": False,
        "Acceptance ran out": True,
        "Closed": False,
    }
    accepted = {r["title"]: r["acceptance"] for r in items if r["acceptance"]}
    assert list(accepted) == ["Acceptance ran out"]
    assert accepted["Acceptance ran out"]["expired"] is True
    assert accepted["Acceptance ran out"]["accepted_by"] == owner_a.email


def test_errors_are_named_by_field_and_a_stale_version_is_a_conflict(
    api_owner_a: support.ApiClient, org_a: Organization, method_a: Methodology
) -> None:
    answer = api_owner_a.send(
        "POST", URL, {"title": "", "owner": "nobody@x.test", "assets": ["A-9"]}
    )
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"title", "owner", "assets"}
    make_risk(org_a)
    assert (
        api_owner_a.send("PATCH", f"{URL}/R-0001", {"title": "x", "version": 5}).status_code == 409
    )
    answer = api_owner_a.send(
        "POST", f"{URL}/R-0001/assess", {"inherent_likelihood": 9, "inherent_impact": 1}
    )
    assert answer.status_code == 422 and "inherent_likelihood" in answer.json()["errors"]


def test_accepting_above_the_criteria_answers_403_with_the_reason(
    org_a: Organization, method_a: Methodology
) -> None:
    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    api = support.ApiClient(support.make_token(editor, org_a, "write"))
    make_risk(org_a, owner=editor.email, assess=(5, 5))
    answer = api.send(
        "POST", f"{URL}/R-0001/accept", {"rationale": "x", "valid_until": "2099-01-01"}
    )
    assert answer.status_code == 403
    assert "only top management (Owner or Admin)" in answer.json()["detail"]


def test_a_viewer_reads_but_cannot_write(
    api_viewer_a: support.ApiClient, org_a: Organization, method_a: Methodology
) -> None:
    make_risk(org_a, assess=(2, 2))
    assert api_viewer_a.get(URL).status_code == 200
    assert api_viewer_a.send("PATCH", f"{URL}/R-0001", {"title": "x"}).status_code == 403
    assert api_viewer_a.send("POST", f"{URL}/methodology", {"preset": "3x3"}).status_code == 403
    assert api_viewer_a.delete(f"{URL}/R-0001").status_code == 403
    assert Risk.objects.get().title != "x"


def test_vulnerabilities_and_threats_round_trip(
    api_owner_a: support.ApiClient, org_a: Organization, threats: None
) -> None:
    make_asset(org_a, "Portal")
    made = api_owner_a.send(
        "POST", f"{URL}/vulnerabilities", {"title": "Old TLS", "assets": ["A-0001"]}
    )
    assert made.status_code == 201 and made.json()["assets"] == ["A-0001"]
    changed = api_owner_a.send(
        "PATCH", f"{URL}/vulnerabilities/V-0001", {"status": "fixed", "version": 1}
    )
    assert changed.json()["fixed_on"] is not None
    assert api_owner_a.delete(f"{URL}/vulnerabilities/V-0001").status_code == 204
    own = api_owner_a.send(
        "POST", f"{URL}/threats", {"name": "Pressure", "category": "organisational"}
    )
    assert own.status_code == 201 and own.json()["ref"] == "T-0001" and own.json()["own"]
    assert api_owner_a.get(f"{URL}/threats?source=own").json()["count"] == 1
    assert api_owner_a.get(f"{URL}/threats/G 0.1").json()["name"] == "Fire"
    assert api_owner_a.send("PATCH", f"{URL}/threats/G 0.1", {"name": "x"}).status_code == 403


def test_the_heat_map_cells_link_to_the_register_filtered_to_them(
    api_owner_a: support.ApiClient, org_a: Organization, method_a: Methodology
) -> None:
    make_risk(org_a, assess=(2, 3))
    make_risk(org_a, assess=(2, 3), residual=(1, 1))
    body = api_owner_a.get(f"{URL}/heatmap").json()
    inherent = next(m for m in body["maps"] if m["kind"] == "inherent")
    cell = next(c for c in inherent["cells"] if (c["likelihood"], c["impact"]) == (2, 3))
    assert cell["count"] == 2 and cell["level"] == "medium"
    assert "inherent_likelihood=2" in cell["register_url"] and "status=open" in cell["register_url"]
    residual = next(m for m in body["maps"] if m["kind"] == "residual")
    assert residual["total"] == 1


def test_exports_answer_files(
    api_owner_a: support.ApiClient, org_a: Organization, method_a: Methodology
) -> None:
    make_risk(org_a, assess=(2, 2))
    answer = api_owner_a.get(f"{URL}/export?format=csv")
    assert answer.status_code == 200 and b"R-0001" in answer.content
    assert answer["Content-Disposition"].startswith('attachment; filename="alpha-risk-register-')
    assert api_owner_a.get(f"{URL}/export?format=odt").status_code == 422


def _list_adders(org: Organization) -> dict[str, Any]:
    asset = make_asset(org, "Shared")

    def risks(count: int) -> None:
        linked_risks(org, count, asset)

    def vulnerabilities(count: int) -> None:
        for number in range(count):
            make_vulnerability(org, f"V{number}", assets=[asset.ref])

    def versions(count: int) -> None:
        for _ in range(count):
            make_methodology(org, "3x3")

    def threats(count: int) -> None:
        for number in range(count):
            services.threat_create(
                actor=SYSTEM, org=org, data=ThreatInput(name=f"T{number}", category="physical")
            )

    return {
        "risks": risks,
        "vulnerabilities": vulnerabilities,
        "versions": versions,
        "threats": threats,
    }


@pytest.mark.parametrize(
    ("path", "adder"),
    [
        ("", "risks"),
        ("/treatment-plan", "risks"),
        ("/heatmap", "risks"),
        ("/threats", "threats"),
        ("/vulnerabilities", "vulnerabilities"),
        ("/methodology/versions", "versions"),
    ],
)
def test_every_list_runs_the_same_queries_for_1_and_200_rows(
    api_owner_a: support.ApiClient,
    org_a: Organization,
    method_a: Methodology,
    annex_a: None,
    threats: None,
    path: str,
    adder: str,
) -> None:
    add = _list_adders(org_a)[adder]
    support.assert_constant_queries(lambda: api_owner_a.get(f"{URL}{path}?page_size=1000"), add)


def test_a_risks_actions_list_runs_constant_queries(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    risk = make_risk(org_a)

    def add(count: int) -> None:
        for number in range(count):
            make_action(risk, f"Step {number}")

    support.assert_constant_queries(
        lambda: api_owner_a.get(f"{URL}/R-0001/actions?page_size=1000"), add
    )
