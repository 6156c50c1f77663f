"""The one role table decides who may do what, in every organisation separately."""

from __future__ import annotations

import pytest

from openisms.core import authz
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role
from openisms.core.errors import NotFound, PermissionDenied
from openisms.core.models import Organization, User
from tests import support


@pytest.mark.parametrize(
    ("role", "permission", "allowed"),
    [
        (Role.OWNER, "members.manage", True),
        (Role.ADMIN, "members.manage", True),
        (Role.EDITOR, "members.manage", False),
        (Role.EDITOR, "risks.change", True),
        (Role.AUDITOR, "risks.change", False),
        (Role.AUDITOR, "findings.change", True),
        (Role.AUDITOR, "audit.view", True),
        (Role.VIEWER, "audit.view", False),
        (Role.VIEWER, "risks.view", True),
        (Role.VIEWER, "org.change", False),
    ],
)
def test_the_role_table(org_a: Organization, role: Role, permission: str, allowed: bool) -> None:
    user = support.add_member(org_a, f"{role}-member@alpha.test", role)
    assert authz.can(user, permission, org_a) is allowed


def test_a_user_has_a_role_only_in_their_own_organisations(
    owner_a: User, org_b: Organization
) -> None:
    assert authz.role_of(owner_a, org_b) is None
    with pytest.raises(NotFound):
        authz.require(owner_a, "org.view", org_b)


def test_a_member_without_the_permission_is_refused_with_the_reason(
    viewer_a: User, org_a: Organization
) -> None:
    with pytest.raises(PermissionDenied, match=r"Viewer.*members.manage"):
        authz.require(viewer_a, "members.manage", org_a)


def test_the_console_may_do_everything(org_a: Organization) -> None:
    assert authz.can(SYSTEM, "members.manage", org_a)


def test_an_unknown_permission_is_a_programming_error(org_a: Organization, owner_a: User) -> None:
    with pytest.raises(KeyError):
        authz.can(owner_a, "nothing.here", org_a)


def test_roles_allowed_lists_labels() -> None:
    assert authz.roles_allowed("members.manage") == ["Owner", "Admin"]
