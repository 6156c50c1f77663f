"""Log in, switch organisation, see the dashboard, log out: in a real browser."""

from __future__ import annotations

from typing import Any

import pytest

from openisms.core import services
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization, User

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_user_logs_in_switches_organisation_and_logs_out(
    page: Any, owner_a: User, org_a: Organization, org_b: Organization
) -> None:
    services.membership_add(actor=SYSTEM, org=org_b, email=owner_a.email, role="auditor")

    page.goto("/")
    page.get_by_label("E-mail").fill("owner@alpha.test")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    # Two organisations: the start page asks which one.
    page.get_by_role("heading", name="Your organisations").wait_for()
    page.get_by_role("main").get_by_role("link", name="Alpha Ltd").click()
    page.wait_for_url("**/o/alpha/")
    assert page.get_by_role("heading", name="Alpha Ltd").is_visible()
    assert page.get_by_test_id("tile").first.is_visible()

    page.get_by_label("Switch organisation").click()
    page.get_by_role("link", name="Beta GmbH").click()
    page.wait_for_url("**/o/beta/")
    assert page.get_by_role("heading", name="Beta GmbH").is_visible()
    assert "Auditor" in page.get_by_test_id("user-email").inner_text()

    page.get_by_role("link", name="Audit trail").click()
    page.wait_for_url("**/o/beta/audit/")
    assert page.get_by_text("membership.added").first.is_visible()

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    page.goto("/o/alpha/")
    assert "/accounts/login/" in page.url


def test_a_wrong_password_shows_a_message_and_keeps_the_email(
    page: Any, org_a: Organization
) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill("owner@alpha.test")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("E-mail").input_value() == "owner@alpha.test"
