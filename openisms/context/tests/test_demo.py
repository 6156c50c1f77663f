"""The demo organisation's context: an approved scope, issues, parties, obligations."""

from __future__ import annotations

from openisms.context import selectors
from openisms.context.demo import build_context
from openisms.context.models import InterestedParty, Issue, Obligation, PartyRequirement
from openisms.core import audit
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role
from openisms.core.models import AuditEvent, Organization, User
from tests import support


def _demo_like_org() -> tuple[Organization, dict[Role, User]]:
    org = support.make_org("Acme Cloud Ltd", "acme-test", "owner@acme.test")
    users = {Role.OWNER: org.memberships.get().user}
    for role in (Role.ADMIN, Role.EDITOR, Role.AUDITOR, Role.VIEWER):
        users[role] = support.add_member(org, f"{role}@acme.test", role)
    return org, users


def test_the_demo_builds_a_realistic_context_through_the_services(db: None) -> None:
    org, users = _demo_like_org()
    build_context(org, users, SYSTEM)
    scope = selectors.scope_current(org)
    assert scope is not None and scope.number == 2 and "Berlin" in scope.locations
    assert all(row["justification"] for row in scope.exclusions)
    issues = Issue.objects.filter(organization=org)
    assert issues.count() >= 8
    assert {"internal", "external"} <= set(issues.values_list("kind", flat=True))
    assert issues.filter(category="climate").exists()
    assert InterestedParty.objects.filter(organization=org).count() >= 8
    assert PartyRequirement.objects.filter(organization=org, obligation__isnull=False).exists()
    obligations = Obligation.objects.filter(organization=org)
    assert obligations.count() >= 10
    assert {"legal", "regulatory", "contractual"} <= set(obligations.values_list("kind", flat=True))
    assert AuditEvent.objects.filter(organization=org, verb="scope.superseded").count() == 1
    assert audit.verify(org).ok


def test_the_builder_is_registered_with_the_demo() -> None:
    from openisms.core import demo

    assert build_context in demo._BUILDERS
