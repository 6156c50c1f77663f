"""Our PostgreSQL backend: a kept connection is checked without a round trip while the server
has said nothing, and found unusable once the server has ended its session; the statements of
prepared queries are prepared on the server."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

from openisms.assets.models import Asset
from openisms.core.db.postgresql.base import PREPARE_AFTER
from openisms.core.models import Organization
from openisms.core.prepared import Prepared

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def kept() -> Iterator[Any]:
    """A second connection to the test database, as a worker keeps one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_a_quiet_connection_is_usable_without_asking_the_server(
    kept: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def asked(*args: object, **kwargs: object) -> None:
        raise AssertionError("the health check asked the server")

    monkeypatch.setattr(kept.connection, "execute", asked)
    assert kept.is_usable()


def test_a_connection_the_server_ended_is_found_unusable(kept: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [kept.connection.info.backend_pid])
    deadline = time.monotonic() + 5
    while not select.select([kept.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the server did not close the session"
    assert not kept.is_usable()


def test_a_connection_that_was_closed_here_is_unusable(kept: Any) -> None:
    kept.connection.close()
    assert not kept.is_usable()


def test_a_statement_run_often_is_prepared_on_the_server_and_others_are_not(
    org_a: Organization,
) -> None:
    refs = Prepared(lambda org: Asset.objects.filter(organization=org).values("ref"), org=int)
    for _ in range(PREPARE_AFTER + 1):
        refs.rows(org=org_a.pk)
        Asset.objects.filter(organization=org_a).count()  # Django's own query, bound here
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('"assets_asset"."ref"' in statement for statement in prepared)
    assert not any("COUNT(" in statement for statement in prepared)


@pytest.mark.django_db(transaction=True)
def test_a_read_whose_statement_a_migration_altered_starts_a_new_session(
    org_a: Organization,
) -> None:
    names = Prepared(lambda org: Organization.objects.filter(pk=org).values("name"), org=int)
    for _ in range(PREPARE_AFTER + 2):
        names.rows(org=org_a.pk)  # prepared on the server by now
    other = connections.create_connection("default")
    alter = 'ALTER TABLE "core_organization" ALTER COLUMN "name" TYPE varchar({})'
    try:
        with other.cursor() as cursor:
            cursor.execute(alter.format(201))  # the result type of the statement changes
        assert names.rows(org=org_a.pk) == [{"name": "Alpha Ltd"}]
    finally:
        with other.cursor() as cursor:
            cursor.execute(alter.format(200))
        other.close()
