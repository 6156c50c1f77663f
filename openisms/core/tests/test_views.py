"""Pages: login, dashboard, switcher, audit trail, members, tokens, errors, headers."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from openisms.core import audit, services
from openisms.core.actors import SYSTEM
from openisms.core.models import ApiToken, AuditEvent, Organization, User
from tests import support


def test_login_with_email_and_password_reaches_the_dashboard(org_a: Organization) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"username": "owner@alpha.test", "password": "correct horse battery"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/o/alpha/"
    assert b"Alpha Ltd" in response.content


def test_a_wrong_password_is_refused_beside_the_form(org_a: Organization) -> None:
    response = Client().post(
        "/accounts/login/", {"username": "owner@alpha.test", "password": "wrong"}
    )
    assert response.status_code == 200
    assert b"correct email and password" in response.content.replace(b"e-mail", b"email")


def test_login_is_throttled_after_repeated_failures(org_a: Organization, settings: object) -> None:
    client = Client()
    for _ in range(10):
        client.post("/accounts/login/", {"username": "owner@alpha.test", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "owner@alpha.test", "password": "correct horse battery"}
    )
    assert b"Too many failed attempts" in response.content


def test_passwords_are_hashed_with_argon2(settings: object, db: None) -> None:
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    ]
    user = services.user_create(actor=SYSTEM, email="x@y.test", password="a long passphrase")
    assert user.password.startswith("argon2")


def test_pages_need_a_login(org_a: Organization) -> None:
    response = Client().get("/o/alpha/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_logout_ends_the_session(client_owner_a: Client) -> None:
    client_owner_a.post("/accounts/logout/")
    assert client_owner_a.get("/o/alpha/").status_code == 302


def test_the_dashboard_shows_live_counts_and_every_area(client_owner_a: Client) -> None:
    response = client_owner_a.get("/o/alpha/")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r"Members</div>\s*<div class=\"h1 mb-0\">1<", html)
    for label in [
        "Context",
        "Assets",
        "Risks",
        "Controls &amp; SoA",
        "Evidence",
        "Audits",
        "Certification",
        "Reports",
    ]:
        assert label in html


def test_an_area_not_built_yet_says_what_will_come(client_owner_a: Client) -> None:
    response = client_owner_a.get("/o/alpha/certification/")
    assert response.status_code == 200
    assert b"Coming" in response.content and b"three-year cycle" in response.content


def test_the_switcher_lists_every_organisation_of_the_user(
    owner_a: User, org_b: Organization, client_owner_a: Client
) -> None:
    services.membership_add(actor=SYSTEM, org=org_b, email=owner_a.email, role="viewer")
    html = client_owner_a.get("/o/alpha/").content.decode()
    assert 'href="/o/beta/"' in html
    assert client_owner_a.get("/o/beta/").status_code == 200
    assert client_owner_a.get("/")["Location"] == "/o/beta/"  # back to the last one used


def test_home_offers_a_choice_when_there_are_several(owner_a: User, org_b: Organization) -> None:
    services.membership_add(actor=SYSTEM, org=org_b, email=owner_a.email, role="viewer")
    client = Client()
    client.force_login(owner_a)
    response = client.get("/")
    assert response.status_code == 200
    assert b"Your organisations" in response.content


def test_security_headers_are_set(client_owner_a: Client) -> None:
    response = client_owner_a.get("/o/alpha/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_no_page_carries_inline_script(client_owner_a: Client) -> None:
    for url in [
        "/o/alpha/",
        "/o/alpha/audit/",
        "/o/alpha/settings/members/",
        "/o/alpha/settings/tokens/",
        "/accounts/login/",
    ]:
        html = client_owner_a.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and " onclick=" not in html, url


def test_every_form_carries_a_csrf_token(client_owner_a: Client) -> None:
    html = client_owner_a.get("/o/alpha/settings/members/").content.decode()
    forms = re.findall(r"<form method=\"post\".*?</form>", html, re.S)
    assert forms and all("csrfmiddlewaretoken" in form for form in forms)


def test_csrf_is_enforced_on_posts(owner_a: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_a)
    assert client.post("/o/alpha/settings/", {"name": "X"}).status_code == 403


def test_a_missing_page_is_a_404_inside_the_layout(client_owner_a: Client) -> None:
    response = client_owner_a.get("/o/alpha/nothing-here/")
    assert response.status_code == 404
    assert b"Not found" in response.content and b"OpenISMS" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/o/alpha/assets/A-0001%00/",
        "/o/alpha/risks/R-0001%0B/edit/",
        "/o/alpha/controls/A.5.1%00/",
        "/o/alpha/context/issues/I-0001%1B/",
    ],
)
def test_an_address_with_a_control_character_is_a_404_page(
    client_owner_a: Client, path: str
) -> None:
    for response in (client_owner_a.get(path), client_owner_a.post(path, {"title": "x"})):
        assert response.status_code == 404
        assert b"Nothing is at this address." in response.content


def test_a_viewer_gets_a_403_page_for_settings(client_viewer_a: Client) -> None:
    response = client_viewer_a.get("/o/alpha/settings/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content


def test_the_audit_page_lists_and_filters_events(
    client_owner_a: Client, org_a: Organization
) -> None:
    services.organization_update(actor=SYSTEM, org=org_a, name="Alpha Group")
    html = client_owner_a.get("/o/alpha/audit/").content.decode()
    assert "organization.updated" in html and "membership.added" in html
    filtered = client_owner_a.get("/o/alpha/audit/?verb=organization.updated").content.decode()
    assert "organization.updated" in filtered and "<code>membership.added</code>" not in filtered
    by_actor = client_owner_a.get("/o/alpha/audit/?actor=nobody").content.decode()
    assert "No events match" in by_actor
    by_prefix = client_owner_a.get("/o/alpha/audit/?verb=organization.").content.decode()
    assert "<code>organization.created</code>" in by_prefix


def test_the_audit_page_filters_by_date_and_target(
    client_owner_a: Client, org_a: Organization
) -> None:
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    assert (
        "No events match"
        in client_owner_a.get(f"/o/alpha/audit/?date_from={tomorrow}").content.decode()
    )
    assert (
        "organization.created"
        in client_owner_a.get(f"/o/alpha/audit/?date_from={today}&date_to={today}").content.decode()
    )
    html = client_owner_a.get(f"/o/alpha/audit/?target=core.organization:{org_a.pk}").content
    assert b"organization.created" in html and b"<code>membership.added</code>" not in html


def test_a_viewer_does_not_see_the_audit_trail(client_viewer_a: Client) -> None:
    assert client_viewer_a.get("/o/alpha/audit/").status_code == 403


def test_the_audit_page_runs_the_same_queries_for_1_and_200_events(
    client_owner_a: Client, org_a: Organization
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            audit.record(actor=SYSTEM, verb="test.event", target=("test", str(i)), org=org_a)

    support.assert_constant_queries(lambda: client_owner_a.get("/o/alpha/audit/"), add)


def test_the_members_page_runs_the_same_queries_for_1_and_200_members(
    client_owner_a: Client, org_a: Organization
) -> None:
    counter = iter(range(10_000))

    def add(n: int) -> None:
        for _ in range(n):
            support.add_member(org_a, f"m{next(counter)}@alpha.test", "viewer")  # type: ignore[arg-type]

    support.assert_constant_queries(lambda: client_owner_a.get("/o/alpha/settings/members/"), add)


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client_owner_a: Client, org_a: Organization
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            audit.record(actor=SYSTEM, verb="test.event", target=("test", str(i)), org=org_a)

    support.assert_constant_queries(lambda: client_owner_a.get("/o/alpha/"), add)


def test_the_tokens_page_runs_the_same_queries_for_1_and_200_tokens(
    client_owner_a: Client, owner_a: User, org_a: Organization
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            support.make_token(owner_a, org_a)

    support.assert_constant_queries(lambda: client_owner_a.get("/o/alpha/settings/tokens/"), add)


def test_an_owner_adds_changes_and_removes_a_member(
    client_owner_a: Client, org_a: Organization
) -> None:
    support.make_user("new@alpha.test")
    response = client_owner_a.post(
        "/o/alpha/settings/members/", {"email": "new@alpha.test", "role": "editor"}, follow=True
    )
    assert b"new@alpha.test was added" in response.content
    client_owner_a.post("/o/alpha/settings/members/new@alpha.test/", {"role": "auditor"})
    assert services.membership_for(org_a, "new@alpha.test").role == "auditor"
    client_owner_a.post("/o/alpha/settings/members/new@alpha.test/", {"remove": "1"})
    assert not org_a.memberships.filter(user__email="new@alpha.test").exists()


def test_a_bad_member_form_keeps_the_input_and_names_the_field(client_owner_a: Client) -> None:
    response = client_owner_a.post(
        "/o/alpha/settings/members/", {"email": "ghost@alpha.test", "role": "editor"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "No account uses ghost@alpha.test" in html
    assert 'value="ghost@alpha.test"' in html


def test_demoting_the_last_owner_is_refused_with_a_message(client_owner_a: Client) -> None:
    response = client_owner_a.post(
        "/o/alpha/settings/members/owner@alpha.test/", {"role": "viewer"}, follow=True
    )
    assert b"at least one owner" in response.content


def test_a_viewer_cannot_add_members(client_viewer_a: Client) -> None:
    response = client_viewer_a.post(
        "/o/alpha/settings/members/", {"email": "x@alpha.test", "role": "viewer"}
    )
    assert response.status_code == 403


def test_a_new_token_is_shown_once_then_only_its_prefix(
    client_owner_a: Client, owner_a: User
) -> None:
    response = client_owner_a.post(
        "/o/alpha/settings/tokens/", {"name": "CI", "scope": "write", "expires_days": "30"}
    )
    secret = re.search(r'id="new-token">(oisms_[^<]+)<', response.content.decode())
    assert secret is not None
    again = client_owner_a.get("/o/alpha/settings/tokens/").content.decode()
    assert secret.group(1) not in again
    assert secret.group(1)[:12] in again


def test_a_token_is_revoked_from_its_page(
    client_owner_a: Client, owner_a: User, org_a: Organization
) -> None:
    token, _ = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="old")
    client_owner_a.post(f"/o/alpha/settings/tokens/{token.pk}/revoke/")
    assert ApiToken.objects.get(pk=token.pk).state == "revoked"
    assert AuditEvent.objects.filter(organization=org_a, verb="api_token.revoked").exists()


def test_another_users_token_cannot_be_revoked(
    client_viewer_a: Client, owner_a: User, org_a: Organization
) -> None:
    token, _ = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="mine")
    assert client_viewer_a.post(f"/o/alpha/settings/tokens/{token.pk}/revoke/").status_code == 404


def test_an_owner_renames_the_organisation(client_owner_a: Client, org_a: Organization) -> None:
    client_owner_a.post("/o/alpha/settings/", {"name": "Alpha Group"})
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Group"
    response = client_owner_a.post("/o/alpha/settings/", {"name": ""})
    assert response.status_code == 422 and b"required" in response.content


@pytest.mark.parametrize(
    "url", ["/static/vendor/htmx/htmx.min.js", "/static/vendor/tabler/tabler.min.css"]
)
def test_vendored_static_files_are_served(client_owner_a: Client, url: str) -> None:
    response = client_owner_a.get(url)
    assert response.status_code == 200
