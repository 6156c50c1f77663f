"""Reads of the risks app, scoped to what the actor may see, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Model, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from openisms.assets.models import Asset
from openisms.catalog.choices import ANNEX_A_FRAMEWORK, RequirementKind
from openisms.catalog.models import Requirement
from openisms.core import authz
from openisms.core.actors import Actor
from openisms.core.errors import NotFound
from openisms.core.lookups import Ids
from openisms.core.models import Membership, Organization, User
from openisms.core.prepared import Prepared, columns, instance, of_organization
from openisms.core.selectors import LinkKind, LinksOf, computed_per_change, listed
from openisms.risks.choices import OPEN_ACTION_STATUSES, RiskStatus
from openisms.risks.filters import (
    ACTION_SORTS,
    SORTS,
    ActionFilters,
    RiskFilters,
    acceptance_expired,
    due_for_review,
    filter_actions,
    filter_risks,
    flag,
    order,
)
from openisms.risks.methodology import MethodologySpec
from openisms.risks.models import (
    Methodology,
    Risk,
    RiskAssessment,
    RiskAsset,
    RiskControl,
    RiskThreat,
    RiskVulnerability,
    Threat,
    TreatmentAction,
    Vulnerability,
)
from openisms.risks.rules import control_ref, normalise_ref

# --- methodology ------------------------------------------------------------------------------


def methodology_current(*, actor: Actor, org: Organization) -> Methodology:
    """The organisation's current methodology version; NotFound when none was set up."""
    authz.require(actor, "risks.view", org)
    current = current_methodology_of(org)
    if current is None:
        raise NotFound("No risk methodology yet: choose a 3x3, 4x4 or 5x5 preset to start.")
    return current


def methodology_current_or_none(*, actor: Actor, org: Organization) -> Methodology | None:
    """The current methodology version, or None before one was set up."""
    authz.require(actor, "risks.view", org)
    return current_methodology_of(org)


_CURRENT = Prepared(
    lambda org: (
        Methodology.objects.filter(organization=org, is_current=True)
        .order_by()
        .values(*columns(Methodology))
    ),
    org=int,
)


def current_methodology_of(org: Organization) -> Methodology | None:
    """The methodology version new assessments use (None: none set up), for services too."""
    found = _CURRENT.first(org=org.pk)
    return instance(Methodology, found) if found else None


def methodology_list(
    *, actor: Actor, org: Organization, with_counts: bool = True
) -> QuerySet[Methodology]:
    """Every version, newest first; ``with_counts``: with how many risks each one holds (a
    count over every risk: for the versions page, not for a version picker)."""
    authz.require(actor, "risks.view", org)
    versions = Methodology.objects.filter(organization=org).select_related("created_by")
    if with_counts:
        versions = versions.annotate(risk_count=Count("risks"))
    return versions.order_by("-version")


def methodology_get(*, actor: Actor, org: Organization, version: int) -> Methodology:
    """One version by its number, or NotFound."""
    versions = methodology_list(actor=actor, org=org, with_counts=False)
    found = versions.filter(version=version).first()
    if found is None:
        raise NotFound(f"No methodology version {version} in this organisation.")
    return found


def methodology_map(org: Organization) -> dict[int, Methodology]:
    """Every version of ``org`` by id (one query), to show levels without a join per row."""
    return {m.pk: m for m in Methodology.objects.filter(organization=org)}


# --- threats and vulnerabilities ---------------------------------------------------------------


@dataclass(frozen=True)
class ThreatFilters:
    """Which threats to list: by category, source (``own`` for the organisation's), words."""

    category: str = ""
    source: str = ""
    q: str = ""


def threat_list(
    *, actor: Actor, org: Organization, filters: ThreatFilters | None = None
) -> QuerySet[Threat]:
    """The shipped library (not retired) and the organisation's own threats, in order."""
    authz.require(actor, "risks.view", org)
    f = filters or ThreatFilters()
    library = Q(organization__isnull=True, is_retired=False)
    threats = Threat.objects.filter(library | Q(organization=org))
    if f.category:
        threats = threats.filter(Q(category=f.category) | Q(also_category=f.category))
    if f.source:
        threats = threats.filter(source=f.source)
    for word in f.q.split()[:8]:
        threats = threats.filter(
            Q(ref__icontains=word) | Q(name__icontains=word) | Q(summary__icontains=word)
        )
    return threats.order_by("position", "ref")


def threat_get(*, actor: Actor, org: Organization, ref: str) -> Threat:
    """A library threat or one of the organisation's own, by reference; NotFound otherwise."""
    authz.require(actor, "risks.view", org)
    wanted = normalise_ref(ref, "T")
    found = (
        Threat.objects.filter(Q(organization__isnull=True) | Q(organization=org))
        .filter(ref=wanted)
        .first()
    )
    if found is None:
        raise NotFound(f"No threat {ref} in the library or this organisation.")
    return found


def _brief_assets() -> QuerySet[Asset]:
    return Asset.objects.only(
        "id", "ref", "name", "confidentiality", "integrity", "availability", "number"
    ).order_by("number")


@dataclass(frozen=True)
class VulnerabilityFilters:
    """Which vulnerabilities to list."""

    status: str = ""
    severity: str = ""
    asset: str = ""
    q: str = ""


def vulnerability_list(
    *, actor: Actor, org: Organization, filters: VulnerabilityFilters | None = None
) -> QuerySet[Vulnerability]:
    """The organisation's vulnerabilities with their assets and risk counts, by reference."""
    authz.require(actor, "risks.view", org)
    f = filters or VulnerabilityFilters()
    found = Vulnerability.objects.filter(organization=org).prefetch_related(
        Prefetch("assets", queryset=_brief_assets())
    )
    if f.status:
        found = found.filter(status=f.status)
    if f.severity:
        found = found.filter(severity=f.severity)
    if f.asset.strip():
        found = found.filter(asset_links__asset__ref=normalise_ref(f.asset, "A"))
    for word in f.q.split()[:8]:
        found = found.filter(Q(ref__icontains=word) | Q(title__icontains=word))
    return found.annotate(risk_count=Count("risk_links", distinct=True)).order_by("number")


def vulnerability_get(*, actor: Actor, org: Organization, ref: str) -> Vulnerability:
    """One vulnerability with its assets and risks; NotFound otherwise."""
    authz.require(actor, "risks.view", org)
    found = (
        Vulnerability.objects.filter(organization=org, ref=normalise_ref(ref, "V"))
        .select_related("organization")
        .prefetch_related(
            Prefetch("assets", queryset=_brief_assets()),
            Prefetch("risks", queryset=Risk.objects.only("id", "ref", "title", "status")),
        )
        .first()
    )
    if found is None:
        raise NotFound(f"No vulnerability {ref} in this organisation.")
    return found


# --- risks ------------------------------------------------------------------------------------


def _controls() -> QuerySet[Requirement]:
    return Requirement.objects.only("id", "ref", "title", "order").order_by("order")


def _threats() -> QuerySet[Threat]:
    return Threat.objects.only("id", "ref", "name", "position").order_by("position", "ref")


def _vulnerabilities() -> QuerySet[Vulnerability]:
    return Vulnerability.objects.only("id", "ref", "title", "number").order_by("number")


def _link_prefetches() -> tuple[Prefetch[Any], ...]:
    return (
        Prefetch("assets", queryset=_brief_assets()),
        Prefetch("threats", queryset=_threats()),
        Prefetch("vulnerabilities", queryset=_vulnerabilities()),
        Prefetch("controls", queryset=_controls()),
    )


def with_links(risks: QuerySet[Risk], *kinds: str) -> QuerySet[Risk]:
    """Fetch every risk's assets, threats, vulnerabilities and controls (or only ``kinds`` of
    them), one query each, as lists (``core.selectors.prefetched(risk, "assets")``,
    ``risk.prefetched_assets``)."""
    return risks.prefetch_related(
        *(
            Prefetch(p.prefetch_through, queryset=p.queryset, to_attr=listed(p.prefetch_through))
            for p in _link_prefetches()
            if not kinds or p.prefetch_through in kinds
        )
    )


def risk_details() -> tuple[Prefetch[Any], ...]:
    """What a risk's page and its API detail show beyond its row: links, actions, history."""
    return (*_link_prefetches(), *risk_history())


#: An assessment's levels, as the history lists them.
_LEVEL_FIELDS = (
    "inherent_likelihood",
    "inherent_impact",
    "inherent_level",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
)


_ASSESSMENTS = Prepared(
    lambda org, risk: (
        RiskAssessment.objects.filter(organization=org, risk=risk)
        .order_by("-assessed_at", "-id")
        .values(
            "assessed_at",
            *_LEVEL_FIELDS,
            "note",
            assessor=Coalesce("assessed_by__email", "assessed_by_label"),
            methodology_version=F("methodology__version"),
        )
    ),
    org=int,
    risk=int,
)


def assessment_records(org: Organization, risk_id: int) -> list[dict[str, Any]]:
    """The assessments of the risk ``risk_id`` of ``org``, newest first, as plain values (the
    assessor's e-mail, or the name kept when the account is gone)."""
    found = _ASSESSMENTS.rows(org=org.pk, risk=risk_id)
    for row in found:
        row["assessed_by"] = row.pop("assessor")  # a field's name: not an annotation's
    return found


def assessment_record(assessment: RiskAssessment) -> dict[str, Any]:
    """An assessment written in this request as ``assessment_records`` gives it, from the
    object in hand (its methodology and assessor set, as the services leave them)."""
    assessor = assessment.assessed_by
    methodology = assessment.methodology
    return {
        "assessed_at": assessment.assessed_at,
        **{name: getattr(assessment, name) for name in _LEVEL_FIELDS},
        "note": assessment.note,
        "assessed_by": assessor.email if assessor else assessment.assessed_by_label,
        "methodology_version": methodology.version,
    }


def risk_history() -> tuple[Prefetch[Any], Prefetch[Any]]:
    """A risk's treatment actions and its assessments (newest first), one query each."""
    actions = TreatmentAction.objects.select_related("owner").order_by("due_date", "id")
    history = RiskAssessment.objects.select_related("methodology", "assessed_by")
    return (
        Prefetch("actions", queryset=actions),
        Prefetch("assessments", queryset=history.order_by("-assessed_at", "-id")),
    )


def risk_list(
    *,
    actor: Actor,
    org: Organization,
    filters: RiskFilters | None = None,
    links: bool = True,
    today: dt.date | None = None,
) -> QuerySet[Risk]:
    """The organisation's risks, filtered and sorted, with owner, methodology and links."""
    authz.require(actor, "risks.view", org)
    f = (filters or RiskFilters()).checked()
    risks = Risk.objects.filter(organization=org).select_related("owner", "methodology")
    risks = filter_risks(risks, f, today or timezone.localdate(), org)
    risks = order(risks, f.sort, SORTS)
    return with_links(risks) if links else risks


#: Each link of a risk, read by ``link_refs`` in one query, its refs in this order.
_LINKS = LinksOf(
    assets=LinkKind(RiskAsset, "risk", "asset__ref", "asset__number", "asset__ref"),
    threats=LinkKind(RiskThreat, "risk", "threat__ref", "threat__position", "threat__ref"),
    vulnerabilities=LinkKind(
        RiskVulnerability,
        "risk",
        "vulnerability__ref",
        "vulnerability__number",
        "vulnerability__ref",
    ),
    controls=LinkKind(
        RiskControl, "risk", "requirement__ref", "requirement__order", "requirement__ref"
    ),
)

#: The references linked to each risk, by kind of link, then by risk id.
Links = dict[str, dict[int, list[str]]]


def link_refs(risk_ids: list[int]) -> Links:
    """The refs linked to each of ``risk_ids`` (risks already allowed to the reader), by kind.

    One query and no model objects (an export reads 20,000 risks' links chunk by chunk).
    Read by risk: the organisation's index would make SQLite, without statistics, walk all
    40,000 links of the organisation for a page of ten risks.
    """
    return _LINKS(risk_ids)


#: A risk's own columns that lists and exports read as values (no model objects).
RISK_VALUES = (
    "id",
    "ref",
    "title",
    "description",
    "affects_confidentiality",
    "affects_integrity",
    "affects_availability",
    "inherent_likelihood",
    "inherent_impact",
    "inherent_level",
    "existing_controls",
    "treatment",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
    "status",
    "accepted_by_label",
    "accepted_at",
    "acceptance_valid_until",
    "acceptance_rationale",
    "next_review",
)
#: What the API reads of a risk besides.
RECORD_FIELDS = (*RISK_VALUES, "accepted_level", "version", "created_at", "updated_at")


@dataclass(frozen=True)
class RiskRecords:
    """A page of risks for the API: the rows as values (``RECORD_FIELDS`` with ``owner_email``,
    ``methodology_version``, ``due_for_review`` and ``acceptance_expired``) in the order
    asked, and the refs of their links."""

    risks: list[dict[str, Any]]
    refs: Links


def _records(ids: Ids, today: dt.date) -> QuerySet[Risk, Any]:
    records: QuerySet[Risk, Any] = (
        Risk.objects.filter(id__in_ids=ids)
        .order_by()
        .values(
            *RECORD_FIELDS,
            "organization_id",
            owner_email=F("owner__email"),
            methodology_version=F("methodology__version"),
            due_for_review=flag(due_for_review(today)),
            acceptance_expired=flag(acceptance_expired(today)),
        )
    )
    return records


_RECORDS = Prepared(_records, for_json=True, ids=Ids, today=dt.date)


def risk_records(*, org: Organization, ids: list[int], today: dt.date) -> RiskRecords:
    """The risks ``ids`` of ``org``, in that order, and their links' refs: two queries.

    Values, not model objects: building 1,000 risks (their foreign keys set one by one) cost
    a third of a 1,000-row page. The review and acceptance dates are judged in SQL, by the
    same conditions as the register's filters. For JSON only: on SQLite the dates and
    date-times come as their JSON text (``core.prepared``, ``for_json``).
    """
    found = of_organization(org, _RECORDS.rows(ids=ids, today=today))
    by_id = {risk["id"]: risk for risk in found}
    return RiskRecords([by_id[pk] for pk in ids if pk in by_id], link_refs(list(by_id)))


def created_record(
    risk: Risk, linked: Mapping[str, Iterable[Model]], today: dt.date
) -> RiskRecords:
    """A risk written in this request, as ``risk_records`` gives it, from the object in hand
    (its owner and methodology set, as the services leave them) and the objects it was
    linked to (by kind, as the name lookup reads them): what a create answers, without
    reading the risk, its links or its levels back."""
    record = {name: getattr(risk, name) for name in RECORD_FIELDS}
    record["owner_email"] = risk.owner.email
    record["methodology_version"] = risk.methodology.version if risk.methodology else None
    record["due_for_review"] = risk.is_due_for_review(today)
    record["acceptance_expired"] = risk.acceptance_expired(today)
    return RiskRecords([record], _LINKS.given(risk.pk, linked))


def _by_ref(actor: Actor, org: Organization, ref: str) -> QuerySet[Risk]:
    """The risk ``ref`` of ``org`` (one or none), once the actor may read risks."""
    authz.require(actor, "risks.view", org)
    return Risk.objects.filter(organization=org, ref=normalise_ref(ref, "R"))


def _present(found: Any, ref: str) -> Any:
    if found is None:
        raise NotFound(f"No risk {ref} in this organisation.")
    return found


def risk_get(*, actor: Actor, org: Organization, ref: str) -> Risk:
    """One risk with everything its page shows: links, actions and history; NotFound otherwise."""
    found = (
        _by_ref(actor, org, ref)
        .select_related("organization", "owner", "methodology", "accepted_by")
        .prefetch_related(*risk_details())
    )
    risk: Risk = _present(found.first(), ref)
    return risk


def risk_key(*, actor: Actor, org: Organization, ref: str) -> int:
    """The id of the risk ``ref`` if the actor may read it; NotFound otherwise."""
    key: int = _present(_by_ref(actor, org, ref).values_list("id", flat=True).first(), ref)
    return key


def risks_choosing_control(org: Organization, requirement: Requirement) -> QuerySet[Risk]:
    """The risks of ``org`` that chose ``requirement`` (an Annex A control) as a treatment.

    For the Statement of Applicability: each is a reason to include the control. Closed risks
    are left out; the order is by reference.
    """
    chosen = RiskControl.objects.filter(organization=org, requirement=requirement)
    return (
        Risk.objects.filter(organization=org, pk__in=chosen.values("risk_id"))
        .exclude(status=RiskStatus.CLOSED)
        .select_related("owner", "methodology")
        .order_by("number")
    )


def annex_a_controls() -> QuerySet[Requirement]:
    """The Annex A controls (ISO/IEC 27001:2022) a risk can choose, in document order."""
    return Requirement.objects.filter(
        framework__code=ANNEX_A_FRAMEWORK, kind=RequirementKind.CONTROL
    ).order_by("order")


def annex_a_control(ref: str) -> Requirement:
    """One Annex A control by reference (``A.5.15`` or ``5.15``), or NotFound."""
    found = annex_a_controls().filter(ref=control_ref(ref)).first()
    if found is None:
        raise NotFound(f"No Annex A control {ref}; is the catalogue loaded?")
    return found


def member_choices(*, org: Organization) -> list[User]:
    """The organisation's members, for owner choices."""
    memberships = Membership.objects.filter(organization=org).select_related("user")
    return sorted((m.user for m in memberships), key=lambda u: u.display_name.lower())


# --- treatment plan ---------------------------------------------------------------------------


def action_list(
    *, actor: Actor, org: Organization, filters: ActionFilters | None = None
) -> QuerySet[TreatmentAction]:
    """Every treatment action with its risk and owner (6.1.3 e), by due date."""
    authz.require(actor, "risks.view", org)
    f = (filters or ActionFilters()).checked()
    actions = TreatmentAction.objects.filter(organization=org).select_related(
        "risk", "risk__owner", "owner"
    )
    return order(filter_actions(actions, f, timezone.localdate()), f.sort, ACTION_SORTS)


def action_get(*, actor: Actor, org: Organization, risk: Risk, action_id: int) -> TreatmentAction:
    """One action of ``risk``; NotFound otherwise."""
    authz.require(actor, "risks.view", org)
    found = (
        TreatmentAction.objects.filter(organization=org, risk=risk, pk=action_id)
        .select_related("risk", "risk__organization", "owner", "organization")
        .first()
    )
    if found is None:
        raise NotFound(f"No such action on {risk.ref}.")
    return found


# --- suggestions and counts -------------------------------------------------------------------

ASSET_SCALE = 4


@dataclass(frozen=True)
class ImpactSuggestion:
    """The impact an asset's valuation suggests, and why."""

    impact: int
    label: str
    asset: Asset
    dimension: str
    value: int

    @property
    def reason(self) -> str:
        """Why: ``A-0003 Payroll data has confidentiality 4 of 4.``"""
        name = f"{self.asset.ref} {self.asset.name}"
        return f"{name} has {self.dimension} {self.value} of {ASSET_SCALE}."


def scale_value(asset_value: int, scale_size: int) -> int:
    """An asset value (1 to 4) mapped onto an impact scale of ``scale_size`` steps.

    Linear, ends to ends: 1 stays the lowest step and 4 becomes the highest, rounding halves up.
    """
    share = (asset_value - 1) / (ASSET_SCALE - 1)
    return int(1 + share * (scale_size - 1) + 0.5)


def impact_suggestion(
    assets: Iterable[Asset], dimensions: Iterable[str], spec: MethodologySpec
) -> ImpactSuggestion | None:
    """The impact the linked assets' valuation suggests: the highest value they hold for the
    properties the risk hits (all three when it names none), mapped onto the impact scale."""
    hit = list(dimensions) or ["confidentiality", "integrity", "availability"]
    best: tuple[int, Asset, str] | None = None
    for asset in assets:
        for dimension in hit:
            value = int(getattr(asset, dimension))
            if best is None or value > best[0]:
                best = (value, asset, dimension)
    if best is None:
        return None
    value, asset, dimension = best
    impact = scale_value(value, len(spec.impact))
    return ImpactSuggestion(impact, spec.impact[impact - 1].label, asset, dimension, value)


@dataclass(frozen=True)
class RiskCounts:
    """Totals for the dashboard and the register's header."""

    open: int
    unassessed: int
    high: int
    due_for_review: int
    stale: int
    overdue_actions: int


def risk_counts(*, org: Organization, today: dt.date | None = None) -> RiskCounts:
    """Counts of risks and of overdue actions, as of the organisation's last change and
    today: the aggregate over every risk (8 ms for 20,000) is read once per change."""
    today = today or timezone.localdate()
    return computed_per_change(org, "risk-counts", lambda: _risk_counts(org, today), today)


def _risk_counts(org: Organization, today: dt.date) -> RiskCounts:
    """Counts of risks (one aggregate query) and of overdue actions (one more)."""
    open_risks = ~Q(status=RiskStatus.CLOSED)
    top_rank = Q(residual_rank__gte=2) | Q(residual_rank__isnull=True, inherent_rank__gte=2)
    # COUNT(organization_id), a column of the index risk_counts, where COUNT(id) would make
    # PostgreSQL read every row (Django refuses COUNT(*) with a filter).
    totals = Risk.objects.filter(organization=org).aggregate(
        open=Count("organization", filter=open_risks),
        unassessed=Count("organization", filter=Q(status=RiskStatus.IDENTIFIED)),
        high=Count("organization", filter=open_risks & top_rank),
        due=Count("organization", filter=due_for_review(today)),
        stale=Count("organization", filter=open_risks & Q(methodology__is_current=False)),
    )
    overdue = TreatmentAction.objects.filter(
        organization=org, status__in=OPEN_ACTION_STATUSES, due_date__lt=today
    ).count()
    return RiskCounts(
        totals["open"],
        totals["unassessed"],
        totals["high"],
        totals["due"],
        totals["stale"],
        overdue,
    )
