"""API of the risk register: risks, their steps, treatment actions, heat map and exports.

No ``from __future__ import annotations`` here: ninja reads the annotations at runtime.
Schemas with ``resolve_*`` methods are given model objects (or lists of them), never built
schema objects, so that each resolver runs once.
"""

import datetime as dt
from dataclasses import replace
from typing import Any, Literal
from urllib.parse import urlencode

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from pydantic import BaseModel

from openisms.api.base import Pagination, Records, actor, org_for, paginated_records
from openisms.api.risks.common import BASE, ERRORS, router
from openisms.core.models import Organization
from openisms.core.selectors import prefetched
from openisms.risks import exports, heatmap, selectors, services
from openisms.risks.choices import (
    ActionStatus,
    RiskStatus,
)
from openisms.risks.filters import OPEN, ActionFilters, RiskFilters
from openisms.risks.models import (
    Risk,
    TreatmentAction,
    affected,
)
from openisms.risks.rules import (
    ActionInput,
    AssessmentInput,
    RiskInput,
)

# --- risks ------------------------------------------------------------------------------------


class AcceptanceOut(BaseModel):
    level: str
    accepted_by: str
    accepted_at: dt.datetime | None
    rationale: str
    valid_until: dt.date | None
    expired: bool


class RiskOut(BaseModel):
    """A risk as the API answers it (built by ``_risk_out`` from ``selectors.risk_records``)."""

    ref: str
    title: str
    description: str
    owner: str = Field(description="the risk owner's e-mail")
    assets: list[str]
    threats: list[str]
    vulnerabilities: list[str]
    controls: list[str] = Field(description="Annex A controls chosen (ISO/IEC 27001:2022)")
    affects: list[str] = Field(description="confidentiality, integrity, availability")
    methodology_version: int | None = Field(description="the version it was assessed with")
    inherent_likelihood: int | None
    inherent_impact: int | None
    inherent_level: str
    existing_controls: str
    treatment: str
    residual_likelihood: int | None
    residual_impact: int | None
    residual_level: str
    status: RiskStatus
    due_for_review: bool = Field(description="review date reached or acceptance expired")
    acceptance: AcceptanceOut | None
    next_review: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def _acceptance(risk: dict[str, Any]) -> dict[str, Any] | None:
    if risk["status"] != RiskStatus.ACCEPTED:
        return None
    return {
        "level": risk["accepted_level"],
        "accepted_by": risk["accepted_by_label"],
        "accepted_at": risk["accepted_at"],
        "rationale": risk["acceptance_rationale"],
        "valid_until": risk["acceptance_valid_until"],
        "expired": risk["acceptance_expired"],
    }


def _risk_out(risk: dict[str, Any], refs: selectors.Links) -> dict[str, Any]:
    """A risk of ``selectors.risk_records`` with the values of ``RiskOut`` (and more)."""
    key = risk["id"]
    for name, found in refs.items():  # set in place: a page builds 1,000 of these
        risk[name] = found.get(key, [])
    risk["owner"], risk["affects"] = risk["owner_email"], affected(risk)
    risk["acceptance"] = _acceptance(risk)
    return risk


def risk_outs(org: Organization, ids: list[int]) -> list[dict[str, Any]]:
    """The risks ``ids`` as the values of ``RiskOut``, in that order."""
    found = selectors.risk_records(org=org, ids=ids, today=timezone.localdate())
    return [_risk_out(risk, found.refs) for risk in found.risks]


def _detail(org: Organization, key: int) -> dict[str, Any]:
    """One risk with its actions and history, read afresh (after a change too)."""
    out = risk_outs(org, [key])[0]
    out["history"] = selectors.assessment_records(org, key)
    out["actions"] = _actions(key, out["ref"])
    return out


def _created(created: services.Created) -> dict[str, Any]:
    """What ``_detail`` reads of a risk created in this request, from what the create wrote
    (three statements fewer): the risk, its links, its first assessment; no actions yet."""
    found = selectors.created_record(created.risk, created.links, timezone.localdate())
    out = _risk_out(found.risks[0], found.refs)
    first = created.assessment
    out["history"] = [selectors.assessment_record(first)] if first is not None else []
    out["actions"] = []
    return out


def _actions(key: int, ref: str) -> list[TreatmentAction]:
    risk = Risk(pk=key, ref=ref)  # all that its actions show of it (``ActionOut.risk``)
    actions, _ = selectors.risk_history()
    prefetch_related_objects([risk], actions)
    return prefetched(risk, "actions")


class ActionOut(Schema):
    id: int
    risk: str
    title: str
    owner: str | None
    due_date: dt.date | None
    status: ActionStatus
    progress: int
    notes: str
    overdue: bool
    completed_on: dt.date | None
    version: int

    @staticmethod
    def resolve_risk(obj: TreatmentAction) -> str:
        return obj.risk.ref

    @staticmethod
    def resolve_owner(obj: TreatmentAction) -> str | None:
        return obj.owner.email if obj.owner else None

    @staticmethod
    def resolve_overdue(obj: TreatmentAction) -> bool:
        return obj.is_overdue()


class AssessmentOut(Schema):
    assessed_at: dt.datetime
    assessed_by: str
    methodology_version: int
    inherent_likelihood: int
    inherent_impact: int
    inherent_level: str
    residual_likelihood: int | None
    residual_impact: int | None
    residual_level: str
    note: str


class RiskDetailOut(RiskOut):
    actions: list[ActionOut]
    history: list[AssessmentOut] = Field(description="every assessment, newest first")


class RiskIn(Schema):
    title: str
    owner: str = Field(description="e-mail of a member")
    description: str = ""
    assets: list[str] = Field(default_factory=list)
    threats: list[str] = Field(default_factory=list)
    vulnerabilities: list[str] = Field(default_factory=list)
    controls: list[str] = Field(default_factory=list, description="Annex A refs, e.g. A.5.15")
    affects_confidentiality: bool = False
    affects_integrity: bool = False
    affects_availability: bool = False
    existing_controls: str = ""
    treatment: str = ""
    inherent_likelihood: int | None = Field(None, description="with inherent_impact: assess now")
    inherent_impact: int | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    note: str = ""


class RiskPatch(Schema):
    """Only the values sent change. Likelihood and impact change through ``/assess``."""

    version: int | None = None
    title: str | None = None
    owner: str | None = None
    description: str | None = None
    assets: list[str] | None = None
    threats: list[str] | None = None
    vulnerabilities: list[str] | None = None
    controls: list[str] | None = None
    affects_confidentiality: bool | None = None
    affects_integrity: bool | None = None
    affects_availability: bool | None = None
    existing_controls: str | None = None
    treatment: str | None = None
    status: str | None = Field(None, description="identified, assessed, treatment_planned, treated")
    next_review: dt.date | None = None


class AssessIn(Schema):
    inherent_likelihood: int
    inherent_impact: int
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    next_review: dt.date | None = Field(None, description="default: the level's review interval")
    note: str = ""
    version: int | None = None


class AcceptIn(Schema):
    rationale: str
    valid_until: dt.date
    decided_on: dt.date | None = Field(None, description="an earlier decision's date")
    version: int | None = None


class CloseIn(Schema):
    reason: str
    version: int | None = None


class RiskFilterIn(Schema):
    q: str = ""
    level: str = Field("", description="level key; the residual level once set")
    owner: str = Field("", description="e-mail")
    status: str = Field("", description=f"a status, or {OPEN} for every status but closed")
    treatment: str = ""
    asset: str = ""
    threat: str = ""
    control: str = Field("", description="Annex A ref, e.g. A.5.15")
    review_due: bool = False
    stale: bool = Field(False, description="assessed with an older methodology version")
    methodology: int | None = None
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    sort: str = "ref"

    def to_filters(self) -> RiskFilters:
        return RiskFilters(**self.dict())


def _risk(request: HttpRequest, org: Organization, ref: str) -> Risk:
    return selectors.risk_get(actor=actor(request), org=org, ref=ref)


_ASSESSMENT_FIELDS = (
    "inherent_likelihood",
    "inherent_impact",
    "residual_likelihood",
    "residual_impact",
    "note",
)


class HeatCellOut(Schema):
    likelihood: int
    impact: int
    count: int
    level: str
    register_url: str = Field(description="the register page filtered to exactly these risks")


class HeatMapOut(Schema):
    kind: Literal["inherent", "residual"]
    title: str
    total: int
    cells: list[HeatCellOut]


class HeatmapOut(Schema):
    methodology_version: int
    maps: list[HeatMapOut]


@router.get(
    f"{BASE}/heatmap",
    response={200: HeatmapOut, **ERRORS},
    summary="Counts per cell of the inherent and residual heat maps",
)
def risk_heatmap(request: HttpRequest, slug: str, filters: Query[RiskFilterIn]) -> dict[str, Any]:
    org = org_for(request, slug)
    current = selectors.methodology_current(actor=actor(request), org=org)
    chosen = filters.to_filters()
    base = replace(
        chosen, methodology=chosen.methodology or current.version, status=chosen.status or OPEN
    )
    methodology = selectors.methodology_get(
        actor=actor(request), org=org, version=base.methodology or current.version
    )
    risks = selectors.risk_list(actor=actor(request), org=org, filters=base, links=False)
    page = reverse("risks:register", kwargs={"org_slug": org.slug})
    maps = heatmap.build_both(methodology, risks, lambda f: f"{page}?{urlencode(f.query())}", base)
    return {
        "methodology_version": methodology.version,
        "maps": [
            {
                "kind": m.kind,
                "title": m.title,
                "total": m.total,
                "cells": [
                    {
                        "likelihood": c.likelihood,
                        "impact": c.impact,
                        "count": c.count,
                        "level": c.level.key,
                        "register_url": c.url,
                    }
                    for row in m.rows
                    for c in row
                ],
            }
            for m in maps
        ],
    }


@router.get(
    f"{BASE}/export",
    response={200: None, **ERRORS},
    summary="The filtered register as xlsx or csv, the assessment report as pdf, the plan as docx",
)
def risk_export(
    request: HttpRequest, slug: str, filters: Query[RiskFilterIn], format: str = "xlsx"
) -> HttpResponse:
    org = org_for(request, slug)
    content, name = exports.export_risks(
        actor=actor(request), org=org, filters=filters.to_filters(), file_format=format
    )
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ActionFilterIn(Schema):
    status: str = ""
    owner: str = ""
    overdue: bool = False
    risk: str = ""
    sort: str = "due_date"


@router.get(
    f"{BASE}/treatment-plan",
    response={200: list[ActionOut], **ERRORS},
    summary="Every treatment action (6.1.3 e), by due date",
)
@paginate(Pagination)
def treatment_plan(request: HttpRequest, slug: str, filters: Query[ActionFilterIn]) -> Any:
    return selectors.action_list(
        actor=actor(request), org=org_for(request, slug), filters=ActionFilters(**filters.dict())
    )


@router.get(BASE, response={200: list[RiskOut], **ERRORS}, summary="Risks, filtered and sorted")
@paginated_records(RiskOut)
def risk_list(request: HttpRequest, slug: str, filters: Query[RiskFilterIn]) -> Records:
    org, reader, chosen = org_for(request, slug), actor(request), filters.to_filters()
    return Records(
        lambda: selectors.risk_list(actor=reader, org=org, filters=chosen, links=False),
        lambda ids: risk_outs(org, ids),
        org,
    )


@router.post(BASE, response={201: RiskDetailOut, **ERRORS}, summary="Add a risk (and assess it)")
def risk_create(request: HttpRequest, slug: str, payload: RiskIn) -> tuple[int, dict[str, Any]]:
    org = org_for(request, slug)
    values = payload.dict()
    given = {name: values.pop(name) for name in _ASSESSMENT_FIELDS}
    assessment = None
    if given["inherent_likelihood"] is not None or given["inherent_impact"] is not None:
        assessment = AssessmentInput(**given)
    created = services.risk_create(
        actor=actor(request), org=org, data=RiskInput(**values), assessment=assessment
    )
    return 201, _created(created)


@router.get(
    f"{BASE}/{{risk_ref}}",
    response={200: RiskDetailOut, **ERRORS},
    summary="One risk with its actions and history",
)
def risk_detail(request: HttpRequest, slug: str, risk_ref: str) -> dict[str, Any]:
    org = org_for(request, slug)
    return _detail(org, selectors.risk_key(actor=actor(request), org=org, ref=risk_ref))


@router.patch(
    f"{BASE}/{{risk_ref}}",
    response={200: RiskDetailOut, **ERRORS},
    summary="Change a risk (send the version you read: a stale one answers 409)",
)
def risk_update(
    request: HttpRequest, slug: str, risk_ref: str, payload: RiskPatch
) -> dict[str, Any]:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    if "next_review" in sent and sent["next_review"] is None:
        sent["next_review"] = ""
    services.risk_update(actor=actor(request), risk=risk, data=RiskInput(**sent), version=version)
    return _detail(org, risk.id)


@router.delete(f"{BASE}/{{risk_ref}}", response={204: None, **ERRORS}, summary="Delete a risk")
def risk_delete(request: HttpRequest, slug: str, risk_ref: str) -> tuple[int, None]:
    org = org_for(request, slug)
    services.risk_delete(actor=actor(request), risk=_risk(request, org, risk_ref))
    return 204, None


@router.post(
    f"{BASE}/{{risk_ref}}/assess",
    response={200: RiskDetailOut, **ERRORS},
    summary="(Re)assess with the current methodology version",
)
def risk_assess(
    request: HttpRequest, slug: str, risk_ref: str, payload: AssessIn
) -> dict[str, Any]:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    values = payload.dict()
    version = values.pop("version")
    values["next_review"] = values["next_review"] or ""
    services.risk_assess(
        actor=actor(request), risk=risk, data=AssessmentInput(**values), version=version
    )
    return _detail(org, risk.id)


@router.post(
    f"{BASE}/{{risk_ref}}/accept",
    response={200: RiskDetailOut, **ERRORS},
    summary="Accept the risk's level (above the owner's criteria: top management only)",
)
def risk_accept(
    request: HttpRequest, slug: str, risk_ref: str, payload: AcceptIn
) -> dict[str, Any]:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    services.risk_accept(
        actor=actor(request),
        risk=risk,
        rationale=payload.rationale,
        valid_until=payload.valid_until,
        decided_on=payload.decided_on,
        version=payload.version,
    )
    return _detail(org, risk.id)


@router.post(
    f"{BASE}/{{risk_ref}}/close",
    response={200: RiskDetailOut, **ERRORS},
    summary="Close a risk that no longer applies",
)
def risk_close(request: HttpRequest, slug: str, risk_ref: str, payload: CloseIn) -> dict[str, Any]:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    services.risk_close(
        actor=actor(request), risk=risk, reason=payload.reason, version=payload.version
    )
    return _detail(org, risk.id)


class ActionIn(Schema):
    title: str
    owner: str = Field("", description="e-mail of a member, or empty")
    due_date: dt.date | None = None
    status: str = "planned"
    progress: int = 0
    notes: str = ""


class ActionPatch(Schema):
    version: int | None = None
    title: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    status: str | None = None
    progress: int | None = None
    notes: str | None = None


@router.get(
    f"{BASE}/{{risk_ref}}/actions",
    response={200: list[ActionOut], **ERRORS},
    summary="A risk's treatment actions",
)
@paginate(Pagination)
def action_list(request: HttpRequest, slug: str, risk_ref: str) -> Any:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    return selectors.action_list(actor=actor(request), org=org).filter(risk=risk)


@router.post(
    f"{BASE}/{{risk_ref}}/actions",
    response={201: ActionOut, **ERRORS},
    summary="Add a treatment action",
)
def action_create(
    request: HttpRequest, slug: str, risk_ref: str, payload: ActionIn
) -> tuple[int, TreatmentAction]:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    values = payload.dict()
    values["due_date"] = values["due_date"] or ""
    made = services.action_create(actor=actor(request), risk=risk, data=ActionInput(**values))
    return 201, selectors.action_get(actor=actor(request), org=org, risk=risk, action_id=made.pk)


@router.patch(
    f"{BASE}/{{risk_ref}}/actions/{{action_id}}",
    response={200: ActionOut, **ERRORS},
    summary="Change a treatment action (progress, status, owner, due date)",
)
def action_update(
    request: HttpRequest, slug: str, risk_ref: str, action_id: int, payload: ActionPatch
) -> TreatmentAction:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    action = selectors.action_get(actor=actor(request), org=org, risk=risk, action_id=action_id)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    if "due_date" in sent and sent["due_date"] is None:
        sent["due_date"] = ""
    services.action_update(
        actor=actor(request), action=action, data=ActionInput(**sent), version=version
    )
    return selectors.action_get(actor=actor(request), org=org, risk=risk, action_id=action_id)


@router.delete(
    f"{BASE}/{{risk_ref}}/actions/{{action_id}}",
    response={204: None, **ERRORS},
    summary="Remove a treatment action",
)
def action_delete(
    request: HttpRequest, slug: str, risk_ref: str, action_id: int
) -> tuple[int, None]:
    org = org_for(request, slug)
    risk = _risk(request, org, risk_ref)
    action = selectors.action_get(actor=actor(request), org=org, risk=risk, action_id=action_id)
    services.action_delete(actor=actor(request), action=action)
    return 204, None
