"""Reading an uploaded CSV or XLSX file into a table of text cells, with its checks.

The type is checked twice: by the file name's extension and by the content (an XLSX file is a
ZIP archive that openpyxl can open; a CSV file is text without NUL bytes).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from openisms.core import csvtext
from openisms.core.cleaning import unwritable
from openisms.core.errors import ValidationError
from openisms.core.xlsx import read_value

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
EXTENSIONS = (".csv", ".xlsx")
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    """A sheet's header and its non-blank rows, each with its row number in the sheet.

    The header is row 1, so the first data row is row 2, as a spreadsheet shows it.
    """

    headers: list[str]
    rows: list[tuple[int, list[str]]]


def problem(message: str) -> ValidationError:
    """An error about the file as a whole."""
    return ValidationError.field("file", message)


def check_upload(filename: str, size: int) -> str:
    """The file's kind (``csv`` or ``xlsx``) from its name, after the size check."""
    if size > MAX_BYTES:
        raise problem("The file is larger than the limit of 10 MB; split it into smaller files.")
    if size == 0:
        raise problem("The file is empty.")
    lowered = filename.lower()
    if not lowered.endswith(EXTENSIONS):
        raise problem("Upload a .csv or .xlsx file (an Excel workbook, not the older .xls).")
    return "xlsx" if lowered.endswith(".xlsx") else "csv"


def read_table(filename: str, content: bytes) -> Table:
    """Read the first sheet of an XLSX file or a CSV file (UTF-8 or Windows-1252)."""
    kind = check_upload(filename, len(content))
    looks_zipped = content.startswith(_ZIP_MAGIC)
    if kind == "xlsx" and not looks_zipped:
        raise problem("This file is named .xlsx but is not an Excel workbook.")
    if kind == "csv" and looks_zipped:
        raise problem("This file is named .csv but is a workbook or archive; save it as CSV.")
    lines = _xlsx_lines(content) if kind == "xlsx" else _csv_lines(content)
    return _table(lines)


def _table(lines: Iterable[list[str]]) -> Table:
    numbered = enumerate(lines, start=1)
    header = next(((n, cells) for n, cells in numbered if any(cells)), None)
    if header is None:
        raise problem("The file has no header row: the first row names the columns.")
    headers = [cell.strip() for cell in header[1][:MAX_COLUMNS]]
    width = len(headers)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in numbered:
        if any(cell.strip() for cell in cells):
            rows.append((number, [*cells[:width], *[""] * (width - len(cells))]))
            if len(rows) > MAX_ROWS:
                raise problem(f"The file has more than {MAX_ROWS:,} rows; split it.")
            _check_cells(number, headers, rows[-1][1])
    return Table(headers, rows)


def _check_cells(number: int, headers: list[str], cells: list[str]) -> None:
    """Refuse the file at the first cell no text can hold, naming its row and column."""
    for column, (header, cell) in enumerate(zip(headers, cells, strict=False), start=1):
        reason = unwritable(cell)
        if reason:
            raise problem(f"Row {number}, column {header or column}: {reason}")


def _decode(content: bytes) -> str:
    if b"\x00" in content:
        raise problem("This is not a text file; save the sheet as CSV (UTF-8) or XLSX.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise problem("The text is neither UTF-8 nor Windows-1252; save it as CSV (UTF-8).")


def _csv_lines(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield [csvtext.read(cell) for cell in cells]
    except csv.Error as error:
        raise problem(f"The CSV file cannot be read: {error}.") from None


def _xlsx_lines(content: bytes) -> Iterator[list[str]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise problem("This workbook cannot be opened; save it again as .xlsx.") from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [cell_text(read_value(value)) for value in values]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """A workbook cell as text: dates as YYYY-MM-DD, whole numbers without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
