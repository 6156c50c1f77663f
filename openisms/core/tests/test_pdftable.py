"""The reports' long tables: wrapped within their columns, every row once and in order, the
header and the page count on every page, text that reads back as it was given."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pydyf
import pytest
from django.core.exceptions import ImproperlyConfigured

from openisms.core import pdftable
from openisms.core.pdftable import Column, Table, wrap

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) missing"
)
COLUMNS = [Column("Ref", 20), Column("Description", 120), Column("Owner", 40)]


def _pages(table: Table, tmp_path: Path) -> list[str]:
    """The table written as a PDF of its own, read back page by page with pdftotext."""
    pdf = pydyf.PDF()
    table.add_to(pdf)
    out = io.BytesIO()
    pdf.write(out)
    path = tmp_path / "table.pdf"
    path.write_bytes(out.getvalue())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[: len(table.pages)]


def test_text_wraps_at_spaces_within_the_column_and_keeps_every_word() -> None:
    face = Table("t", COLUMNS).regular
    text = "Unencrypted laptops left in cars are stolen and the client files on them leak " * 3
    lines = wrap(text.strip(), face, 8.5, 100)
    assert len(lines) > 3
    assert all(face.width(line, 8.5) <= 100 for line in lines)
    assert " ".join(lines) == text.strip()


def test_a_word_wider_than_its_column_is_cut_and_line_breaks_are_kept() -> None:
    face = Table("t", COLUMNS).regular
    word = "x" * 80
    lines = wrap(f"first line\nsecond {word} end", face, 8.5, 60)
    assert lines[0] == "first line" and lines[1] == "second"
    assert all(face.width(line, 8.5) <= 60 for line in lines)
    assert sum("x" in line for line in lines) > 1  # cut over several lines
    assert "".join(lines[2:]).replace(" ", "") == f"{word}end"


@needs_poppler
def test_every_row_is_drawn_once_in_order_with_the_header_and_page_count_on_every_page(
    tmp_path: Path,
) -> None:
    table = Table("Register (300 rows)", COLUMNS)
    rows = [
        [f"R-{n:04d}", f"Risk {n} at Zürich \u00d7\x07 with\ta tab", f"owner{n}@example.com"]
        for n in range(300)
    ]
    pages = table.layout(rows, "Nothing.")
    table.footers("Test report · 2026-11-29", 3, 2 + pages)
    texts = _pages(table, tmp_path)
    assert pages == len(texts) > 2
    assert "Register (300 rows)" in texts[0]
    for number, text in enumerate(texts, start=3):
        assert re.search(r"Ref\s+Description\s+Owner", text), number
        assert f"Page {number} of {2 + pages}" in text and "Test report · 2026-11-29" in text
    refs = re.findall(r"R-\d{4}", "".join(texts))
    assert refs == [f"R-{n:04d}" for n in range(300)]
    assert "Risk 299 at Zürich \u00d7 with a tab" in texts[-1]  # the bell dropped, the tab a space


@needs_poppler
def test_a_row_taller_than_a_page_continues_on_the_next(tmp_path: Path) -> None:
    table = Table("Long", COLUMNS)
    notes = "\n".join(f"line {n}" for n in range(150))
    pages = table.layout([["R-0001", notes, "owner"], ["R-0002", "short", "owner"]], "-")
    texts = _pages(table, tmp_path)
    assert pages == len(texts) >= 3
    assert re.findall(r"line \d+", "".join(texts)) == [f"line {n}" for n in range(150)]
    assert "R-0002" in texts[-1]


@needs_poppler
def test_an_empty_table_says_so(tmp_path: Path) -> None:
    table = Table("Register (0 rows)", COLUMNS)
    assert table.layout([], "No risks.") == 1
    assert "No risks." in _pages(table, tmp_path)[0]


def test_a_missing_font_names_the_package_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pdftable, "FONT_DIRS", (tmp_path,))
    pdftable.font_path.cache_clear()
    try:
        with pytest.raises(ImproperlyConfigured, match="fonts-dejavu-core"):
            Table("t", COLUMNS)
    finally:
        pdftable.font_path.cache_clear()


def _front_and_table(first_number: int) -> tuple[Table, bytes]:
    """Two pages of WeasyPrint's, then a one-page table numbered from ``first_number``."""
    from weasyprint import HTML

    table = Table("Register", COLUMNS)
    pages = table.layout([["R-0001", "Only row", "owner"]], "-")
    front = "<style>@page { size: A4 landscape }</style><p>Front one</p>"
    front += '<p style="break-before: page">Front two</p>'
    document = HTML(string=front).render()
    table.footers("Report · 2026-11-29", first_number, first_number - 1 + pages)
    finish = lambda _, pdf: table.add_to(pdf, number_existing=True)  # noqa: E731
    return table, document.write_pdf(finisher=finish)


@needs_poppler
def test_the_pages_before_the_table_get_the_same_footer_at_the_foot(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(_front_and_table(3)[1])
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    texts = text.split("\f")[:3]
    assert "Front one" in texts[0] and "Front two" in texts[1] and "R-0001" in texts[2]
    for number, page in enumerate(texts, start=1):
        last = [line for line in page.splitlines() if line.strip()][-1]
        assert "Report · 2026-11-29" in last and f"Page {number} of 3" in last, page


def test_numbering_pages_that_do_not_match_the_first_number_is_refused() -> None:
    with pytest.raises(ValueError, match="2 pages to number, 3 footers made for them"):
        _front_and_table(4)
