"""CSV and XLSX exports of the inventory, and the import templates; files read back by import.

The columns are those of ``imports.columns``. Cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``) are written as text: in XLSX as string cells (as
``core.xlsx`` writes all text), in CSV with a leading apostrophe, which the import removes again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from openisms.assets import selectors
from openisms.assets.choices import AssetKind, Criticality, LifecycleStatus
from openisms.assets.filters import AssetFilters
from openisms.assets.imports.columns import COLUMNS, IMPORTABLE
from openisms.core import csvtext
from openisms.core.actors import Actor, actor_label
from openisms.core.errors import ValidationError
from openisms.core.models import Organization
from openisms.core.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from openisms.core.xlsx import Sheet, workbook

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_CONTENT_TYPE,
}
_KINDS = dict(AssetKind.choices)
_CRITICALITY = dict(Criticality.choices)
_STATUSES = dict(LifecycleStatus.choices)


@dataclass(frozen=True)
class ExportInfo:
    """What every export says about itself: whose, what, when, by whom."""

    organization: str
    what: str
    produced_by: str
    produced_at: dt.datetime
    filters: str = ""

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("Organisation", self.organization),
            ("Contents", self.what),
            ("Version", "Working copy"),
            ("Produced", self.produced_at.strftime("%Y-%m-%d %H:%M %Z").strip()),
            ("Produced by", self.produced_by),
            ("Filters", self.filters or "none"),
        ]


def asset_row(values: tuple[Any, ...], tags: list[str], depends_on: list[str]) -> list[Any]:
    """One asset (a row of ``selectors.asset_rows``) as the cells of a row."""
    (_, ref, external_id, name, kind, description, owner, custodian, location, label,
     c, i, a, criticality, status, next_review) = values  # fmt: skip
    return [
        ref, external_id, name, _KINDS.get(kind, kind), description, owner, custodian or "",
        location, label, c, i, a, _CRITICALITY[criticality], _STATUSES.get(status, status),
        "; ".join(tags), "; ".join(depends_on), next_review,
    ]  # fmt: skip


def rows_of(found: selectors.AssetRows) -> Iterator[list[Any]]:
    """The rows of an export."""
    for values in found.rows:
        pk = values[0]
        yield asset_row(values, found.tags.get(pk, []), found.depends_on.get(pk, []))


def headers(importable_only: bool = False) -> list[str]:
    """The header row."""
    return [c.header for c in COLUMNS if c.importable or not importable_only]


def write_csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheets open it in the right encoding."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([csvtext.cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def write_xlsx(
    rows: Iterable[Sequence[Any]], header: Sequence[str], extra: dict[str, list[Sequence[Any]]]
) -> bytes:
    """The rows on the first sheet, then one sheet per ``extra`` item (its first line the
    header)."""
    return workbook(
        [
            Sheet("Assets", rows, header=header, freeze=True),
            *(Sheet(title, lines[1:], header=lines[0]) for title, lines in extra.items()),
        ]
    )


def export_assets(rows: Iterable[Sequence[Any]], file_format: str, info: ExportInfo) -> bytes:
    """The rows as CSV or XLSX; the XLSX also has an "About" sheet (CSV stays one table)."""
    if file_format == "csv":
        return write_csv(rows, headers())
    about: list[Sequence[Any]] = [("Field", "Value"), *info.lines()]
    return write_xlsx(rows, headers(), {"About": about})


def template(file_format: str) -> bytes:
    """An empty import file: the headers, one example row, and (XLSX) what each column takes."""
    example = [[c.example for c in COLUMNS if c.importable]]
    if file_format == "csv":
        return write_csv(example, headers(importable_only=True))
    guide: list[Sequence[Any]] = [("Column", "What it takes")]
    guide += [(c.header, c.help) for c in COLUMNS if c.field in IMPORTABLE]
    return write_xlsx(example, headers(importable_only=True), {"Columns": guide})


def filename(org_slug: str, what: str, file_format: str, today: dt.date) -> str:
    """``acme-assets-2026-03-01.xlsx``."""
    return f"{org_slug}-{what}-{today.isoformat()}.{file_format}"


def check_format(file_format: str) -> str:
    """``csv`` or ``xlsx``, or a ValidationError naming ``format``."""
    if file_format not in FORMATS:
        raise ValidationError.field("format", "Use csv or xlsx.")
    return file_format


def export_inventory(
    *, actor: Actor, org: Organization, filters: AssetFilters, file_format: str
) -> tuple[bytes, str]:
    """Exactly the filtered assets (every page) as a file, and the file's name."""
    check_format(file_format)
    found = selectors.asset_rows(actor=actor, org=org, filters=filters)
    now = timezone.localtime()
    info = ExportInfo(org.name, "Asset inventory", actor_label(actor), now, filters.describe())
    content = export_assets(rows_of(found), file_format, info)
    return content, filename(org.slug, "assets", file_format, now.date())
