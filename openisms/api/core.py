"""API of the core app: me, organisations, members, API tokens, audit events.

No ``from __future__ import annotations`` here: ninja reads the annotations at runtime.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from openisms.api.base import ErrorOut, Pagination, actor, org_for
from openisms.core import authz, selectors, services
from openisms.core.choices import Role, TokenScope
from openisms.core.models import ApiToken, AuditEvent, Membership, Organization

router = Router(tags=["core"])
ERRORS: dict[int, type[ErrorOut]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


class MembershipBrief(Schema):
    organization: str
    name: str
    role: Role


class MeOut(Schema):
    email: str
    full_name: str
    memberships: list[MembershipBrief]
    token_scope: TokenScope | None


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    user = actor(request)
    token = authz.token_of(user)
    memberships = selectors.memberships_of(user)
    if token is not None:
        memberships = memberships.filter(organization=token.organization_id)
    return MeOut(
        email=user.email,
        full_name=user.full_name,
        memberships=[
            MembershipBrief(
                organization=m.organization.slug, name=m.organization.name, role=Role(m.role)
            )
            for m in memberships
        ],
        token_scope=TokenScope(token.scope) if token else None,
    )


class OrgOut(Schema):
    slug: str
    name: str
    created_at: dt.datetime

    @staticmethod
    def of(org: Organization) -> "OrgOut":
        return OrgOut(slug=org.slug, name=org.name, created_at=org.created_at)


class OrgPatch(Schema):
    name: str


@router.get("/orgs", response={200: list[OrgOut], **ERRORS}, summary="My organisations")
@paginate(Pagination)
def org_list(request: HttpRequest) -> list[Organization]:
    return selectors.organization_list(actor=actor(request)).order_by("name")  # type: ignore[return-value]


@router.get("/orgs/{slug}", response={200: OrgOut, **ERRORS}, summary="One organisation")
def org_detail(request: HttpRequest, slug: str) -> OrgOut:
    return OrgOut.of(org_for(request, slug))


@router.patch("/orgs/{slug}", response={200: OrgOut, **ERRORS}, summary="Rename")
def org_update(request: HttpRequest, slug: str, payload: OrgPatch) -> OrgOut:
    org = org_for(request, slug)
    return OrgOut.of(services.organization_update(actor=actor(request), org=org, name=payload.name))


class MemberOut(Schema):
    email: str
    full_name: str
    role: Role

    @staticmethod
    def resolve_email(m: Membership) -> str:
        return m.user.email

    @staticmethod
    def resolve_full_name(m: Membership) -> str:
        return m.user.full_name


class MemberIn(Schema):
    email: str
    role: Role


class MemberPatch(Schema):
    role: Role


@router.get("/orgs/{slug}/members", response={200: list[MemberOut], **ERRORS}, summary="Members")
@paginate(Pagination)
def member_list(request: HttpRequest, slug: str) -> list[MemberOut]:
    org = org_for(request, slug)
    return selectors.membership_list(actor=actor(request), org=org)  # type: ignore[return-value]


@router.post("/orgs/{slug}/members", response={201: MemberOut, **ERRORS}, summary="Add a member")
def member_add(request: HttpRequest, slug: str, payload: MemberIn) -> tuple[int, Membership]:
    org = org_for(request, slug)
    membership = services.membership_add(
        actor=actor(request), org=org, email=payload.email, role=payload.role
    )
    return 201, membership


@router.patch(
    "/orgs/{slug}/members/{email}",
    response={200: MemberOut, **ERRORS},
    summary="Change a member's role",
)
def member_update(request: HttpRequest, slug: str, email: str, payload: MemberPatch) -> Membership:
    org = org_for(request, slug)
    membership = services.membership_for(org, email)
    return services.membership_change_role(
        actor=actor(request), membership=membership, role=payload.role
    )


@router.delete(
    "/orgs/{slug}/members/{email}", response={204: None, **ERRORS}, summary="Remove a member"
)
def member_remove(request: HttpRequest, slug: str, email: str) -> tuple[int, None]:
    org = org_for(request, slug)
    services.membership_remove(actor=actor(request), membership=services.membership_for(org, email))
    return 204, None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: TokenScope
    state: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


@router.get(
    "/orgs/{slug}/tokens", response={200: list[TokenOut], **ERRORS}, summary="My API tokens"
)
@paginate(Pagination)
def token_list(request: HttpRequest, slug: str) -> list[ApiToken]:
    org = org_for(request, slug)
    return selectors.api_token_list(actor=actor(request), org=org)  # type: ignore[return-value]


@router.post(
    "/orgs/{slug}/tokens/{token_id}/revoke",
    response={200: TokenOut, **ERRORS},
    summary="Revoke one of my tokens",
)
def token_revoke(request: HttpRequest, slug: str, token_id: int) -> ApiToken:
    org = org_for(request, slug, "tokens.manage")
    token = selectors.api_token_get(actor=actor(request), org=org, token_id=token_id)
    return services.api_token_revoke(actor=actor(request), token=token)


class AuditEventOut(Schema):
    seq: int
    created_at: dt.datetime
    actor: str
    verb: str
    target_type: str
    target_id: str
    target_repr: str
    data: dict[str, object]
    prev_hash: str
    hash: str


class AuditFilterIn(Schema):
    verb: str = ""
    actor: str = ""
    target: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@router.get(
    "/orgs/{slug}/audit-events",
    response={200: list[AuditEventOut], **ERRORS},
    summary="The audit trail, newest first",
)
@paginate(Pagination)
def audit_event_list(
    request: HttpRequest, slug: str, filters: Query[AuditFilterIn]
) -> list[AuditEvent]:
    org = org_for(request, slug)
    return selectors.audit_event_list(  # type: ignore[return-value]
        actor=actor(request), org=org, filters=selectors.AuditFilters(**filters.dict())
    )
