"""SoA exports: XLSX, DOCX, PDF, CSV and JSON, of the approved version or the working copy.

Every export carries the organisation, what it is, its version or "working copy", the date and
who produced it. ``build`` picks the rows; one module per format renders them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from openisms.context.selectors import scope_current
from openisms.controls import selectors
from openisms.controls.choices import THEME_LABELS, Applicability, ImplementationStatus
from openisms.core import audit, authz, csvtext
from openisms.core.actors import Actor, actor_label
from openisms.core.errors import ValidationError
from openisms.core.models import Organization
from openisms.core.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE

FORMATS = ("xlsx", "docx", "pdf", "csv", "json")
COLUMNS = (
    ("ref", "Control id"),
    ("title", "Title"),
    ("theme", "Theme"),
    ("applicable", "Applicable"),
    ("reasons", "Inclusion reasons"),
    ("exclusion_justification", "Exclusion justification"),
    ("status", "Implementation status"),
    ("implementation", "Implementation summary"),
    ("owner", "Owner"),
    ("documents", "Linked documents"),
    ("evidence", "Evidence"),
    ("last_review", "Last review"),
)
_STATUS = dict(ImplementationStatus.choices)
_APPLICABLE = dict(Applicability.choices)


@dataclass(frozen=True)
class Meta:
    """What the export is: organisation, scope, version and approval, producer, date."""

    organization: str
    scope: str
    version: str
    status: str
    approval: str
    produced_by: str
    produced_at: str
    table_html: str = ""  # the page's table: frozen with the version, or rendered now


@dataclass(frozen=True)
class Document:
    """A rendered export."""

    content: bytes
    content_type: str
    filename: str


def reasons_text(row: dict[str, Any]) -> str:
    """The inclusion reasons of a frozen row as one line."""
    reasons = row["reasons"]
    parts = [f"risk treatment: {ref}" for ref in reasons["risks"]]
    parts += [f"obligation: {ref}" for ref in reasons["obligations"]]
    if reasons.get("business"):
        parts.append(f"business requirement: {reasons['business']}")
    return "; ".join(parts)


def cell(row: dict[str, Any], key: str) -> str:
    """One column's text for a frozen row."""
    value = row.get(key)
    if key == "reasons":
        return reasons_text(row)
    if key == "theme":
        return THEME_LABELS.get(str(value), str(value))
    if key == "applicable":
        return _APPLICABLE.get(str(value), str(value))
    if key == "status":
        return _STATUS.get(str(value), str(value))
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def soa_source(
    *, actor: Actor, org: Organization, working: bool = False, number: int | None = None
) -> tuple[list[dict[str, Any]], Meta]:
    """The rows and description of what to export: a version, the approved one, or the
    working copy (asked for, or when nothing is approved yet)."""
    authz.require(actor, "controls.view", org)
    version = None
    if number is not None:
        version = selectors.soa_version_get(actor=actor, org=org, number=number)
    elif not working:
        version = selectors.soa_version_latest_approved(org)
    scope = scope_current(org)
    now = timezone.now()
    common = {
        "organization": org.name,
        "scope": (scope.summary or scope.text[:300]) if scope else "No approved scope yet",
        "produced_by": actor_label(actor),
        "produced_at": now.strftime("%Y-%m-%d %H:%M UTC"),
    }
    if version is None:
        current = selectors.soa_rows_unchecked(org)
        table = render_to_string(
            "controls/_soa_table.html",
            {"groups": selectors.soa_groups(current), "frozen": True, "current_org": org},
        )
        label = "working copy" if working else "working copy (no approved version yet)"
        rows = [r.as_dict() for r in current]
        meta = Meta(version=label, status="not approved", approval="", table_html=table, **common)
        return rows, meta
    approval = ""
    if version.decided_at:
        approval = f"{version.decided_by_label}, {version.decided_at:%Y-%m-%d}"
    return version.rows, Meta(
        version=f"version {version.number}",
        status=version.get_status_display(),
        approval=approval,
        table_html=version.html,
        **common,
    )


def to_csv(rows: list[dict[str, Any]], meta: Meta) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    writer.writerows([csvtext.cell(cell(row, key)) for key, _ in COLUMNS] for row in rows)
    return out.getvalue().encode("utf-8")


def to_json(rows: list[dict[str, Any]], meta: Meta) -> bytes:
    about = {k: v for k, v in meta.__dict__.items() if k != "table_html"}
    body = {"statement_of_applicability": about, "rows": rows}
    return json.dumps(body, indent=2, ensure_ascii=False).encode("utf-8")


def build(
    *,
    actor: Actor,
    org: Organization,
    fmt: str,
    working: bool = False,
    number: int | None = None,
) -> Document:
    """Render the SoA in ``fmt``; audited, since an export leaves the system."""
    if fmt not in FORMATS:
        raise ValidationError.field("format", f"Choose one of {', '.join(FORMATS)}.")
    rows, meta = soa_source(actor=actor, org=org, working=working, number=number)
    from openisms.controls.exports import office, pdf

    renderers = {
        "csv": (to_csv, "text/csv; charset=utf-8"),
        "json": (to_json, "application/json"),
        "xlsx": (office.to_xlsx, XLSX_CONTENT_TYPE),
        "docx": (office.to_docx, office.DOCX),
        "pdf": (pdf.to_pdf, "application/pdf"),
    }
    render, content_type = renderers[fmt]
    content = render(rows, meta)
    audit.record(
        actor=actor,
        verb="soa.exported",
        target=("controls.soa", "soa", "Statement of Applicability"),
        org=org,
        data={"format": fmt, "version": meta.version},
    )
    stamp = meta.version.split(" (")[0].replace(" ", "-")
    return Document(content, content_type, f"soa-{org.slug}-{stamp}.{fmt}")
