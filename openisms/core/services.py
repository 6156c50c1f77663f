"""Writes of the core app: users, organisations, memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.text import slugify

from openisms.core import audit, authz
from openisms.core.actors import Actor, ServiceActor
from openisms.core.choices import Role, TokenScope
from openisms.core.cleaning import misfits
from openisms.core.errors import Conflict, NotFound, PermissionDenied, ValidationError, raise_if
from openisms.core.models import ApiToken, Membership, Organization, User
from openisms.core.prepared import Prepared, columns, instance
from openisms.core.signals import member_leaving, organization_created

TOKEN_PREFIX = "oisms_"  # noqa: S105 - the visible prefix of every token
MAX_TOKEN_DAYS = 3650


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationError.field("email", f"{email!r} is not a valid e-mail address.") from None
    return email


@transaction.atomic
def user_create(
    *, actor: Actor, email: str, password: str | None = None, full_name: str = ""
) -> User:
    """Create a user who logs in with ``email``; without a password, login stays closed."""
    email = _clean_email(email)
    if User.objects.filter(email=email).exists():
        raise Conflict(f"A user with e-mail {email} already exists.")
    if not isinstance(actor, ServiceActor) and not actor.is_superuser:
        raise PermissionDenied("Only the console or a superuser may create accounts.")
    user = User(email=email, full_name=full_name.strip())
    if password:
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise ValidationError(errors={"password": list(exc.messages)}) from None
    user.set_password(password or None)
    user.save()
    audit.record(actor=actor, verb="user.created", target=user, data={"email": email})
    return user


def _org_name(name: str, empty: str) -> str:
    """An organisation's name as given, trimmed; ``empty`` is the message when there is none."""
    name = name.strip()
    if not name:
        raise ValidationError.field("name", empty)
    raise_if(misfits(Organization, {"name": name}))
    return name


def _unique_slug(name: str, slug: str | None) -> str:
    if slug:
        if slugify(slug) != slug:
            raise ValidationError.field("slug", "Use lower-case letters, digits and hyphens only.")
        if Organization.objects.filter(slug=slug).exists():
            raise ValidationError.field("slug", f"The address {slug!r} is taken.")
        return slug
    base = slugify(name)[:50] or "org"
    candidate, n = base, 1
    while Organization.objects.filter(slug=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def organization_create(
    *, actor: Actor, name: str, owner: User, slug: str | None = None
) -> Organization:
    """Create an organisation with ``owner`` as its first owner.

    Any logged-in user may start an organisation; the ``organization_created`` signal lets
    other apps add what every organisation needs (its control records, say).
    """
    name = _org_name(name, "Give the organisation a name.")
    org = Organization.objects.create(name=name, slug=_unique_slug(name, slug))
    Membership.objects.create(user=owner, organization=org, role=Role.OWNER)
    audit.record(actor=actor, verb="organization.created", target=org, data={"name": org.name})
    audit.record(
        actor=actor,
        verb="membership.added",
        target=("core.user", str(owner.pk), owner.email),
        org=org,
        data={"email": owner.email, "role": Role.OWNER},
    )
    organization_created.send(sender=Organization, organization=org, actor=actor)
    return org


@transaction.atomic
def organization_update(*, actor: Actor, org: Organization, name: str) -> Organization:
    """Rename an organisation (its address stays)."""
    authz.require(actor, "org.change", org)
    org.refresh_from_db(fields=["name"])  # as stored: another writer may have renamed it
    name, before = _org_name(name, "The name cannot be empty."), org.name
    if name == before:
        return org  # nothing changed: no write, no event
    org.name = name
    org.save(update_fields=["name"])
    audit.record(
        actor=actor, verb="organization.updated", target=org, data={"name": [before, org.name]}
    )
    return org


def _owner_count(org: Organization) -> int:
    return Membership.objects.filter(organization=org, role=Role.OWNER).count()


def _check_role(role: str) -> Role:
    if role not in Role.values:
        raise ValidationError.field("role", f"Choose one of: {', '.join(Role.values)}.")
    return Role(role)


def _check_grant(actor: Actor, org: Organization, role: Role) -> None:
    if role == Role.OWNER and authz.role_of(actor, org) != Role.OWNER:
        raise PermissionDenied("Only an owner may make someone an owner.")


@transaction.atomic
def membership_add(*, actor: Actor, org: Organization, email: str, role: str) -> Membership:
    """Give an existing user a role in ``org``."""
    authz.require(actor, "members.manage", org)
    role_value = _check_role(role)
    _check_grant(actor, org, role_value)
    email = _clean_email(email)
    user = User.objects.filter(email=email).first()
    if user is None:
        raise ValidationError.field("email", f"No account uses {email}; create it first.")
    if Membership.objects.filter(user=user, organization=org).exists():
        raise Conflict(f"{email} is already a member of {org.name}.")
    membership = Membership.objects.create(user=user, organization=org, role=role_value)
    audit.record(
        actor=actor,
        verb="membership.added",
        target=("core.user", str(user.pk), user.email),
        org=org,
        data={"email": email, "role": role_value},
    )
    return membership


def membership_for(org: Organization, email: str) -> Membership:
    """The membership of ``email`` in ``org``, or NotFound."""
    membership = (
        Membership.objects.select_related("user")
        .filter(organization=org, user__email=email.strip().lower())
        .first()
    )
    if membership is None:
        raise NotFound(f"{email} is not a member of {org.name}.")
    return membership


def _guard_last_owner(membership: Membership) -> None:
    if membership.role == Role.OWNER and _owner_count(membership.organization) == 1:
        raise ValidationError.field("role", "An organisation must keep at least one owner.")


@transaction.atomic
def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """Change a member's role; the last owner cannot be demoted."""
    org = membership.organization
    authz.require(actor, "members.manage", org)
    new_role = _check_role(role)
    if new_role == membership.role:
        return membership
    _check_grant(actor, org, new_role)
    if membership.role == Role.OWNER:
        _check_grant(actor, org, Role.OWNER)
        _guard_last_owner(membership)
    before = membership.role
    membership.role = new_role
    membership.save(update_fields=["role"])
    authz.forget_roles(membership.user)
    audit.record(
        actor=actor,
        verb="membership.role_changed",
        target=("core.user", str(membership.user_id), membership.user.email),
        org=org,
        data={"email": membership.user.email, "role": [before, new_role]},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership) -> None:
    """Remove a member; the last owner cannot be removed."""
    org = membership.organization
    authz.require(actor, "members.manage", org)
    if membership.role == Role.OWNER:
        _check_grant(actor, org, Role.OWNER)
    _guard_last_owner(membership)
    _guard_nothing_held(membership)
    membership.delete()
    tokens = ApiToken.objects.filter(user=membership.user, organization=org, revoked_at=None)
    revoked = tokens.update(revoked_at=timezone.now())
    audit.record(
        actor=actor,
        verb="membership.removed",
        target=("core.user", str(membership.user_id), membership.user.email),
        org=org,
        data={"email": membership.user.email, "role": membership.role, "tokens_revoked": revoked},
    )


def _guard_nothing_held(membership: Membership) -> None:
    """Refuse to remove a member who still owns something in the organisation."""
    answers = member_leaving.send(
        sender=Membership, organization=membership.organization, user=membership.user
    )
    things = [thing for _, answer in answers for thing in (answer or ())]
    if things:
        raise ValidationError.field(
            "email",
            f"{membership.user.email} still holds {'; '.join(things)}. Give them to another "
            "member first, then remove this one.",
        )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: Actor,
    user: User,
    org: Organization,
    name: str,
    scope: str = TokenScope.READ,
    expires_days: int | None = 90,
) -> tuple[ApiToken, str]:
    """Create a token for ``user`` in ``org``; returns it with the secret, shown only once."""
    if not isinstance(actor, ServiceActor) and actor.pk != user.pk:
        raise PermissionDenied("You can only create tokens for yourself.")
    authz.require(user, "tokens.manage", org)
    errors: dict[str, list[str]] = {}
    if scope not in TokenScope.values:
        errors["scope"] = [f"Choose one of: {', '.join(TokenScope.values)}."]
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        errors["expires_days"] = [f"Choose between 1 and {MAX_TOKEN_DAYS} days, or none."]
    if not name.strip():
        errors["name"] = ["Name the token after what will use it."]
    errors.update(misfits(ApiToken, {"name": name.strip()}))
    if errors:
        raise ValidationError(errors=errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = None if expires_days is None else timezone.now() + dt.timedelta(expires_days)
    token = ApiToken.objects.create(
        user=user,
        organization=org,
        name=name.strip(),
        prefix=secret[:12],
        digest=_digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    audit.record(
        actor=actor,
        verb="api_token.created",
        target=token,
        data={"user": user.email, "scope": scope, "expires_at": expires_at},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing."""
    is_holder = not isinstance(actor, ServiceActor) and actor.pk == token.user_id
    if is_holder:
        audit.hold_chain(token.organization)  # what authz.require takes for the others
    else:
        authz.require(actor, "members.manage", token.organization)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(
            actor=actor, verb="api_token.revoked", target=token, data={"user": token.user.email}
        )
    return token


LAST_USE_RESOLUTION = dt.timedelta(minutes=1)


def _token_query(digest: str) -> QuerySet[ApiToken, dict[str, Any]]:
    role = Membership.objects.filter(
        user=OuterRef("user"), organization=OuterRef("organization")
    ).order_by()
    return (
        ApiToken.objects.filter(digest=digest)
        .annotate(role=Subquery(role.values("role")[:1]))
        .values(
            "role",
            *columns(ApiToken),
            *columns(User, "user__"),
            *columns(Organization, "organization__"),
        )
        .order_by()
    )


#: The token with its user, organisation and the user's role there: one query per request.
_TOKEN = Prepared(_token_query, digest=str)


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None; notes its last use (to the minute).

    The user comes with the token and knows its role in the token's organisation.
    """
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = _TOKEN.first(digest=_digest(secret))
    if found is None:
        return None
    token = instance(ApiToken, found)
    token.user = instance(User, found, "user__")
    token.organization = instance(Organization, found, "organization__")
    if not token.is_usable() or not token.user.is_active:
        return None
    authz.remember_role(token.user, token.organization, found["role"])
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USE_RESOLUTION:
        # Not audited: a read is not a change, and a write per request would flood the trail.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
