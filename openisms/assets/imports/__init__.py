"""Import of assets from CSV and XLSX: one path for the pages, the API and the console.

``import_file`` checks every row and, unless it is a dry run, writes the whole file in one
transaction; any error refuses the file whole, listing every error by row and field.
``preview`` checks without writing and shows what an import would do. The page's steps keep
the uploaded file in an ``ImportJob`` (see ``jobs``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction

from openisms.assets.imports import columns
from openisms.assets.imports.reading import Table, read_table
from openisms.assets.imports.validation import Plan, Progress, RowError, check_rows
from openisms.assets.imports.writing import write_plan
from openisms.core import audit, authz
from openisms.core.actors import Actor
from openisms.core.errors import ValidationError
from openisms.core.models import Organization

PREVIEW_ROWS = 10


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    rows: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False
    to_create: int = 0

    def summary(self) -> dict[str, int | bool]:
        """Counts for the page message, the API answer and the console."""
        created = self.to_create if self.dry_run else len(self.created)
        return {
            "rows": self.rows,
            "created": created,
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


@dataclass(frozen=True)
class Preview:
    """The file as read, the mapping, the first rows, and every error."""

    headers: list[str]
    mapping: list[str]
    sample: list[tuple[int, list[str]]]
    rows: int
    errors: list[RowError]
    mapping_errors: list[str]
    creates: int = 0
    updates: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.mapping_errors


def raise_errors(errors: Sequence[RowError]) -> None:
    """Refuse the file, naming every error as ``row 7: owner``."""
    if errors:
        listed: dict[str, list[str]] = {}
        for error in errors:
            listed.setdefault(error.key, []).append(error.message)
        count = len(errors)
        raise ValidationError(
            f"The file has {count} error{'s' if count != 1 else ''}; nothing was imported.", listed
        )


def _mapping_for(table: Table, mapping: Sequence[str] | None) -> list[str]:
    chosen = list(mapping) if mapping is not None else columns.detect(table.headers)
    problems = columns.check(chosen, table.headers)
    if problems:
        raise ValidationError("The column mapping cannot be used.", {"mapping": problems})
    return chosen


def check_table(
    org: Organization,
    table: Table,
    mapping: Sequence[str],
    *,
    lock: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Check every row; raise listing every error."""
    plan = check_rows(org, table, mapping, lock=lock, progress=progress)
    raise_errors(plan.errors)
    return plan


@transaction.atomic
def import_table(
    *,
    actor: Actor,
    org: Organization,
    table: Table,
    source: tuple[str, str],
    mapping: Sequence[str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Check and write a table read from the file ``source`` (its name and SHA-256)."""
    authz.require(actor, "assets.change", org)
    chosen = _mapping_for(table, mapping)
    plan = check_table(org, table, chosen, lock=not dry_run, progress=progress)
    if dry_run:
        return ImportResult(
            len(table.rows),
            updated=_updated_refs(plan),
            dry_run=True,
            unchanged=plan.count("unchanged"),
            to_create=plan.count("create"),
        )
    total = len(table.rows)
    written = write_plan(org, plan, lambda phase: progress and progress(phase, total, total))
    filename, sha256 = source
    summary = {
        "file": filename,
        "sha256": sha256,
        "rows": total,
        "created": written.created,
        "updated": sorted(written.updated),
        "unchanged": written.unchanged,
    }
    the_import = ("asset.imported", ("assets.import", sha256[:16], filename), summary)
    audit.record_many(actor=actor, org=org, entries=[the_import, *written.events])
    return ImportResult(total, written.created, sorted(written.updated), written.unchanged)


def _updated_refs(plan: Plan) -> list[str]:
    return [row.asset.ref for row in plan.rows if row.action == "update"]


def import_file(
    *,
    actor: Actor,
    org: Organization,
    filename: str,
    content: bytes,
    mapping: Sequence[str] | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file whole, or refuse it whole (ValidationError with every error).

    ``mapping`` gives the field of each column ("" to skip one); by default it is detected
    from the headers. A dry run checks everything and writes nothing.
    """
    authz.require(actor, "assets.change", org)
    if progress:
        progress("reading", 0, 1)
    table = read_table(filename, content)
    sha256 = hashlib.sha256(content).hexdigest()
    return import_table(
        actor=actor,
        org=org,
        table=table,
        source=(filename, sha256),
        mapping=mapping,
        dry_run=dry_run,
        progress=progress,
    )


def preview(org: Organization, table: Table, mapping: Sequence[str]) -> Preview:
    """Check ``table`` with ``mapping`` and describe the outcome; writes nothing."""
    problems = columns.check(mapping, table.headers)
    sample = table.rows[:PREVIEW_ROWS]
    if problems:
        return Preview(table.headers, list(mapping), sample, len(table.rows), [], problems)
    plan = check_rows(org, table, mapping)
    return Preview(
        table.headers,
        list(mapping),
        sample,
        len(table.rows),
        plan.errors,
        [],
        plan.count("create"),
        plan.count("update"),
        plan.count("unchanged"),
    )
