"""CSV cells a spreadsheet would run as a formula (beginning with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return): an export puts an apostrophe before them, as spreadsheets do to
keep text text, and an import takes it off again, there only; an apostrophe that a text
begins with on its own ("'Tis") is the text's and stays."""

from __future__ import annotations

import datetime as dt
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as a CSV cell: nothing for None, dates as YYYY-MM-DD, formulas guarded."""
    if value is None:
        return ""
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return f"'{text}" if _formula(text) else text


def read(text: str) -> str:
    """A CSV cell as written before ``cell`` guarded it."""
    return text[1:] if text[:1] == "'" and _formula(text[1:]) else text


def _formula(text: str) -> bool:
    """A formula, or text that would read as a guarded one ("'=x", whose apostrophe is the
    text's own: guarded once more on the way out)."""
    return text.lstrip("'").startswith(FORMULA_START)
