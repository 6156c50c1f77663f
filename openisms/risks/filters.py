"""The filters and sort orders of the risk register and the treatment plan.

One definition shared by the pages, the API, the heat map (whose cells link to the register
filtered to the cell) and the exports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from typing import Any

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from openisms.core.errors import ValidationError
from openisms.core.models import Organization
from openisms.risks.choices import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    RiskStatus,
    TreatmentOption,
)
from openisms.risks.models import Methodology, Risk, TreatmentAction
from openisms.risks.rules import control_ref, normalise_ref

MAX_SEARCH_WORDS = 8
#: A pseudo-status of the filter: every status but closed.
OPEN = "open"

#: sort key -> ORDER BY columns; the number breaks ties so that pages never overlap.
SORTS: dict[str, tuple[Any, ...]] = {
    "ref": ("number",),
    "title": ("title", "number"),
    "owner": ("owner__full_name", "owner__email", "number"),
    "inherent": (F("inherent_rank").asc(nulls_first=True), "inherent_likelihood", "number"),
    "residual": (F("residual_rank").asc(nulls_first=True), "residual_likelihood", "number"),
    "level": (
        Coalesce("residual_rank", "inherent_rank").asc(nulls_first=True),
        "number",
    ),
    "status": ("status", "number"),
    "treatment": ("treatment", "number"),
    "next_review": (F("next_review").asc(nulls_last=True), "number"),
    "updated": ("updated_at", "number"),
}
ACTION_SORTS: dict[str, tuple[Any, ...]] = {
    "due_date": (F("due_date").asc(nulls_last=True), "id"),
    "risk": ("risk__number", "id"),
    "owner": ("owner__email", "id"),
    "status": ("status", "id"),
    "progress": ("progress", "id"),
}
_CELLS = ("inherent_likelihood", "inherent_impact", "residual_likelihood", "residual_impact")


def sort_values(sorts: dict[str, tuple[Any, ...]]) -> list[str]:
    """Every value ``sort`` accepts: each key, ascending and descending."""
    return [value for key in sorts for value in (key, f"-{key}")]


def _reverse(column: Any) -> Any:
    if isinstance(column, str):
        return column[1:] if column.startswith("-") else f"-{column}"
    expression = column.expression if hasattr(column, "expression") else column
    return expression.desc(nulls_last=True)


def order(items: QuerySet[Any], sort: str, sorts: dict[str, tuple[Any, ...]]) -> QuerySet[Any]:
    """Order by a key of ``sorts``; ``-key`` reverses it (ties stay in reference order)."""
    key = sort.removeprefix("-")
    columns = sorts.get(key) or next(iter(sorts.values()))
    if sort.startswith("-"):
        columns = (*(_reverse(c) for c in columns[:-1]), columns[-1])
    return items.order_by(*columns)


@dataclass(frozen=True)
class RiskFilters:
    """Which risks to list and in which order; every filter optional, all must hold.

    ``level`` is a level key and matches the level that counts (the residual one once set);
    ``status`` is a status or ``open`` (all but closed); ``owner`` an e-mail; ``asset``,
    ``threat`` and ``control`` references (``A-0001``, ``G 0.18``, ``A.5.15``);
    ``review_due``: review date reached or acceptance expired; ``stale``: assessed with an
    older methodology version; ``methodology``: assessed with that version number; the four
    cell values select one cell of a heat map.
    """

    q: str = ""
    level: str = ""
    owner: str = ""
    status: str = ""
    treatment: str = ""
    asset: str = ""
    threat: str = ""
    control: str = ""
    review_due: bool = False
    stale: bool = False
    methodology: int | None = None
    inherent_likelihood: int | None = None
    inherent_impact: int | None = None
    residual_likelihood: int | None = None
    residual_impact: int | None = None
    sort: str = "ref"

    def checked(self) -> RiskFilters:
        """The filters with their values checked (a ValidationError names the filter)."""
        errors: dict[str, list[str]] = {}
        if self.status and self.status not in [*RiskStatus.values, OPEN]:
            errors["status"] = [f"Use one of: {OPEN}, {', '.join(RiskStatus.values)}."]
        if self.treatment and self.treatment not in [*TreatmentOption.values, "none"]:
            errors["treatment"] = [f"Use one of: none, {', '.join(TreatmentOption.values)}."]
        if self.sort.removeprefix("-") not in SORTS:
            errors["sort"] = [f"Use one of: {', '.join(SORTS)} (with - for descending)."]
        for name in _CELLS:
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 5:
                errors[name] = ["Use 1 to 5."]
        if errors:
            raise ValidationError(errors=errors)
        return replace(
            self,
            q=self.q.strip(),
            owner=self.owner.strip().lower(),
            asset=normalise_ref(self.asset, "A") if self.asset.strip() else "",
            control=control_ref(self.control) if self.control.strip() else "",
            threat=self.threat.strip(),
            level=self.level.strip(),
        )

    @property
    def active(self) -> bool:
        """Whether any filter (not the sort) is set."""
        return any(getattr(self, f.name) not in ("", None, False) for f in fields(self)[:-1])

    def describe(self) -> str:
        """``status=open, owner=x@y`` for the exports' About sheet."""
        shown = [(f.name, getattr(self, f.name)) for f in fields(self)[:-1]]
        return ", ".join(f"{k}={v}" for k, v in shown if v not in ("", None, False))

    def query(self, **changes: Any) -> dict[str, str]:
        """The filters (with ``changes``) as URL parameters, leaving out the empty ones."""
        values = {f.name: getattr(self, f.name) for f in fields(self)} | changes
        return {
            k: ("1" if v is True else str(v))
            for k, v in values.items()
            if v not in ("", None, False) and not (k == "sort" and v == "ref")
        }


def acceptance_expired(today: dt.date) -> Q:
    """An accepted risk whose acceptance ran out before ``today``."""
    return Q(status=RiskStatus.ACCEPTED, acceptance_valid_until__lt=today)


def due_for_review(today: dt.date) -> Q:
    """Review date reached, or acceptance expired; never a closed risk."""
    return (Q(next_review__lte=today) | acceptance_expired(today)) & ~Q(status=RiskStatus.CLOSED)


def flag(condition: Q) -> Case:
    """``condition`` as a true/false column (never null: a null date is not a match), to
    annotate rows read as values."""
    return Case(When(condition, then=Value(True)), default=Value(False))


def _search(risks: QuerySet[Risk], q: str) -> QuerySet[Risk]:
    for word in q.split()[:MAX_SEARCH_WORDS]:
        risks = risks.filter(
            Q(ref__icontains=word) | Q(title__icontains=word) | Q(description__icontains=word)
        )
    return risks


def _status(risks: QuerySet[Risk], status: str) -> QuerySet[Risk]:
    if status == OPEN:
        return risks.exclude(status=RiskStatus.CLOSED)
    return risks.filter(status=status)


def filter_risks(
    risks: QuerySet[Risk], f: RiskFilters, today: dt.date, org: Organization
) -> QuerySet[Risk]:
    """Apply checked filters to ``org``'s risks; every link filter joins through a unique pair
    (no duplicates)."""
    if f.status:
        risks = _status(risks, f.status)
    if f.treatment:
        risks = risks.filter(treatment="" if f.treatment == "none" else f.treatment)
    if f.level:
        risks = risks.filter(
            Q(residual_level=f.level) | Q(residual_level="", inherent_level=f.level)
        )
    if f.owner:
        risks = risks.filter(owner__email=f.owner)
    if f.asset:
        risks = risks.filter(asset_links__asset__ref=f.asset)
    if f.threat:
        risks = risks.filter(threat_links__threat__ref=f.threat)
    if f.control:
        risks = risks.filter(control_links__requirement__ref=f.control)
    if f.review_due:
        risks = risks.filter(due_for_review(today))
    if f.stale:
        risks = risks.filter(methodology__is_current=False)
    if f.methodology is not None:
        # The version's id, not a join: a heat map then counts inside its covering index.
        version = Methodology.objects.filter(organization=org, version=f.methodology)
        version_id = version.values_list("pk", flat=True).first()
        risks = risks.none() if version_id is None else risks.filter(methodology_id=version_id)
    cells = {name: getattr(f, name) for name in _CELLS if getattr(f, name) is not None}
    risks = risks.filter(**cells)
    return _search(risks, f.q) if f.q else risks


@dataclass(frozen=True)
class ActionFilters:
    """Which treatment actions to list: by status (or ``open``), owner, overdue, risk."""

    status: str = ""
    owner: str = ""
    overdue: bool = False
    risk: str = ""
    sort: str = "due_date"

    def checked(self) -> ActionFilters:
        """The filters with their values checked."""
        errors: dict[str, list[str]] = {}
        if self.status and self.status not in [*ActionStatus.values, OPEN]:
            errors["status"] = [f"Use one of: {OPEN}, {', '.join(ActionStatus.values)}."]
        if self.sort.removeprefix("-") not in ACTION_SORTS:
            errors["sort"] = [f"Use one of: {', '.join(ACTION_SORTS)}."]
        if errors:
            raise ValidationError(errors=errors)
        risk = normalise_ref(self.risk, "R") if self.risk.strip() else ""
        return replace(self, owner=self.owner.strip().lower(), risk=risk)

    @property
    def active(self) -> bool:
        return bool(self.status or self.owner or self.overdue or self.risk)


def filter_actions(
    actions: QuerySet[TreatmentAction], f: ActionFilters, today: dt.date
) -> QuerySet[TreatmentAction]:
    """Apply checked action filters."""
    if f.status == OPEN:
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
    elif f.status:
        actions = actions.filter(status=f.status)
    if f.owner:
        actions = actions.filter(owner__email=f.owner)
    if f.overdue:
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)
    if f.risk:
        actions = actions.filter(risk__ref=f.risk)
    return actions
