"""The demo organisation, "Acme Cloud Ltd": one user per role; each app adds its data.

Apps register a builder with ``register``; builders run in order inside one transaction,
through the same services the pages use, so the demo's data is audited like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from openisms.core import services
from openisms.core.actors import Actor
from openisms.core.choices import Role
from openisms.core.models import Membership, Organization, User

DEMO_NAME = "Acme Cloud Ltd"
DEMO_SLUG = "acme"
DEMO_PASSWORD = "acme-demo-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_USERS: tuple[tuple[Role, str, str], ...] = (
    (Role.OWNER, "owner@acme.example", "Olivia Okafor"),
    (Role.ADMIN, "admin@acme.example", "Adam Lindqvist"),
    (Role.EDITOR, "editor@acme.example", "Elena Rossi"),
    (Role.AUDITOR, "auditor@acme.example", "Arjun Mehta"),
    (Role.VIEWER, "viewer@acme.example", "Vera Novak"),
)

Builder = Callable[[Organization, dict[Role, User], Actor], None]
Preparer = Callable[[Actor], None]
_BUILDERS: list[Builder] = []
_PREPARERS: list[Preparer] = []


def register_preparer(preparer: Preparer) -> Preparer:
    """Add a step that runs on every ``openisms demo``, before the organisation is made.

    For shared data the demo needs (the catalogue, say); it must be idempotent.
    """
    _PREPARERS.append(preparer)
    return preparer


def register(builder: Builder) -> Builder:
    """Add a builder of demo data (usable as a decorator)."""
    _BUILDERS.append(builder)
    return builder


@dataclass(frozen=True)
class DemoResult:
    """The demo organisation, its logins, and whether this call created it."""

    organization: Organization
    logins: list[tuple[str, str]]
    created: bool


def _user(actor: Actor, email: str, name: str) -> User:
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return services.user_create(actor=actor, email=email, password=DEMO_PASSWORD, full_name=name)


@transaction.atomic
def demo_create(*, actor: Actor) -> DemoResult:
    """Create the demo organisation unless it exists; idempotent."""
    logins = [(role.label, email) for role, email, _ in DEMO_USERS]
    for preparer in _PREPARERS:
        preparer(actor)
    org = Organization.objects.filter(slug=DEMO_SLUG).first()
    if org is not None:
        return DemoResult(org, logins, created=False)
    users = {role: _user(actor, email, name) for role, email, name in DEMO_USERS}
    org = services.organization_create(
        actor=actor, name=DEMO_NAME, owner=users[Role.OWNER], slug=DEMO_SLUG
    )
    for role, user in users.items():
        if not Membership.objects.filter(user=user, organization=org).exists():
            services.membership_add(actor=actor, org=org, email=user.email, role=role)
    for builder in _BUILDERS:
        builder(org, users, actor)
    return DemoResult(org, logins, created=True)
