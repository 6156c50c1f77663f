"""The risk assessment report as PDF (WeasyPrint, from an HTML template) and the risk
treatment plan as DOCX (python-docx). Both say whose, what, when and by whom."""

from __future__ import annotations

import datetime as dt
import io
import re
import secrets
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from xml.sax.saxutils import escape

from django.template.loader import render_to_string

from openisms.core.pdftable import Column, Table
from openisms.core.weasy import weasyprint_html
from openisms.risks.exports.common import ExportInfo, action_status
from openisms.risks.heatmap import HeatMap
from openisms.risks.models import Methodology

#: The register's columns in the PDF report (widths in millimetres, scaled to the page).
REPORT_COLUMNS = (
    Column("Ref", 17),
    Column("Risk", 54),
    Column("Owner", 32),
    Column("Assets", 22),
    Column("Inherent", 24),
    Column("Treatment", 22),
    Column("Annex A controls", 26),
    Column("Residual", 24),
    Column("Status", 30),
    Column("Next review", 21),
)
_REPORT_KEYS = (
    "ref", "title", "owner", "assets", "inherent", "treatment", "controls", "residual",
    "status", "next_review",
)  # fmt: skip


def write_pdf(
    info: ExportInfo,
    methodology: Methodology | None,
    maps: list[HeatMap],
    rows: Sequence[dict[str, Any]],
) -> bytes:
    """The risk assessment report: methodology and heat maps (WeasyPrint, from the template),
    then the register (``core.pdftable``: WeasyPrint took 8 ms a row), for an auditor."""
    count = len(rows)
    table = Table(f"Risk register ({count} risk{'' if count == 1 else 's'})", REPORT_COLUMNS)
    register_pages = table.layout(([row[k] for k in _REPORT_KEYS] for row in rows), "No risks.")

    context = {"info": info, "methodology": methodology, "maps": maps}
    html = render_to_string("risks/report.html", context)
    document = weasyprint_html()(string=html).render()
    first = len(document.pages)
    # Every page's footer is drawn with the register's, so the front is rendered once.
    table.footers(f"{info.what} · {info.produced_at:%Y-%m-%d}", first + 1, first + register_pages)
    finish = lambda _, target: table.add_to(target, number_existing=True)  # noqa: E731
    pdf: bytes = document.write_pdf(finisher=finish)
    return pdf


#: The text that stands for a streamed table's rows in the saved document until they are
#: written in its place (with a random part, so that no text of the document matches it).
_MARK = "openisms-streamed-rows-{token}-{number}."
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
#: Characters XML 1.0 cannot hold (control characters other than tab and line feed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FLUSH_ROWS = 500


def _cell_xml(value: Any) -> str:
    """A cell's text as the content of its ``w:t``: escaped, line breaks and tabs as Word's
    own elements, characters XML cannot hold left out."""
    text = escape(_NOT_XML.sub("", "" if value is None else str(value)))
    again = '<w:t xml:space="preserve">'
    return text.replace("\n", f"</w:t><w:br/>{again}").replace("\t", f"</w:t><w:tab/>{again}")


@dataclass
class DocxTables:
    """Tables whose rows are written as the document is saved, row by row.

    python-docx builds each row as an XML tree, about 10 KB of memory a row: the treatment
    plan of 20,000 risks (two tables) peaked above 700 MB. Here python-docx makes each table
    with its bold header and one row of marked cells (so the styling is its own); ``save``
    writes the document and, in place of each marked row, that row again for every row of
    data, its cells' texts filled in, chunk by chunk into the zip.
    """

    document: Any
    pending: dict[str, Iterable[Sequence[Any]]] = field(default_factory=dict)
    token: str = field(default_factory=lambda: secrets.token_hex(8))

    def add(self, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """A table with a bold header row, then ``rows`` (read when the document is saved)."""
        from docx.oxml.ns import qn

        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Light Grid Accent 1"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        mark = _MARK.format(token=self.token, number=len(self.pending))
        marked = table.add_row()
        for cell in marked.cells:
            cell.text = mark
        for text in marked._tr.iter(qn("w:t")):
            text.set(_XML_SPACE, "preserve")
        self.pending[mark] = rows

    def save(self) -> bytes:
        """The document, every table with its rows."""
        saved = io.BytesIO()
        self.document.save(saved)
        out = io.BytesIO()
        with (
            zipfile.ZipFile(saved) as source,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
        ):
            for item in source.infolist():
                content = source.read(item)  # before ``target.open`` rewrites ``item``'s sizes
                if item.filename == "word/document.xml":
                    with target.open(item, "w") as stream:
                        self._write_body(content.decode(), stream)
                else:
                    target.writestr(item, content)
        return out.getvalue()

    def _write_body(self, xml: str, stream: IO[bytes]) -> None:
        done = 0
        for mark, rows in self.pending.items():
            at = xml.index(mark)
            start = max(xml.rfind("<w:tr>", 0, at), xml.rfind("<w:tr ", 0, at))
            end = xml.index("</w:tr>", at) + len("</w:tr>")
            stream.write(xml[done:start].encode())
            self._write_rows(xml[start:end].split(mark), rows, stream)
            done = end
        stream.write(xml[done:].encode())

    @staticmethod
    def _write_rows(parts: list[str], rows: Iterable[Sequence[Any]], stream: IO[bytes]) -> None:
        chunk: list[str] = []
        for row in rows:
            cells = [_cell_xml(value) for value in row]
            if len(cells) != len(parts) - 1:
                raise ValueError(f"a row of {len(cells)} cells in a table of {len(parts) - 1}")
            chunk.append("".join(p + c for p, c in zip(parts, cells, strict=False)) + parts[-1])
            if len(chunk) == _FLUSH_ROWS:
                stream.write("".join(chunk).encode())
                chunk = []
        stream.write("".join(chunk).encode())


def _fmt(value: Any) -> str:
    return (
        value.isoformat() if isinstance(value, dt.date) else ("" if value is None else str(value))
    )


def write_docx(
    info: ExportInfo, risks: Iterable[dict[str, Any]], actions: Iterable[dict[str, Any]]
) -> bytes:
    """The risk treatment plan (6.1.3 e): each risk's treatment and controls, then every action
    with its owner, due date, status and progress. ``risks`` are rows of
    ``common.report_rows``, ``actions`` of ``common.plan_values``; both are read as the file
    is written."""
    from docx import Document
    from docx.enum.section import WD_ORIENT

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    tables = DocxTables(document)
    document.add_heading(f"Risk treatment plan: {info.organization}", level=0)
    tables.add(["Field", "Value"], info.lines())
    document.add_heading("Risks and their treatment", level=1)
    tables.add(
        ["Risk", "Title", "Owner", "Treatment", "Annex A controls", "Target residual", "Status"],
        (
            [
                r["ref"],
                r["title"],
                r["owner"],
                r["treatment_in_full"],
                r["controls"],
                r["residual"],
                r["status"],
            ]
            for r in risks
        ),
    )
    document.add_heading("Actions", level=1)
    tables.add(
        ["Risk", "Action", "Owner", "Due", "Status", "Progress", "Overdue"],
        (
            [
                a["risk__ref"],
                a["title"],
                a["owner__full_name"] or a["owner__email"] or "",
                _fmt(a["due_date"]),
                action_status(a["status"]),
                f"{a['progress']}%",
                "OVERDUE" if a["overdue"] else "",
            ]
            for a in actions
        ),
    )
    return tables.save()
