"""Prepared queries: compiled once, run with new values, rows as the ORM gives them."""

from __future__ import annotations

import datetime as dt
import gc
import threading
import weakref
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import QuerySet
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext
from pydantic_core import to_json

from openisms.assets.models import Asset
from openisms.assets.tests.factories import make_asset
from openisms.core.lookups import Ids
from openisms.core.models import Membership, Organization, User
from openisms.core.prepared import Prepared, columns, instance

pytestmark = pytest.mark.django_db


def _members(org: int, email: str) -> QuerySet[Membership, Any]:
    """A join, a datetime, a boolean, a choice and a function: what converters and names must
    come through."""
    found = Membership.objects.filter(organization=org, user__email=email)
    return found.values("role", "created_at", "user__is_active", upper=Upper("user__email"))


def test_it_gives_the_rows_the_orm_gives_for_other_values_too(
    org_a: Organization, org_b: Organization
) -> None:
    members = Prepared(_members, org=int, email=str)
    for org, email in [(org_a, "owner@alpha.test"), (org_b, "owner@beta.test")]:
        found = members.rows(org=org.pk, email=email)
        assert found == list(_members(org.pk, email))
        assert [row["upper"] for row in found] == [email.upper()]
    assert members.rows(org=org_a.pk, email="owner@beta.test") == []
    assert members.first(org=org_b.pk, email="nobody@beta.test") is None


def test_it_builds_and_compiles_once_then_runs_its_sql_alone(org_a: Organization) -> None:
    built: list[int] = []

    def build(org: int) -> QuerySet[Asset, Any]:
        built.append(org)
        return Asset.objects.filter(organization=org).order_by("number").values("ref")

    assets = Prepared(build, org=int)
    make_asset(org_a, "Laptop")
    assert assets.rows(org=org_a.pk) == [{"ref": "A-0001"}]
    make_asset(org_a, "Phone")
    with CaptureQueriesContext(connection) as queries:
        assert assets.rows(org=org_a.pk) == [{"ref": "A-0001"}, {"ref": "A-0002"}]
    assert len(built) == 1
    assert len(queries.captured_queries) == 1


def test_a_list_of_ids_is_one_parameter_and_may_be_empty(org_a: Organization) -> None:
    made = [make_asset(org_a, f"Laptop {n}") for n in range(4)]
    refs = Prepared(
        lambda ids: Asset.objects.filter(id__in_ids=ids).order_by("number").values("ref"),
        ids=Ids,
    )
    chosen = [made[3].id, made[1].id]
    assert refs.rows(ids=chosen) == [{"ref": "A-0002"}, {"ref": "A-0004"}]
    assert refs.rows(ids=[]) == []


@pytest.mark.parametrize("lookup", ["icontains", "startswith", "endswith"])
def test_a_value_its_lookup_rewrites_is_refused_by_name(lookup: str) -> None:
    def build(name: str) -> QuerySet[Asset, Any]:
        return Asset.objects.filter(**{f"name__{lookup}": name}).values("ref")

    with pytest.raises(ImproperlyConfigured, match="'name' was rewritten"):
        Prepared(build, name=str).rows(name="laptop")


def test_only_values_queries_and_the_declared_values_are_taken(org_a: Organization) -> None:
    objects = Prepared(lambda org: Asset.objects.filter(organization=org), org=int)
    with pytest.raises(ImproperlyConfigured, match="values"):
        objects.rows(org=org_a.pk)
    refs = Prepared(lambda org: Asset.objects.filter(organization=org).values("ref"), org=int)
    with pytest.raises(TypeError, match="org"):
        refs.rows(organization=org_a.pk)


def test_instance_makes_the_object_the_orm_would_from_a_row(
    org_a: Organization, owner_a: User
) -> None:
    row = Membership.objects.filter(user=owner_a).values(*columns(User, "user__")).get()
    user = instance(User, row, "user__")
    loaded = User.objects.get(pk=owner_a.pk)
    assert [getattr(user, f.attname) for f in User._meta.concrete_fields] == [
        getattr(loaded, f.attname) for f in User._meta.concrete_fields
    ]
    assert not user._state.adding
    assert user.memberships.get().organization == org_a


def test_instance_of_some_columns_takes_them_by_name_in_any_order(org_a: Organization) -> None:
    asset = make_asset(org_a, "Payroll")
    row = {"name": "Payroll", "number": asset.number, "ref": asset.ref, "id": asset.pk}
    made = instance(Asset, row, only=list(row))  # not the model's order of its fields
    assert (made.pk, made.ref, made.number, made.name) == (asset.pk, "A-0001", 1, "Payroll")
    assert made.get_deferred_fields() == {
        f.attname for f in Asset._meta.concrete_fields if f.attname not in row
    }
    with pytest.raises(ValueError, match="no columns"):
        instance(Asset, {"id": asset.pk, "colour": "red"}, only=["id", "colour"])


def test_a_value_of_another_kind_is_refused_rather_than_sent_unconverted(
    org_a: Organization,
) -> None:
    refs = Prepared(
        lambda org, day: Asset.objects.filter(organization=org, created_at__date__lte=day).values(
            "ref"
        ),
        org=int,
        day=dt.date,
    )
    with pytest.raises(TypeError, match="'day' takes date"):
        refs.rows(org=org_a.pk, day=dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC))
    with pytest.raises(TypeError, match="'org' takes int"):
        refs.rows(org=str(org_a.pk), day=dt.date(2026, 11, 29))


def _moments(ids: Ids) -> QuerySet[Asset, Any]:
    """Dates and date-times, of the asset and through a join, some of them empty."""
    found = Asset.objects.filter(id__in_ids=ids).order_by()
    return found.values("ref", "next_review", "created_at", "updated_at", "owner__last_login")


def test_rows_for_json_write_the_same_json_as_the_rows_do(org_a: Organization) -> None:
    made = [make_asset(org_a, f"Laptop {n}") for n in range(4)]
    moments = [
        (dt.date(2027, 1, 31), dt.datetime(2026, 11, 29, 8, 30, 0, 250000, tzinfo=dt.UTC)),
        (dt.date(999, 3, 1), dt.datetime(2026, 11, 29, 23, 59, 59, tzinfo=dt.UTC)),  # no fraction
        (None, dt.datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=dt.UTC)),
    ]
    for asset, (day, moment) in zip(made, moments, strict=False):
        Asset.objects.filter(pk=asset.pk).update(next_review=day, updated_at=moment)
    last_login = dt.datetime(2026, 11, 28, 17, 5, 9, 120000, tzinfo=dt.UTC)  # through a join
    User.objects.filter(pk=made[0].owner_id).update(last_login=last_login)
    ids = [asset.pk for asset in made]
    rows = sorted(Prepared(_moments, ids=Ids).rows(ids=ids), key=lambda row: row["ref"])
    for_json = Prepared(_moments, for_json=True, ids=Ids).rows(ids=ids)
    for_json.sort(key=lambda row: row["ref"])
    assert to_json(for_json) == to_json(rows)
    assert [row["next_review"] for row in rows[:3]] == [day for day, _ in moments]
    assert [row["updated_at"] for row in rows[:3]] == [moment for _, moment in moments]
    assert {row["owner__last_login"] for row in rows} == {last_login}
    texts = {type(row[name]) for row in for_json for name in ("next_review", "updated_at")}
    assert texts == (
        {str, type(None)} if connection.vendor == "sqlite" else {dt.date, dt.datetime, type(None)}
    )


def test_rows_for_json_are_read_unsorted_and_not_from_a_union() -> None:
    def sorted_moments(ids: Ids) -> QuerySet[Asset, Any]:
        return _moments(ids).order_by("updated_at")

    def united(ids: Ids) -> QuerySet[Asset, Any]:
        return _moments(ids).order_by().union(_moments(ids).order_by())

    def by_default(ids: Ids) -> QuerySet[Asset, Any]:  # the model's own ordering
        return Asset.objects.filter(id__in_ids=ids).values("ref", "updated_at")

    for build in (sorted_moments, united, by_default):
        with pytest.raises(ImproperlyConfigured, match="unsorted"):
            Prepared(build, for_json=True, ids=Ids).rows(ids=[1])


def test_what_a_thread_compiled_goes_with_its_connection(org_a: Organization) -> None:
    refs = Prepared(lambda org: Asset.objects.filter(organization=org).values("ref"), org=int)
    gone: list[weakref.ref[Any]] = []

    def work() -> None:
        refs.rows(org=org_a.pk)
        gone.append(weakref.ref(connections[DEFAULT_DB_ALIAS]))
        connections.close_all()

    for _ in range(3):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join(10)
    gc.collect()
    assert len(gone) == 3
    assert all(ref() is None for ref in gone)
