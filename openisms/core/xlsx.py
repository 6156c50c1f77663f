"""XLSX files written with XlsxWriter; openpyxl reads the ones users import.

Every export's workbook is a list of ``Sheet``: a title, an optional header row, the rows.
Rows are written as they come (XlsxWriter's constant-memory mode: one row at a time to a
temporary file), so a register of 20,000 risks costs little memory; each value is written
by its type, and text is always text: a cell that starts with ``=`` is never a formula.
XlsxWriter writes a cell about twice as fast as openpyxl's write-only mode (measured in
docs/performance.md), which is why the writing and the reading libraries differ; every
import reads its cells through ``read_value``, so that what one writes the other reads back
as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone
from openpyxl.utils.escape import unescape

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
#: The first day a spreadsheet's date number means the same to every program: before it,
#: 1900's day that never was (29 February) puts XlsxWriter and openpyxl a day apart, and
#: before 1900 there is no date number. Earlier dates are written as text (YYYY-MM-DD).
FIRST_DATE = dt.date(1900, 3, 1)


@dataclass(frozen=True)
class Sheet:
    """One worksheet: ``heading`` (a title line above it all), ``header`` (bold, frozen when
    ``freeze``), then ``rows``; ``widths`` of the first columns in characters; ``wrap``
    wraps and top-aligns the body's text."""

    title: str
    rows: Iterable[Sequence[Any]]
    header: Sequence[Any] | None = None
    heading: str = ""
    widths: Sequence[float] = field(default_factory=tuple)
    wrap: bool = False
    freeze: bool = False


class _Formats:
    """The few cell formats a workbook uses, made once per workbook."""

    def __init__(self, book: Any) -> None:
        self.heading = book.add_format({"bold": True, "font_size": 14})
        self.bold = book.add_format({"bold": True})
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.datetime = book.add_format({"num_format": DATETIME_FORMAT})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.wrap_date = book.add_format(
            {"num_format": DATE_FORMAT, "text_wrap": True, "valign": "top"}
        )


Writer = Callable[[int, int, Any], Any]


def _cell_writer(sheet: Any, formats: _Formats, wrap: bool) -> Writer:
    """A function that writes one value at (row, column) by its type; blanks stay empty."""
    text_format = formats.wrap if wrap else None
    date_format = formats.wrap_date if wrap else formats.date
    write_string, write_number = sheet.write_string, sheet.write_number

    def write(row: int, column: int, value: Any) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            write_string(row, column, value, text_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float | Decimal) and math.isfinite(value):
            write_number(row, column, value)
        elif isinstance(value, dt.datetime):
            local = timezone.localtime(value) if timezone.is_aware(value) else value
            naive = local.replace(tzinfo=None)  # a spreadsheet's time has no zone
            if naive.date() < FIRST_DATE:
                write_string(row, column, naive.isoformat(" ", "minutes"), text_format)
            else:
                sheet.write_datetime(row, column, naive, formats.datetime)
        elif isinstance(value, dt.date):
            if value < FIRST_DATE:
                write_string(row, column, value.isoformat(), text_format)
            else:
                sheet.write_datetime(row, column, value, date_format)
        else:
            write_string(row, column, str(value), text_format)

    return write


def _write_sheet(book: Any, formats: _Formats, spec: Sheet) -> None:
    sheet = book.add_worksheet(spec.title)
    for column, width in enumerate(spec.widths):
        sheet.set_column(column, column, width)
    row = 0
    if spec.heading:
        sheet.write_string(row, 0, spec.heading, formats.heading)
        row += 1
    if spec.header is not None:
        for column, label in enumerate(spec.header):
            sheet.write_string(row, column, str(label), formats.bold)
        row += 1
        if spec.freeze:
            sheet.freeze_panes(row, 0)
    write = _cell_writer(sheet, formats, spec.wrap)
    for values in spec.rows:
        for column, value in enumerate(values):
            write(row, column, value)
        row += 1


def workbook(sheets: Iterable[Sheet]) -> bytes:
    """The sheets as one XLSX file. The rows wait in a temporary directory of their own,
    removed at the end whether the file was made or not; when the rows fail half-way, the
    workbook is closed all the same (closing its files) and what it made is dropped."""
    out = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="openisms-xlsx-") as rows_dir:
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": rows_dir})
        try:
            formats = _Formats(book)
            for spec in sheets:
                _write_sheet(book, formats, spec)
        except BaseException:
            with contextlib.suppress(Exception):
                book.close()
            raise
        book.close()
    return out.getvalue()


def read_value(value: Any) -> Any:
    """A value openpyxl read from a cell, its text as it was written: XLSX keeps a carriage
    return, the other control characters and ``_x`` itself as ``_xHHHH_`` codes (XlsxWriter
    and Excel alike), which openpyxl leaves in the text. Every import of XLSX reads its cells
    through this."""
    return unescape(value) if isinstance(value, str) else value
