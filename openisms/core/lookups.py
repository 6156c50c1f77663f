"""Query helpers that keep SQL lean: ``field__in_ids=[...]``, ``field__in_texts=[...]`` and
``unique_or_none``.

``__in_ids`` is ``__in`` for a long list of ids, sent as one parameter; ``__in_texts`` the
same for texts (references named in a request), so that a prepared query (``core.prepared``)
can take the list as one value.

A page of 1,000 rows reads its links with ``risk_id IN (1,000 values)``: Django prepares each
value and the PostgreSQL driver parses a query with 1,000 placeholders, about 10 ms a query
before the database sees it. Here the ids travel as one text: an array literal on PostgreSQL
(``= ANY(%s::bigint[])``), JSON on SQLite (``IN (SELECT value FROM json_each(%s))``); the rows
are the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Lookup, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler

V = TypeVar("V")


class Listed(Generic[V]):
    """A list as one lookup value. Django walks a list given to a lookup item by item (to
    resolve expressions in it, and on a foreign key to check each item's model): 5 ms for the
    five queries of a page of 1,000 risks. This it passes on as it is."""

    __slots__ = ("values",)

    def __init__(self, values: list[V]) -> None:
        self.values = values


class Ids(Listed[int]):
    """Ids for ``__in_ids``."""

    __slots__ = ()


class Texts(Listed[str]):
    """Texts for ``__in_texts``."""

    __slots__ = ()


def encode_ids(connection: BaseDatabaseWrapper, ids: Iterable[int]) -> str:
    """Ids as the one text ``__in_ids`` sends: an array literal on PostgreSQL (the driver
    sends a string as it is, where it would convert a list of 1,000 numbers one by one in
    Python, 1.5 ms a query), JSON on SQLite."""
    if connection.vendor == "postgresql":
        return "{" + ",".join(map(str, ids)) + "}"
    return json.dumps(list(ids))


def encode_texts(connection: BaseDatabaseWrapper, texts: Iterable[str]) -> str:
    """Texts as the one text ``__in_texts`` sends: an array literal on PostgreSQL (each
    element quoted, its quotes and backslashes escaped), JSON on SQLite."""
    if connection.vendor == "postgresql":
        quoted = (text.replace("\\", "\\\\").replace('"', '\\"') for text in texts)
        return "{" + ",".join(f'"{text}"' for text in quoted) + "}"
    return json.dumps(list(texts))


class _InOneValue(Lookup):  # type: ignore[type-arg]
    """The rows whose value is one of a list sent as one parameter (``encode``): compared
    with an array on PostgreSQL, with the elements of a JSON array on SQLite."""

    holder: type[Listed[Any]] = Ids
    item: Callable[[Any], Any] = int
    encode: Callable[[BaseDatabaseWrapper, Any], str] = staticmethod(encode_ids)
    array_type = "bigint"

    def get_prep_lookup(self) -> list[Any]:
        values = self.rhs.values if isinstance(self.rhs, self.holder) else self.rhs
        return [self.item(value) for value in values]

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        lhs, params = self.process_lhs(compiler, connection)
        sent = [*params, self.encode(connection, self.rhs)]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::{self.array_type}[])", sent
        return f"{lhs} IN (SELECT value FROM json_each(%s))", sent  # noqa: S608 - a column


class InIds(_InOneValue):
    """The rows whose value is one of a list of integers (ids)."""

    lookup_name = "in_ids"


class InTexts(_InOneValue):
    """The rows whose value is one of a list of texts."""

    lookup_name = "in_texts"
    holder = Texts
    item = str
    encode = staticmethod(encode_texts)
    array_type = "text"


# On every field, and on foreign keys, whose lookups Django keeps apart.
models.Field.register_lookup(InIds)
models.ForeignObject.register_lookup(InIds)
models.Field.register_lookup(InTexts)


def among(field: str, chosen: Any) -> Q:
    """``field`` is one of ``chosen``: a list of ids (one parameter) or a query of them."""
    if isinstance(chosen, list):
        return Q(**{f"{field}__in_ids": Ids(chosen)})
    return Q(**{f"{field}__in": chosen})


T = TypeVar("T")


def unique_or_none(rows: QuerySet[Any, T]) -> T | None:
    """The one row of ``rows`` (filtered by a unique key), or None.

    ``first()`` sorts to choose: by the model's ordering, joins included (a member's role was
    read joined to the organisation and the user, to sort a single row), or by id. Here the
    query has no ORDER BY; that is less for Django to build on every request, too.
    """
    found = list(rows.order_by()[:1])
    return found[0] if found else None
