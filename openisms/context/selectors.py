"""Reads of the context app, scoped to the organisation and to what the actor may see.

``scope_current(org)`` is what other apps read: the approved scope statement, or None.
``obligation_list`` is what the Statement of Applicability cites as inclusion reasons.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openisms.context import filters as f
from openisms.context.choices import (
    OPEN_SCOPE_STATUSES,
    IssueKind,
    IssueStatus,
    ObligationStatus,
    ScopeStatus,
)
from openisms.context.models import (
    InterestedParty,
    Issue,
    Obligation,
    PartyRequirement,
    ScopeStatement,
)
from openisms.core import authz
from openisms.core.actors import Actor
from openisms.core.errors import NotFound
from openisms.core.models import Organization

VIEW = "context.view"


# --- scope ----------------------------------------------------------------------------------


def scope_current(org: Organization, *, actor: Actor | None = None) -> ScopeStatement | None:
    """The organisation's approved scope statement, or None when none is approved yet.

    Without ``actor`` it is a read for other apps' services, which checked their own access.
    """
    if actor is not None:
        authz.require(actor, VIEW, org)
    return ScopeStatement.objects.filter(organization=org, status=ScopeStatus.APPROVED).first()


def scope_open(*, actor: Actor, org: Organization) -> ScopeStatement | None:
    """The version being worked on (a draft or in review), if any."""
    authz.require(actor, VIEW, org)
    return ScopeStatement.objects.filter(organization=org, status__in=OPEN_SCOPE_STATUSES).first()


def scope_version_list(*, actor: Actor, org: Organization) -> QuerySet[ScopeStatement]:
    """Every version of the scope statement, newest first."""
    authz.require(actor, VIEW, org)
    return ScopeStatement.objects.filter(organization=org).order_by("-number")


def scope_version_get(*, actor: Actor, org: Organization, number: int) -> ScopeStatement:
    """Version ``number`` of the scope statement, or NotFound."""
    found = scope_version_list(actor=actor, org=org).filter(number=number).first()
    if found is None:
        raise NotFound(f"There is no version {number} of the scope.")
    return found


def scope_previous(*, actor: Actor, scope: ScopeStatement) -> ScopeStatement:
    """The version before ``scope``, or NotFound when it is the first."""
    found = (
        scope_version_list(actor=actor, org=scope.organization)
        .filter(number__lt=scope.number)
        .first()
    )
    if found is None:
        raise NotFound(f"Version {scope.number} is the first; there is none before it.")
    return found


SCOPE_LABELS: dict[str, str] = {
    "summary": "Summary",
    "text": "Scope statement",
    "organisational_boundaries": "Organisational boundaries",
    "physical_boundaries": "Physical boundaries",
    "technological_boundaries": "Technological boundaries",
    "locations": "Locations",
    "exclusions": "Exclusions and their justification",
    "interfaces": "Interfaces and dependencies",
}


@dataclass(frozen=True)
class DiffLine:
    """One line of a field's comparison: ``op`` is ``same``, ``added`` or ``removed``."""

    op: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    """How one field of the scope differs between two versions."""

    name: str
    label: str
    changed: bool
    lines: list[DiffLine] = field(default_factory=list)


def _lines(scope: ScopeStatement, name: str) -> list[str]:
    if name == "exclusions":
        return [f"{row['item']}: {row['justification']}" for row in scope.exclusions]
    value: Any = getattr(scope, name)
    return str(value).splitlines()


def _line_diff(old: list[str], new: list[str]) -> list[DiffLine]:
    ops = {" ": "same", "+": "added", "-": "removed"}
    return [DiffLine(ops[line[0]], line[2:]) for line in difflib.ndiff(old, new) if line[0] in ops]


def scope_diff(older: ScopeStatement, newer: ScopeStatement) -> list[FieldDiff]:
    """Field by field, line by line: what changed from ``older`` to ``newer``."""
    result = []
    for name, label in SCOPE_LABELS.items():
        old, new = _lines(older, name), _lines(newer, name)
        result.append(FieldDiff(name, label, old != new, _line_diff(old, new)))
    return result


# --- issues ---------------------------------------------------------------------------------


def issue_list(
    *, actor: Actor, org: Organization, filters: f.IssueFilters | None = None
) -> QuerySet[Issue]:
    """The organisation's issues, filtered and sorted, with their owners."""
    authz.require(actor, VIEW, org)
    issues = Issue.objects.filter(organization=org).select_related("owner")
    return f.filter_issues(issues, filters or f.IssueFilters())


def issue_get(*, actor: Actor, org: Organization, ref: str) -> Issue:
    """Issue ``ref`` of the organisation, or NotFound."""
    found = issue_list(actor=actor, org=org).filter(ref=ref).first()
    if found is None:
        raise NotFound(f"There is no issue {ref}.")
    return found


# --- interested parties ---------------------------------------------------------------------


def party_list(
    *,
    actor: Actor,
    org: Organization,
    filters: f.PartyFilters | None = None,
    with_requirements: bool = False,
) -> QuerySet[InterestedParty]:
    """The interested parties, with requirement counts (and the requirements when asked)."""
    authz.require(actor, VIEW, org)
    parties = f.annotate_parties(InterestedParty.objects.filter(organization=org))
    parties = f.filter_parties(parties, filters or f.PartyFilters())
    if not with_requirements:
        return parties
    requirements = PartyRequirement.objects.select_related("obligation").order_by("pk")
    return parties.prefetch_related(Prefetch("requirements", queryset=requirements))


def party_get(*, actor: Actor, org: Organization, ref: str) -> InterestedParty:
    """Interested party ``ref`` with its requirements, or NotFound."""
    found = party_list(actor=actor, org=org, with_requirements=True).filter(ref=ref).first()
    if found is None:
        raise NotFound(f"There is no interested party {ref}.")
    return found


def party_requirement_get(
    *, actor: Actor, party: InterestedParty, requirement_id: int
) -> PartyRequirement:
    """One requirement of ``party``, or NotFound."""
    authz.require(actor, VIEW, party.organization)
    found = (
        PartyRequirement.objects.select_related("obligation")
        .filter(party=party, pk=requirement_id)
        .first()
    )
    if found is None:
        raise NotFound(f"{party.ref} has no requirement {requirement_id}.")
    found.party = party
    return found


# --- obligations ----------------------------------------------------------------------------


def obligation_list(
    *, actor: Actor, org: Organization, filters: f.ObligationFilters | None = None
) -> QuerySet[Obligation]:
    """The register of obligations, filtered and sorted, with their owners.

    The Statement of Applicability reads it to cite obligations as reasons for controls.
    """
    authz.require(actor, VIEW, org)
    obligations = Obligation.objects.filter(organization=org).select_related("owner")
    return f.filter_obligations(obligations, filters or f.ObligationFilters())


def obligation_get(*, actor: Actor, org: Organization, ref: str) -> Obligation:
    """Obligation ``ref``, or NotFound."""
    found = obligation_list(actor=actor, org=org).filter(ref=ref).first()
    if found is None:
        raise NotFound(f"There is no obligation {ref}.")
    return found


def obligation_requirements(obligation: Obligation) -> QuerySet[PartyRequirement]:
    """The parties' requirements that became this obligation."""
    return (
        PartyRequirement.objects.filter(obligation=obligation)
        .select_related("party")
        .order_by("party__ref", "pk")
    )


def obligation_choices(*, actor: Actor, org: Organization) -> list[tuple[str, str]]:
    """``(ref, "ref name")`` of every obligation, for a choice of the one a requirement became."""
    rows = obligation_list(actor=actor, org=org).values_list("ref", "name")
    return [(ref, f"{ref} {name}") for ref, name in rows]


# --- overview -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContextCounts:
    """The numbers of the overview page and the dashboard."""

    open_issues: int
    monitored_issues: int
    external_issues: int
    internal_issues: int
    issues_due: int
    parties: int
    requirements: int
    unaddressed: int
    active_obligations: int
    obligations_due: int


def _issue_counts(org: Organization, today: dt.date) -> dict[str, int]:
    open_issue = Q(status=IssueStatus.OPEN)
    return Issue.objects.filter(organization=org).aggregate(
        open_issues=Count("pk", filter=open_issue),
        monitored_issues=Count("pk", filter=Q(status=IssueStatus.MONITORED)),
        external_issues=Count("pk", filter=open_issue & Q(kind=IssueKind.EXTERNAL)),
        internal_issues=Count("pk", filter=open_issue & Q(kind=IssueKind.INTERNAL)),
        issues_due=Count("pk", filter=~Q(status=IssueStatus.CLOSED) & Q(review_date__lte=today)),
    )


def _party_counts(org: Organization) -> dict[str, int]:
    # The aliases differ from the relation's name, which an alias would shadow.
    counts = InterestedParty.objects.filter(organization=org).aggregate(
        n_parties=Count("pk", distinct=True),
        n_requirements=Count("requirements"),
        n_unaddressed=Count("requirements", filter=Q(requirements__addressed=False)),
    )
    return {key.removeprefix("n_"): value for key, value in counts.items()}


def _obligation_counts(org: Organization, today: dt.date) -> dict[str, int]:
    active = Q(status=ObligationStatus.ACTIVE)
    return Obligation.objects.filter(organization=org).aggregate(
        active_obligations=Count("pk", filter=active),
        obligations_due=Count("pk", filter=active & Q(review_date__lte=today)),
    )


def context_counts(*, actor: Actor | None, org: Organization) -> ContextCounts:
    """Counts of the clause 4 registers, in three queries whatever their size."""
    if actor is not None:
        authz.require(actor, VIEW, org)
    today = timezone.localdate()
    return ContextCounts(
        **_issue_counts(org, today), **_party_counts(org), **_obligation_counts(org, today)
    )
