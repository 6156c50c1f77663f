"""Reads of the controls and the SoA, scoped to the actor, in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from openisms.context.models import Obligation
from openisms.controls.choices import (
    OTHER_THEME,
    THEME_LABELS,
    Applicability,
    ImplementationStatus,
    LinkKind,
)
from openisms.controls.filters import SoaFilters
from openisms.controls.models import Control, ControlLink, SoaVersion
from openisms.core import authz
from openisms.core.actors import Actor
from openisms.core.errors import NotFound
from openisms.core.models import Organization
from openisms.core.selectors import computed_per_change, listed, prefetched
from openisms.risks.choices import RiskStatus
from openisms.risks.models import Risk, RiskControl

VIEW = "controls.view"
#: A control the first slice of links left short gets its refs read if it has at most this many.
#: How many risk references a row lists (page, API, exports, versions); the count is always
#: the full one, and the register filtered by the control lists them all.
RISK_REFS_LISTED = 25


Reasons = dict[int, tuple[list[str], int]]


def risk_reasons(org: Organization, limit: int | None = None) -> Reasons:
    """Requirement id -> (refs of the open risks that chose it, how many).

    Without ``limit``: every ref, in one query. With ``limit`` (the page, the API, exports and
    published versions): at most ``limit`` refs per control, the first made, in four queries
    whatever the number of risks, read once per change of the organisation (25 ms for
    20,000 risks on SQLite); the count is always the full one.
    """
    if limit is None:
        return _risk_reasons(org, None)
    return computed_per_change(org, "risk-reasons", lambda: _risk_reasons(org, limit), limit)


def _risk_reasons(org: Organization, limit: int | None) -> Reasons:
    found: Reasons = {}
    if limit is None:
        chosen = RiskControl.objects.filter(organization=org).exclude(
            risk__status=RiskStatus.CLOSED
        )
        rows = chosen.order_by("requirement_id", "risk__number").values_list(
            "requirement_id", "risk__ref"
        )
        for requirement_id, ref in rows:
            found.setdefault(requirement_id, ([], 0))[0].append(ref)
        return {key: (refs, len(refs)) for key, (refs, _) in found.items()}
    # Window functions over every link are slow on SQLite (130 ms for 40,000 links), and
    # Django will not slice the parts of a UNION there, so: the counts by GROUP BY, then the
    # first ``limit`` links of each control in one UNION ALL of index range reads (each
    # control's links are kept in risk order by the index riskcontrol_org_req), then the refs.
    # Three queries, whatever the number of risks.
    closed = Risk.objects.filter(organization=org, status=RiskStatus.CLOSED).values("id")
    links = RiskControl.objects.filter(organization=org).exclude(risk_id__in=closed)
    counts = dict(
        links.values("requirement_id").annotate(n=Count("*")).values_list("requirement_id", "n")
    )
    kept: dict[int, list[int]] = defaultdict(list)
    for requirement_id, risk_id in _first_links(org, list(counts), limit):
        kept[requirement_id].append(risk_id)
    wanted = [risk_id for ids in kept.values() for risk_id in ids]
    ref_of = dict(Risk.objects.filter(pk__in=wanted or [0]).values_list("id", "ref"))
    return {r: ([ref_of[i] for i in sorted(kept[r])], n) for r, n in counts.items()}


def _first_links(org: Organization, requirements: list[int], limit: int) -> list[Any]:
    if not requirements:
        return []
    if connection.vendor == "postgresql":
        return _first_links_lateral(org, requirements, limit)
    link_table, risk_table = RiskControl._meta.db_table, Risk._meta.db_table
    part = (
        f"SELECT * FROM (SELECT requirement_id, risk_id FROM {link_table} "  # noqa: S608
        "WHERE organization_id = %s AND requirement_id = %s AND risk_id NOT IN "
        f"(SELECT id FROM {risk_table} WHERE organization_id = %s AND status = %s) "
        "ORDER BY risk_id LIMIT %s) AS first_{n}"
    )
    sql = " UNION ALL ".join(part.format(n=n) for n in range(len(requirements)))
    params: list[Any] = []
    for requirement_id in requirements:
        params += [org.pk, requirement_id, org.pk, RiskStatus.CLOSED.value, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _first_links_lateral(org: Organization, requirements: list[int], limit: int) -> list[Any]:
    """PostgreSQL: the same rows in one statement planned once (a 93-part UNION ALL costs
    93 plans there: 72 ms, against 18 ms for a LATERAL join over the controls)."""
    link_table, risk_table = RiskControl._meta.db_table, Risk._meta.db_table
    sql = (
        "SELECT wanted.requirement_id, first.risk_id "  # noqa: S608
        "FROM unnest(%s::bigint[]) AS wanted(requirement_id) CROSS JOIN LATERAL "
        f"(SELECT risk_id FROM {link_table} WHERE organization_id = %s "
        "AND requirement_id = wanted.requirement_id AND risk_id NOT IN "
        f"(SELECT id FROM {risk_table} WHERE organization_id = %s AND status = %s) "
        "ORDER BY risk_id LIMIT %s) AS first"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [requirements, org.pk, org.pk, RiskStatus.CLOSED.value, limit])
        return list(cursor.fetchall())


@dataclass
class SoaRow:
    """One SoA line: the control with its derived reasons."""

    control: Control
    risk_refs: list[str]
    obligations: list[Obligation] = field(default_factory=list)
    links: list[ControlLink] = field(default_factory=list)
    risk_count: int = -1  # all the risks that chose it; risk_refs may hold the first ones only

    def __post_init__(self) -> None:
        if self.risk_count < 0:
            self.risk_count = len(self.risk_refs)

    @property
    def more_risks(self) -> int:
        """How many chose it beyond those listed in ``risk_refs``."""
        return self.risk_count - len(self.risk_refs)

    @property
    def applicable(self) -> bool:
        return self.control.is_applicable(
            bool(self.risk_refs or self.obligations or self.control.business_reason.strip())
        )

    @property
    def applicable_word(self) -> str:
        """yes, no or undecided, after deriving the risk treatment reason."""
        if self.applicable:
            return "yes"
        return str(self.control.applicability)

    @property
    def documents(self) -> list[ControlLink]:
        return [link for link in self.links if link.kind != LinkKind.EVIDENCE]

    @property
    def evidence(self) -> list[ControlLink]:
        return [link for link in self.links if link.kind == LinkKind.EVIDENCE]

    @property
    def freshness(self) -> str:
        """current, expired or none: the evidence column."""
        evidence = self.evidence
        if not evidence:
            return "none"
        today = timezone.localdate()
        return "current" if any(link.is_current(today) for link in evidence) else "expired"

    def reasons(self) -> list[str]:
        """The inclusion reasons as sentences, for exports and the frozen JSON."""
        found = [f"risk treatment: {ref}" for ref in self.risk_refs]
        if self.more_risks > 0:
            found.append(f"risk treatment: and {self.more_risks} more risks")
        found += [f"obligation: {o.ref} {o.name}" for o in self.obligations]
        if self.control.business_reason.strip():
            found.append(f"business requirement: {self.control.business_reason.strip()}")
        return found

    def as_dict(self) -> dict[str, Any]:
        """The row as frozen in a published version and as the API and exports show it."""
        c = self.control
        return {
            "ref": c.ref,
            "title": c.title,
            "theme": c.theme,
            "source": c.source,
            "source_note": c.source_note,
            "applicable": self.applicable_word,
            "reasons": {
                "risks": list(self.risk_refs),
                "risk_count": self.risk_count,
                "obligations": [o.ref for o in self.obligations],
                "business": c.business_reason,
            },
            "exclusion_justification": c.exclusion_justification,
            "status": c.implementation_status,
            "implementation": c.implementation_description,
            "owner": c.owner.email if c.owner else "",
            "due_date": c.due_date.isoformat() if c.due_date else None,
            "last_review": c.last_review.isoformat() if c.last_review else None,
            "documents": [link.label for link in self.documents],
            "evidence": [link.label for link in self.evidence],
        }


def _controls(org: Organization) -> QuerySet[Control]:
    return (
        Control.objects.filter(organization=org)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "obligations",
                queryset=Obligation.objects.order_by("ref"),
                to_attr=listed("obligations"),
            ),
            Prefetch(
                "links",
                queryset=ControlLink.objects.order_by("kind", "label"),
                to_attr=listed("links"),
            ),
        )
    )


def soa_rows(
    *,
    actor: Actor,
    org: Organization,
    filters: SoaFilters | None = None,
    risk_limit: int | None = RISK_REFS_LISTED,
) -> list[SoaRow]:
    """Every control of ``org`` with its reasons, in SoA order, filtered. Reads only: the
    Annex A controls are made when the organisation is created and when the catalogue loads
    (``controls.receivers``). Runs a fixed number of queries.
    """
    authz.require(actor, VIEW, org)
    return soa_rows_unchecked(org, filters, risk_limit=risk_limit)


def soa_rows_unchecked(
    org: Organization,
    filters: SoaFilters | None = None,
    *,
    risk_limit: int | None = RISK_REFS_LISTED,
) -> list[SoaRow]:
    """``soa_rows`` for callers that checked access themselves (the check, exports)."""
    reasons = risk_reasons(org, risk_limit)
    f = (filters or SoaFilters()).checked()
    none: tuple[list[str], int] = ([], 0)
    rows = []
    for control in _controls(org):
        refs, count = reasons.get(control.requirement_id or 0, none)
        links = prefetched(control, "links")
        rows.append(SoaRow(control, refs, prefetched(control, "obligations"), links, count))
    return [row for row in rows if f.keep(row)]


@dataclass(frozen=True)
class ThemeSummary:
    """The summary line of one theme."""

    theme: str
    label: str
    total: int
    applicable: int
    excluded: int
    implemented: int

    @property
    def implemented_share(self) -> int:
        """Implemented controls as a share of the applicable ones, in per cent."""
        return round(100 * self.implemented / self.applicable) if self.applicable else 0


def soa_summary(rows: list[SoaRow]) -> list[ThemeSummary]:
    """Applicable, excluded and implemented counts by theme, in theme order."""
    found = []
    for theme, label in THEME_LABELS.items():
        mine = [row for row in rows if row.control.theme == theme]
        if not mine and theme == OTHER_THEME:
            continue
        applicable = [row for row in mine if row.applicable]
        done = [
            r
            for r in applicable
            if r.control.implementation_status == ImplementationStatus.IMPLEMENTED
        ]
        excluded = [r for r in mine if r.control.applicability == Applicability.NO]
        found.append(
            ThemeSummary(theme, label, len(mine), len(applicable), len(excluded), len(done))
        )
    return found


def soa_groups(rows: list[SoaRow]) -> list[tuple[str, str, list[SoaRow]]]:
    """Rows grouped by theme, in theme order: (theme, label, rows)."""
    by_theme: dict[str, list[SoaRow]] = defaultdict(list)
    for row in rows:
        by_theme[row.control.theme].append(row)
    return [(t, label, by_theme[t]) for t, label in THEME_LABELS.items() if by_theme.get(t)]


def soa_row_get(*, actor: Actor, org: Organization, ref: str) -> SoaRow:
    """One control with its reasons, by reference (``A.5.1`` or ``5.1``); NotFound otherwise."""
    authz.require(actor, VIEW, org)
    control = _controls(org).filter(ref__in={ref, f"A.{ref}"}).first()
    if control is None:
        raise NotFound(f"No control {ref} in this organisation.")
    refs: list[str] = []
    if control.requirement_id:
        refs = risk_reasons_for(org, control.requirement_id)
    return SoaRow(control, refs, prefetched(control, "obligations"), prefetched(control, "links"))


def risk_reasons_for(org: Organization, requirement_id: int) -> list[str]:
    """The refs of the open risks that chose one requirement."""
    return list(
        RiskControl.objects.filter(organization=org, requirement_id=requirement_id)
        .exclude(risk__status=RiskStatus.CLOSED)
        .order_by("risk__number")
        .values_list("risk__ref", flat=True)
    )


def soa_version_list(*, actor: Actor, org: Organization) -> QuerySet[SoaVersion]:
    """The published versions, newest first, without their heavy columns."""
    authz.require(actor, VIEW, org)
    return SoaVersion.objects.filter(organization=org).defer("rows", "html").order_by("-number")


def soa_version_get(*, actor: Actor, org: Organization, number: int) -> SoaVersion:
    """One published version by number; NotFound otherwise."""
    authz.require(actor, VIEW, org)
    found = SoaVersion.objects.filter(organization=org, number=number).first()
    if found is None:
        raise NotFound(f"No SoA version {number} in this organisation.")
    return found


def soa_version_latest_approved(org: Organization) -> SoaVersion | None:
    """The approved version in force, if any (callers checked access)."""
    return SoaVersion.objects.filter(organization=org, status="approved").first()


DIFF_FIELDS = ("applicable", "reasons", "status", "exclusion_justification", "owner")


@dataclass(frozen=True)
class RowChange:
    """How one control differs between two versions."""

    ref: str
    title: str
    kind: str  # added, removed, changed
    changes: dict[str, tuple[Any, Any]]


def soa_diff(old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]]) -> list[RowChange]:
    """Row-by-row differences (applicability, reasons, status...) between two row lists."""
    old = {row["ref"]: row for row in old_rows}
    new = {row["ref"]: row for row in new_rows}
    found = []
    for ref, row in new.items():
        if ref not in old:
            found.append(RowChange(ref, row["title"], "added", {}))
            continue
        changed = {
            key: (old[ref].get(key), row.get(key))
            for key in DIFF_FIELDS
            if old[ref].get(key) != row.get(key)
        }
        if changed:
            found.append(RowChange(ref, row["title"], "changed", changed))
    found += [
        RowChange(ref, row["title"], "removed", {}) for ref, row in old.items() if ref not in new
    ]
    return found
