"""Human references per organisation (``A-0001``, ``R-0001``) and optimistic locking.

References are handed out from a counter row per organisation and kind, locked for the
transaction, so two people creating at once never get the same number, and a number is never
reused after a deletion.
"""

from __future__ import annotations

from typing import Protocol

from django.db import connection, transaction

from openisms.core.errors import Conflict
from openisms.core.models import Organization, RefCounter
from openisms.core.prepared import statement_cursor


def allocate(org: Organization, prefix: str, count: int = 1, width: int = 4) -> list[str]:
    """``count`` new references ``<prefix>-0001`` ... for ``org``; call inside a transaction."""
    if count < 1:
        return []
    # No savepoint of its own: inside the caller's transaction a failure undoes it all anyway.
    with transaction.atomic(savepoint=False):
        last = _advance(org, prefix, count)
        if last is None:  # the first reference of this kind here
            RefCounter.objects.get_or_create(organization=org, key=prefix)
            last = _advance(org, prefix, count)
    first = int(last or 0) - count + 1
    return [f"{prefix}-{number:0{width}d}" for number in range(first, first + count)]


def _advance(org: Organization, prefix: str, count: int) -> int | None:
    """Add ``count`` to the counter and return its new value (None: it has no row yet).

    One ``UPDATE ... RETURNING`` (PostgreSQL; SQLite since 3.35): the row stays locked to the
    end of the transaction, as a ``SELECT ... FOR UPDATE`` would keep it, in one statement
    where the ORM needs two and builds both on every create.
    """
    quote = connection.ops.quote_name
    value, org_id, key = (quote(name) for name in ("value", "organization_id", "key"))
    sql = (
        f"UPDATE {quote(RefCounter._meta.db_table)} SET {value} = {value} + %s "  # noqa: S608 - names only
        f"WHERE {org_id} = %s AND {key} = %s RETURNING {value}"
    )
    with statement_cursor(connection) as cursor:
        cursor.execute(sql, [count, org.pk, prefix])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def next_ref(org: Organization, prefix: str, width: int = 4) -> str:
    """One new reference for ``org``."""
    return allocate(org, prefix, 1, width)[0]


def seen(org: Organization, prefix: str, ref: str) -> None:
    """Move the counter past ``ref`` when one was given explicitly (an import, say)."""
    _, _, digits = ref.rpartition("-")
    if not digits.isdigit():
        return
    counter, _ = RefCounter.objects.select_for_update().get_or_create(organization=org, key=prefix)
    if counter.value < int(digits):
        RefCounter.objects.filter(pk=counter.pk).update(value=int(digits))


class Versioned(Protocol):
    version: int


def check_version(obj: Versioned, expected: int | None, what: str = "This record") -> None:
    """Refuse a save made from a stale read; then count the new version.

    ``expected`` is the ``version`` the editor loaded (None: the caller did not send one, as a
    script that does not care may). Raises Conflict (HTTP 409) with a sentence a user can act on.
    """
    if expected is not None and expected != obj.version:
        raise Conflict(
            f"{what} was changed by someone else since you opened it (version {expected}, now "
            f"{obj.version}). Reload it and apply your change again."
        )
    obj.version += 1
