"""PostgreSQL timestamps read by ``core.pgtime``: the values Django's own loader gives."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.utils import DataError

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's loader"),
]
TEXTS = (
    "2026-11-29 09:00:00.123456+00",
    "2026-11-29 09:00:00+00",
    "2026-11-29 10:00:00.5+01",  # written with another offset, read in the session's UTC
    "1900-01-01 00:00:00 Europe/Amsterdam",  # an offset in seconds (local mean time)
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.999999+00",
)


def _read(text: str, djangos_own: bool = False) -> Any:
    from django.db.backends.postgresql.psycopg_any import (  # type: ignore[import-untyped]
        register_tzloader,
    )

    with connection.cursor() as cursor:
        if djangos_own:
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute("SELECT %s::timestamptz", [text])
        return cursor.fetchone()[0]


@pytest.mark.parametrize("text", TEXTS)
def test_a_timestamp_reads_as_djangos_loader_reads_it(text: str) -> None:
    ours, djangos = _read(text), _read(text, djangos_own=True)
    assert ours == djangos and ours.tzinfo is djangos.tzinfo is dt.UTC
    assert ours.isoformat() == djangos.isoformat()


@pytest.mark.parametrize("text", ["infinity", "0044-03-15 12:00:00+00 BC"])
def test_what_python_cannot_hold_fails_as_with_djangos_loader(text: str) -> None:
    with pytest.raises(DataError):
        _read(text, djangos_own=True)
    with pytest.raises(DataError):
        _read(text)


def test_new_connections_use_the_iso_loader() -> None:
    from psycopg.postgres import types
    from psycopg.pq import Format

    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
    assert loader.__name__ == "IsoTzLoader" and loader.timezone is connection.timezone
