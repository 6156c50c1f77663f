"""Samples for the tenancy walk (``tests/tenancy.py``): objects of organisation B only.

Each makes two objects in B and answers the second's reference, so organisation A (which
has none, or only its own first numbers) cannot have an object of that reference.
"""

from __future__ import annotations

from openisms.context import services
from openisms.context.models import ScopeStatement
from openisms.context.tests import factories
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization
from tests.tenancy import Sample


def _issue_ref(org: Organization) -> str:
    factories.issue(org)
    return factories.issue(org).ref


def _party_ref(org: Organization) -> str:
    factories.party(org)
    return factories.party(org).ref


def _obligation_ref(org: Organization) -> str:
    factories.obligation(org)
    return factories.obligation(org).ref


def _requirement_id(org: Organization) -> str:
    party = factories.party(org)
    return str(services.party_requirement_create(actor=SYSTEM, party=party, text="x").pk)


def _scope_version(org: Organization) -> str:
    latest = ScopeStatement.objects.filter(organization=org).order_by("-number").first()
    if latest is not None and latest.number >= 2:
        return str(latest.number)
    factories.approved_scope(org)
    return str(services.scope_draft_create(actor=SYSTEM, org=org).number)


PARAM_SAMPLES = {
    "issue_ref": Sample(_issue_ref),
    "party_ref": Sample(_party_ref),
    "obligation_ref": Sample(_obligation_ref),
    "party_requirement_id": Sample(_requirement_id),
    "scope_version": Sample(_scope_version),
}
