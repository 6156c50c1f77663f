"""API of the risk methodology, the threat library and the vulnerability register.

No ``from __future__ import annotations`` here: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from openisms.api.base import Pagination, actor, org_for
from openisms.api.risks.common import BASE, ERRORS, router
from openisms.core.selectors import prefetched
from openisms.risks import selectors, services
from openisms.risks.choices import (
    Severity,
    ThreatCategory,
    ThreatSource,
    VulnerabilityStatus,
)
from openisms.risks.models import (
    Methodology,
    Threat,
    Vulnerability,
)
from openisms.risks.rules import (
    ThreatInput,
    VulnerabilityInput,
)

# --- methodology ------------------------------------------------------------------------------


class ScalePointOut(Schema):
    value: int
    label: str
    description: str
    range: str


class LevelOut(Schema):
    key: str
    label: str
    colour: str
    owner_may_accept: bool = Field(description="False: only top management may accept it")
    review_months: int


class MethodologyOut(Schema):
    version: int
    name: str
    is_current: bool
    note: str
    size: str
    created_at: dt.datetime
    created_by: str | None
    likelihood: list[ScalePointOut]
    impact: list[ScalePointOut]
    levels: list[LevelOut] = Field(description="lowest first")
    matrix: list[list[str]] = Field(description="matrix[likelihood - 1][impact - 1] = level key")

    @staticmethod
    def resolve_created_by(obj: Methodology) -> str | None:
        return obj.created_by.email if obj.created_by else None

    @staticmethod
    def resolve_likelihood(obj: Methodology) -> list[dict[str, Any]]:
        return [vars(p) for p in obj.parsed.likelihood]

    @staticmethod
    def resolve_impact(obj: Methodology) -> list[dict[str, Any]]:
        return [vars(p) for p in obj.parsed.impact]

    @staticmethod
    def resolve_levels(obj: Methodology) -> list[dict[str, Any]]:
        return [vars(level) for level in obj.parsed.levels]

    @staticmethod
    def resolve_matrix(obj: Methodology) -> list[list[str]]:
        return [list(row) for row in obj.parsed.matrix]


class MethodologyIn(Schema):
    preset: Literal["3x3", "4x4", "5x5"] | None = Field(
        None, description="start from a preset; or send `spec`"
    )
    spec: dict[str, Any] | None = Field(
        None, description="likelihood, impact, levels and matrix, as MethodologyOut shows them"
    )
    name: str = "Risk methodology"
    note: str = ""


@router.get(
    f"{BASE}/methodology",
    response={200: MethodologyOut, **ERRORS},
    summary="The current methodology version",
)
def methodology_current(request: HttpRequest, slug: str) -> Methodology:
    return selectors.methodology_current(actor=actor(request), org=org_for(request, slug))


@router.post(
    f"{BASE}/methodology",
    response={201: MethodologyOut, **ERRORS},
    summary="Make a new methodology version current (from a preset or a spec)",
)
def methodology_create(
    request: HttpRequest, slug: str, payload: MethodologyIn
) -> tuple[int, Methodology]:
    org = org_for(request, slug)
    created = services.methodology_create(
        actor=actor(request),
        org=org,
        spec=payload.spec,
        preset=payload.preset if payload.spec is None else None,
        name=payload.name,
        note=payload.note,
    )
    return 201, created


@router.get(
    f"{BASE}/methodology/versions",
    response={200: list[MethodologyOut], **ERRORS},
    summary="Every methodology version, newest first",
)
@paginate(Pagination)
def methodology_versions(request: HttpRequest, slug: str) -> Any:
    return selectors.methodology_list(actor=actor(request), org=org_for(request, slug))


@router.get(
    f"{BASE}/methodology/versions/{{methodology_version}}",
    response={200: MethodologyOut, **ERRORS},
    summary="One methodology version",
)
def methodology_version(request: HttpRequest, slug: str, methodology_version: int) -> Methodology:
    return selectors.methodology_get(
        actor=actor(request), org=org_for(request, slug), version=methodology_version
    )


# --- threats ----------------------------------------------------------------------------------


class ThreatOut(Schema):
    ref: str
    name: str
    category: ThreatCategory
    also_category: str
    summary: str
    source: ThreatSource
    affects: list[str]
    own: bool = Field(description="the organisation's own threat (else the shipped library)")
    retired: bool

    @staticmethod
    def resolve_own(obj: Threat) -> bool:
        return obj.is_own

    @staticmethod
    def resolve_retired(obj: Threat) -> bool:
        return obj.is_retired


class ThreatIn(Schema):
    name: str
    category: str
    summary: str = ""
    affects_confidentiality: bool = False
    affects_integrity: bool = False
    affects_availability: bool = False


class ThreatPatch(Schema):
    version: int | None = None
    name: str | None = None
    category: str | None = None
    summary: str | None = None
    affects_confidentiality: bool | None = None
    affects_integrity: bool | None = None
    affects_availability: bool | None = None


class ThreatFilterIn(Schema):
    category: str = ""
    source: str = Field("", description="bsi, iso27005, openisms or own")
    q: str = ""


@router.get(
    f"{BASE}/threats",
    response={200: list[ThreatOut], **ERRORS},
    summary="The threat library and the organisation's own threats",
)
@paginate(Pagination)
def threat_list(request: HttpRequest, slug: str, filters: Query[ThreatFilterIn]) -> Any:
    return selectors.threat_list(
        actor=actor(request),
        org=org_for(request, slug),
        filters=selectors.ThreatFilters(**filters.dict()),
    )


@router.post(f"{BASE}/threats", response={201: ThreatOut, **ERRORS}, summary="Add an own threat")
def threat_create(request: HttpRequest, slug: str, payload: ThreatIn) -> tuple[int, Threat]:
    org = org_for(request, slug)
    return 201, services.threat_create(
        actor=actor(request), org=org, data=ThreatInput(**payload.dict())
    )


@router.get(
    f"{BASE}/threats/{{threat_ref}}", response={200: ThreatOut, **ERRORS}, summary="One threat"
)
def threat_detail(request: HttpRequest, slug: str, threat_ref: str) -> Threat:
    return selectors.threat_get(actor=actor(request), org=org_for(request, slug), ref=threat_ref)


@router.patch(
    f"{BASE}/threats/{{threat_ref}}",
    response={200: ThreatOut, **ERRORS},
    summary="Change an own threat (the library is read-only)",
)
def threat_update(request: HttpRequest, slug: str, threat_ref: str, payload: ThreatPatch) -> Threat:
    org = org_for(request, slug)
    threat = selectors.threat_get(actor=actor(request), org=org, ref=threat_ref)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version", None)
    return services.threat_update(
        actor=actor(request), threat=threat, data=ThreatInput(**sent), version=version
    )


# --- vulnerabilities --------------------------------------------------------------------------


class VulnerabilityOut(Schema):
    ref: str
    title: str
    description: str
    assets: list[str]
    severity: Severity
    status: VulnerabilityStatus
    found_on: dt.date | None
    fixed_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_assets(obj: Vulnerability) -> list[str]:
        return [asset.ref for asset in prefetched(obj, "assets")]


class VulnerabilityIn(Schema):
    title: str
    description: str = ""
    assets: list[str] = Field(default_factory=list)
    severity: str = "medium"
    status: str = "open"
    found_on: dt.date | None = None
    fixed_on: dt.date | None = None


class VulnerabilityPatch(Schema):
    version: int | None = None
    title: str | None = None
    description: str | None = None
    assets: list[str] | None = None
    severity: str | None = None
    status: str | None = None
    found_on: dt.date | None = None
    fixed_on: dt.date | None = None


class VulnerabilityFilterIn(Schema):
    status: str = ""
    severity: str = ""
    asset: str = ""
    q: str = ""


def _dates_given(sent: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """``null`` clears a date; a missing one stays as it is."""
    return {k: ("" if k in names and v is None else v) for k, v in sent.items()}


@router.get(
    f"{BASE}/vulnerabilities",
    response={200: list[VulnerabilityOut], **ERRORS},
    summary="The vulnerability register",
)
@paginate(Pagination)
def vulnerability_list(
    request: HttpRequest, slug: str, filters: Query[VulnerabilityFilterIn]
) -> Any:
    return selectors.vulnerability_list(
        actor=actor(request),
        org=org_for(request, slug),
        filters=selectors.VulnerabilityFilters(**filters.dict()),
    )


@router.post(
    f"{BASE}/vulnerabilities",
    response={201: VulnerabilityOut, **ERRORS},
    summary="Record a vulnerability",
)
def vulnerability_create(
    request: HttpRequest, slug: str, payload: VulnerabilityIn
) -> tuple[int, Vulnerability]:
    org = org_for(request, slug)
    data = VulnerabilityInput(**_dates_given(payload.dict(), ("found_on", "fixed_on")))
    made = services.vulnerability_create(actor=actor(request), org=org, data=data)
    return 201, selectors.vulnerability_get(actor=actor(request), org=org, ref=made.ref)


@router.get(
    f"{BASE}/vulnerabilities/{{vulnerability_ref}}",
    response={200: VulnerabilityOut, **ERRORS},
    summary="One vulnerability",
)
def vulnerability_detail(request: HttpRequest, slug: str, vulnerability_ref: str) -> Vulnerability:
    return selectors.vulnerability_get(
        actor=actor(request), org=org_for(request, slug), ref=vulnerability_ref
    )


@router.patch(
    f"{BASE}/vulnerabilities/{{vulnerability_ref}}",
    response={200: VulnerabilityOut, **ERRORS},
    summary="Change a vulnerability (send the version you read: a stale one answers 409)",
)
def vulnerability_update(
    request: HttpRequest, slug: str, vulnerability_ref: str, payload: VulnerabilityPatch
) -> Vulnerability:
    org = org_for(request, slug)
    found = selectors.vulnerability_get(actor=actor(request), org=org, ref=vulnerability_ref)
    sent = _dates_given(payload.dict(exclude_unset=True), ("found_on", "fixed_on"))
    version = sent.pop("version", None)
    services.vulnerability_update(
        actor=actor(request), vulnerability=found, data=VulnerabilityInput(**sent), version=version
    )
    return selectors.vulnerability_get(actor=actor(request), org=org, ref=found.ref)


@router.delete(
    f"{BASE}/vulnerabilities/{{vulnerability_ref}}",
    response={204: None, **ERRORS},
    summary="Delete a vulnerability",
)
def vulnerability_delete(
    request: HttpRequest, slug: str, vulnerability_ref: str
) -> tuple[int, None]:
    org = org_for(request, slug)
    found = selectors.vulnerability_get(actor=actor(request), org=org, ref=vulnerability_ref)
    services.vulnerability_delete(actor=actor(request), vulnerability=found)
    return 204, None
