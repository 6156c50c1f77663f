"""Writes of the risk register: create, change, (re)assess, accept, close, delete.

A risk's levels are always computed here, from the methodology version it is assessed with
(``apply_assessment``); reassessing moves it to the current version. Acceptance (6.1.3 f)
follows the acceptance criteria of that version: a level the risk owner may not accept needs
top management (``risks.accept_top``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from openisms.core import audit, authz, bulk, refs
from openisms.core.actors import Actor, ServiceActor, actor_label
from openisms.core.cleaning import FieldError, date, ref_number
from openisms.core.errors import PermissionDenied, ValidationError, raise_if
from openisms.core.models import Organization, User
from openisms.risks import selectors
from openisms.risks.choices import RISK_PREFIX, RiskStatus, TreatmentOption
from openisms.risks.methodology import RiskLevel, add_months
from openisms.risks.models import (
    Methodology,
    Risk,
    RiskAssessment,
    RiskAsset,
    RiskControl,
    RiskThreat,
    RiskVulnerability,
)
from openisms.risks.rules import (
    AssessmentInput,
    Cleaned,
    Lookups,
    RiskInput,
    clean_risk,
)
from openisms.risks.services.common import iso, lock_version, replace_links

_THROUGH: dict[str, tuple[Any, str]] = {
    "assets": (RiskAsset, "asset"),
    "threats": (RiskThreat, "threat"),
    "vulnerabilities": (RiskVulnerability, "vulnerability"),
    "controls": (RiskControl, "requirement"),
}
#: Treatment options that mean work to plan (retain means accepting the risk as it is).
_PLANNED_TREATMENTS = (TreatmentOption.MODIFY, TreatmentOption.AVOID, TreatmentOption.SHARE)


def link_refs(risk: Risk) -> dict[str, list[str]]:
    """The references of everything linked to ``risk``, by kind (four small queries)."""
    return {
        name: sorted(through.objects.filter(risk=risk).values_list(f"{field}__ref", flat=True))
        for name, (through, field) in _THROUGH.items()
    }


def snapshot(risk: Risk, links: dict[str, list[str]]) -> dict[str, Any]:
    """The risk as the audit trail records it: people by e-mail, links by reference."""
    return {
        "title": risk.title,
        "description": risk.description,
        "owner": risk.owner.email,
        "affects": risk.affects,
        "existing_controls": risk.existing_controls,
        "treatment": risk.treatment,
        "status": risk.status,
        "next_review": iso(risk.next_review),
        **{name: sorted(found) for name, found in links.items()},
    }


def _write_links(risk: Risk, links: dict[str, list[Any]], *, new: bool = False) -> None:
    for name, targets in links.items():
        through, field = _THROUGH[name]
        replace_links(through, risk.organization, "risk", risk, field, targets, new=new)


def current_methodology(org: Organization) -> Methodology:
    """The methodology version new assessments use; a field error when there is none."""
    found = selectors.current_methodology_of(org)
    if found is None:
        raise ValidationError.field(
            "methodology",
            "Set up the risk methodology first: choose a 3x3, 4x4 or 5x5 preset on the "
            "methodology page (or `openisms risks methodology preset 5x5`).",
        )
    return found


# --- assessment ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Assessed:
    """A checked assessment against one methodology version."""

    methodology: Methodology
    inherent: tuple[int, int]
    residual: tuple[int, int] | None
    next_review: dt.date | None
    note: str


def _scale(value: Any, size: int, field: str, errors: dict[str, list[str]]) -> int | None:
    raw = "" if value is None else str(value).strip().removesuffix(".0")
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= size:
        errors[field] = [f"Choose a value from 1 to {size} (the methodology's scale)."]
        return None
    return int(raw)


def _residual(
    data: AssessmentInput,
    inherent: tuple[int | None, int | None],
    sizes: tuple[int, int],
    errors: dict[str, list[str]],
) -> tuple[int, int] | None:
    likelihood = _scale(data.residual_likelihood, sizes[0], "residual_likelihood", errors)
    impact = _scale(data.residual_impact, sizes[1], "residual_impact", errors)
    if (likelihood is None) != (impact is None):
        missing = "residual_impact" if impact is None else "residual_likelihood"
        errors.setdefault(missing, ["Give both residual values, or neither."])
        return None
    if likelihood is None or impact is None:
        return None
    for name, value, before in (
        ("residual_likelihood", likelihood, inherent[0]),
        ("residual_impact", impact, inherent[1]),
    ):
        if before is not None and value > before:
            errors[name] = [
                f"The target residual value cannot be above the inherent one ({before})."
            ]
    return likelihood, impact


def check_assessment(methodology: Methodology, data: AssessmentInput) -> Assessed:
    """Check an assessment against ``methodology``'s scales; every problem named by field."""
    spec = methodology.parsed
    sizes = (len(spec.likelihood), len(spec.impact))
    errors: dict[str, list[str]] = {}
    likelihood = _scale(data.inherent_likelihood, sizes[0], "inherent_likelihood", errors)
    impact = _scale(data.inherent_impact, sizes[1], "inherent_impact", errors)
    for name, value in (("inherent_likelihood", likelihood), ("inherent_impact", impact)):
        if value is None:
            errors.setdefault(name, ["This value is required to assess the risk."])
    residual = _residual(data, (likelihood, impact), sizes, errors)
    review = None
    try:
        if data.next_review is not None:
            review = date(data.next_review, Lookups(methodology.organization, {}))
    except FieldError as error:
        errors["next_review"] = [error.message]
    raise_if(errors)
    assert likelihood is not None and impact is not None  # noqa: S101 - checked above
    return Assessed(methodology, (likelihood, impact), residual, review, data.note.strip())


def apply_assessment(risk: Risk, assessed: Assessed, today: dt.date) -> RiskLevel:
    """Set the values and the levels ``assessed.methodology`` gives; return the level that counts.

    The only place where a risk's levels are computed: always from the version it is
    assessed with, never from a later one.
    """
    spec = assessed.methodology.parsed
    risk.methodology = assessed.methodology
    risk.inherent_likelihood, risk.inherent_impact = assessed.inherent
    inherent = spec.level_for(*assessed.inherent)
    risk.inherent_level, risk.inherent_rank = inherent.key, spec.rank(inherent.key)
    level = inherent
    if assessed.residual is None:
        risk.residual_likelihood = risk.residual_impact = risk.residual_rank = None
        risk.residual_level = ""
    else:
        risk.residual_likelihood, risk.residual_impact = assessed.residual
        level = spec.level_for(*assessed.residual)
        risk.residual_level, risk.residual_rank = level.key, spec.rank(level.key)
    risk.next_review = assessed.next_review or add_months(today, level.review_months)
    return level


def _status_after_assessment(risk: Risk, level: RiskLevel) -> dict[str, Any]:
    """Move the status on after an assessment; a changed level voids an acceptance."""
    if risk.status in (RiskStatus.IDENTIFIED, RiskStatus.CLOSED):
        risk.status, risk.closed_reason = RiskStatus.ASSESSED, ""
    elif risk.status == RiskStatus.ACCEPTED and level.key != risk.accepted_level:
        risk.status = RiskStatus.ASSESSED
        return {"acceptance_void": f"the level changed from {risk.accepted_level} to {level.key}"}
    return {}


def _record_assessment(actor: Actor, risk: Risk, note: str) -> RiskAssessment:
    likelihood, impact = risk.inherent_likelihood, risk.inherent_impact
    assert risk.methodology is not None  # noqa: S101 - set by apply_assessment
    assert likelihood is not None and impact is not None  # noqa: S101 - likewise
    assessment = RiskAssessment(
        organization=risk.organization,
        risk=risk,
        assessed_by=None if isinstance(actor, ServiceActor) else actor,
        assessed_by_label=actor_label(actor),
        methodology=risk.methodology,
        inherent_likelihood=likelihood,
        inherent_impact=impact,
        inherent_level=risk.inherent_level,
        residual_likelihood=risk.residual_likelihood,
        residual_impact=risk.residual_impact,
        residual_level=risk.residual_level,
        note=note,
    )
    bulk.insert_one(assessment)
    return assessment


def levels_snapshot(risk: Risk) -> dict[str, Any]:
    """The assessed values, for the audit trail."""
    return {
        "methodology": risk.methodology.version if risk.methodology else None,
        "inherent": [risk.inherent_likelihood, risk.inherent_impact, risk.inherent_level],
        "residual": [risk.residual_likelihood, risk.residual_impact, risk.residual_level],
        "next_review": iso(risk.next_review),
        "status": risk.status,
    }


@transaction.atomic
def risk_assess(
    *, actor: Actor, risk: Risk, data: AssessmentInput, version: int | None = None
) -> Risk:
    """(Re)assess a risk with the current methodology version and keep it in the history.

    A risk on an older version moves to the current one here, and only here.
    """
    org = risk.organization
    authz.require(actor, "risks.change", org)
    assessed = check_assessment(current_methodology(org), data)
    lock_version(risk)
    before = levels_snapshot(risk)
    refs.check_version(risk, version, f"Risk {risk.ref}")
    level = apply_assessment(risk, assessed, timezone.localdate())
    extra = _status_after_assessment(risk, level)
    risk.updated_at = timezone.now()
    risk.save()
    _record_assessment(actor, risk, assessed.note)
    changes = audit.changes(before, levels_snapshot(risk))
    audit.record(
        actor=actor,
        verb="risk.assessed",
        target=risk,
        data={**changes, **extra, "note": assessed.note},
    )
    return risk


# --- create, update, delete -----------------------------------------------------------------


def _check_status(risk: Risk, status: str) -> None:
    if status != RiskStatus.IDENTIFIED and not risk.is_assessed:
        raise ValidationError.field("status", "Assess the risk (likelihood and impact) first.")
    if status == RiskStatus.IDENTIFIED and risk.is_assessed:
        raise ValidationError.field("status", "An assessed risk cannot go back to identified.")


def _needs_plan(risk: Risk) -> bool:
    return risk.status == RiskStatus.ASSESSED and risk.treatment in _PLANNED_TREATMENTS


def _apply_values(risk: Risk, cleaned: Cleaned) -> None:
    status = cleaned.values.get("status")
    for name, value in cleaned.values.items():
        if name != "status":
            setattr(risk, name, value)
    if status is not None and status != risk.status:
        _check_status(risk, status)
        risk.status = status
    elif "treatment" in cleaned.values and _needs_plan(risk):
        risk.status = RiskStatus.TREATMENT_PLANNED


@dataclass(frozen=True)
class Created:
    """A risk just written, with what was written beside its row: the objects it links, by
    kind (as the lookups read them), and its first assessment (None: not assessed yet).
    What the API answers a create with, without reading any of it back."""

    risk: Risk
    links: dict[str, list[Any]]
    assessment: RiskAssessment | None


def create_risk(
    *,
    actor: Actor,
    org: Organization,
    data: RiskInput,
    lookups: Lookups,
    assessment: AssessmentInput | None = None,
) -> Created:
    """Create a risk from checked lookups (for one risk or an import's batch)."""
    cleaned = clean_risk(data, lookups, creating=True)
    raise_if(cleaned.errors)
    assessed = None
    if assessment is not None:
        assessed = check_assessment(current_methodology(org), assessment)
    ref = refs.next_ref(org, RISK_PREFIX)
    risk = Risk(organization=org, ref=ref, number=ref_number(ref))
    explicit = cleaned.values.pop("status", None)
    _apply_values(risk, cleaned)
    if assessed is not None:
        apply_assessment(risk, assessed, timezone.localdate())
        risk.status = RiskStatus.ASSESSED
        if risk.treatment in _PLANNED_TREATMENTS:
            risk.status = RiskStatus.TREATMENT_PLANNED
    if explicit is not None and explicit != risk.status:
        _check_status(risk, explicit)
        risk.status = explicit
    if cleaned.values.get("next_review"):
        risk.next_review = cleaned.values["next_review"]
    bulk.insert_one(risk)
    _write_links(risk, cleaned.links, new=True)
    first = _record_assessment(actor, risk, assessed.note) if assessed is not None else None
    refs_given = {name: [t.ref for t in found] for name, found in cleaned.links.items()}
    data_after = {**snapshot(risk, refs_given), **levels_snapshot(risk)}
    audit.record(actor=actor, verb="risk.created", target=risk, data=data_after)
    return Created(risk, cleaned.links, first)


@transaction.atomic
def risk_create(
    *,
    actor: Actor,
    org: Organization,
    data: RiskInput,
    assessment: AssessmentInput | None = None,
) -> Created:
    """Add a risk with the next reference (R-0001...); assessed at once when ``assessment``.
    The new risk is ``.risk`` of the answer."""
    authz.require(actor, "risks.change", org)
    lookups = Lookups.load(org, [data], people=[data])
    return create_risk(actor=actor, org=org, data=data, lookups=lookups, assessment=assessment)


def update_risk(
    *, actor: Actor, risk: Risk, data: RiskInput, lookups: Lookups, version: int | None
) -> Risk:
    """Change the given values of a risk from checked lookups (one risk or an import)."""
    cleaned = clean_risk(data, lookups, creating=False)
    raise_if(cleaned.errors)
    lock_version(risk)
    before_links = link_refs(risk)
    before = snapshot(risk, before_links)
    refs.check_version(risk, version, f"Risk {risk.ref}")
    _apply_values(risk, cleaned)
    after_links = {**before_links, **{n: [t.ref for t in f] for n, f in cleaned.links.items()}}
    changes = audit.changes(before, snapshot(risk, after_links))
    if not changes:
        risk.version -= 1
        return risk
    risk.updated_at = timezone.now()
    risk.save()
    _write_links(risk, cleaned.links)
    audit.record(actor=actor, verb="risk.updated", target=risk, data=changes)
    return risk


@transaction.atomic
def risk_update(*, actor: Actor, risk: Risk, data: RiskInput, version: int | None = None) -> Risk:
    """Change the given values (``None``: unchanged); a stale ``version`` is a Conflict.

    Choosing a treatment that needs work (modify, avoid, share) moves an assessed risk to
    "treatment planned". Likelihood and impact change only by ``risk_assess``.
    """
    org = risk.organization
    authz.require(actor, "risks.change", org)
    lookups = Lookups.load(org, [data], people=[data])
    return update_risk(actor=actor, risk=risk, data=data, lookups=lookups, version=version)


@transaction.atomic
def risk_delete(*, actor: Actor, risk: Risk) -> None:
    """Remove a risk with its history and actions; the audit event keeps its values."""
    authz.require(actor, "risks.change", risk.organization)
    data = {**snapshot(risk, link_refs(risk)), **levels_snapshot(risk)}
    data["actions"] = list(risk.actions.values_list("title", flat=True))
    risk.delete()
    audit.record(
        actor=actor,
        verb="risk.deleted",
        target=("risks.risk", risk.ref, str(risk)),
        org=risk.organization,
        data=data,
    )


# --- acceptance and closing -----------------------------------------------------------------


@dataclass(frozen=True)
class AcceptanceCheck:
    """Whether an actor may accept a risk now, and why not."""

    level: RiskLevel | None
    allowed: bool
    reason: str
    needs_top_management: bool


def _level_labels(methodology: Methodology, owner_may_accept: bool) -> str:
    labels = [
        lv.label for lv in methodology.parsed.levels if lv.owner_may_accept is owner_may_accept
    ]
    return ", ".join(labels) or "none"


def _top_management() -> str:
    return " or ".join(authz.roles_allowed("risks.accept_top"))


def acceptance_check(actor: Actor, risk: Risk) -> AcceptanceCheck:
    """Who may accept ``risk``'s level under its methodology version (6.1.3 f), and whether
    ``actor`` may: the risk owner within the owner's criteria, top management for any level."""
    if risk.methodology is None or not risk.is_assessed:
        return AcceptanceCheck(None, False, f"Assess {risk.ref} before accepting it.", False)
    level = risk.methodology.level_or_none(risk.current_level)
    if level is None:  # pragma: no cover - levels come from the same version
        return AcceptanceCheck(None, False, "The level is unknown; reassess the risk.", False)
    if risk.status == RiskStatus.CLOSED:
        return AcceptanceCheck(
            level, False, f"{risk.ref} is closed; reassess it to reopen it.", False
        )
    top = authz.can(actor, "risks.accept_top", risk.organization)
    is_owner = isinstance(actor, User) and actor.pk == risk.owner_id
    which = "residual" if risk.residual_level else "inherent"
    if not level.owner_may_accept and not top:
        reason = (
            f"The {which} level {level.label} of {risk.ref} is above the risk owner's acceptance "
            f"criteria (methodology version {risk.methodology.version}): only top management "
            f"({_top_management()}) may accept it. A risk owner may accept: "
            f"{_level_labels(risk.methodology, True)}."
        )
        return AcceptanceCheck(level, False, reason, True)
    if not top and not is_owner:
        reason = (
            f"Only the risk owner ({risk.owner.display_name}) or top management "
            f"({_top_management()}) may accept {risk.ref}."
        )
        return AcceptanceCheck(level, False, reason, not level.owner_may_accept)
    return AcceptanceCheck(level, True, "", not level.owner_may_accept)


def _check_terms(
    rationale: str, valid_until: dt.date | None, decided_on: dt.date, today: dt.date
) -> None:
    errors: dict[str, list[str]] = {}
    if not rationale.strip():
        errors["rationale"] = ["Say why the risk is acceptable (it is kept as the record)."]
    if decided_on > today:
        errors["decided_on"] = ["An acceptance cannot be decided in the future."]
    if valid_until is None:
        errors["valid_until"] = ["Give the date until which the acceptance holds."]
    elif valid_until <= decided_on:
        errors["valid_until"] = ["The acceptance must hold beyond the day it is decided."]
    raise_if(errors)


def _moment(day: dt.date, today: dt.date) -> dt.datetime:
    """Now for today's decisions; the start of ``day`` for earlier ones."""
    if day == today:
        return timezone.now()
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def risk_accept(
    *,
    actor: Actor,
    risk: Risk,
    rationale: str,
    valid_until: dt.date | None,
    version: int | None = None,
    decided_on: dt.date | None = None,
) -> Risk:
    """Record the acceptance of a risk's level (its residual level once set): who, when, why,
    until when. Above the owner's criteria only top management may accept.

    ``decided_on`` records an acceptance decided earlier (on paper, say; default today); one
    whose ``valid_until`` has passed is recorded too, and makes the risk due for review.
    """
    org = risk.organization
    authz.require(actor, "risks.change", org)
    check = acceptance_check(actor, risk)
    if not check.allowed:
        if check.level is None or risk.status == RiskStatus.CLOSED:
            raise ValidationError.field("status", check.reason)
        raise PermissionDenied(check.reason)
    today = timezone.localdate()
    decided = decided_on or today
    _check_terms(rationale, valid_until, decided, today)
    assert check.level is not None  # noqa: S101 - allowed implies a level
    lock_version(risk)
    refs.check_version(risk, version, f"Risk {risk.ref}")
    previous = risk.status
    risk.status, risk.accepted_level = RiskStatus.ACCEPTED, check.level.key
    risk.accepted_by = None if isinstance(actor, ServiceActor) else actor
    risk.accepted_by_label, risk.accepted_at = actor_label(actor), _moment(decided, today)
    risk.acceptance_rationale, risk.acceptance_valid_until = rationale.strip(), valid_until
    risk.next_review = valid_until
    risk.updated_at = timezone.now()
    risk.save()
    audit.record(
        actor=actor,
        verb="risk.accepted",
        target=risk,
        data={
            "level": check.level.key,
            "methodology": risk.methodology.version if risk.methodology else None,
            "rationale": risk.acceptance_rationale,
            "valid_until": iso(valid_until),
            "decided_on": iso(decided),
            "by_top_management": check.needs_top_management,
            "status": [previous, risk.status],
        },
    )
    return risk


@transaction.atomic
def risk_close(*, actor: Actor, risk: Risk, reason: str, version: int | None = None) -> Risk:
    """Close a risk that no longer applies (the asset retired, the activity stopped)."""
    authz.require(actor, "risks.change", risk.organization)
    if not reason.strip():
        raise ValidationError.field("reason", "Say why the risk no longer applies.")
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError.field("status", f"{risk.ref} is already closed.")
    lock_version(risk)
    refs.check_version(risk, version, f"Risk {risk.ref}")
    previous = risk.status
    risk.status, risk.closed_reason = RiskStatus.CLOSED, reason.strip()
    risk.updated_at = timezone.now()
    risk.save()
    audit.record(
        actor=actor,
        verb="risk.closed",
        target=risk,
        data={"reason": risk.closed_reason, "status": [previous, risk.status]},
    )
    return risk
