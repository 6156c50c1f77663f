"""What every risk export shares: what it says about itself, the rows, the data fetched in bulk.

Rows are streamed from ``.iterator()`` querysets; the links of each chunk of risks are
prefetched in one query per kind, and the methodology versions are read once, so the number
of queries grows with the number of chunks, never with the number of risks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Q, QuerySet
from django.utils import timezone

from openisms.core.actors import Actor, actor_label
from openisms.core.models import Organization
from openisms.risks import selectors
from openisms.risks.choices import OPEN_ACTION_STATUSES, ActionStatus, RiskStatus, TreatmentOption
from openisms.risks.filters import ActionFilters, RiskFilters, due_for_review, flag
from openisms.risks.models import (
    Methodology,
    Risk,
    TreatmentAction,
)

CHUNK = 2000
T = TypeVar("T")
_STATUSES = dict(RiskStatus.choices)
_TREATMENTS = {value: value.capitalize() for value in TreatmentOption.values}
_TREATMENT_LABELS = dict(TreatmentOption.choices)
_ACTION_STATUSES = dict(ActionStatus.choices)


@dataclass(frozen=True)
class ExportInfo:
    """What every export says about itself: whose, what, when, by whom, which filters."""

    organization: str
    what: str
    produced_by: str
    produced_at: dt.datetime
    filters: str = ""
    methodology: str = ""

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("Organisation", self.organization),
            ("Contents", self.what),
            ("Version", "Working copy"),
            ("Produced", self.produced_at.strftime("%Y-%m-%d %H:%M %Z").strip()),
            ("Produced by", self.produced_by),
            ("Methodology", self.methodology or "none yet"),
            ("Filters", self.filters or "none"),
        ]


def export_info(
    actor: Actor, org: Organization, what: str, filters: str, current: Methodology | None
) -> ExportInfo:
    """The info block of an export made now by ``actor``."""
    shown = f"{current.name}, version {current.version} ({current.size})" if current else ""
    return ExportInfo(org.name, what, actor_label(actor), timezone.localtime(), filters, shown)


REGISTER_HEADERS = [
    "Ref",
    "Title",
    "Description",
    "Owner",
    "Assets",
    "Threats",
    "Vulnerabilities",
    "Confidentiality",
    "Integrity",
    "Availability",
    "Methodology version",
    "Inherent likelihood",
    "Inherent impact",
    "Inherent level",
    "Existing controls",
    "Treatment",
    "Annex A controls",
    "Residual likelihood",
    "Residual impact",
    "Residual level",
    "Status",
    "Accepted by",
    "Accepted on",
    "Acceptance valid until",
    "Acceptance rationale",
    "Next review",
    "Due for review",
]


def _level_label(methodology: Methodology | None, key: str) -> str:
    level = methodology.level_or_none(key) if methodology else None
    return level.label if level else key


def _yes(value: bool) -> str:
    return "yes" if value else ""


#: The columns an export reads: plain values, no model objects (20,000 rows stay cheap).
REGISTER_FIELDS = (
    *selectors.RISK_VALUES,
    "owner__email",
    "owner__full_name",
    "methodology_id",
    "due",
)


def risk_row(
    r: dict[str, Any], links: selectors.Links, methodologies: dict[int, Methodology]
) -> list[Any]:
    """One risk (its ``REGISTER_FIELDS`` values) as the cells of a register row."""
    methodology = methodologies.get(r["methodology_id"] or 0)
    accepted = r["status"] == RiskStatus.ACCEPTED

    def refs(kind: str) -> str:
        return "; ".join(links[kind].get(r["id"], ()))

    return [
        r["ref"],
        r["title"],
        r["description"],
        r["owner__email"],
        refs("assets"),
        refs("threats"),
        refs("vulnerabilities"),
        _yes(r["affects_confidentiality"]),
        _yes(r["affects_integrity"]),
        _yes(r["affects_availability"]),
        methodology.version if methodology else None,
        r["inherent_likelihood"],
        r["inherent_impact"],
        _level_label(methodology, r["inherent_level"]),
        r["existing_controls"],
        _TREATMENTS.get(r["treatment"], ""),
        refs("controls"),
        r["residual_likelihood"],
        r["residual_impact"],
        _level_label(methodology, r["residual_level"]),
        _STATUSES.get(r["status"], r["status"]),
        r["accepted_by_label"] if accepted else "",
        timezone.localtime(r["accepted_at"]).date() if accepted and r["accepted_at"] else None,
        r["acceptance_valid_until"] if accepted else None,
        r["acceptance_rationale"] if accepted else "",
        r["next_review"],
        _yes(r["due"]),
    ]


def _level_text(methodology: Methodology | None, key: str, li: int | None, im: int | None) -> str:
    if not key:
        return ""
    return f"{_level_label(methodology, key)} ({li}\u00d7{im})"


def report_row(
    r: dict[str, Any], links: selectors.Links, methodologies: dict[int, Methodology]
) -> dict[str, Any]:
    """One risk as the plain texts of the report's register table."""
    methodology = methodologies.get(r["methodology_id"] or 0)
    status = _STATUSES.get(r["status"], r["status"])
    if r["status"] == RiskStatus.ACCEPTED:
        status += f" by {r['accepted_by_label']} until {r['acceptance_valid_until']}"
    if r["due"]:
        status += "; due for review"
    return {
        "ref": r["ref"],
        "title": r["title"],
        "owner": r["owner__full_name"] or r["owner__email"],
        "assets": ", ".join(links["assets"].get(r["id"], ())),
        "inherent": _level_text(
            methodology, r["inherent_level"], r["inherent_likelihood"], r["inherent_impact"]
        ),
        "treatment": _TREATMENTS.get(r["treatment"], ""),
        "treatment_in_full": _TREATMENT_LABELS.get(r["treatment"], "not chosen"),
        "controls": ", ".join(links["controls"].get(r["id"], ())),
        "residual": _level_text(
            methodology, r["residual_level"], r["residual_likelihood"], r["residual_impact"]
        ),
        "status": status,
        "next_review": r["next_review"],
    }


def register_queryset(
    actor: Actor, org: Organization, filters: RiskFilters, today: dt.date
) -> QuerySet[Risk, dict[str, Any]]:
    """The filtered risks as ``REGISTER_FIELDS`` values; "due for review" computed in SQL."""
    risks = selectors.risk_list(actor=actor, org=org, filters=filters, links=False, today=today)
    return (
        risks.select_related(None)
        .annotate(due=flag(due_for_review(today)))
        .values(*REGISTER_FIELDS)
    )


def chunks(items: QuerySet[Any, T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` streamed from the database in lists of ``size``."""
    chunk: list[T] = []
    for item in items.iterator(chunk_size=size):
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


Row = TypeVar("Row")


def _each_risk(
    actor: Actor,
    org: Organization,
    filters: RiskFilters,
    today: dt.date,
    row: Callable[[dict[str, Any], selectors.Links, dict[int, Methodology]], Row],
) -> Iterator[Row]:
    """Every filtered risk made a ``row``, streamed in chunks with their links read in bulk."""
    methodologies = selectors.methodology_map(org)
    for chunk in chunks(register_queryset(actor, org, filters, today)):
        links = selectors.link_refs([r["id"] for r in chunk])
        for r in chunk:
            yield row(r, links, methodologies)


def register_rows(
    actor: Actor, org: Organization, filters: RiskFilters, today: dt.date
) -> Iterator[list[Any]]:
    """Every filtered risk as the cells of a register row, streamed."""
    return _each_risk(actor, org, filters, today, risk_row)


def report_rows(
    actor: Actor, org: Organization, filters: RiskFilters, today: dt.date
) -> Iterator[dict[str, Any]]:
    """Every filtered risk as the texts of the report's and the treatment plan's tables."""
    return _each_risk(actor, org, filters, today, report_row)


PLAN_HEADERS = [
    "Risk",
    "Risk title",
    "Action",
    "Owner",
    "Due date",
    "Status",
    "Progress (%)",
    "Overdue",
    "Completed on",
    "Notes",
]


PLAN_FIELDS = (
    "risk__ref",
    "risk__title",
    "title",
    "owner__email",
    "due_date",
    "status",
    "progress",
    "overdue",
    "completed_on",
    "notes",
)


def action_row(a: dict[str, Any]) -> list[Any]:
    """One treatment action (its ``PLAN_FIELDS`` values) as the cells of a row."""
    return [
        a["risk__ref"],
        a["risk__title"],
        a["title"],
        a["owner__email"] or "",
        a["due_date"],
        action_status(a["status"]),
        a["progress"],
        _yes(a["overdue"]),
        a["completed_on"],
        a["notes"],
    ]


def plan_queryset(
    actor: Actor, org: Organization, risks: RiskFilters | None = None
) -> QuerySet[TreatmentAction]:
    """The treatment actions (of the filtered risks, when ``risks`` filters are active)."""
    actions = selectors.action_list(actor=actor, org=org, filters=ActionFilters())
    actions = actions.select_related(None).select_related("risk", "owner")
    if risks is not None and risks.active:
        chosen = selectors.risk_list(actor=actor, org=org, filters=risks, links=False)
        actions = actions.filter(risk__in=chosen.order_by().values("pk"))
    return actions.order_by("risk__number", "due_date", "id")


def plan_values(
    actor: Actor, org: Organization, risks: RiskFilters | None, today: dt.date
) -> Iterator[dict[str, Any]]:
    """Every treatment action as its ``PLAN_FIELDS`` values (and the owner's name), streamed."""
    overdue = flag(Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=today))
    actions = plan_queryset(actor, org, risks).annotate(overdue=overdue)
    return actions.values(*PLAN_FIELDS, "owner__full_name").iterator(chunk_size=CHUNK)


def plan_rows(
    actor: Actor, org: Organization, risks: RiskFilters | None, today: dt.date
) -> Iterator[list[Any]]:
    """Every treatment action as the cells of a row, streamed."""
    return (action_row(values) for values in plan_values(actor, org, risks, today))


def action_status(status: str) -> str:
    """An action's status in words."""
    return _ACTION_STATUSES.get(status, status)
