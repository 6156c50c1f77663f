"""The risk assessment report as PDF (WeasyPrint, from an HTML template) and the risk
treatment plan as DOCX (python-docx). Both say whose, what, when and by whom."""

from __future__ import annotations

import copy
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string

from openisms.core.selectors import prefetched
from openisms.risks.exports.common import ExportInfo
from openisms.risks.heatmap import HeatMap
from openisms.risks.models import Methodology, Risk, TreatmentAction


def write_pdf(
    info: ExportInfo,
    methodology: Methodology | None,
    maps: list[HeatMap],
    rows: Sequence[dict[str, Any]],
) -> bytes:
    """The risk assessment report: methodology, heat maps and register, for an auditor."""
    from weasyprint import HTML

    html = render_to_string(
        "risks/report.html",
        {"info": info, "methodology": methodology, "maps": maps, "rows": rows},
    )
    document: bytes = HTML(string=html).write_pdf()
    return document


def _table(document: Any, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A table with a bold header row, then ``rows``.

    python-docx's ``add_row`` takes time in proportion to the rows already there (and a
    cell's ``text`` 0.1 ms): 20,000 risks took over three minutes. Each row here is a copy of
    one blank row python-docx made, with one run per cell whose text is set: about a second.
    """
    from docx.oxml.ns import qn
    from docx.table import _Cell

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light Grid Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    blank = table.add_row()._tr
    table._tbl.remove(blank)
    for tc in blank.tc_lst:
        _Cell(tc, table).text = "-"  # one paragraph with one run of text in each cell
    text_tag = qn("w:t")
    for row in rows:
        tr = copy.deepcopy(blank)
        table._tbl.append(tr)
        for element, value in zip(list(tr.iter(text_tag)), row, strict=True):
            _set_text(element, "" if value is None else str(value))


def _set_text(element: Any, text: str) -> None:
    """The text of a cell's one run: line breaks and tabs as Word's own elements (the run's
    setter), spaces at either end kept."""
    if "\n" in text or "\t" in text:
        element.getparent().text = text
        return
    element.text = text
    if text != text.strip():
        element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _fmt(value: Any) -> str:
    return (
        value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    )


def write_docx(
    info: ExportInfo,
    risks: Sequence[Risk],
    actions: Sequence[TreatmentAction],
    today: dt.date,
    methodologies: dict[int, Methodology],
) -> bytes:
    """The risk treatment plan (6.1.3 e): each risk's treatment and controls, then every action
    with its owner, due date, status and progress."""
    from docx import Document
    from docx.enum.section import WD_ORIENT

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.add_heading(f"Risk treatment plan: {info.organization}", level=0)
    _table(document, ["Field", "Value"], info.lines())
    document.add_heading("Risks and their treatment", level=1)
    _table(
        document,
        ["Risk", "Title", "Owner", "Treatment", "Annex A controls", "Target residual", "Status"],
        [_risk_line(risk, methodologies) for risk in risks],
    )
    document.add_heading("Actions", level=1)
    rows = [
        [
            a.risk.ref,
            a.title,
            a.owner.display_name if a.owner else "",
            _fmt(a.due_date),
            a.get_status_display(),
            f"{a.progress}%",
            "OVERDUE" if a.is_overdue(today) else "",
        ]
        for a in actions
    ]
    _table(document, ["Risk", "Action", "Owner", "Due", "Status", "Progress", "Overdue"], rows)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _risk_line(risk: Risk, methodologies: dict[int, Methodology]) -> list[str]:
    methodology = methodologies.get(risk.methodology_id or 0)
    level = methodology.level_or_none(risk.residual_level) if methodology else None
    residual = (
        f"{level.label} ({risk.residual_likelihood}\u00d7{risk.residual_impact})" if level else ""
    )
    return [
        risk.ref,
        risk.title,
        risk.owner.display_name,
        risk.get_treatment_display() if risk.treatment else "not chosen",
        ", ".join(c.ref for c in prefetched(risk, "controls")),
        residual,
        risk.get_status_display(),
    ]
