"""Who may do what: one table of permissions by role, used by every service and selector.

Permission names are ``<area>.<action>``; those ending in ``.view`` are reads, every other one
is a write and needs a read-write API token when the request came with a token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openisms.core import audit
from openisms.core.actors import Actor, ServiceActor
from openisms.core.choices import Role, TokenScope
from openisms.core.errors import NotFound, PermissionDenied
from openisms.core.models import Membership, Organization
from openisms.core.prepared import Prepared

if TYPE_CHECKING:
    from openisms.core.models import ApiToken, User

_ALL = frozenset(Role)
_MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
_EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR})
_OVERSIGHT = frozenset({Role.OWNER, Role.ADMIN, Role.AUDITOR})

#: The one table of which role may do what. Later apps add their rows here.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "org.view": _ALL,
    "org.change": _MANAGERS,
    "members.view": _ALL,
    "members.manage": _MANAGERS,
    "audit.view": _OVERSIGHT,
    "tokens.manage": _ALL,
    "catalog.view": _ALL,
    "context.view": _ALL,
    "context.change": _EDITORS,
    "context.approve": _MANAGERS,
    "assets.view": _ALL,
    "assets.change": _EDITORS,
    "risks.view": _ALL,
    "risks.change": _EDITORS,
    "risks.methodology": _MANAGERS,
    "risks.accept_top": _MANAGERS,
    "controls.view": _ALL,
    "controls.change": _EDITORS,
    "soa.approve": _MANAGERS,
    "evidence.view": _ALL,
    "evidence.change": _EDITORS,
    "audits.view": _ALL,
    "audits.change": _EDITORS,
    "findings.change": frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR, Role.AUDITOR}),
    "certification.view": _ALL,
    "certification.change": _MANAGERS,
    "reports.view": _ALL,
}

_ROLE_CACHE = "_openisms_roles"
_ROLE = Prepared(
    lambda user, org: (
        Membership.objects.filter(user=user, organization=org).order_by().values("role")
    ),
    user=int,
    org=int,
)
_TOKEN_ATTR = "_openisms_token"  # noqa: S105 - an attribute name


def is_read(permission: str) -> bool:
    """Reads are the permissions ending in ``.view``."""
    return permission.endswith(".view")


def attach_token(user: User, token: ApiToken) -> None:
    """Mark a request's user as acting through ``token`` (its organisation and scope bind)."""
    setattr(user, _TOKEN_ATTR, token)


def token_of(actor: Actor) -> ApiToken | None:
    """The API token the actor is acting through, if any."""
    return getattr(actor, _TOKEN_ATTR, None)


def role_of(actor: Actor, org: Organization) -> Role | None:
    """The actor's role in ``org``, or None when it is not a member.

    Roles are cached on the user object, so a request asks the database once per organisation.
    """
    if isinstance(actor, ServiceActor):
        return Role.OWNER
    if not actor.is_authenticated or not actor.is_active:
        return None
    token = token_of(actor)
    if token is not None and token.organization_id != org.pk:
        return None
    cache: dict[int, Role | None] = actor.__dict__.setdefault(_ROLE_CACHE, {})
    if org.pk not in cache:
        found = _ROLE.first(user=actor.pk, org=org.pk)
        cache[org.pk] = Role(found["role"]) if found else None
    return cache[org.pk]


def remember_role(actor: Actor, org: Organization, role: str | None) -> None:
    """Seed the role cache when the role was already read with another query."""
    if isinstance(actor, ServiceActor):
        return
    cache: dict[int, Role | None] = actor.__dict__.setdefault(_ROLE_CACHE, {})
    cache[org.pk] = Role(role) if role else None


def forget_roles(actor: Actor) -> None:
    """Drop the cached roles, after a membership changed."""
    actor.__dict__.pop(_ROLE_CACHE, None)


def can(actor: Actor, permission: str, org: Organization) -> bool:
    """Whether ``actor`` may use ``permission`` in ``org``."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    role = role_of(actor, org)
    if role is None or role not in PERMISSIONS[permission]:
        return False
    token = token_of(actor)
    return token is None or is_read(permission) or token.scope == TokenScope.WRITE


def require(actor: Actor, permission: str, org: Organization) -> Role:
    """Return the actor's role, or raise: NotFound for outsiders, PermissionDenied otherwise.

    Inside a transaction, a permission to write also queues the caller behind the
    organisation's other writers (``audit.hold_chain``): services call it first.

    Outsiders get NotFound so that another organisation's objects are indistinguishable from
    objects that do not exist.
    """
    role = role_of(actor, org)
    if role is None:
        raise NotFound("No such organisation.")
    if not can(actor, permission, org):
        token = token_of(actor)
        if token is not None and token.scope != TokenScope.WRITE and not is_read(permission):
            raise PermissionDenied("This API token is read-only.")
        raise PermissionDenied(f"Your role ({role.label}) may not do this ({permission}).")
    if not is_read(permission):
        audit.hold_chain(org)  # a writer queues behind the organisation's other writers
    return role


def roles_allowed(permission: str) -> list[str]:
    """The roles that hold ``permission``, for help texts."""
    return [role.label for role in Role if role in PERMISSIONS[permission]]
