"""The risk register's writes: references, links, levels from the risk's own methodology
version, history, optimistic locking, statuses and the audit trail."""

from __future__ import annotations

from typing import Any

import pytest

from openisms.assets.tests.factories import make_asset
from openisms.core import audit
from openisms.core.actors import SYSTEM
from openisms.core.errors import Conflict, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks import services
from openisms.risks.models import Methodology, Risk, RiskAssessment
from openisms.risks.rules import (
    ActionInput,
    AssessmentInput,
    RiskInput,
    ThreatInput,
    VulnerabilityInput,
)
from openisms.risks.tests.factories import make_action, make_methodology, make_risk

pytestmark = pytest.mark.django_db


def _spec_with_cell(base: Methodology, likelihood: int, impact: int, key: str) -> dict[str, Any]:
    spec = base.parsed.to_json()
    spec["matrix"][likelihood - 1][impact - 1] = key
    return spec


def _events(org: Organization, verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organization=org, verb=verb).order_by("seq"))


def test_a_new_risk_gets_the_next_reference_and_is_audited(org_a: Organization) -> None:
    first, second = make_risk(org_a, "One"), make_risk(org_a, "Two")
    assert (first.ref, second.ref) == ("R-0001", "R-0002")
    assert first.status == "identified" and not first.is_assessed
    event = _events(org_a, "risk.created")[0]
    assert event.target_id == "R-0001" and event.data["title"] == "One"


def test_assessing_computes_levels_from_the_current_methodology_and_keeps_history(
    org_a: Organization, method_a: Methodology
) -> None:
    risk = make_risk(org_a, assess=(4, 4), residual=(2, 2))
    assert (risk.inherent_level, risk.residual_level) == ("critical", "low")
    assert risk.methodology == method_a and risk.status == "assessed"
    row = RiskAssessment.objects.get(risk=risk)
    assert (row.inherent_level, row.residual_level, row.methodology_id) == (
        "critical",
        "low",
        method_a.pk,
    )
    # the review date follows the interval of the level that counts (low: 12 months)
    assert risk.next_review is not None and (risk.next_review - row.assessed_at.date()).days >= 365


def test_a_new_matrix_moves_only_the_risks_that_are_reassessed(
    org_a: Organization, method_a: Methodology
) -> None:
    kept = make_risk(org_a, "Kept", assess=(3, 3))
    moved = make_risk(org_a, "Moved", assess=(3, 3))
    assert kept.inherent_level == moved.inherent_level == "medium"
    second = services.methodology_create(
        actor=SYSTEM, org=org_a, spec=_spec_with_cell(method_a, 3, 3, "critical"), note="stricter"
    )
    services.risk_assess(
        actor=SYSTEM, risk=moved, data=AssessmentInput(inherent_likelihood=3, inherent_impact=3)
    )
    kept.refresh_from_db()
    moved.refresh_from_db()
    assert (kept.inherent_level, kept.methodology_id) == ("medium", method_a.pk)
    assert (moved.inherent_level, moved.methodology_id) == ("critical", second.pk)
    assert list(Risk.objects.filter(methodology__is_current=False)) == [kept]
    history = list(moved.assessments.order_by("assessed_at", "id"))
    assert [h.inherent_level for h in history] == ["medium", "critical"]


def test_assessing_needs_a_methodology_and_values_on_its_scales(org_a: Organization) -> None:
    risk = make_risk(org_a)
    data = AssessmentInput(inherent_likelihood=2, inherent_impact=2)
    with pytest.raises(ValidationError) as caught:
        services.risk_assess(actor=SYSTEM, risk=risk, data=data)
    assert "preset" in caught.value.errors["methodology"][0]
    make_methodology(org_a, "3x3")
    bad = AssessmentInput(inherent_likelihood=4, inherent_impact=2, residual_likelihood=1)
    with pytest.raises(ValidationError) as caught:
        services.risk_assess(actor=SYSTEM, risk=risk, data=bad)
    assert caught.value.errors["inherent_likelihood"] == [
        "Choose a value from 1 to 3 (the methodology's scale)."
    ]
    assert "residual_impact" in caught.value.errors


def test_the_target_residual_cannot_exceed_the_inherent_risk(
    org_a: Organization, method_a: Methodology
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_risk(org_a, assess=(2, 3), residual=(3, 3))
    assert "above the inherent one (2)" in caught.value.errors["residual_likelihood"][0]
    assert not Risk.objects.exists()


def test_links_must_name_the_organisations_own_rows(
    org_a: Organization, org_b: Organization, threats: None
) -> None:
    mine, theirs = make_asset(org_a, "Mine"), make_asset(org_b, "Theirs")
    make_asset(org_b, "Theirs 2")
    with pytest.raises(ValidationError) as caught:
        make_risk(org_a, assets=[mine.ref, "A-0002"], threats=["G 0.99"], controls=["A.5.99"])
    errors = caught.value.errors
    assert errors["assets"] == ["No asset A-0002 in this organisation."]
    assert errors["threats"] == ["No threat G 0.99 in this organisation."]
    assert errors["controls"] == ["No control A.5.99 in Annex A."]
    risk = make_risk(org_a, assets=["a-1"], threats=["G 0.39", "OI-ransomware"])
    assert [a.ref for a in risk.assets.all()] == [mine.ref]
    assert theirs.ref == "A-0001"  # the same number in B is another asset


def test_the_owner_must_be_a_member(org_a: Organization, owner_b: User) -> None:
    with pytest.raises(ValidationError) as caught:
        make_risk(org_a, owner=owner_b.email)
    assert caught.value.errors["owner"] == ["owner@beta.test is not a member of Alpha Ltd."]


def test_a_stale_edit_is_a_conflict_and_an_empty_one_changes_nothing(
    org_a: Organization,
) -> None:
    risk = make_risk(org_a)
    services.risk_update(actor=SYSTEM, risk=risk, data=RiskInput(title="New"), version=1)
    assert risk.version == 2
    stale = Risk.objects.get(pk=risk.pk)
    stale.version = 1
    with pytest.raises(Conflict, match="version 1, now 2"):
        services.risk_update(actor=SYSTEM, risk=stale, data=RiskInput(title="Old"), version=1)
    services.risk_update(actor=SYSTEM, risk=risk, data=RiskInput(title="New"), version=2)
    assert Risk.objects.get(pk=risk.pk).version == 2
    assert len(_events(org_a, "risk.updated")) == 1
    assert _events(org_a, "risk.updated")[0].data["title"] == [
        "Ransomware on the payroll database",
        "New",
    ]


def test_viewers_cannot_write(org_a: Organization, viewer_a: User, method_a: Methodology) -> None:
    risk = make_risk(org_a, assess=(2, 2))
    with pytest.raises(PermissionDenied):
        services.risk_create(
            actor=viewer_a, org=org_a, data=RiskInput(title="x", owner=viewer_a.email)
        )
    with pytest.raises(PermissionDenied):
        services.risk_assess(actor=viewer_a, risk=risk, data=AssessmentInput(1, 1))
    with pytest.raises(PermissionDenied):
        services.risk_close(actor=viewer_a, risk=risk, reason="x")


def test_treatment_and_actions_move_the_status_along(
    org_a: Organization, method_a: Methodology
) -> None:
    risk = make_risk(org_a, assess=(3, 4))
    services.risk_update(actor=SYSTEM, risk=risk, data=RiskInput(treatment="modify"))
    assert risk.status == "treatment_planned"
    first, second = make_action(risk, "First"), make_action(risk, "Second")
    services.action_update(actor=SYSTEM, action=first, data=ActionInput(status="done"))
    assert Risk.objects.get(pk=risk.pk).status == "treatment_planned"
    services.action_update(actor=SYSTEM, action=second, data=ActionInput(status="cancelled"))
    risk.refresh_from_db()
    assert risk.status == "treated"
    first.refresh_from_db()
    assert (first.progress, first.completed_on is not None) == (100, True)
    statuses = [e.data.get("status") for e in _events(org_a, "risk.updated")]
    assert ["treatment_planned", "treated"] in statuses


def test_accepted_and_closed_have_their_own_steps(
    org_a: Organization, method_a: Methodology
) -> None:
    risk = make_risk(org_a, assess=(2, 2))
    with pytest.raises(ValidationError) as caught:
        services.risk_update(actor=SYSTEM, risk=risk, data=RiskInput(status="accepted"))
    assert "own step" in caught.value.errors["status"][0]
    with pytest.raises(ValidationError, match="Assess the risk"):
        services.risk_update(actor=SYSTEM, risk=make_risk(org_a), data=RiskInput(status="treated"))


def test_closing_needs_a_reason_and_reassessing_reopens(
    org_a: Organization, method_a: Methodology
) -> None:
    risk = make_risk(org_a, assess=(2, 2))
    with pytest.raises(ValidationError) as caught:
        services.risk_close(actor=SYSTEM, risk=risk, reason=" ")
    assert "reason" in caught.value.errors
    services.risk_close(actor=SYSTEM, risk=risk, reason="The office closed.")
    assert risk.status == "closed"
    services.risk_assess(actor=SYSTEM, risk=risk, data=AssessmentInput(1, 1))
    assert (risk.status, risk.closed_reason) == ("assessed", "")
    assert [e.verb for e in AuditEvent.objects.filter(organization=org_a).order_by("seq")][-2:] == [
        "risk.closed",
        "risk.assessed",
    ]


def test_deleting_a_risk_keeps_its_values_in_the_audit_trail(
    org_a: Organization, method_a: Methodology
) -> None:
    risk = make_risk(org_a, assess=(2, 2))
    make_action(risk)
    services.risk_delete(actor=SYSTEM, risk=risk)
    assert not Risk.objects.exists()
    event = _events(org_a, "risk.deleted")[0]
    assert event.data["actions"] == ["Immutable backups"] and event.data["inherent"][2] == "low"


def test_every_change_is_in_the_audit_trail_and_the_chain_holds(
    org_a: Organization, owner_a: User, threats: None
) -> None:
    services.methodology_create(actor=owner_a, org=org_a, preset="4x4")
    asset = make_asset(org_a, "DB")
    vulnerability = services.vulnerability_create(
        actor=owner_a, org=org_a, data=VulnerabilityInput(title="Old TLS", assets=[asset.ref])
    )
    services.threat_create(
        actor=owner_a, org=org_a, data=ThreatInput(name="Pressure", category="organisational")
    )
    risk = services.risk_create(
        actor=owner_a,
        org=org_a,
        data=RiskInput(title="Leak", owner=owner_a.email, vulnerabilities=[vulnerability.ref]),
    ).risk
    services.risk_assess(actor=owner_a, risk=risk, data=AssessmentInput(2, 2))
    action = services.action_create(actor=owner_a, risk=risk, data=ActionInput(title="Fix"))
    services.action_update(actor=owner_a, action=action, data=ActionInput(progress=50))
    services.action_delete(actor=owner_a, action=action)
    services.risk_accept(actor=owner_a, risk=risk, rationale="ok", valid_until=risk.next_review)
    services.risk_close(actor=owner_a, risk=risk, reason="gone")
    services.vulnerability_delete(actor=owner_a, vulnerability=vulnerability)
    verbs = set(AuditEvent.objects.filter(organization=org_a).values_list("verb", flat=True))
    assert {
        "methodology.created",
        "vulnerability.created",
        "threat.created",
        "risk.created",
        "risk.assessed",
        "treatment_action.created",
        "treatment_action.updated",
        "treatment_action.deleted",
        "risk.updated",
        "risk.accepted",
        "risk.closed",
        "vulnerability.deleted",
    } <= verbs
    assert audit.verify(org_a).ok
