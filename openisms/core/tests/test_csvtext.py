"""CSV cells: formulas guarded with an apostrophe on the way out, unguarded on the way in,
and an apostrophe that is the text's own kept both ways."""

from __future__ import annotations

import datetime as dt

import pytest

from openisms.core import csvtext


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-2", "@cmd", "\tTab"])
def test_a_formula_is_guarded_and_read_back_as_it_was(text: str) -> None:
    assert csvtext.cell(text) == f"'{text}"
    assert csvtext.read(csvtext.cell(text)) == text


@pytest.mark.parametrize("text", ["'Tis the season", "''=x", "'=x", "'", "plain", ""])
def test_an_apostrophe_of_the_texts_own_is_kept(text: str) -> None:
    assert csvtext.read(csvtext.cell(text)) == text


def test_blanks_and_dates_are_written_plainly() -> None:
    assert csvtext.cell(None) == "" and csvtext.cell(dt.date(2027, 1, 5)) == "2027-01-05"
    assert csvtext.cell(3) == "3"
