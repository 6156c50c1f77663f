"""The exports' workbooks, read back with openpyxl as a spreadsheet would read them: each
value in a cell of its type, text never a formula, the header bold and frozen, and nothing
left on disk."""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from openisms.core.xlsx import Sheet, read_value, workbook


def _read(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def test_each_value_is_written_as_a_cell_of_its_type() -> None:
    row = ["R-0001", 3, 2.5, Decimal("1.25"), True, dt.date(2027, 1, 5), None, "", object]
    sheet = _read(workbook([Sheet("Register", [row])]))["Register"]
    cells = next(sheet.iter_rows())
    assert [c.data_type for c in cells[:6]] == ["s", "n", "n", "n", "b", "d"]
    assert [c.value for c in cells[:5]] == ["R-0001", 3, 2.5, 1.25, True]
    day = cells[5].value
    assert isinstance(day, dt.datetime) and day.date() == dt.date(2027, 1, 5)
    assert cells[5].number_format == "yyyy-mm-dd"
    assert cells[6].value is None and cells[7].value is None  # blanks stay empty
    assert cells[8].value == str(object)


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+1", "-2", "@cmd", "\tTab"])
def test_text_that_looks_like_a_formula_stays_text(text: str) -> None:
    cell = _read(workbook([Sheet("S", [[text]])]))["S"]["A1"]
    assert cell.data_type == "s" and cell.value == text


@override_settings(TIME_ZONE="Europe/Berlin")
def test_a_moment_is_written_in_local_time_with_its_minutes() -> None:
    moment = dt.datetime(2027, 1, 5, 9, 30, tzinfo=dt.UTC)
    cell = _read(workbook([Sheet("S", [[moment]])]))["S"]["A1"]
    moment_read = cell.value
    assert isinstance(moment_read, dt.datetime)
    assert (moment_read.date(), moment_read.time()) == (dt.date(2027, 1, 5), dt.time(10, 30))
    assert cell.number_format == "yyyy-mm-dd hh:mm"


@pytest.mark.parametrize("text", ["Line one\r\nline two", "bell\x07", "_x0041_ as typed", "\x00"])
def test_text_with_control_characters_reads_back_as_it_was_written(text: str) -> None:
    cell = _read(workbook([Sheet("S", [[text]])]))["S"]["A1"]
    assert read_value(cell.value) == text


def test_a_date_before_spreadsheets_count_days_is_written_as_its_iso_text() -> None:
    moment = dt.datetime(1899, 12, 31, 8, 15, tzinfo=dt.UTC)
    row = [dt.date(1800, 1, 1), dt.date(1900, 2, 28), moment, dt.date(1900, 3, 1)]
    cells = next(_read(workbook([Sheet("S", [row])]))["S"].iter_rows())
    assert [c.value for c in cells[:3]] == ["1800-01-01", "1900-02-28", "1899-12-31 08:15"]
    first = cells[3].value
    assert isinstance(first, dt.datetime) and first.date() == dt.date(1900, 3, 1)


def test_the_header_is_bold_and_stays_in_view_under_a_heading() -> None:
    spec = Sheet(
        "SoA",
        [["A.5.1", "Policies"]],
        header=["Control id", "Title"],
        heading="Statement of Applicability",
        widths=(10, 40),
        wrap=True,
        freeze=True,
    )
    sheet = _read(workbook([spec]))["SoA"]
    assert sheet["A1"].value == "Statement of Applicability" and sheet["A1"].font.b
    assert sheet["A1"].font.sz == 14
    assert [sheet["A2"].value, sheet["B2"].value] == ["Control id", "Title"]
    assert sheet["A2"].font.b and not sheet["A3"].font.b
    assert sheet.freeze_panes == "A3"  # the rows scroll under the heading and the header
    assert sheet.column_dimensions["B"].width == pytest.approx(40, abs=1)
    assert sheet["B3"].alignment.wrap_text and sheet["B3"].alignment.vertical == "top"


def test_the_sheets_come_in_the_order_given() -> None:
    book = _read(workbook([Sheet("About", [["Field", "Value"]]), Sheet("Assets", [])]))
    assert book.sheetnames == ["About", "Assets"]


def test_nothing_is_left_on_disk_when_the_rows_fail_half_way(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def rows() -> Iterator[list[Any]]:
        yield ["R-0001"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError, match="went away"):
        workbook([Sheet("Register", rows())])
    assert list(tmp_path.iterdir()) == []
    fds = Path("/proc/self/fd")  # Linux: what this process holds open
    held = [os.readlink(fd) for fd in fds.iterdir() if fd.is_symlink()] if fds.is_dir() else []
    assert not [name for name in held if name.startswith(str(tmp_path))]  # files closed too
    workbook([Sheet("Register", [["R-0001"]])])
    assert list(tmp_path.iterdir()) == []
