"""Rows of one organisation's benchmark data, built in Python and written with bulk_create.

Every value the services would compute is computed the same way here: references come from
``core.refs.allocate`` (so the next service create continues the numbering), criticality from
``criticality_of`` and risk levels from ``risks.services.risks.apply_assessment``, the
function the services themselves call.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from openisms.assets.choices import REF_PREFIX, AssetKind, LifecycleStatus, criticality_of
from openisms.assets.models import Asset, AssetDependency, AssetTag, Classification, Tag
from openisms.catalog.models import Requirement
from openisms.core import refs
from openisms.core.actors import actor_label
from openisms.core.models import Organization, User
from openisms.risks.choices import RISK_PREFIX, ActionStatus, RiskStatus, TreatmentOption
from openisms.risks.models import (
    Methodology,
    Risk,
    RiskAssessment,
    RiskAsset,
    RiskControl,
    RiskThreat,
    Threat,
    TreatmentAction,
)
from openisms.risks.services.risks import Assessed, apply_assessment

BATCH = 2000
TAG_NAMES = (
    "pii", "payroll", "production", "staging", "customer-facing", "finance",
    "hr", "legacy", "cloud", "on-premises", "critical-path", "third-party",
)  # fmt: skip
LOCATIONS = ("AWS eu-west-1", "AWS eu-central-1", "Head office", "Data centre 2", "SaaS", "")
NOUNS = (
    "customer database", "payroll service", "HR records", "laptop fleet", "VPN gateway",
    "billing API", "backup vault", "source repository", "CRM", "mail service", "firewall",
    "identity provider", "office network", "contract archive", "support desk",
)  # fmt: skip
_PLANNED = (TreatmentOption.MODIFY, TreatmentOption.AVOID, TreatmentOption.SHARE)
_TREATMENTS = (
    [TreatmentOption.MODIFY] * 6 + [TreatmentOption.RETAIN] * 3 + [TreatmentOption.AVOID]
    + [TreatmentOption.SHARE]
)  # fmt: skip


@dataclass(frozen=True)
class OrgData:
    """What the rows of one organisation draw from: people, labels, the methodology."""

    org: Organization
    owner: User
    members: Sequence[User]
    methodology: Methodology
    rng: random.Random
    today: dt.date
    now: dt.datetime


def _asset(data: OrgData, ref: str, classes: Sequence[Classification]) -> Asset:
    rng, n = data.rng, refs_number(ref)
    c, i, a = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 4)
    noun = rng.choice(NOUNS)
    return Asset(
        organization=data.org,
        ref=ref,
        number=n,
        external_id=f"cmdb-{n:06d}" if n % 3 == 0 else "",
        name=f"{noun.capitalize()} {n}",
        kind=rng.choice(AssetKind.values),
        description=f"The {noun} number {n}, generated for the benchmark.",
        owner=rng.choice(data.members),
        custodian=rng.choice(data.members) if n % 4 == 0 else None,
        location=rng.choice(LOCATIONS),
        classification=rng.choice(classes),
        confidentiality=c,
        integrity=i,
        availability=a,
        criticality=criticality_of(c, i, a),
        status=rng.choice((LifecycleStatus.IN_USE,) * 8 + tuple(LifecycleStatus.values)),
        next_review=data.today + dt.timedelta(days=rng.randint(-30, 365)),
        created_at=data.now,
        updated_at=data.now,
    )


def refs_number(ref: str) -> int:
    """The numeric part of a reference (``A-0042`` -> 42)."""
    return int(ref.rpartition("-")[2])


def make_assets(data: OrgData, count: int) -> list[Asset]:
    """``count`` assets with tags and a few dependencies on earlier assets."""
    if count < 1:
        return []
    classes = list(Classification.objects.filter(organization=data.org).order_by("position"))
    assets = [_asset(data, ref, classes) for ref in refs.allocate(data.org, REF_PREFIX, count)]
    assets = Asset.objects.bulk_create(assets, batch_size=BATCH)
    tags = Tag.objects.bulk_create(Tag(organization=data.org, name=name) for name in TAG_NAMES)
    links = [
        AssetTag(organization=data.org, asset=asset, tag=tag)
        for asset in assets
        for tag in data.rng.sample(tags, data.rng.randint(0, 2))
    ]
    AssetTag.objects.bulk_create(links, batch_size=BATCH)
    deps = [
        AssetDependency(
            organization=data.org, asset=asset, depends_on=assets[data.rng.randrange(n)]
        )
        for n, asset in enumerate(assets)
        if n > 0 and n % 5 == 0
    ]
    AssetDependency.objects.bulk_create(deps, batch_size=BATCH)
    return assets


@dataclass
class RiskRows:
    """A risk with the rows that hang off it, before they are written."""

    risk: Risk
    assets: list[Asset]
    threats: list[Threat]
    controls: list[Requirement]
    assessed: bool
    actions: list[TreatmentAction]


def _assess(data: OrgData, risk: Risk, treatment: str) -> None:
    rng = data.rng
    inherent = (rng.randint(1, 5), rng.randint(1, 5))
    residual = None
    if treatment in _PLANNED and rng.random() < 0.8:
        residual = (rng.randint(1, inherent[0]), rng.randint(1, inherent[1]))
    apply_assessment(risk, Assessed(data.methodology, inherent, residual, None, ""), data.today)


def _status(data: OrgData, risk: Risk) -> None:
    """Move the assessed risk on as the services would: planned, treated, accepted, closed."""
    rng, roll = data.rng, data.rng.random()
    risk.status = RiskStatus.ASSESSED
    if risk.treatment in _PLANNED:
        risk.status = RiskStatus.TREATED if roll < 0.2 else RiskStatus.TREATMENT_PLANNED
    elif risk.treatment == TreatmentOption.RETAIN and roll < 0.6:
        valid = data.today + dt.timedelta(days=rng.choice((-10, 90, 180, 365)))
        risk.status, risk.accepted_level = RiskStatus.ACCEPTED, risk.current_level
        risk.accepted_by, risk.accepted_by_label = data.owner, data.owner.email
        risk.accepted_at, risk.acceptance_valid_until = data.now, valid
        risk.acceptance_rationale = "Within the risk appetite; reviewed by management."
        risk.next_review = valid
    if roll > 0.97:
        risk.status, risk.closed_reason = RiskStatus.CLOSED, "The asset was retired."


def _actions(data: OrgData, risk: Risk) -> list[TreatmentAction]:
    if risk.status not in (RiskStatus.TREATMENT_PLANNED, RiskStatus.TREATED):
        return []
    rng, done = data.rng, risk.status == RiskStatus.TREATED
    result = []
    for n in range(rng.randint(1, 2)):
        status = ActionStatus.DONE if done else rng.choice(ActionStatus.values[:2])
        due = data.today + dt.timedelta(days=rng.randint(-60, 240))
        result.append(
            TreatmentAction(
                organization=data.org,
                risk=risk,
                title=f"Step {n + 1} for {risk.ref}: implement the chosen controls",
                owner=rng.choice(data.members),
                due_date=due,
                status=status,
                progress=100 if done else rng.choice((0, 25, 50, 75)),
                completed_on=due if done else None,
                created_at=data.now,
                updated_at=data.now,
            )
        )
    return result


def _risk(
    data: OrgData,
    ref: str,
    assets: Sequence[Asset],
    threats: Sequence[Threat],
    controls: Sequence[Requirement],
) -> RiskRows:
    rng = data.rng
    chosen_assets = rng.sample(list(assets), min(len(assets), rng.randint(1, 3)))
    chosen_threats = rng.sample(list(threats), rng.randint(1, 2))
    risk = Risk(
        organization=data.org,
        ref=ref,
        number=refs_number(ref),
        title=f"{chosen_threats[0].name} affecting {chosen_assets[0].name}"[:200],
        description="Generated for the benchmark.",
        owner=rng.choice(data.members),
        affects_confidentiality=rng.random() < 0.6,
        affects_integrity=rng.random() < 0.4,
        affects_availability=rng.random() < 0.4,
        existing_controls="Access reviews; backups" if rng.random() < 0.3 else "",
        created_at=data.now,
        updated_at=data.now,
    )
    assessed = rng.random() >= 0.08
    chosen_controls: list[Requirement] = []
    if assessed:
        risk.treatment = rng.choice(_TREATMENTS)
        _assess(data, risk, risk.treatment)
        _status(data, risk)
        chosen_controls = rng.sample(list(controls), rng.randint(1, 3))
    actions = _actions(data, risk)
    return RiskRows(risk, chosen_assets, chosen_threats, chosen_controls, assessed, actions)


def _links(data: OrgData, rows: Sequence[RiskRows]) -> Iterator[tuple[type[Any], Any]]:
    org = data.org
    for row in rows:
        risk = row.risk
        for asset in row.assets:
            yield RiskAsset, RiskAsset(organization=org, risk=risk, asset=asset)
        for threat in row.threats:
            yield RiskThreat, RiskThreat(organization=org, risk=risk, threat=threat)
        for req in row.controls:
            yield RiskControl, RiskControl(organization=org, risk=risk, requirement=req)
        for action in row.actions:
            yield TreatmentAction, action
        if row.assessed:
            yield RiskAssessment, _assessment(data, risk)


def _assessment(data: OrgData, risk: Risk) -> RiskAssessment:
    assert risk.inherent_likelihood is not None and risk.inherent_impact is not None  # noqa: S101
    return RiskAssessment(
        organization=data.org,
        risk=risk,
        assessed_at=data.now,
        assessed_by=data.owner,
        assessed_by_label=actor_label(data.owner),
        methodology=data.methodology,
        inherent_likelihood=risk.inherent_likelihood,
        inherent_impact=risk.inherent_impact,
        inherent_level=risk.inherent_level,
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        residual_level=risk.residual_level,
        note="Initial assessment (benchmark).",
    )


def make_risks(
    data: OrgData,
    count: int,
    assets: Sequence[Asset],
    threats: Sequence[Threat],
    controls: Sequence[Requirement],
) -> list[Risk]:
    """``count`` risks on ``assets`` with threats, Annex A controls, actions and history."""
    if count < 1 or not assets:
        return []
    rows = [
        _risk(data, ref, assets, threats, controls)
        for ref in refs.allocate(data.org, RISK_PREFIX, count)
    ]
    Risk.objects.bulk_create([row.risk for row in rows], batch_size=BATCH)
    by_model: dict[type[Any], list[Any]] = {}
    for model, obj in _links(data, rows):
        by_model.setdefault(model, []).append(obj)
    for model, objects in by_model.items():
        model.objects.bulk_create(objects, batch_size=BATCH)
    return [row.risk for row in rows]


def event_times(now: dt.datetime, count: int) -> Iterator[dt.datetime]:
    """``count`` increasing moments from ``now``, one millisecond apart."""
    return (now + dt.timedelta(milliseconds=n) for n in range(count))


def today_and_now() -> tuple[dt.date, dt.datetime]:
    """Today's date and the current moment (microseconds dropped, as a database might)."""
    now = timezone.now().replace(microsecond=0)
    return timezone.localdate(now), now
