"""Samples for the tenancy walk (``tests/tenancy.py``): objects in organisation B only."""

from __future__ import annotations

from openisms.core.actors import SYSTEM
from openisms.core.models import Organization
from openisms.risks import services
from openisms.risks.rules import ThreatInput
from openisms.risks.tests.factories import (
    make_action,
    make_methodology,
    make_risk,
    make_vulnerability,
)
from tests.tenancy import Sample


def _risk_ref(org: Organization) -> str:
    """B's second risk: organisation A has an R-0001 of its own at most, never B's R-0002."""
    make_risk(org, "Beta first")
    return make_risk(org, "Beta second").ref


def _vulnerability_ref(org: Organization) -> str:
    make_vulnerability(org, "Beta first")
    return make_vulnerability(org, "Beta second").ref


def _threat_ref(org: Organization) -> str:
    services.threat_create(actor=SYSTEM, org=org, data=ThreatInput(name="B1", category="physical"))
    threat = services.threat_create(
        actor=SYSTEM, org=org, data=ThreatInput(name="B2", category="physical")
    )
    return threat.ref


def _action_id(org: Organization) -> str:
    risk = make_risk(org, "Beta with actions")
    make_action(risk, "First")
    return str(make_action(risk, "Second").pk)


def _methodology_version(org: Organization) -> str:
    make_methodology(org, "3x3")
    return str(make_methodology(org, "4x4").version)


PARAM_SAMPLES = {
    "risk_ref": Sample(_risk_ref),
    "vulnerability_ref": Sample(_vulnerability_ref),
    "threat_ref": Sample(_threat_ref),
    "action_id": Sample(_action_id),
    "methodology_version": Sample(_methodology_version),
}
