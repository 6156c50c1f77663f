"""API of the controls and the Statement of Applicability.

No ``from __future__ import annotations`` here: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from openisms.api.base import ErrorOut, Pagination, actor, org_for
from openisms.controls import checks, exports, selectors, services
from openisms.controls.filters import SoaFilters
from openisms.controls.models import SoaVersion
from openisms.controls.selectors import SoaRow
from openisms.controls.services import ControlInput

router = Router(tags=["controls"])
ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class ReasonsOut(Schema):
    risks: list[str] = Field(description="The first risks that chose the control, by reference")
    risk_count: int = Field(0, description="How many open risks chose it in all")
    obligations: list[str]
    business: str


class SoaRowOut(Schema):
    ref: str
    title: str
    theme: str
    source: str
    source_note: str
    applicable: str
    reasons: ReasonsOut
    exclusion_justification: str
    status: str
    implementation: str
    owner: str
    due_date: dt.date | None
    last_review: dt.date | None
    documents: list[str]
    evidence: list[str]


class ControlOut(SoaRowOut):
    applicability: str
    version: int


class ControlPatch(Schema):
    """Only the values sent change; ``null`` for owner, due_date or last_review clears it."""

    version: int | None = None
    applicability: str | None = None
    exclusion_justification: str | None = None
    business_reason: str | None = None
    obligations: list[str] | None = None
    implementation_status: str | None = None
    implementation_description: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    last_review: dt.date | None = None


class SoaFilterIn(Schema):
    theme: str = ""
    applicable: str = ""
    status: str = ""
    owner: str = ""
    q: str = ""


class VersionOut(Schema):
    number: int
    status: str
    note: str
    override_reason: str
    published_by: str
    published_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    decision_comment: str

    @staticmethod
    def resolve_published_by(version: SoaVersion) -> str:
        return version.published_by_label

    @staticmethod
    def resolve_decided_by(version: SoaVersion) -> str:
        return version.decided_by_label


class VersionDetailOut(VersionOut):
    rows: list[SoaRowOut]
    check_summary: dict[str, Any]


class PublishIn(Schema):
    note: str = ""
    override_reason: str = ""


class DecisionIn(Schema):
    comment: str = ""


class FindingOut(Schema):
    rule: str
    severity: str
    object: str
    message: str
    url: str


def _control_out(row: SoaRow) -> dict[str, Any]:
    return {
        **row.as_dict(),
        "applicability": row.control.applicability,
        "version": row.control.version,
    }


@router.get(
    "/orgs/{slug}/controls",
    response={200: list[ControlOut], **ERRORS},
    summary="The organisation's controls with their SoA values",
)
@paginate(Pagination)
def control_list(request: HttpRequest, slug: str, filters: Query[SoaFilterIn]) -> list[Any]:
    org = org_for(request, slug)
    rows = selectors.soa_rows(actor=actor(request), org=org, filters=SoaFilters(**filters.dict()))
    return [_control_out(row) for row in rows]


@router.get(
    "/orgs/{slug}/controls/{control_ref}",
    response={200: ControlOut, **ERRORS},
    summary="One control by reference (A.5.1)",
)
def control_detail(request: HttpRequest, slug: str, control_ref: str) -> dict[str, Any]:
    org = org_for(request, slug)
    return _control_out(selectors.soa_row_get(actor=actor(request), org=org, ref=control_ref))


@router.patch(
    "/orgs/{slug}/controls/{control_ref}",
    response={200: ControlOut, **ERRORS},
    summary="Change a control (send the version you read: a stale one answers 409)",
)
def control_update(
    request: HttpRequest, slug: str, control_ref: str, payload: ControlPatch
) -> dict[str, Any]:
    org = org_for(request, slug)
    row = selectors.soa_row_get(actor=actor(request), org=org, ref=control_ref)
    sent: dict[str, Any] = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    clear = tuple(k for k in ("owner", "due_date", "last_review") if k in sent and sent[k] is None)
    data = ControlInput(**{k: v for k, v in sent.items() if v is not None}, clear=clear)
    services.control_update(actor=actor(request), control=row.control, data=data, version=version)
    return _control_out(selectors.soa_row_get(actor=actor(request), org=org, ref=control_ref))


@router.get(
    "/orgs/{slug}/soa",
    response={200: list[SoaRowOut], **ERRORS},
    summary="The working copy of the SoA: rows with their reasons",
)
@paginate(Pagination)
def soa_list(request: HttpRequest, slug: str, filters: Query[SoaFilterIn]) -> list[Any]:
    org = org_for(request, slug)
    rows = selectors.soa_rows(actor=actor(request), org=org, filters=SoaFilters(**filters.dict()))
    return [row.as_dict() for row in rows]


@router.get(
    "/orgs/{slug}/soa/check",
    response={200: list[FindingOut], **ERRORS},
    summary="The consistency check of the working copy",
)
def soa_check(request: HttpRequest, slug: str) -> list[checks.Finding]:
    org = org_for(request, slug)
    rows = selectors.soa_rows(actor=actor(request), org=org)
    return checks.run(org, rows=rows)


@router.get(
    "/orgs/{slug}/soa/export",
    response={200: None, **ERRORS},
    summary="The SoA as xlsx, docx, pdf, csv or json (approved version unless working=true)",
)
def soa_export(
    request: HttpRequest,
    slug: str,
    format: str = "xlsx",
    working: bool = False,
    soa_version: int | None = None,
) -> HttpResponse:
    org = org_for(request, slug)
    document = exports.build(
        actor=actor(request), org=org, fmt=format, working=working, number=soa_version
    )
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


@router.get(
    "/orgs/{slug}/soa/versions",
    response={200: list[VersionOut], **ERRORS},
    summary="The published SoA versions, newest first",
)
@paginate(Pagination)
def soa_version_list(request: HttpRequest, slug: str) -> Any:
    org = org_for(request, slug)
    return selectors.soa_version_list(actor=actor(request), org=org)


@router.post(
    "/orgs/{slug}/soa/versions",
    response={201: VersionOut, **ERRORS},
    summary="Publish the working copy for approval (blockers need override_reason)",
)
def soa_publish(request: HttpRequest, slug: str, payload: PublishIn) -> tuple[int, SoaVersion]:
    org = org_for(request, slug)
    return 201, services.soa_publish(actor=actor(request), org=org, **payload.dict())


@router.get(
    "/orgs/{slug}/soa/versions/{soa_version}",
    response={200: VersionDetailOut, **ERRORS},
    summary="One published version with its frozen rows",
)
def soa_version_detail(request: HttpRequest, slug: str, soa_version: int) -> SoaVersion:
    org = org_for(request, slug)
    return selectors.soa_version_get(actor=actor(request), org=org, number=soa_version)


@router.post(
    "/orgs/{slug}/soa/versions/{soa_version}/approve",
    response={200: VersionOut, **ERRORS},
    summary="Approve a version in review (owner or admin)",
)
def soa_approve(
    request: HttpRequest, slug: str, soa_version: int, payload: DecisionIn
) -> SoaVersion:
    org = org_for(request, slug)
    version = selectors.soa_version_get(actor=actor(request), org=org, number=soa_version)
    return services.soa_approve(actor=actor(request), version=version, comment=payload.comment)


@router.post(
    "/orgs/{slug}/soa/versions/{soa_version}/reject",
    response={200: VersionOut, **ERRORS},
    summary="Reject a version in review with a comment (owner or admin)",
)
def soa_reject(
    request: HttpRequest, slug: str, soa_version: int, payload: DecisionIn
) -> SoaVersion:
    org = org_for(request, slug)
    version = selectors.soa_version_get(actor=actor(request), org=org, number=soa_version)
    return services.soa_reject(actor=actor(request), version=version, comment=payload.comment)
