"""The filters and sort orders of the context registers, shared by the pages, the API and the CLI.

Each register has one frozen dataclass of filters (every one optional, all must hold) and one
table of sort keys; ``sort`` takes a key, or the key with a leading ``-`` for descending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Count, F, Model, OrderBy, Q, QuerySet
from django.utils import timezone

from openisms.context.choices import ObligationStatus
from openisms.context.models import InterestedParty, Issue, Obligation
from openisms.core.errors import ValidationError

M = TypeVar("M", bound=Model)
MAX_SEARCH_WORDS = 8

#: sort key -> the columns it orders by (the reference breaks ties)
ISSUE_SORTS: dict[str, tuple[str, ...]] = {
    "ref": ("ref",),
    "title": ("title", "ref"),
    "kind": ("kind", "category", "ref"),
    "effect": ("effect", "ref"),
    "status": ("status", "ref"),
    "owner": ("owner__email", "ref"),
    "review_date": ("review_date", "ref"),
}
PARTY_SORTS: dict[str, tuple[str, ...]] = {
    "ref": ("ref",),
    "name": ("name", "ref"),
    "kind": ("kind", "ref"),
    "relevance": ("relevance", "ref"),
    "requirements": ("requirement_count", "ref"),
}
OBLIGATION_SORTS: dict[str, tuple[str, ...]] = {
    "ref": ("ref",),
    "name": ("name", "ref"),
    "kind": ("kind", "ref"),
    "status": ("status", "ref"),
    "owner": ("owner__email", "ref"),
    "review_date": ("review_date", "ref"),
}


def sort_choices(sorts: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Every value ``sort`` accepts: each key, ascending and descending."""
    return [value for key in sorts for value in (key, f"-{key}")]


@dataclass(frozen=True)
class IssueFilters:
    """Which issues to list. ``owner`` is an e-mail; ``review_due``: review date reached."""

    q: str = ""
    kind: str = ""
    category: str = ""
    effect: str = ""
    status: str = ""
    owner: str = ""
    review_due: bool = False
    sort: str = ""


@dataclass(frozen=True)
class PartyFilters:
    """Which interested parties to list; ``unaddressed``: with a requirement not addressed."""

    q: str = ""
    kind: str = ""
    relevance: str = ""
    unaddressed: bool = False
    sort: str = ""


@dataclass(frozen=True)
class ObligationFilters:
    """Which obligations to list. ``owner`` is an e-mail; ``review_due``: review date reached."""

    q: str = ""
    kind: str = ""
    status: str = ""
    owner: str = ""
    review_due: bool = False
    sort: str = ""


def _ordering(sort: str, sorts: Mapping[str, tuple[str, ...]]) -> list[OrderBy]:
    """The ORDER BY of ``sort``; empty dates and owners go last either way."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-") or "ref"
    if key not in sorts:
        raise ValidationError.field("sort", f"Sort by one of: {', '.join(sort_choices(sorts))}.")
    return [
        F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
        for column in sorts[key]
    ]


def _search(items: QuerySet[M], q: str, columns: Sequence[str]) -> QuerySet[M]:
    for word in q.split()[:MAX_SEARCH_WORDS]:
        match = Q()
        for column in columns:
            match |= Q(**{f"{column}__icontains": word})
        items = items.filter(match)
    return items


def _exact(items: QuerySet[M], **values: str) -> QuerySet[M]:
    return items.filter(**{key: value for key, value in values.items() if value})


def _today() -> dt.date:
    return timezone.localdate()


def filter_issues(issues: QuerySet[Issue], f: IssueFilters) -> QuerySet[Issue]:
    """Apply ``f`` to issues, sorted."""
    issues = _exact(
        issues,
        kind=f.kind,
        category=f.category,
        effect=f.effect,
        status=f.status,
        owner__email=f.owner.strip().lower(),
    )
    if f.review_due:
        issues = issues.filter(review_date__lte=_today())
    issues = _search(issues, f.q, ("ref", "title", "description", "effect_description"))
    return issues.order_by(*_ordering(f.sort, ISSUE_SORTS))


def filter_parties(
    parties: QuerySet[InterestedParty], f: PartyFilters
) -> QuerySet[InterestedParty]:
    """Apply ``f`` to interested parties (annotated with their requirement counts), sorted."""
    parties = _exact(parties, kind=f.kind, relevance=f.relevance)
    if f.unaddressed:
        parties = parties.filter(Q(unaddressed_count__gt=0))  # an annotation
    parties = _search(parties, f.q, ("ref", "name", "description"))
    return parties.order_by(*_ordering(f.sort, PARTY_SORTS))


def annotate_parties(parties: QuerySet[InterestedParty]) -> QuerySet[InterestedParty]:
    """Add ``requirement_count`` and ``unaddressed_count`` (one grouped query)."""
    return parties.annotate(
        requirement_count=Count("requirements"),
        unaddressed_count=Count("requirements", filter=Q(requirements__addressed=False)),
    )


def filter_obligations(
    obligations: QuerySet[Obligation], f: ObligationFilters
) -> QuerySet[Obligation]:
    """Apply ``f`` to obligations, sorted."""
    obligations = _exact(
        obligations, kind=f.kind, status=f.status, owner__email=f.owner.strip().lower()
    )
    if f.review_due:
        obligations = obligations.filter(review_date__lte=_today(), status=ObligationStatus.ACTIVE)
    columns = ("ref", "name", "jurisdiction", "counterparty", "source", "description")
    obligations = _search(obligations, f.q, columns)
    return obligations.order_by(*_ordering(f.sort, OBLIGATION_SORTS))
