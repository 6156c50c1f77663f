"""Prepared queries: an ORM query built and compiled once per connection, then run with new
values.

Building a queryset and compiling it to SQL is most of what a small request costs: of an API
create's 8 ms, the database takes under 1 and Django's query machinery over half (the
``filter`` calls, the joins, the compiler). The queries on that path have the same shape every
time; only the values differ (this token's digest, this organisation's id). A ``Prepared``
query is written with the ORM as any other, built once with stand-in values, compiled once per
database connection, and from then on runs its SQL with the values put in place of the
stand-ins.

Only ``.values()`` querysets, and only parameters the ORM passes on as they are: integers,
texts and dates compared with ``=``, ``<`` and the like (not ``LIKE`` patterns), and lists of
ids or texts given to ``__in_ids`` or ``__in_texts`` (``core.lookups``). A lookup that
rewrites its value (``contains`` adds ``%``, ``None`` becomes ``IS NULL``) is refused when the
query is first compiled, with the parameter's name; tests run every prepared query, so such a
mistake never reaches a user. What the build evaluates besides its parameters (the time now,
the current time zone) is kept as it was at the first call: pass it as a parameter. The values
given are checked against their kinds, since the compiled SQL does not convert them as the ORM
would (a date-time given for a date).

A query whose rows are only written as JSON (an API page) may be prepared ``for_json``: on
SQLite the dates and date-times of its columns (not of its annotations) come as the text the
JSON writer would make of them, cut from the ISO 8601 text SQLite keeps, instead of being
parsed into objects (in Python, one value at a time) that the writer turns back into the same
text: six of the 15 ms it took to read 1,000 risks. PostgreSQL's driver reads them in C; there
they stay objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import CharField, DateField, DateTimeField, Expression, Model, QuerySet
from django.db.models.expressions import BaseExpression
from django.db.models.query import ValuesIterable
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler

from openisms.core.lookups import Ids, Listed, Texts, encode_ids, encode_texts

#: What a parameter may be: a number, a text, a date, or a list of ids or texts (declared as
#: ``Ids`` or ``Texts``).
Value = int | str | dt.date | list[int] | list[str]
Kind = type[int] | type[str] | type[dt.date] | type[Ids] | type[Texts]
Adapter = Callable[[Any], Any]
M = TypeVar("M", bound=Model)
#: Stand-ins: values no caller sends. The text holds ``%``, ``_``, a backslash and capitals, so
#: that a lookup that escapes them for ``LIKE`` (``iexact`` on SQLite, ``startswith``) or
#: changes the case changes it and is refused; the integers are well inside 64 bits.
_KEPT = "_openisms_prepared"
_STAND_IN_INT = 7_340_000_000_000_000
_STAND_IN_TEXT = "Zq%_\\Stand-In-{}"
_STAND_IN_DATE = dt.date(2999, 12, 31)


@dataclass(frozen=True)
class _Slot:
    """Where a parameter's value goes among the compiled ones, and how it is put there."""

    position: int
    name: str
    adapt: Adapter | None


@dataclass(frozen=True)
class _Compiled:
    """One query compiled for one connection."""

    sql: str
    params: tuple[Any, ...]
    slots: tuple[_Slot, ...]
    names: tuple[str, ...]
    compiler: SQLCompiler
    converters: dict[int, Any]


class Prepared:
    """A ``.values()`` query made by ``build(**stand_ins)``; ``params`` names its parameters
    and their kinds (``int``, ``str``, ``datetime.date``, or ``Ids`` / ``Texts`` for a list
    given to ``__in_ids`` / ``__in_texts``). With ``for_json`` (not a parameter's name), an
    unsorted query that is not a union may give its dates and date-times as the JSON text
    they are written as (see the module's docstring).

    >>> ROLE = Prepared(
    ...     lambda user, org: Membership.objects.filter(user=user, organization=org).values("role"),
    ...     user=int, org=int,
    ... )
    >>> ROLE.rows(user=user.pk, org=org.pk)
    [{'role': 'owner'}]
    """

    def __init__(
        self, build: Callable[..., QuerySet[Any, Any]], *, for_json: bool = False, **params: Kind
    ) -> None:
        self.build = build
        self.for_json = for_json
        self.params = params

    def rows(self, **values: Value) -> list[dict[str, Any]]:
        """The rows for these values, as ``.values()`` gives them."""
        if values.keys() != self.params.keys():
            raise TypeError(f"give exactly {sorted(self.params)}, not {sorted(values)}")
        connection = connections[DEFAULT_DB_ALIAS]
        # Kept on the connection, so that it goes when the connection goes (a thread's).
        kept: dict[Prepared, _Compiled] = connection.__dict__.setdefault(_KEPT, {})
        compiled = kept.get(self) or self._compile(connection)
        params = list(compiled.params)
        for slot in compiled.slots:
            value = _checked(self.params[slot.name], slot.name, values[slot.name])
            params[slot.position] = slot.adapt(value) if slot.adapt else value
        try:
            found: Any = _fetch(connection, compiled.sql, params)
        except NotSupportedError:
            if connection.in_atomic_block:
                raise  # the transaction's rollback clears the driver's statements
            # PostgreSQL refuses a prepared statement whose result type a schema change
            # (a migration) altered, and psycopg keeps it: start a new session.
            connection.close()
            found = _fetch(connection, compiled.sql, params)
        if compiled.converters:
            found = compiled.compiler.apply_converters(found, compiled.converters)
        names = compiled.names  # a row may hold more columns after them (the ordering's)
        return [dict(zip(names, row, strict=False)) for row in found]

    def first(self, **values: Value) -> dict[str, Any] | None:
        """The first row for these values, or None."""
        found = self.rows(**values)
        return found[0] if found else None

    def _compile(self, connection: BaseDatabaseWrapper) -> _Compiled:
        kinds = list(self.params.items())
        stand_ins = {name: _stand_in(kind, n) for n, (name, kind) in enumerate(kinds)}
        queryset = self.build(**stand_ins)
        if not issubclass(queryset._iterable_class, ValuesIterable):
            raise ImproperlyConfigured("a prepared query must be a .values() queryset")
        if self.for_json:
            _check_for_json(queryset)
            if _keeps_iso_text(connection):
                queryset.query.select = tuple(map(_as_json_text, queryset.query.select))
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        adapters = {name: _adapter(kind, connection) for name, kind in kinds}
        compiled = _Compiled(
            sql=sql,
            params=tuple(params),
            slots=_slots(params, stand_ins, adapters),
            names=_names(queryset.query),
            compiler=compiler,
            converters=compiler.get_converters(
                [s[0] for s in compiler.select[: compiler.col_count]]
            ),
        )
        connection.__dict__.setdefault(_KEPT, {})[self] = compiled
        return compiled


def statement_cursor(connection: BaseDatabaseWrapper) -> CursorWrapper:
    """A cursor for a statement whose text never changes: on PostgreSQL one whose parameters
    the server binds, so that the statement is prepared once it has run a few times
    (``core.db.postgresql``); elsewhere the usual cursor."""
    bound = getattr(connection, "server_bound_cursor", None)
    cursor: CursorWrapper = bound() if bound else connection.cursor()
    return cursor


def _fetch(connection: BaseDatabaseWrapper, sql: str, params: list[Any]) -> Any:
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _checked(kind: Kind, name: str, value: Any) -> Any:
    """``value`` if it is of ``kind`` (a date that is not a date-time; a list for ``Ids`` and
    ``Texts``): the ORM would convert another, the compiled SQL would not."""
    if kind is Ids or kind is Texts:
        ok = isinstance(value, list)
    elif kind is dt.date:
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    else:
        ok = type(value) is kind
    if not ok:
        raise TypeError(f"the prepared parameter {name!r} takes {kind.__name__}, not {value!r}")
    return value


def _check_for_json(queryset: QuerySet[Any, Any]) -> None:
    """Refuse a ``for_json`` query whose SQL the columns' text would not serve: one sorted in
    the database (an ``ORDER BY`` may name a column by its place, which would sort the text,
    where a date-time without a fraction comes after the same second with one) or a union
    (whose parts keep their columns, read then as naive date-times)."""
    if queryset.ordered or queryset.query.combinator:
        raise ImproperlyConfigured(
            "a for_json prepared query must be unsorted (.order_by()) and not a union: its "
            "dates are read as text; sort its rows in Python"
        )


def _keeps_iso_text(connection: BaseDatabaseWrapper) -> bool:
    """Whether the database keeps dates and date-times as ISO 8601 text in UTC: SQLite, as
    Django writes them there (``str(value)``, made naive in the connection's zone). Every
    write of the project goes through Django's adapters (the ORM, ``core.bulk``); an aware
    date-time written by raw SQL, or ``Now()`` (milliseconds), would be kept otherwise."""
    return settings.USE_TZ and connection.vendor == "sqlite" and connection.timezone_name == "UTC"


class JsonText(Expression):
    """A date or date-time column of SQLite as the JSON writer writes its value: the date as
    kept (``2026-11-29``), the date-time with ``T`` and ``Z`` (``2026-11-29T08:30:00.250000Z``;
    no fraction when it is zero, as Python and the writer alike leave it out). An expression,
    so that neither the driver (by the column's declared type) nor Django converts it."""

    def __init__(self, column: BaseExpression, *, moment: bool) -> None:
        super().__init__(output_field=CharField())
        self.column, self.moment = column, moment

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        sql, params = compiler.compile(self.column)
        if self.moment:
            return f"replace({sql}, ' ', 'T') || 'Z'", params
        return f"CAST({sql} AS TEXT)", params


def _as_json_text(column: BaseExpression) -> BaseExpression:
    """``column`` as ``JsonText`` if it holds dates or date-times, else as it is."""
    field = getattr(column, "output_field", None)
    if isinstance(field, DateTimeField):
        return JsonText(column, moment=True)
    if isinstance(field, DateField):
        return JsonText(column, moment=False)
    return column


def _names(query: Query) -> tuple[str, ...]:
    """The names of the selected columns in their order, as ``ValuesIterable`` reads them."""
    if query.selected:
        return tuple(query.selected)
    return (*query.extra_select, *query.values_select, *query.annotation_select)


def _stand_in(kind: Kind, n: int) -> Any:
    if kind is Ids:
        return Ids([_STAND_IN_INT + n])
    if kind is Texts:
        return Texts([_STAND_IN_TEXT.format(n)])
    if kind is dt.date:
        return _STAND_IN_DATE - dt.timedelta(days=n)
    if kind is int:
        return _STAND_IN_INT + n
    if kind is str:
        return _STAND_IN_TEXT.format(n)
    raise ImproperlyConfigured(f"a prepared parameter is int, str, date, Ids or Texts: {kind}")


def _adapter(kind: Kind, connection: BaseDatabaseWrapper) -> Adapter | None:
    """How a value of ``kind`` is sent, as the ORM would send it (None: as it is)."""
    if kind is Ids:
        return lambda ids: encode_ids(connection, ids)
    if kind is Texts:
        return lambda texts: encode_texts(connection, texts)
    if kind is dt.date:
        adapt: Adapter = connection.ops.adapt_datefield_value
        return adapt
    return None


def _slots(
    params: Any, stand_ins: dict[str, Any], adapters: dict[str, Adapter | None]
) -> tuple[_Slot, ...]:
    """Where each stand-in sits among the compiled parameters; refuse one the ORM rewrote."""
    sent = {
        name: adapt(value.values if isinstance(value, Listed) else value) if adapt else value
        for name, value in stand_ins.items()
        for adapt in [adapters[name]]
    }
    slots = tuple(
        _Slot(position, name, adapters[name])
        for position, param in enumerate(params)
        for name, value in sent.items()
        if type(param) is type(value) and param == value
    )
    for name in stand_ins.keys() - {slot.name for slot in slots}:
        raise ImproperlyConfigured(
            f"the prepared parameter {name!r} was rewritten by its lookup (a pattern, a list, "
            "a cast); compare it as it is or do not prepare this query"
        )
    return slots


def columns(model: type[Model], prefix: str = "") -> list[str]:
    """The ``.values()`` names of the columns of ``model`` (reached through ``prefix``,
    ``"user__"`` say), for ``instance``."""
    return [prefix + name for name in _attnames(model, ())]


def instance(model: type[M], row: dict[str, Any], prefix: str = "", only: Sequence[str] = ()) -> M:
    """The ``model`` instance whose columns ``row`` holds (read with ``columns``), as the ORM
    would have made it (with ``only``: the others deferred, as ``.only()`` makes it)."""
    names = _attnames(model, only)
    return model.from_db(DEFAULT_DB_ALIAS, names, [row[prefix + name] for name in names])


def _attnames(model: type[Model], only: Sequence[str]) -> list[str]:
    """The model's columns (those of ``only`` alone, if given) in the model's own order,
    which is the order ``Model.from_db`` takes a deferred instance's values in."""
    names = [field.attname for field in model._meta.concrete_fields]
    unknown = set(only) - set(names)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    return [name for name in names if name in only] if only else names


def of_organization(org: Model, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``rows`` (read by id, with their ``organization_id``) of ``org`` alone, without
    that column.

    For a query by primary key, checking the organisation here rather than in SQL: given
    both, SQLite (which has no statistics unless asked) reads the organisation's index, every
    row of it, instead of fetching the few ids (0.2 ms at 3,000 risks, growing with them).
    """
    kept = [row for row in rows if row["organization_id"] == org.pk]
    for row in kept:
        del row["organization_id"]
    return kept
