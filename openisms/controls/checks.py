"""The consistency check: reads the SoA, the risks and the context as an auditor would.

Each rule is a function of a ``CheckInput`` returning ``Finding`` objects with a rule id, a
severity (blockers stop a publish unless overridden), the object, a message and a link to fix
it. ``run`` loads everything in a fixed number of queries and applies every rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from openisms.assets.choices import AssetKind, LifecycleStatus
from openisms.assets.models import Asset
from openisms.context.choices import ObligationStatus
from openisms.context.models import Obligation
from openisms.context.selectors import scope_current
from openisms.controls import selectors
from openisms.controls.choices import (
    EMPTY_JUSTIFICATIONS,
    MIN_JUSTIFICATION,
    Applicability,
    ImplementationStatus,
    LinkKind,
    Severity,
)
from openisms.controls.models import ControlLink, ControlObligation
from openisms.controls.selectors import SoaRow
from openisms.core.models import Organization
from openisms.risks.choices import RiskStatus, TreatmentOption
from openisms.risks.models import Risk, RiskControl

#: 2013 Annex A ids: three numbers (A.12.6.1) or a 2013-only clause number (A.10 to A.18).
OLD_ID = re.compile(r"\bA\.(?:\d{1,2}\.\d{1,2}\.\d{1,2}|1[0-8]\.\d{1,2})\b")


@dataclass(frozen=True)
class Finding:
    """One problem the check found."""

    rule: str
    severity: str
    object: str
    message: str
    url: str


@dataclass
class CheckInput:
    """What the rules read, loaded once."""

    org: Organization
    rows: list[SoaRow]
    risks: list[Risk] = field(default_factory=list)
    risks_with_controls: set[int] = field(default_factory=set)
    unanswered: list[Obligation] = field(default_factory=list)
    has_people: bool = False
    has_sites: bool = False
    evidence_exists: bool = False
    drift: int = 0

    def control_url(self, ref: str) -> str:
        return reverse("controls:detail", kwargs={"org_slug": self.org.slug, "control_ref": ref})

    def risk_url(self, ref: str) -> str:
        return reverse("risks:detail", kwargs={"org_slug": self.org.slug, "risk_ref": ref})


Rule = Callable[[CheckInput], Iterable[Finding]]
RULES: list[tuple[str, Rule]] = []


def rule(rule_id: str) -> Callable[[Rule], Rule]:
    """Register a rule under its id (usable as a decorator)."""

    def add(fn: Rule) -> Rule:
        RULES.append((rule_id, fn))
        return fn

    return add


def weak_justification(text: str) -> bool:
    """Empty, a stock phrase ("N/A", "not applicable") or too short to convince an auditor."""
    cleaned = text.strip().lower().rstrip(".")
    return cleaned in EMPTY_JUSTIFICATIONS or len(cleaned) < MIN_JUSTIFICATION


@rule("excluded-but-chosen")
def _excluded_but_chosen(data: CheckInput) -> Iterable[Finding]:
    for row in data.rows:
        if row.control.applicability == Applicability.NO and row.risk_refs:
            yield Finding(
                "excluded-but-chosen",
                Severity.BLOCKER,
                row.control.ref,
                f"{row.control.ref} is excluded but risk treatment chose it "
                f"({', '.join(row.risk_refs[:5])}).",
                data.control_url(row.control.ref),
            )


@rule("applicable-without-reason")
def _applicable_without_reason(data: CheckInput) -> Iterable[Finding]:
    for row in data.rows:
        if row.applicable and not row.reasons():
            yield Finding(
                "applicable-without-reason",
                Severity.WARNING,
                row.control.ref,
                f"{row.control.ref} is applicable with no reason: link a risk or an "
                "obligation, or state the business requirement.",
                data.control_url(row.control.ref),
            )


@rule("weak-exclusion")
def _weak_exclusion(data: CheckInput) -> Iterable[Finding]:
    for row in data.rows:
        control = row.control
        if control.applicability == Applicability.NO and weak_justification(
            control.exclusion_justification
        ):
            shown = control.exclusion_justification.strip() or "none"
            yield Finding(
                "weak-exclusion",
                Severity.BLOCKER,
                control.ref,
                f"{control.ref} is excluded with no real justification ({shown!r}).",
                data.control_url(control.ref),
            )


@rule("modify-without-control")
def _modify_without_control(data: CheckInput) -> Iterable[Finding]:
    for risk in data.risks:
        if risk.treatment == TreatmentOption.MODIFY and risk.pk not in data.risks_with_controls:
            yield Finding(
                "modify-without-control",
                Severity.WARNING,
                risk.ref,
                f"{risk.ref} is to be modified but no control was chosen.",
                data.risk_url(risk.ref),
            )


def _above_criteria(risk: Risk) -> bool:
    if risk.methodology is None or not risk.current_level:
        return False
    level = risk.methodology.level_or_none(risk.current_level)
    return level is not None and not level.owner_may_accept


@rule("untreated-above-criteria")
def _untreated(data: CheckInput) -> Iterable[Finding]:
    for risk in data.risks:
        if risk.treatment or risk.status == RiskStatus.ACCEPTED or not _above_criteria(risk):
            continue
        yield Finding(
            "untreated-above-criteria",
            Severity.BLOCKER,
            risk.ref,
            f"{risk.ref} is above the acceptance criteria ({risk.current_level}) and is "
            "neither treated nor accepted.",
            data.risk_url(risk.ref),
        )


@rule("acceptance-expired")
def _acceptance_expired(data: CheckInput) -> Iterable[Finding]:
    today = timezone.localdate()
    for risk in data.risks:
        if risk.acceptance_expired(today):
            yield Finding(
                "acceptance-expired",
                Severity.WARNING,
                risk.ref,
                f"The acceptance of {risk.ref} expired on {risk.acceptance_valid_until}.",
                data.risk_url(risk.ref),
            )


@rule("applicable-without-owner")
def _without_owner(data: CheckInput) -> Iterable[Finding]:
    for row in data.rows:
        if row.applicable and row.control.owner_id is None:
            yield Finding(
                "applicable-without-owner",
                Severity.WARNING,
                row.control.ref,
                f"{row.control.ref} is applicable but has no owner.",
                data.control_url(row.control.ref),
            )


@rule("implemented-without-evidence")
def _without_evidence(data: CheckInput) -> Iterable[Finding]:
    implemented = [
        r
        for r in data.rows
        if r.applicable and r.control.implementation_status == ImplementationStatus.IMPLEMENTED
    ]
    if not implemented:
        return
    if not data.evidence_exists:
        # TODO(issue 7): the evidence app will add evidence links; until then, skip.
        yield Finding(
            "implemented-without-evidence",
            Severity.INFO,
            "evidence",
            "No evidence is linked to any control yet, so implemented controls were not "
            "checked for current evidence.",
            "",
        )
        return
    for row in implemented:
        if row.freshness != "current":
            yield Finding(
                "implemented-without-evidence",
                Severity.WARNING,
                row.control.ref,
                f"{row.control.ref} is marked implemented without current evidence.",
                data.control_url(row.control.ref),
            )


@rule("obligation-unanswered")
def _unanswered(data: CheckInput) -> Iterable[Finding]:
    for obligation in data.unanswered:
        yield Finding(
            "obligation-unanswered",
            Severity.WARNING,
            obligation.ref,
            f"No control answers obligation {obligation.ref} {obligation.name}.",
            reverse(
                "context:obligation",
                kwargs={"org_slug": data.org.slug, "obligation_ref": obligation.ref},
            ),
        )


@rule("people-or-physical-excluded")
def _people_physical(data: CheckInput) -> Iterable[Finding]:
    holds = {"people": data.has_people, "physical": data.has_sites}
    what = {"people": "people", "physical": "sites"}
    for row in data.rows:
        theme = row.control.theme
        if row.control.applicability == Applicability.NO and holds.get(theme):
            yield Finding(
                "people-or-physical-excluded",
                Severity.WARNING,
                row.control.ref,
                f"{row.control.ref} ({theme}) is excluded while the scope or the inventory "
                f"holds {what[theme]}.",
                data.control_url(row.control.ref),
            )


@rule("differs-from-approved")
def _drift(data: CheckInput) -> Iterable[Finding]:
    if data.drift:
        yield Finding(
            "differs-from-approved",
            Severity.INFO,
            "SoA",
            f"The working copy differs from the approved version in {data.drift} row(s); "
            "publish it for approval.",
            reverse("controls:versions", kwargs={"org_slug": data.org.slug}),
        )


def _texts(row: SoaRow) -> list[str]:
    c = row.control
    texts = [c.exclusion_justification, c.business_reason, c.implementation_description]
    texts += [c.source_note] + ([c.ref] if c.requirement_id is None else [])
    return texts


@rule("old-control-id")
def _old_ids(data: CheckInput) -> Iterable[Finding]:
    for row in data.rows:
        found = sorted({m for text in _texts(row) for m in OLD_ID.findall(text)})
        if found:
            yield Finding(
                "old-control-id",
                Severity.WARNING,
                row.control.ref,
                f"{row.control.ref} cites ISO/IEC 27001:2013 control id(s) {', '.join(found)}; "
                "use the 2022 ids.",
                data.control_url(row.control.ref),
            )


def _load(org: Organization, rows: list[SoaRow], include_drift: bool) -> CheckInput:
    data = CheckInput(org, rows)
    data.risks = list(
        Risk.objects.filter(organization=org)
        .exclude(status=RiskStatus.CLOSED)
        .select_related("methodology")
        .only(
            "id",
            "ref",
            "treatment",
            "status",
            "residual_level",
            "inherent_level",
            "acceptance_valid_until",
            "methodology__spec",
            "methodology__id",
        )
        .order_by("number")
    )
    data.risks_with_controls = set(
        RiskControl.objects.filter(organization=org).values_list("risk_id", flat=True).distinct()
    )
    answered = ControlObligation.objects.filter(organization=org).values("obligation_id")
    data.unanswered = list(
        Obligation.objects.filter(organization=org, status=ObligationStatus.ACTIVE)
        .exclude(pk__in=answered)
        .order_by("ref")
    )
    kinds = set(
        Asset.objects.filter(organization=org)
        .exclude(status=LifecycleStatus.RETIRED)
        .filter(kind__in=(AssetKind.PEOPLE, AssetKind.SITE))
        .values_list("kind", flat=True)
        .distinct()
    )
    scope = scope_current(org)
    data.has_people = AssetKind.PEOPLE in kinds
    data.has_sites = AssetKind.SITE in kinds or bool(
        scope and (scope.locations.strip() or scope.physical_boundaries.strip())
    )
    data.evidence_exists = ControlLink.objects.filter(
        organization=org, kind=LinkKind.EVIDENCE
    ).exists()
    if include_drift:
        approved = selectors.soa_version_latest_approved(org)
        if approved is not None:
            current = [row.as_dict() for row in rows]
            data.drift = len(selectors.soa_diff(approved.rows, current))
    return data


def run(
    org: Organization, *, rows: list[SoaRow] | None = None, include_drift: bool = True
) -> list[Finding]:
    """Every rule over ``org``'s working copy; blockers first. Callers checked access."""
    if rows is None:
        rows = selectors.soa_rows_unchecked(org)
    data = _load(org, rows, include_drift)
    findings = [finding for _, fn in RULES for finding in fn(data)]
    order = {Severity.BLOCKER: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(findings, key=lambda f: order[Severity(f.severity)])


def summary(findings: list[Finding]) -> dict[str, Any]:
    """Counts by severity and the findings themselves, as kept in a published version."""
    counts = {s.value: sum(1 for f in findings if f.severity == s) for s in Severity}
    return {"counts": counts, "findings": [asdict(f) for f in findings]}


def blockers(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == Severity.BLOCKER]
