"""Writes of the risk treatment plan (6.1.3 e): the actions that carry out a treatment.

Actions move their risk along: the first action of an assessed risk makes it "treatment
planned"; when every action is finished (at least one done) the risk is "treated".
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from openisms.core import audit, authz, refs
from openisms.core.actors import Actor
from openisms.core.errors import ValidationError, raise_if
from openisms.risks.choices import OPEN_ACTION_STATUSES, ActionStatus, RiskStatus
from openisms.risks.models import Risk, TreatmentAction
from openisms.risks.rules import ACTION_CLEANERS, ActionInput, Lookups, clean_values
from openisms.risks.services.common import iso, lock_version


def _snapshot(action: TreatmentAction) -> dict[str, Any]:
    return {
        "risk": action.risk.ref,
        "title": action.title,
        "owner": action.owner.email if action.owner else None,
        "due_date": iso(action.due_date),
        "status": action.status,
        "progress": action.progress,
        "notes": action.notes,
    }


def _apply(action: TreatmentAction, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(action, name, value)
    if action.status == ActionStatus.DONE:
        action.progress = 100
        action.completed_on = action.completed_on or timezone.localdate()
    else:
        action.completed_on = None


def _next_status(risk: Risk) -> str:
    """The status the risk's actions call for (or its own when they call for none)."""
    statuses = list(TreatmentAction.objects.filter(risk=risk).values_list("status", flat=True))
    if risk.status == RiskStatus.ASSESSED and statuses:
        return RiskStatus.TREATMENT_PLANNED
    finished = statuses and not any(s in OPEN_ACTION_STATUSES for s in statuses)
    if risk.status == RiskStatus.TREATMENT_PLANNED and finished and ActionStatus.DONE in statuses:
        return RiskStatus.TREATED
    if risk.status == RiskStatus.TREATED and any(s in OPEN_ACTION_STATUSES for s in statuses):
        return RiskStatus.TREATMENT_PLANNED
    return risk.status


def _move_risk(actor: Actor, risk: Risk, why: str) -> None:
    status = _next_status(risk)
    if status == risk.status:
        return
    lock_version(risk)
    previous, risk.status = risk.status, status
    risk.version += 1
    risk.updated_at = timezone.now()
    risk.save(update_fields=["status", "version", "updated_at"])
    audit.record(
        actor=actor,
        verb="risk.updated",
        target=risk,
        data={"status": [previous, status], "why": why},
    )


def _check_open(risk: Risk) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError.field("risk", f"{risk.ref} is closed; reassess it to reopen it.")


@transaction.atomic
def action_create(*, actor: Actor, risk: Risk, data: ActionInput) -> TreatmentAction:
    """Add a treatment action to ``risk``."""
    org = risk.organization
    authz.require(actor, "risks.change", org)
    _check_open(risk)
    cleaned = clean_values(data, ACTION_CLEANERS, Lookups.load(org, people=[data]), ("title",))
    raise_if(cleaned.errors)
    action = TreatmentAction(organization=org, risk=risk)
    _apply(action, cleaned.values)
    action.save()
    audit.record(
        actor=actor, verb="treatment_action.created", target=action, data=_snapshot(action)
    )
    _move_risk(actor, risk, f"action added: {action.title}")
    return action


@transaction.atomic
def action_update(
    *, actor: Actor, action: TreatmentAction, data: ActionInput, version: int | None = None
) -> TreatmentAction:
    """Change an action (progress, status, owner, due date...); a stale version is a Conflict."""
    org = action.organization
    authz.require(actor, "risks.change", org)
    cleaned = clean_values(data, ACTION_CLEANERS, Lookups.load(org, people=[data]))
    raise_if(cleaned.errors)
    lock_version(action)
    before = _snapshot(action)
    refs.check_version(action, version, f"The action {action.title!r}")
    _apply(action, cleaned.values)
    changes = audit.changes(before, _snapshot(action))
    if not changes:
        action.version -= 1
        return action
    action.updated_at = timezone.now()
    action.save()
    audit.record(
        actor=actor,
        verb="treatment_action.updated",
        target=action,
        data={**changes, "risk": action.risk.ref},
    )
    _move_risk(actor, action.risk, f"action {action.title} is {action.status}")
    return action


@transaction.atomic
def action_delete(*, actor: Actor, action: TreatmentAction) -> None:
    """Remove a treatment action; the audit event keeps what it was."""
    authz.require(actor, "risks.change", action.organization)
    data = _snapshot(action)
    pk = action.pk
    action.delete()
    audit.record(
        actor=actor,
        verb="treatment_action.deleted",
        target=("risks.treatmentaction", str(pk), data["title"]),
        org=action.organization,
        data=data,
    )
    _move_risk(actor, action.risk, f"action removed: {data['title']}")
