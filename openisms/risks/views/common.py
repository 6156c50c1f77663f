"""What the risk pages share: sortable column headers, form pages, the register's URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render

from openisms.core.web import OrgRequest, query_without
from openisms.risks.filters import RiskFilters


@dataclass(frozen=True)
class SortColumn:
    """A column header that sorts the list, keeping the filters."""

    key: str
    label: str
    url: str
    direction: str  # "ascending", "descending" or "" (for aria-sort)


def sort_columns(
    request: OrgRequest, current: str, columns: tuple[tuple[str, str], ...]
) -> list[SortColumn]:
    """Header links: a click sorts by the column, a second click reverses it."""
    base = query_without(request, "sort", "page")
    found = []
    for key, label in columns:
        active, descending = current.removeprefix("-") == key, current.startswith("-")
        target = f"-{key}" if active and not descending else key
        direction = ("descending" if descending else "ascending") if active else ""
        url = f"?{base}&sort={target}" if base else f"?sort={target}"
        found.append(SortColumn(key, label, url, direction))
    return found


def form_page(
    request: OrgRequest, template: str, form: Any, status: int | None = None, **context: Any
) -> HttpResponse:
    """A page with a form: 422 when the form has errors, so scripts and tests can tell."""
    code = status or (422 if form.errors else 200)
    return render(request, template, {"form": form, **context}, status=code)


def filtered_url(base: str, filters: RiskFilters) -> str:
    """``base`` (the register's address) with ``filters`` in the query string."""
    query = urlencode(filters.query())
    return f"{base}?{query}" if query else base
