"""The SoA as XLSX (``core.xlsx``) and DOCX (python-docx)."""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.shared import Pt

from openisms.controls.exports import COLUMNS, Meta, cell
from openisms.core.xlsx import Sheet, workbook

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_TITLE = "Statement of Applicability (ISO/IEC 27001:2022, 6.1.3 d)"
_COVER = (
    ("Organisation", "organization"),
    ("Scope", "scope"),
    ("Version", "version"),
    ("Status", "status"),
    ("Approval", "approval"),
    ("Produced by", "produced_by"),
    ("Produced at", "produced_at"),
)


def to_xlsx(rows: list[dict[str, Any]], meta: Meta) -> bytes:
    """A cover sheet and the SoA sheet, one row per control."""
    cover = [(label, getattr(meta, key)) for label, key in _COVER]
    return workbook(
        [
            Sheet("Cover", cover, heading=_TITLE, widths=(16, 80)),
            Sheet(
                "SoA",
                ([cell(row, key) for key, _ in COLUMNS] for row in rows),
                header=[label for _, label in COLUMNS],
                widths=(10, 40, 16, 14, 40, 40, 18, 40, 24, 24, 24, 12),
                wrap=True,
                freeze=True,
            ),
        ]
    )


def to_docx(rows: list[dict[str, Any]], meta: Meta) -> bytes:
    """A document an auditor reads as is: the cover facts, then one table."""
    document = docx.Document()
    document.add_heading(f"Statement of Applicability: {meta.organization}", level=0)
    facts = document.add_table(rows=0, cols=2)
    for label, key in _COVER:
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = label, str(getattr(meta, key))
    document.add_heading("Controls", level=1)
    shown = ("ref", "title", "applicable", "reasons", "exclusion_justification", "status", "owner")
    labels = dict(COLUMNS)
    table = document.add_table(rows=1, cols=len(shown))
    table.style = "Table Grid"
    for index, key in enumerate(shown):
        table.rows[0].cells[index].text = labels[key]
    for row in rows:
        cells = table.add_row().cells
        for index, key in enumerate(shown):
            cells[index].text = cell(row, key)
    for paragraph in (p for r in table.rows for c in r.cells for p in c.paragraphs):
        for run in paragraph.runs:
            run.font.size = Pt(8)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
