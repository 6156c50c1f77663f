"""Risk-management rows for tests, made through the services as a user would make them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openisms.assets.models import Asset
from openisms.assets.tests.factories import make_asset, owner_email
from openisms.core.actors import SYSTEM, Actor
from openisms.core.models import Organization
from openisms.risks import services
from openisms.risks.models import Methodology, Risk, TreatmentAction, Vulnerability
from openisms.risks.rules import ActionInput, AssessmentInput, RiskInput, VulnerabilityInput
from openisms.risks.selectors import annex_a_controls


def make_methodology(org: Organization, preset: str = "5x5", **values: Any) -> Methodology:
    """A new current methodology version for ``org`` from a preset (or ``spec=``)."""
    return services.methodology_create(actor=SYSTEM, org=org, preset=preset, **values)


def make_risk(
    org: Organization,
    title: str = "Ransomware on the payroll database",
    *,
    assess: tuple[int, int] | None = None,
    residual: tuple[int, int] | None = None,
    **values: Any,
) -> Risk:
    """A risk owned by the organisation's owner; assessed when ``assess`` is given."""
    values.setdefault("owner", owner_email(org))
    assessment = None
    if assess is not None:
        assessment = AssessmentInput(
            inherent_likelihood=assess[0],
            inherent_impact=assess[1],
            residual_likelihood=residual[0] if residual else None,
            residual_impact=residual[1] if residual else None,
        )
    return services.risk_create(
        actor=SYSTEM, org=org, data=RiskInput(title=title, **values), assessment=assessment
    ).risk


def accept_until_yesterday(risk: Risk, actor: Actor) -> Risk:
    """Accept ``risk`` as decided last year, valid until yesterday: the acceptance ran out."""
    today = timezone.localdate()
    return services.risk_accept(
        actor=actor,
        risk=risk,
        rationale="Accepted last year.",
        decided_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=1),
    )


def make_action(risk: Risk, title: str = "Immutable backups", **values: Any) -> TreatmentAction:
    """A treatment action of ``risk``."""
    return services.action_create(actor=SYSTEM, risk=risk, data=ActionInput(title=title, **values))


def make_vulnerability(
    org: Organization, title: str = "Unpatched database", **values: Any
) -> Vulnerability:
    """A vulnerability of ``org``."""
    return services.vulnerability_create(
        actor=SYSTEM, org=org, data=VulnerabilityInput(title=title, **values)
    )


def linked_risks(org: Organization, count: int, asset: Asset | None = None) -> list[Risk]:
    """``count`` assessed risks, each with an asset, a library threat, a vulnerability, an
    Annex A control (when the catalogue is loaded) and a treatment action."""
    asset = asset or make_asset(org, f"Asset for {count} risks")
    vulnerability = make_vulnerability(org, assets=[asset.ref])
    controls = [c.ref for c in annex_a_controls()[:2]]
    made = []
    for number in range(count):
        risk = make_risk(
            org,
            f"Risk {number}",
            assess=(3, 4),
            residual=(2, 2),
            assets=[asset.ref],
            threats=["G 0.39"],
            vulnerabilities=[vulnerability.ref],
            controls=controls,
            treatment="modify",
        )
        make_action(risk, f"Action {number}", owner=owner_email(org), due_date="2020-01-01")
        made.append(risk)
    return made
