"""Exports of the risk register: XLSX and CSV (the register), PDF (the risk assessment report)
and DOCX (the risk treatment plan). ``export_risks`` is the one entry point for pages, API and
CLI."""

from __future__ import annotations

from dataclasses import replace

from django.utils import timezone

from openisms.core.actors import Actor
from openisms.core.errors import ValidationError
from openisms.core.models import Organization
from openisms.core.xlsx import CONTENT_TYPE as XLSX_CONTENT_TYPE
from openisms.risks import heatmap, selectors
from openisms.risks.exports import documents, spreadsheet
from openisms.risks.exports.common import (
    export_info,
    plan_rows,
    plan_values,
    register_queryset,
    register_rows,
    report_rows,
)
from openisms.risks.filters import OPEN, RiskFilters
from openisms.risks.models import Methodology

FORMATS = ("xlsx", "csv", "pdf", "docx")
CONTENT_TYPES = {
    "xlsx": XLSX_CONTENT_TYPE,
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
WHAT = {
    "xlsx": "Risk register",
    "csv": "Risk register",
    "pdf": "Risk assessment report",
    "docx": "Risk treatment plan",
}
NAMES = {
    "xlsx": "risk-register",
    "csv": "risk-register",
    "pdf": "risk-assessment",
    "docx": "risk-treatment-plan",
}


#: The PDF report puts about ten risks on a page (1,000 risks in under a second, 10,000 in
#: about 3 s and 180 MB): a larger selection, past a thousand pages, is refused with a hint;
#: the XLSX register has no such limit.
PDF_MAX_RISKS = 10_000


def _check_report_size(count: int) -> None:
    if count > PDF_MAX_RISKS:
        raise ValidationError.field(
            "format",
            f"The PDF report lists at most {PDF_MAX_RISKS:,} risks and this selection has "
            f"{count:,}: narrow it with the register's filters (level, status, owner, asset) "
            "or export the register as XLSX, which holds every risk.",
        )


def check_format(file_format: str) -> str:
    """One of ``FORMATS``, or a ValidationError naming ``format``."""
    if file_format not in FORMATS:
        raise ValidationError.field("format", f"Use one of: {', '.join(FORMATS)}.")
    return file_format


def _heat_counts(
    actor: Actor, org: Organization, methodology: Methodology | None, filters: RiskFilters
) -> heatmap.Counts | None:
    if methodology is None:
        return None
    base = replace(filters, methodology=methodology.version, status=filters.status or OPEN)
    risks = selectors.risk_list(actor=actor, org=org, filters=base, links=False)
    return heatmap.count_cells(risks, methodology.parsed)


def _maps(
    actor: Actor, org: Organization, methodology: Methodology | None, filters: RiskFilters
) -> list[heatmap.HeatMap]:
    counts = _heat_counts(actor, org, methodology, filters)
    if methodology is None or counts is None:
        return []
    base = replace(filters, methodology=methodology.version, status=filters.status or OPEN)
    return [heatmap.build(k, methodology, counts, lambda f: "", base) for k in heatmap.KINDS]


def export_risks(
    *, actor: Actor, org: Organization, filters: RiskFilters, file_format: str
) -> tuple[bytes, str]:
    """The filtered register in ``file_format``, and the file's name."""
    check_format(file_format)
    filters = filters.checked()
    current = selectors.methodology_current_or_none(actor=actor, org=org)
    info = export_info(actor, org, WHAT[file_format], filters.describe(), current)
    today = timezone.localdate()
    if file_format == "csv":
        content = spreadsheet.write_csv(info, register_rows(actor, org, filters, today))
    elif file_format == "xlsx":
        counts = _heat_counts(actor, org, current, filters)
        content = spreadsheet.write_xlsx(
            info,
            current,
            register_rows(actor, org, filters, today),
            counts,
            plan_rows(actor, org, filters, today),
        )
    elif file_format == "pdf":
        _check_report_size(register_queryset(actor, org, filters, today).count())
        maps = _maps(actor, org, current, filters)
        rows = list(report_rows(actor, org, filters, today))
        content = documents.write_pdf(info, current, maps, rows)
    else:
        content = documents.write_docx(
            info,
            report_rows(actor, org, filters, today),
            plan_values(actor, org, filters, today),
        )
    name = f"{org.slug}-{NAMES[file_format]}-{today.isoformat()}.{file_format}"
    return content, name
