"""``__in_ids``: the rows of ``__in``, the ids sent as one parameter; ``unique_or_none``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openisms.assets.models import Asset, AssetTag
from openisms.assets.tests.factories import make_asset
from openisms.core import authz
from openisms.core.choices import Role
from openisms.core.lookups import Texts, among, unique_or_none
from openisms.core.models import Organization, User
from tests import support

pytestmark = pytest.mark.django_db


def test_in_ids_finds_the_same_rows_as_in_with_one_parameter(org_a: Organization) -> None:
    made = [make_asset(org_a, f"Laptop {n}", tags=[f"t{n}"]) for n in range(5)]
    chosen = [made[0].id, made[3].id, made[4].id, 10**9]
    with CaptureQueriesContext(connection) as queries:
        found = set(Asset.objects.filter(id__in_ids=chosen).values_list("id", flat=True))
    assert found == set(Asset.objects.filter(id__in=chosen).values_list("id", flat=True))
    assert found == {made[0].id, made[3].id, made[4].id}
    assert str(made[3].id) in queries.captured_queries[0]["sql"]  # one parameter, all ids
    assert not Asset.objects.filter(id__in_ids=[]).exists()


def test_among_takes_a_list_of_ids_or_a_query_and_follows_foreign_keys(
    org_a: Organization,
) -> None:
    kept, other = make_asset(org_a, "Kept", tags=["x"]), make_asset(org_a, "Other", tags=["y"])
    by_list = AssetTag.objects.filter(among("asset", [kept.id]))
    by_query = AssetTag.objects.filter(among("asset_id", Asset.objects.filter(pk=kept.pk)))
    assert [t.asset_id for t in by_list] == [t.asset_id for t in by_query] == [kept.id]
    assert other.id not in {t.asset_id for t in AssetTag.objects.filter(among("asset", [kept.id]))}


def test_a_members_role_is_read_alone_without_sorting_or_joins(
    org_a: Organization, owner_a: User
) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert authz.role_of(owner_a, org_a) == Role.OWNER
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "JOIN" not in sql and "ORDER BY" not in sql
    stranger = support.make_user("stranger@example.test")
    assert authz.role_of(stranger, org_a) is None
    assert unique_or_none(Organization.objects.filter(slug="alpha")) == org_a
    assert unique_or_none(Organization.objects.filter(slug="nowhere")) is None


def test_in_texts_finds_texts_with_quotes_backslashes_and_commas_as_they_are(
    org_a: Organization,
) -> None:
    names = ['Quote "x"', "Back\\slash", "a,b", "{braces}", "Ünïcode", "plain"]
    for name in names:
        make_asset(org_a, name)
    asked = [*names[:5], "absent"]
    found = set(Asset.objects.filter(name__in_texts=Texts(asked)).values_list("name", flat=True))
    assert found == set(names[:5])
    assert not Asset.objects.filter(name__in_texts=[]).exists()
