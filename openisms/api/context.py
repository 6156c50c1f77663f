"""API of the context app: the scope and its versions, issues, interested parties, obligations.

Schemas and routes only; the rules live in ``openisms.context.services`` and ``selectors``.
No ``from __future__ import annotations`` here: ninja reads the annotations at runtime.
"""

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from openisms.api.base import ErrorOut, Pagination, actor, org_for
from openisms.context import filters, selectors, services
from openisms.context.choices import (
    IssueCategory,
    IssueEffect,
    IssueKind,
    IssueStatus,
    ObligationKind,
    ObligationStatus,
    PartyKind,
    Relevance,
    ScopeStatus,
)
from openisms.context.models import (
    InterestedParty,
    Issue,
    Obligation,
    PartyRequirement,
    ScopeStatement,
)
from openisms.core.errors import NotFound

router = Router(tags=["context"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
OWNER = "the e-mail address of a member; empty or null for nobody"
VERSION = "the `version` you read; a stale one answers 409"
SCOPE = "/orgs/{slug}/scope"
VERSIONS = SCOPE + "/versions"
ONE_VERSION = VERSIONS + "/{scope_version}"
ISSUES = "/orgs/{slug}/issues"
ONE_ISSUE = ISSUES + "/{issue_ref}"
PARTIES = "/orgs/{slug}/interested-parties"
ONE_PARTY = PARTIES + "/{party_ref}"
REQUIREMENTS = ONE_PARTY + "/requirements"
ONE_REQUIREMENT = REQUIREMENTS + "/{party_requirement_id}"
OBLIGATIONS = "/orgs/{slug}/obligations"
ONE_OBLIGATION = OBLIGATIONS + "/{obligation_ref}"


def _changes(payload: Schema) -> tuple[dict[str, Any], int]:
    """The fields a PATCH sent, and its version."""
    data = payload.dict(exclude_unset=True)
    return data, data.pop("version")


def _filters(cls: Any, schema: Schema) -> Any:
    """The shared filter dataclass from a query schema (None becomes "any")."""
    return cls(**{k: "" if v is None else v for k, v in schema.dict().items()})


# --- scope ----------------------------------------------------------------------------------


class Exclusion(Schema):
    item: str
    justification: str


class ScopeOut(Schema):
    number: int = Field(description="the scope's version number: 1, 2, 3...")
    status: ScopeStatus
    summary: str
    text: str
    organisational_boundaries: str
    physical_boundaries: str
    technological_boundaries: str
    locations: str
    exclusions: list[Exclusion]
    interfaces: str = Field(description="interfaces and dependencies")
    version: int = Field(description="counts edits; send it back with a PATCH")
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_by: str
    submitted_at: dt.datetime | None
    approved_by: str
    approved_at: dt.datetime | None
    approval_comment: str
    rejected_by: str
    rejected_at: dt.datetime | None
    rejection_comment: str
    superseded_at: dt.datetime | None


class ScopeIn(Schema):
    """A new draft: fields left out are copied from the approved scope."""

    summary: str | None = None
    text: str | None = None
    organisational_boundaries: str | None = None
    physical_boundaries: str | None = None
    technological_boundaries: str | None = None
    locations: str | None = None
    exclusions: list[Exclusion] | None = None
    interfaces: str | None = None


class ScopePatch(ScopeIn):
    version: int = Field(description=VERSION)


class SubmitIn(Schema):
    version: int | None = Field(None, description=VERSION)


class DecisionIn(Schema):
    comment: str = Field("", description="required to return a version to draft")
    version: int | None = Field(None, description=VERSION)


class DiffLineOut(Schema):
    op: str = Field(description="same, added or removed")
    text: str


class FieldDiffOut(Schema):
    name: str
    label: str
    changed: bool
    lines: list[DiffLineOut]


class ScopeDiffOut(Schema):
    older: int
    newer: int
    fields: list[FieldDiffOut]


def _scope(request: HttpRequest, slug: str, number: int) -> ScopeStatement:
    org = org_for(request, slug)
    return selectors.scope_version_get(actor=actor(request), org=org, number=number)


@router.get(SCOPE, response={200: ScopeOut, **ERRORS}, summary="The current (approved) scope")
def scope_current(request: HttpRequest, slug: str) -> ScopeStatement:
    org = org_for(request, slug)
    scope = selectors.scope_current(org, actor=actor(request))
    if scope is None:
        raise NotFound("No version of the scope is approved yet.")
    return scope


@router.get(VERSIONS, response={200: list[ScopeOut], **ERRORS}, summary="Scope versions")
@paginate(Pagination)
def scope_version_list(request: HttpRequest, slug: str) -> Any:
    org = org_for(request, slug)
    return selectors.scope_version_list(actor=actor(request), org=org)


@router.post(VERSIONS, response={201: ScopeOut, **ERRORS}, summary="Start a draft version")
def scope_draft_create(
    request: HttpRequest, slug: str, payload: ScopeIn
) -> tuple[int, ScopeStatement]:
    org = org_for(request, slug)
    fields = payload.dict(exclude_unset=True)
    return 201, services.scope_draft_create(actor=actor(request), org=org, **fields)


@router.get(ONE_VERSION, response={200: ScopeOut, **ERRORS}, summary="One scope version")
def scope_version_detail(request: HttpRequest, slug: str, scope_version: int) -> ScopeStatement:
    return _scope(request, slug, scope_version)


@router.patch(ONE_VERSION, response={200: ScopeOut, **ERRORS}, summary="Edit the draft")
def scope_update(
    request: HttpRequest, slug: str, scope_version: int, payload: ScopePatch
) -> ScopeStatement:
    scope = _scope(request, slug, scope_version)
    fields, version = _changes(payload)
    return services.scope_update(actor=actor(request), scope=scope, version=version, **fields)


@router.delete(ONE_VERSION, response={204: None, **ERRORS}, summary="Discard the draft")
def scope_delete(request: HttpRequest, slug: str, scope_version: int) -> tuple[int, None]:
    services.scope_delete(actor=actor(request), scope=_scope(request, slug, scope_version))
    return 204, None


@router.post(
    ONE_VERSION + "/submit", response={200: ScopeOut, **ERRORS}, summary="Submit for approval"
)
def scope_submit(
    request: HttpRequest, slug: str, scope_version: int, payload: SubmitIn
) -> ScopeStatement:
    scope = _scope(request, slug, scope_version)
    return services.scope_submit(actor=actor(request), scope=scope, version=payload.version)


@router.post(
    ONE_VERSION + "/approve",
    response={200: ScopeOut, **ERRORS},
    summary="Approve (owners and admins); supersedes the approved version",
)
def scope_approve(
    request: HttpRequest, slug: str, scope_version: int, payload: DecisionIn
) -> ScopeStatement:
    scope = _scope(request, slug, scope_version)
    return services.scope_approve(actor=actor(request), scope=scope, **payload.dict())


@router.post(
    ONE_VERSION + "/reject",
    response={200: ScopeOut, **ERRORS},
    summary="Return to draft with a comment (owners and admins)",
)
def scope_reject(
    request: HttpRequest, slug: str, scope_version: int, payload: DecisionIn
) -> ScopeStatement:
    scope = _scope(request, slug, scope_version)
    return services.scope_reject(actor=actor(request), scope=scope, **payload.dict())


@router.get(
    ONE_VERSION + "/diff",
    response={200: ScopeDiffOut, **ERRORS},
    summary="Field by field changes against another version (default: the one before)",
)
def scope_diff(
    request: HttpRequest, slug: str, scope_version: int, against: int | None = None
) -> ScopeDiffOut:
    scope = _scope(request, slug, scope_version)
    if against is None:
        other = selectors.scope_previous(actor=actor(request), scope=scope)
    else:
        other = _scope(request, slug, against)
    older, newer = sorted((scope, other), key=lambda s: s.number)
    diff = [FieldDiffOut(**asdict(field)) for field in selectors.scope_diff(older, newer)]
    return ScopeDiffOut(older=older.number, newer=newer.number, fields=diff)


# --- issues ---------------------------------------------------------------------------------


class IssueOut(Schema):
    ref: str
    title: str
    description: str
    kind: IssueKind
    category: IssueCategory
    effect: IssueEffect
    effect_description: str
    owner: str | None = Field(description="the owner's e-mail address")
    review_date: dt.date | None
    status: IssueStatus
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj: Issue) -> str | None:
        return obj.owner.email if obj.owner else None


class IssueIn(Schema):
    title: str
    kind: IssueKind
    category: IssueCategory
    description: str = ""
    effect: IssueEffect = IssueEffect.NEUTRAL
    effect_description: str = ""
    owner: str | None = Field(None, description=OWNER)
    review_date: dt.date | None = None
    status: IssueStatus = IssueStatus.OPEN


class IssuePatch(Schema):
    version: int = Field(description=VERSION)
    title: str | None = None
    kind: IssueKind | None = None
    category: IssueCategory | None = None
    description: str | None = None
    effect: IssueEffect | None = None
    effect_description: str | None = None
    owner: str | None = Field(None, description=OWNER)
    review_date: dt.date | None = None
    status: IssueStatus | None = None


class IssueFilterIn(Schema):
    q: str = Field("", description="words in the ref, title or descriptions")
    kind: IssueKind | None = None
    category: IssueCategory | None = None
    effect: IssueEffect | None = None
    status: IssueStatus | None = None
    owner: str = Field("", description="the owner's e-mail address")
    review_due: bool = False
    sort: str = Field("", description="ref, title, kind, effect, status, owner, review_date; -key")


def _issue(request: HttpRequest, slug: str, ref: str) -> Issue:
    return selectors.issue_get(actor=actor(request), org=org_for(request, slug), ref=ref)


@router.get(ISSUES, response={200: list[IssueOut], **ERRORS}, summary="Issues (clause 4.1)")
@paginate(Pagination)
def issue_list(request: HttpRequest, slug: str, query: Query[IssueFilterIn]) -> Any:
    org = org_for(request, slug)
    found = _filters(filters.IssueFilters, query)
    return selectors.issue_list(actor=actor(request), org=org, filters=found)


@router.post(ISSUES, response={201: IssueOut, **ERRORS}, summary="Record an issue")
def issue_create(request: HttpRequest, slug: str, payload: IssueIn) -> tuple[int, Issue]:
    org = org_for(request, slug)
    return 201, services.issue_create(actor=actor(request), org=org, **payload.dict())


@router.get(ONE_ISSUE, response={200: IssueOut, **ERRORS}, summary="One issue")
def issue_detail(request: HttpRequest, slug: str, issue_ref: str) -> Issue:
    return _issue(request, slug, issue_ref)


@router.patch(ONE_ISSUE, response={200: IssueOut, **ERRORS}, summary="Change an issue")
def issue_update(request: HttpRequest, slug: str, issue_ref: str, payload: IssuePatch) -> Issue:
    issue = _issue(request, slug, issue_ref)
    fields, version = _changes(payload)
    return services.issue_update(actor=actor(request), issue=issue, version=version, **fields)


@router.delete(ONE_ISSUE, response={204: None, **ERRORS}, summary="Delete an issue")
def issue_delete(request: HttpRequest, slug: str, issue_ref: str) -> tuple[int, None]:
    services.issue_delete(actor=actor(request), issue=_issue(request, slug, issue_ref))
    return 204, None


# --- interested parties and their requirements ---------------------------------------------


class RequirementOut(Schema):
    id: int
    text: str
    addressed: bool = Field(description="addressed through the ISMS")
    how: str
    obligation: str | None = Field(description="the ref of the obligation it became")
    version: int

    @staticmethod
    def resolve_obligation(obj: PartyRequirement) -> str | None:
        return obj.obligation.ref if obj.obligation else None


class RequirementIn(Schema):
    text: str
    addressed: bool = False
    how: str = Field("", description="required when addressed")
    obligation: str | None = Field(None, description="an obligation's ref, e.g. OB-0003")


class RequirementPatch(Schema):
    version: int = Field(description=VERSION)
    text: str | None = None
    addressed: bool | None = None
    how: str | None = None
    obligation: str | None = None


class PartyOut(Schema):
    ref: str
    name: str
    kind: PartyKind
    description: str
    relevance: Relevance
    version: int
    requirements: list[RequirementOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_requirements(obj: InterestedParty) -> list[PartyRequirement]:
        return list(obj.requirements.all())


class PartyIn(Schema):
    name: str
    kind: PartyKind
    description: str = ""
    relevance: Relevance = Relevance.MEDIUM
    requirements: list[RequirementIn] = Field(default_factory=list)


class PartyPatch(Schema):
    """The party's own fields; its requirements change through their own routes."""

    version: int = Field(description=VERSION)
    name: str | None = None
    kind: PartyKind | None = None
    description: str | None = None
    relevance: Relevance | None = None


class PartyFilterIn(Schema):
    q: str = Field("", description="words in the ref, name or description")
    kind: PartyKind | None = None
    relevance: Relevance | None = None
    unaddressed: bool = Field(False, description="only parties with a requirement not addressed")
    sort: str = Field("", description="ref, name, kind, relevance, requirements; -key")


def _party(request: HttpRequest, slug: str, ref: str) -> InterestedParty:
    return selectors.party_get(actor=actor(request), org=org_for(request, slug), ref=ref)


def _requirement(
    request: HttpRequest, slug: str, ref: str, requirement_id: int
) -> PartyRequirement:
    party = _party(request, slug, ref)
    return selectors.party_requirement_get(
        actor=actor(request), party=party, requirement_id=requirement_id
    )


@router.get(
    PARTIES, response={200: list[PartyOut], **ERRORS}, summary="Interested parties (clause 4.2)"
)
@paginate(Pagination)
def party_list(request: HttpRequest, slug: str, query: Query[PartyFilterIn]) -> Any:
    org = org_for(request, slug)
    found = _filters(filters.PartyFilters, query)
    return selectors.party_list(
        actor=actor(request), org=org, filters=found, with_requirements=True
    )


@router.post(
    PARTIES, response={201: PartyOut, **ERRORS}, summary="Record a party (and its requirements)"
)
def party_create(request: HttpRequest, slug: str, payload: PartyIn) -> tuple[int, InterestedParty]:
    org = org_for(request, slug)
    party = services.party_create(actor=actor(request), org=org, **payload.dict())
    return 201, selectors.party_get(actor=actor(request), org=org, ref=party.ref)


@router.get(ONE_PARTY, response={200: PartyOut, **ERRORS}, summary="One interested party")
def party_detail(request: HttpRequest, slug: str, party_ref: str) -> InterestedParty:
    return _party(request, slug, party_ref)


@router.patch(ONE_PARTY, response={200: PartyOut, **ERRORS}, summary="Change a party")
def party_update(
    request: HttpRequest, slug: str, party_ref: str, payload: PartyPatch
) -> InterestedParty:
    party = _party(request, slug, party_ref)
    fields, version = _changes(payload)
    services.party_update(actor=actor(request), party=party, version=version, **fields)
    return _party(request, slug, party_ref)


@router.delete(ONE_PARTY, response={204: None, **ERRORS}, summary="Delete a party")
def party_delete(request: HttpRequest, slug: str, party_ref: str) -> tuple[int, None]:
    services.party_delete(actor=actor(request), party=_party(request, slug, party_ref))
    return 204, None


@router.post(REQUIREMENTS, response={201: RequirementOut, **ERRORS}, summary="Add a requirement")
def requirement_create(
    request: HttpRequest, slug: str, party_ref: str, payload: RequirementIn
) -> tuple[int, PartyRequirement]:
    party = _party(request, slug, party_ref)
    requirement = services.party_requirement_create(
        actor=actor(request), party=party, **payload.dict()
    )
    return 201, requirement


@router.patch(
    ONE_REQUIREMENT, response={200: RequirementOut, **ERRORS}, summary="Change a requirement"
)
def requirement_update(
    request: HttpRequest,
    slug: str,
    party_ref: str,
    party_requirement_id: int,
    payload: RequirementPatch,
) -> PartyRequirement:
    requirement = _requirement(request, slug, party_ref, party_requirement_id)
    fields, version = _changes(payload)
    return services.party_requirement_update(
        actor=actor(request), requirement=requirement, version=version, **fields
    )


@router.delete(ONE_REQUIREMENT, response={204: None, **ERRORS}, summary="Remove a requirement")
def requirement_delete(
    request: HttpRequest, slug: str, party_ref: str, party_requirement_id: int
) -> tuple[int, None]:
    requirement = _requirement(request, slug, party_ref, party_requirement_id)
    services.party_requirement_delete(actor=actor(request), requirement=requirement)
    return 204, None


# --- obligations ----------------------------------------------------------------------------


class ObligationOut(Schema):
    ref: str
    name: str
    kind: ObligationKind
    jurisdiction: str
    counterparty: str
    source: str = Field(description="the law and article, or the contract and clause")
    source_url: str
    owner: str | None = Field(description="the owner's e-mail address")
    description: str
    status: ObligationStatus
    review_date: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj: Obligation) -> str | None:
        return obj.owner.email if obj.owner else None


class ObligationIn(Schema):
    name: str
    kind: ObligationKind
    jurisdiction: str = Field("", description="required for legal and regulatory obligations")
    counterparty: str = Field("", description="required for contractual obligations")
    source: str = ""
    source_url: str = ""
    owner: str | None = Field(None, description=OWNER)
    description: str = ""
    status: ObligationStatus = ObligationStatus.ACTIVE
    review_date: dt.date | None = None


class ObligationPatch(Schema):
    version: int = Field(description=VERSION)
    name: str | None = None
    kind: ObligationKind | None = None
    jurisdiction: str | None = None
    counterparty: str | None = None
    source: str | None = None
    source_url: str | None = None
    owner: str | None = Field(None, description=OWNER)
    description: str | None = None
    status: ObligationStatus | None = None
    review_date: dt.date | None = None


class ObligationFilterIn(Schema):
    q: str = Field("", description="words in the ref, name, jurisdiction, counterparty, source")
    kind: ObligationKind | None = None
    status: ObligationStatus | None = None
    owner: str = Field("", description="the owner's e-mail address")
    review_due: bool = False
    sort: str = Field("", description="ref, name, kind, status, owner, review_date; -key")


def _obligation(request: HttpRequest, slug: str, ref: str) -> Obligation:
    return selectors.obligation_get(actor=actor(request), org=org_for(request, slug), ref=ref)


@router.get(
    OBLIGATIONS,
    response={200: list[ObligationOut], **ERRORS},
    summary="Legal, regulatory and contractual obligations",
)
@paginate(Pagination)
def obligation_list(request: HttpRequest, slug: str, query: Query[ObligationFilterIn]) -> Any:
    org = org_for(request, slug)
    found = _filters(filters.ObligationFilters, query)
    return selectors.obligation_list(actor=actor(request), org=org, filters=found)


@router.post(OBLIGATIONS, response={201: ObligationOut, **ERRORS}, summary="Record an obligation")
def obligation_create(
    request: HttpRequest, slug: str, payload: ObligationIn
) -> tuple[int, Obligation]:
    org = org_for(request, slug)
    return 201, services.obligation_create(actor=actor(request), org=org, **payload.dict())


@router.get(ONE_OBLIGATION, response={200: ObligationOut, **ERRORS}, summary="One obligation")
def obligation_detail(request: HttpRequest, slug: str, obligation_ref: str) -> Obligation:
    return _obligation(request, slug, obligation_ref)


@router.patch(
    ONE_OBLIGATION, response={200: ObligationOut, **ERRORS}, summary="Change an obligation"
)
def obligation_update(
    request: HttpRequest, slug: str, obligation_ref: str, payload: ObligationPatch
) -> Obligation:
    obligation = _obligation(request, slug, obligation_ref)
    fields, version = _changes(payload)
    return services.obligation_update(
        actor=actor(request), obligation=obligation, version=version, **fields
    )


@router.delete(ONE_OBLIGATION, response={204: None, **ERRORS}, summary="Delete an obligation")
def obligation_delete(request: HttpRequest, slug: str, obligation_ref: str) -> tuple[int, None]:
    obligation = _obligation(request, slug, obligation_ref)
    services.obligation_delete(actor=actor(request), obligation=obligation)
    return 204, None
