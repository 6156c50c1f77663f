"""Small builders of context records for the tests, through the services."""

from __future__ import annotations

from typing import Any

from openisms.context import services
from openisms.context.models import InterestedParty, Issue, Obligation, ScopeStatement
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization


def issue(org: Organization, **fields: Any) -> Issue:
    """An external legal issue unless told otherwise."""
    data = {"title": "New data law", "kind": "external", "category": "legal", **fields}
    return services.issue_create(actor=SYSTEM, org=org, **data)


def party(org: Organization, **fields: Any) -> InterestedParty:
    """A customer unless told otherwise."""
    return services.party_create(
        actor=SYSTEM, org=org, **{"name": "Customers", "kind": "customer", **fields}
    )


def obligation(org: Organization, **fields: Any) -> Obligation:
    """A legal obligation in the EU unless told otherwise."""
    data = {"name": "GDPR", "kind": "legal", "jurisdiction": "European Union", **fields}
    return services.obligation_create(actor=SYSTEM, org=org, **data)


SCOPE = {"summary": "The SaaS platform.", "text": "The ISMS covers the platform."}


def approved_scope(org: Organization, **fields: Any) -> ScopeStatement:
    """A new version, submitted and approved."""
    draft = services.scope_draft_create(actor=SYSTEM, org=org, **{**SCOPE, **fields})
    services.scope_submit(actor=SYSTEM, scope=draft)
    return services.scope_approve(actor=SYSTEM, scope=draft, comment="ok")
