"""Import of risks from CSV or XLSX, all or nothing, through the same rules as every write.

The file has the register export's columns (``exports.common.REGISTER_HEADERS``; others are
ignored, so an exported file imports back). A row with a ``Ref`` changes that risk; a row
without one adds a risk. Likelihood and impact are (re)assessed with the current methodology
when they differ. Every row is checked, each problem named by row and column, and nothing is
written unless every row passes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from openisms.core import audit, authz, csvtext
from openisms.core.actors import Actor
from openisms.core.cleaning import unwritable
from openisms.core.errors import DomainError, ValidationError
from openisms.core.models import Organization
from openisms.core.xlsx import read_value
from openisms.risks.models import Risk
from openisms.risks.rules import AssessmentInput, Lookups, RiskInput, normalise_ref
from openisms.risks.services.risks import create_risk, risk_assess, update_risk

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
#: header (lower case) -> RiskInput field
RISK_COLUMNS = {
    "title": "title",
    "description": "description",
    "owner": "owner",
    "assets": "assets",
    "threats": "threats",
    "vulnerabilities": "vulnerabilities",
    "confidentiality": "affects_confidentiality",
    "integrity": "affects_integrity",
    "availability": "affects_availability",
    "existing controls": "existing_controls",
    "treatment": "treatment",
    "annex a controls": "controls",
    "status": "status",
    "next review": "next_review",
}
ASSESSMENT_COLUMNS = {
    "inherent likelihood": "inherent_likelihood",
    "inherent impact": "inherent_impact",
    "residual likelihood": "residual_likelihood",
    "residual impact": "residual_impact",
}


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do)."""

    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    dry_run: bool = False

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value).strip()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError.field("file", "The CSV file is not UTF-8 text.") from None
    for cells in csv.reader(io.StringIO(text)):
        yield [csvtext.read(cell.strip()) for cell in cells]


def _xlsx_rows(content: bytes) -> Iterator[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise ValidationError.field("file", "The file is not a readable XLSX workbook.") from None
    sheet = book["Register"] if "Register" in book.sheetnames else book.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield [read_value(v) for v in row]


def read_rows(filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """The data rows as ``(line number, {header: value})``, below the header row (the first
    row with a ``Title`` column), skipping empty rows."""
    if len(content) > MAX_BYTES:
        raise ValidationError.field("file", f"The file is larger than {MAX_BYTES // 2**20} MB.")
    lines = _xlsx_rows(content) if filename.lower().endswith(".xlsx") else _csv_rows(content)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(lines, start=1):
        values = [_text(c) for c in cells]
        if header is None:
            if "title" in [v.lower() for v in values]:
                header = [v.lower() for v in values]
            continue
        if any(values):
            rows.append((number, dict(zip(header, values, strict=False))))
    if header is None:
        raise ValidationError.field("file", "No header row with a Title column was found.")
    if len(rows) > MAX_ROWS:
        raise ValidationError.field("file", f"Import at most {MAX_ROWS:,} rows at a time.")
    unkept = {
        f"row {number}, {name}": [problem]
        for number, row in rows
        for name, value in row.items()
        if (problem := unwritable(value))
    }
    if unkept:
        raise ValidationError(errors=unkept)
    return rows


def _risk_input(row: dict[str, str], existing: Risk | None) -> RiskInput:
    values: dict[str, Any] = {
        name: row[column] for column, name in RISK_COLUMNS.items() if column in row
    }
    status = values.get("status", "")
    if existing is not None and status.lower() in {
        existing.status,
        existing.get_status_display().lower(),
    }:
        values.pop("status")
    elif not status:
        values.pop("status", None)
    return RiskInput(**values)


def _assessment(row: dict[str, str], existing: Risk | None) -> AssessmentInput | None:
    given = {name: row.get(column, "") for column, name in ASSESSMENT_COLUMNS.items()}
    if not given["inherent_likelihood"] and not given["inherent_impact"]:
        return None
    if existing is not None:
        stored = {name: getattr(existing, name) for name in given}
        if all(str(stored[n] or "") == given[n] for n in given):
            return None
    return AssessmentInput(**given, note="Imported from a file.")


def _apply(
    actor: Actor,
    org: Organization,
    row: dict[str, str],
    lookups: Lookups,
    existing: dict[str, Risk],
    result: ImportResult,
) -> None:
    ref = normalise_ref(row.get("ref", ""), "R")
    risk = existing.get(ref) if ref else None
    if ref and risk is None:
        raise ValidationError.field("ref", f"No risk {ref}; leave Ref empty to add a new risk.")
    data, assessment = _risk_input(row, risk), _assessment(row, risk)
    if risk is None:
        made = create_risk(actor=actor, org=org, data=data, lookups=lookups, assessment=assessment)
        result.created.append(made.risk.ref)
        return
    before = risk.version
    update_risk(actor=actor, risk=risk, data=data, lookups=lookups, version=None)
    if assessment is not None:
        risk_assess(actor=actor, risk=risk, data=assessment)
    if risk.version == before:
        result.unchanged += 1
    else:
        result.updated.append(risk.ref)


def _problems(number: int, error: DomainError) -> dict[str, list[str]]:
    if isinstance(error, ValidationError) and error.errors:
        return {f"row {number}, {name}": list(msgs) for name, msgs in error.errors.items()}
    return {f"row {number}": [error.message]}


def import_file(
    *, actor: Actor, org: Organization, filename: str, content: bytes, dry_run: bool = False
) -> ImportResult:
    """Import risks from a CSV or XLSX file; all or nothing, every problem by row and column."""
    authz.require(actor, "risks.change", org)
    rows = read_rows(filename, content)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    refs = [normalise_ref(r.get("ref", ""), "R") for _, r in rows if r.get("ref")]
    with transaction.atomic():
        audit.hold_chain(org)  # before any row is read or locked (``authz.require`` ran outside)
        existing = {
            r.ref: r
            for r in Risk.objects.filter(organization=org, ref__in=refs).select_related(
                "organization", "owner", "methodology"
            )
        }
        lookups = Lookups.load(
            org, [_risk_input(r, existing.get(r.get("ref", ""))) for _, r in rows]
        )
        errors: dict[str, list[str]] = {}
        for number, row in rows:
            try:
                with transaction.atomic():
                    _apply(actor, org, row, lookups, existing, result)
            except DomainError as error:
                errors.update(_problems(number, error))
        if errors:
            count = len({key.split(",")[0] for key in errors})
            rows_have = "1 row has" if count == 1 else f"{count} rows have"
            raise ValidationError(f"{rows_have} problems; nothing was imported.", errors)
        if dry_run:
            transaction.set_rollback(True)
    return result
