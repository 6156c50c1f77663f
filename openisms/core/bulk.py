"""Inserting and updating thousands of rows with one prepared statement each (``executemany``),
and one row at a time without the ORM's per-call cost (``insert_one``).

Used by the asset import and by ``audit.record_many`` (an event per imported asset). Why not
``bulk_create`` / ``bulk_update``: for 10,000 assets Django spends seconds preparing each value
of each model instance, and ``bulk_update`` builds a ``CASE WHEN id = ...`` per field that grows
with the rows; the import's budget is five seconds in all. The statements here are
parameterised and take their table and column names and types from the models' metadata, so
they stay correct for SQLite and PostgreSQL alike. Only plain columns are supported: text, numbers,
foreign keys by id, dates and date-times, and JSON given as its text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models

from openisms.core.prepared import statement_cursor

Convert = Callable[[Any], Any]
MAX_BATCH = 5000


def _converter(field: models.Field[Any, Any]) -> Convert | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    return None


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field[Any, Any]]:
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def values_of(
    model: type[models.Model], names: Sequence[str], objects: Iterable[models.Model]
) -> list[list[Any]]:
    """The database values of ``names`` (fields; foreign keys by id) for each object."""
    fields = _columns(model, names)
    plan = [(f.attname, _converter(f)) for f in fields]
    rows = []
    for obj in objects:
        values = [getattr(obj, attname) for attname, _ in plan]
        for i, (_, convert) in enumerate(plan):
            if convert is not None and values[i] is not None:
                values[i] = convert(values[i])
        rows.append(values)
    return rows


def _batches(rows: Sequence[Sequence[Any]]) -> Iterable[list[list[Any]]]:
    """Rows in batches, each turned into one list per column (for ``UNNEST``)."""
    for start in range(0, len(rows), MAX_BATCH):
        yield [list(column) for column in zip(*rows[start : start + MAX_BATCH], strict=True)]


def _arrays(fields: Sequence[models.Field[Any, Any]]) -> str:
    return ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in fields)  # type: ignore[attr-defined]


def _pk(model: type[models.Model]) -> models.Field[Any, Any]:
    return model._meta.pk


def insert_many(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``INSERT`` every row (database values in the order of ``names``).

    PostgreSQL gets the rows through ``COPY ... FROM STDIN`` (psycopg writes them in C; an
    ``INSERT ... SELECT * FROM UNNEST(...)`` of one array per column, as Django's own
    ``bulk_create`` does there, spent seconds in psycopg's Python code quoting 10,000 JSON
    texts for an array); SQLite, in process, runs one prepared statement per row.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = _columns(model, names)
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
            return
        # Past Django's cursor wrapper: its errors are turned into Django's here (a unique
        # key taken by another writer is an IntegrityError, as for any other query).
        statement = f"COPY {table} ({columns}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


#: Fields whose stored value is the attribute itself when it has the type given here (or is
#: None): ``pre_save`` reads the attribute and ``get_db_prep_save`` gives back a str, int or
#: bool unchanged. Only these exact classes (a subclass may convert), and no ``auto_now``.
_PLAIN: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.BooleanField: bool,
    models.ForeignKey: int,
}

#: A column of ``insert_one``: its field, its attribute and the type stored as it is (or None).
_Column = tuple[models.Field[Any, Any], str, type | None]

#: The ``INSERT ... RETURNING`` of each model, by database vendor: its SQL and its columns.
_INSERT_ONE: dict[tuple[str, type[models.Model]], tuple[str, list[_Column]]] = {}


def _value(obj: models.Model, column: _Column) -> Any:
    field, attname, plain = column
    if plain is not None:
        value = getattr(obj, attname)
        if value is None or type(value) is plain:
            return value
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def insert_one(obj: models.Model) -> None:
    """Insert the new ``obj`` as ``obj.save(force_insert=True)`` would, and set its key.

    The same values (defaults, ``auto_now``, JSON as the field sends it) in one statement
    built once per model: ``save()`` builds and compiles its ``INSERT`` on every call, a
    fifth of an API create. No ``pre_save`` / ``post_save`` signals are sent; nothing here
    listens to them (a test keeps it so). For models whose key the database gives, without
    ``db_default`` or generated fields (none here has them).
    """
    if obj.pk is not None:
        raise ValueError(f"insert_one makes new rows; {obj!r} has a key already")
    # As save() does: refuse an unsaved related object, take the key of one saved since.
    obj._prepare_related_fields_for_save(operation_name="insert_one")  # type: ignore[attr-defined]
    model = type(obj)
    sql, columns = _INSERT_ONE.get((connection.vendor, model)) or _insert_sql(model)
    params = [_value(obj, column) for column in columns]
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, params)
        obj.pk = cursor.fetchone()[0]
    obj._state.adding, obj._state.db = False, connection.alias


def _insert_sql(model: type[models.Model]) -> tuple[str, list[_Column]]:
    meta, quote = model._meta, connection.ops.quote_name
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    columns, marks = ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks}) "  # noqa: S608
        f"RETURNING {quote(meta.pk.column)}"
    )
    plan = [(f, f.attname, _PLAIN.get(type(f))) for f in fields]
    _INSERT_ONE[(connection.vendor, model)] = (sql, plan)
    return sql, plan


def update_many(
    model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``UPDATE`` by primary key: each row holds the values of ``names``, then the key.

    PostgreSQL gets one ``UPDATE ... FROM UNNEST(...)`` per batch; SQLite one prepared
    statement per row.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = [*_columns(model, names), _pk(model)]
    table, key = quote(model._meta.db_table), quote(fields[-1].column)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{quote(f.column)} = %s" for f in fields[:-1])
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", rows)  # noqa: S608
            return
        aliases = ", ".join(quote(f.column) for f in fields)
        sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields[:-1])
        for batch in _batches(rows):
            sql = (
                f"UPDATE {table} AS t SET {sets} FROM UNNEST({_arrays(fields)}) "  # noqa: S608
                f"AS v ({aliases}) WHERE t.{key} = v.{key}"
            )
            cursor.execute(sql, batch)
