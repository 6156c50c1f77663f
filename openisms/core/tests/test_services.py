"""Organisations, memberships and tokens change only through services, and are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openisms.core import services
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role, TokenScope
from openisms.core.errors import Conflict, PermissionDenied, ValidationError
from openisms.core.models import ApiToken, AuditEvent, Membership, Organization, User
from tests import support


def _verbs(org: Organization) -> list[str]:
    return list(
        AuditEvent.objects.filter(organization=org).order_by("seq").values_list("verb", flat=True)
    )


def test_creating_an_organisation_makes_the_owner_and_audits_both(owner_a: User) -> None:
    org = services.organization_create(actor=owner_a, name="Gamma Inc", owner=owner_a)
    assert org.slug == "gamma-inc"
    assert Membership.objects.get(organization=org, user=owner_a).role == Role.OWNER
    assert _verbs(org) == ["organization.created", "membership.added"]


def test_slugs_are_unique_and_checked(owner_a: User, org_a: Organization) -> None:
    again = services.organization_create(actor=SYSTEM, name="Alpha Ltd", owner=owner_a)
    assert again.slug == "alpha-ltd"
    with pytest.raises(ValidationError, match="slug: The address 'alpha' is taken"):
        services.organization_create(actor=SYSTEM, name="X", owner=owner_a, slug="alpha")
    with pytest.raises(ValidationError, match="slug"):
        services.organization_create(actor=SYSTEM, name="X", owner=owner_a, slug="Bad Slug")
    with pytest.raises(ValidationError, match="name"):
        services.organization_create(actor=SYSTEM, name="  ", owner=owner_a)


def test_a_user_needs_a_valid_unique_email_and_a_decent_password(db: None) -> None:
    with pytest.raises(ValidationError, match="email"):
        services.user_create(actor=SYSTEM, email="not-an-email")
    with pytest.raises(ValidationError) as caught:
        services.user_create(actor=SYSTEM, email="a@b.test", password="123")
    assert "password" in caught.value.errors
    services.user_create(actor=SYSTEM, email="A@B.test", password="a long passphrase")
    with pytest.raises(Conflict):
        services.user_create(actor=SYSTEM, email="a@b.test")


def test_only_the_console_or_a_superuser_creates_accounts(owner_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.user_create(actor=owner_a, email="new@alpha.test")


def test_admins_add_members_but_only_owners_make_owners(org_a: Organization) -> None:
    admin = support.add_member(org_a, "admin@alpha.test", Role.ADMIN)
    support.make_user("new@alpha.test")
    services.membership_add(actor=admin, org=org_a, email="new@alpha.test", role="editor")
    support.make_user("boss@alpha.test")
    with pytest.raises(PermissionDenied, match="Only an owner"):
        services.membership_add(actor=admin, org=org_a, email="boss@alpha.test", role="owner")


def test_adding_a_member_reports_what_is_wrong(owner_a: User, org_a: Organization) -> None:
    with pytest.raises(ValidationError, match="No account uses"):
        services.membership_add(actor=owner_a, org=org_a, email="ghost@x.test", role="viewer")
    with pytest.raises(ValidationError, match="role"):
        services.membership_add(actor=owner_a, org=org_a, email="owner@alpha.test", role="king")
    with pytest.raises(Conflict, match="already a member"):
        services.membership_add(actor=owner_a, org=org_a, email="owner@alpha.test", role="viewer")


def test_the_last_owner_can_be_neither_demoted_nor_removed(
    owner_a: User, org_a: Organization
) -> None:
    membership = services.membership_for(org_a, owner_a.email)
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_change_role(actor=owner_a, membership=membership, role="admin")
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_remove(actor=owner_a, membership=membership)


def test_a_role_change_and_a_removal_are_audited(
    owner_a: User, viewer_a: User, org_a: Organization
) -> None:
    membership = services.membership_for(org_a, viewer_a.email)
    services.membership_change_role(actor=owner_a, membership=membership, role="editor")
    services.membership_remove(actor=owner_a, membership=membership)
    assert _verbs(org_a)[-2:] == ["membership.role_changed", "membership.removed"]
    event = AuditEvent.objects.filter(organization=org_a, verb="membership.role_changed").get()
    assert event.data["role"] == ["viewer", "editor"]


def test_a_viewer_cannot_manage_members(viewer_a: User, org_a: Organization) -> None:
    with pytest.raises(PermissionDenied):
        services.membership_add(actor=viewer_a, org=org_a, email="x@y.test", role="viewer")


def test_a_token_is_stored_hashed_and_shown_once(owner_a: User, org_a: Organization) -> None:
    token, secret = services.api_token_create(
        actor=owner_a, user=owner_a, org=org_a, name="ci", scope=TokenScope.WRITE
    )
    assert secret.startswith("oisms_") and len(secret) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.digest, stored.prefix, stored.name)
    assert services.api_token_authenticate(secret) == stored
    assert token.expires_at is not None
    assert "api_token.created" in _verbs(org_a)


def test_token_input_is_checked_field_by_field(owner_a: User, org_a: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        services.api_token_create(
            actor=owner_a, user=owner_a, org=org_a, name=" ", scope="admin", expires_days=0
        )
    assert set(caught.value.errors) == {"name", "scope", "expires_days"}


def test_nobody_creates_tokens_for_someone_else(
    owner_a: User, viewer_a: User, org_a: Organization
) -> None:
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=owner_a, user=viewer_a, org=org_a, name="x")


def test_revoked_and_expired_tokens_no_longer_authenticate(
    owner_a: User, org_a: Organization
) -> None:
    token, secret = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="a")
    services.api_token_revoke(actor=owner_a, token=token)
    assert services.api_token_authenticate(secret) is None
    token2, secret2 = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="b")
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert services.api_token_authenticate(secret2) is None
    assert services.api_token_authenticate("oisms_not-a-token") is None
    assert services.api_token_authenticate("garbage") is None


def test_last_use_is_noted_at_most_once_a_minute(owner_a: User, org_a: Organization) -> None:
    _, secret = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="a")
    first = services.api_token_authenticate(secret)
    assert first is not None and first.last_used_at is not None
    second = services.api_token_authenticate(secret)
    assert second is not None and second.last_used_at == first.last_used_at


def test_a_renamed_organisation_keeps_its_address(owner_a: User, org_a: Organization) -> None:
    services.organization_update(actor=owner_a, org=org_a, name="Alpha Group")
    org_a.refresh_from_db()
    assert (org_a.name, org_a.slug) == ("Alpha Group", "alpha")
    with pytest.raises(ValidationError, match="name"):
        services.organization_update(actor=owner_a, org=org_a, name="")


def test_a_rename_to_the_same_name_records_nothing_and_a_long_name_is_refused(
    owner_a: User, org_a: Organization
) -> None:
    events = AuditEvent.objects.filter(organization=org_a, verb="organization.updated")
    services.organization_update(actor=owner_a, org=org_a, name="  Alpha Ltd ")
    assert not events.exists()
    with pytest.raises(ValidationError) as caught:
        services.organization_update(actor=owner_a, org=org_a, name="A" * 201)
    assert caught.value.errors == {"name": ["Use at most 200 characters (this has 201)."]}
    with pytest.raises(ValidationError) as caught:
        services.organization_create(actor=owner_a, owner=owner_a, name="B" * 250)
    assert caught.value.errors == {"name": ["Use at most 200 characters (this has 250)."]}
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Ltd" and not events.exists()


def test_a_rename_compares_with_the_stored_name_not_the_one_loaded(
    owner_a: User, org_a: Organization
) -> None:
    loaded = Organization.objects.get(pk=org_a.pk)  # a page opened before the other rename
    services.organization_update(actor=owner_a, org=org_a, name="Alpha Group")
    services.organization_update(actor=owner_a, org=loaded, name="Alpha Ltd")
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Ltd"


def test_a_token_name_too_long_is_refused_by_field(owner_a: User, org_a: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="n" * 101)
    assert caught.value.errors == {"name": ["Use at most 100 characters (this has 101)."]}
