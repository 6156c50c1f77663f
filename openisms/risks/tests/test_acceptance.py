"""Risk acceptance (6.1.3 f): the owner within the criteria, top management above them, who,
when, why and until when; an expired acceptance makes the risk due for review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openisms.core.actors import SYSTEM
from openisms.core.choices import Role
from openisms.core.errors import PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks import selectors, services
from openisms.risks.filters import RiskFilters
from openisms.risks.models import Methodology, Risk
from openisms.risks.rules import AssessmentInput
from openisms.risks.tests.factories import accept_until_yesterday, make_risk
from tests import support

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_a(org_a: Organization) -> User:
    return support.add_member(org_a, "editor@alpha.test", Role.EDITOR)


@pytest.fixture
def admin_a(org_a: Organization) -> User:
    return support.add_member(org_a, "admin@alpha.test", Role.ADMIN)


def _later(days: int = 180) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_the_risk_owner_accepts_a_level_within_the_criteria(
    org_a: Organization, method_a: Methodology, editor_a: User
) -> None:
    risk = make_risk(org_a, owner=editor_a.email, assess=(4, 4), residual=(2, 3))  # medium
    services.risk_accept(
        actor=editor_a, risk=risk, rationale="Within appetite.", valid_until=_later()
    )
    risk.refresh_from_db()
    assert (risk.status, risk.accepted_level, risk.accepted_by) == ("accepted", "medium", editor_a)
    assert risk.next_review == _later()
    event = AuditEvent.objects.get(organization=org_a, verb="risk.accepted")
    assert event.data["by_top_management"] is False and event.data["level"] == "medium"


def test_accepting_above_the_owners_criteria_without_top_management_is_refused_clearly(
    org_a: Organization, method_a: Methodology, editor_a: User
) -> None:
    risk = make_risk(org_a, owner=editor_a.email, assess=(4, 4), residual=(3, 4))  # high
    with pytest.raises(PermissionDenied) as caught:
        services.risk_accept(actor=editor_a, risk=risk, rationale="Fine", valid_until=_later())
    message = caught.value.message
    assert "residual level High of R-0001" in message
    assert "only top management (Owner or Admin) may accept it" in message
    assert "A risk owner may accept: Low, Medium." in message
    assert Risk.objects.get(pk=risk.pk).status == "assessed"
    assert not AuditEvent.objects.filter(verb="risk.accepted").exists()


def test_top_management_accepts_any_level(
    org_a: Organization, method_a: Methodology, admin_a: User, editor_a: User
) -> None:
    risk = make_risk(org_a, owner=editor_a.email, assess=(5, 5))  # critical, no residual
    services.risk_accept(
        actor=admin_a, risk=risk, rationale="Board decision.", valid_until=_later(30)
    )
    assert risk.status == "accepted" and risk.accepted_level == "critical"
    event = AuditEvent.objects.get(organization=org_a, verb="risk.accepted")
    assert event.data["by_top_management"] is True and event.actor == "admin@alpha.test"


def test_only_the_risk_owner_or_top_management_may_accept(
    org_a: Organization, method_a: Methodology, editor_a: User
) -> None:
    risk = make_risk(org_a, assess=(1, 1))  # owned by the organisation's owner
    with pytest.raises(PermissionDenied, match=r"Only the risk owner \(owner@alpha.test\)"):
        services.risk_accept(actor=editor_a, risk=risk, rationale="x", valid_until=_later())


def test_acceptance_needs_an_assessment_a_rationale_and_a_future_date(
    org_a: Organization, method_a: Methodology
) -> None:
    with pytest.raises(ValidationError, match="Assess R-0001 before accepting it"):
        services.risk_accept(
            actor=SYSTEM, risk=make_risk(org_a), rationale="x", valid_until=_later()
        )
    risk = make_risk(org_a, assess=(1, 1))
    with pytest.raises(ValidationError) as caught:
        services.risk_accept(
            actor=SYSTEM, risk=risk, rationale=" ", valid_until=timezone.localdate()
        )
    assert set(caught.value.errors) == {"rationale", "valid_until"}


def test_an_expired_acceptance_shows_the_risk_as_due_for_review(
    org_a: Organization, owner_a: User, method_a: Methodology, client_owner_a: object
) -> None:
    risk = make_risk(org_a, "Old acceptance", assess=(2, 2))
    make_risk(org_a, "Fresh", assess=(2, 2))
    accept_until_yesterday(risk, owner_a)
    risk.refresh_from_db()
    assert risk.acceptance_expired() and risk.is_due_for_review()
    due = selectors.risk_list(actor=owner_a, org=org_a, filters=RiskFilters(review_due=True))
    assert [r.ref for r in due] == [risk.ref]
    assert selectors.risk_counts(org=org_a).due_for_review == 1
    page = client_owner_a.get(f"/o/alpha/risks/{risk.ref}/")  # type: ignore[attr-defined]
    assert (
        b"Acceptance expired" in page.content
        and b'data-testid="acceptance-expired"' in page.content
    )


def test_a_reassessment_that_changes_the_level_voids_the_acceptance(
    org_a: Organization, method_a: Methodology, owner_a: User
) -> None:
    risk = make_risk(org_a, assess=(2, 2))
    services.risk_accept(actor=owner_a, risk=risk, rationale="ok", valid_until=_later())
    services.risk_assess(actor=owner_a, risk=risk, data=AssessmentInput(2, 2))
    assert risk.status == "accepted"
    services.risk_assess(actor=owner_a, risk=risk, data=AssessmentInput(4, 4))
    assert risk.status == "assessed"
    event = AuditEvent.objects.filter(verb="risk.assessed").order_by("-seq").first()
    assert event is not None and "changed from low to critical" in event.data["acceptance_void"]


def test_the_accept_page_explains_a_refusal_beside_the_form(
    org_a: Organization, method_a: Methodology, editor_a: User
) -> None:
    risk = make_risk(org_a, owner=editor_a.email, assess=(4, 4))
    client = support.ApiClient()
    client.force_login(editor_a)
    url = f"/o/alpha/risks/{risk.ref}/accept/"
    assert b"only top management" in client.get(url).content
    answer = client.post(url, {"rationale": "x", "valid_until": _later().isoformat(), "version": 1})
    assert answer.status_code == 403
    assert b"only top management (Owner or Admin)" in answer.content
