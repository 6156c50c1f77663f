"""API list pages kept per change of their organisation (``api.base.Records.page``): read
again from the cache until any write (every write records an audit event) or the next day;
each page, filter and caller apart; never past the check of who may read them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from openisms.assets.tests.factories import make_asset
from openisms.core.choices import TokenScope
from openisms.core.models import ApiToken, Organization, User
from openisms.risks.tests.factories import make_risk
from tests import support

pytestmark = pytest.mark.django_db
ASSETS = "/api/v1/orgs/alpha/assets"
RISKS = "/api/v1/orgs/alpha/risks"


def _names(client: support.ApiClient, url: str = ASSETS) -> list[str]:
    answer = client.get(url)
    assert answer.status_code == 200, answer.content[:300]
    return [a["name"] for a in answer.json()["items"]]


def test_a_page_read_again_comes_from_the_cache_with_fewer_queries(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    make_asset(org_a, "Laptop", tags=["pii"])
    api_owner_a.get(ASSETS)  # the token's last use is noted once a minute
    cache.clear()
    first_queries, first = support.count_queries(lambda: api_owner_a.get(ASSETS))
    again_queries, again = support.count_queries(lambda: api_owner_a.get(ASSETS))
    assert again.json() == first.json() and again.json()["items"][0]["tags"] == ["pii"]
    assert again_queries == 2 < first_queries  # the token with its role, the trail's head


def test_a_write_is_seen_by_the_next_read(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    make_asset(org_a, "Laptop")
    assert _names(api_owner_a) == ["Laptop"]
    api_owner_a.send("PATCH", f"{ASSETS}/A-0001", {"version": 1, "name": "Server"})
    assert _names(api_owner_a) == ["Server"]
    make_asset(org_a, "Backup tape")  # through the service, as the CLI and the pages write
    assert _names(api_owner_a) == ["Server", "Backup tape"]


def test_each_page_filter_and_size_is_kept_apart(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    for name, kind in (("Laptop", "hardware"), ("CRM", "software"), ("Office", "site")):
        make_asset(org_a, name, kind=kind)
    assert _names(api_owner_a, f"{ASSETS}?page_size=1&page=2") == ["CRM"]
    assert _names(api_owner_a, f"{ASSETS}?page_size=1&page=3") == ["Office"]
    assert _names(api_owner_a, f"{ASSETS}?page_size=2") == ["Laptop", "CRM"]
    assert _names(api_owner_a, f"{ASSETS}?kind=software") == ["CRM"]
    assert _names(api_owner_a, f"{ASSETS}?sort=-name") == ["Office", "Laptop", "CRM"]


def test_large_pages_are_read_every_time(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    make_asset(org_a, "Laptop")
    url = f"{ASSETS}?page_size=51"
    api_owner_a.get(url)
    first, _ = support.count_queries(lambda: api_owner_a.get(url))
    again, _ = support.count_queries(lambda: api_owner_a.get(url))
    assert first == again > 3


def test_a_kept_page_is_no_answer_to_another_organisation_or_an_expired_token(
    api_owner_a: support.ApiClient,
    org_a: Organization,
    owner_b: User,
    org_b: Organization,
    owner_a: User,
) -> None:
    make_asset(org_a, "Laptop")
    assert _names(api_owner_a) == ["Laptop"]
    outsider = support.ApiClient(support.make_token(owner_b, org_b, TokenScope.WRITE))
    assert outsider.get(ASSETS).status_code == 404
    with_session = support.ApiClient("")
    with_session.force_login(owner_b)
    assert with_session.get(ASSETS).status_code == 404
    reader = support.ApiClient(support.make_token(owner_a, org_a, TokenScope.READ))
    assert _names(reader) == ["Laptop"]
    ApiToken.objects.filter(user=owner_a, scope=TokenScope.READ).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert reader.get(ASSETS).status_code == 401


def test_a_risk_falls_due_for_review_on_the_day_without_a_write(
    api_owner_a: support.ApiClient,
    org_a: Organization,
    owner_a: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = timezone.localdate()
    risk = make_risk(org_a, "Laptop loss")
    type(risk).objects.filter(pk=risk.pk).update(next_review=today + dt.timedelta(days=1))
    cache.clear()  # the change above was made outside the services, as a test may
    assert api_owner_a.get(RISKS).json()["items"][0]["due_for_review"] is False
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + dt.timedelta(days=1))
    assert api_owner_a.get(RISKS).json()["items"][0]["due_for_review"] is True
