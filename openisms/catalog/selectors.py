"""Reads of the catalogue. It is global reference data: any authenticated user may read it.

Every function runs a fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from openisms.catalog.choices import (
    KIND_PLURALS,
    LEAF_KINDS,
    RequirementKind,
    relationship_phrase,
    relationship_seen_from,
)
from openisms.catalog.filters import (
    MappingFilters,
    RequirementFilters,
    filter_mappings,
    filter_requirements,
)
from openisms.catalog.models import Framework, Mapping, MappingSet, Requirement
from openisms.core.errors import NotFound, ValidationError


def _with_counts(frameworks: QuerySet[Framework]) -> QuerySet[Framework]:
    """Add ``requirement_count`` and one ``<kind>_count`` per kind, in the same query."""
    counts = {
        f"{kind}_count": Count("requirements", filter=Q(requirements__kind=kind))
        for kind in RequirementKind.values
    }
    return frameworks.annotate(requirement_count=Count("requirements"), **counts)


def framework_list() -> QuerySet[Framework]:
    """Every framework with its counts per kind, by code."""
    return _with_counts(Framework.objects.all()).order_by("code")


def framework_get(*, code: str) -> Framework:
    """One framework with its counts, or NotFound."""
    framework = _with_counts(Framework.objects.filter(code=code)).first()
    if framework is None:
        raise NotFound(
            f"No framework {code!r} in the catalogue; `openisms catalog list` shows them "
            "(and `openisms catalog load` loads them)."
        )
    return framework


def mapping_set_list(*, framework: Framework | None = None) -> QuerySet[MappingSet]:
    """The mapping sets (those touching ``framework``), with their frameworks and row count."""
    sets = MappingSet.objects.select_related("source_framework", "target_framework")
    if framework is not None:
        sets = sets.filter(Q(source_framework=framework) | Q(target_framework=framework))
    return sets.annotate(mapping_count=Count("mappings")).order_by("name")


def requirement_list(*, filters: RequirementFilters) -> QuerySet[Requirement]:
    """Requirements matching ``filters``, in framework and document order."""
    requirements = Requirement.objects.select_related("framework", "parent")
    return filter_requirements(requirements, filters).order_by("framework__code", "order")


def _near_refs(code: str, ref: str) -> list[str]:
    """Refs the user may have meant: ``8.8`` for ``A.8.8`` (Annex A refs carry the prefix)."""
    guesses = {f"A.{ref}", ref.removeprefix("A."), ref.upper()} - {ref}
    found = Requirement.objects.filter(framework__code=code, ref__in=guesses)
    return sorted(found.values_list("ref", flat=True))


def requirement_get(*, framework: str, ref: str) -> Requirement:
    """The requirement ``framework:ref`` with its framework and parent, or NotFound."""
    found = (
        Requirement.objects.select_related("framework", "parent")
        .filter(framework__code=framework, ref=ref)
        .first()
    )
    if found is None:
        near = _near_refs(framework, ref)
        hint = f" Did you mean {', '.join(near)}?" if near else ""
        raise NotFound(f"No requirement {ref!r} in {framework!r}.{hint}")
    return found


def requirement_get_by_key(key: str) -> Requirement:
    """The requirement named ``<framework>:<ref>``, e.g. ``iso27001-2022:A.8.8``."""
    if ":" not in key:
        raise ValidationError.field(
            "requirement", f"use <framework>:<ref>, e.g. iso27001-2022:A.8.8; got {key!r}"
        )
    code, _, ref = key.partition(":")
    return requirement_get(framework=code, ref=ref)


def requirement_children(requirement: Requirement) -> QuerySet[Requirement]:
    """The rows directly under ``requirement``, in document order."""
    return requirement.children.select_related("framework").order_by("order")


def mapping_list(*, filters: MappingFilters) -> QuerySet[Mapping]:
    """Mappings matching ``filters``, with both ends and their frameworks, in a stable order."""
    mappings = Mapping.objects.select_related(
        "mapping_set", "source__framework", "target__framework"
    )
    return filter_mappings(mappings, filters).order_by(
        "mapping_set__name", "source__order", "target__order"
    )


@dataclass(frozen=True)
class Link:
    """The other end of a mapping, seen from the requirement being shown."""

    requirement: Requirement
    relationship: str
    phrase: str


@dataclass(frozen=True)
class LinkGroup:
    """The links of one requirement through one mapping set, in one direction."""

    title: str
    mapping_set: MappingSet
    framework: Framework
    outgoing: bool
    links: list[Link]


def _is_edition_change(mapping_set: MappingSet) -> bool:
    """True for a set from one edition of a standard to the next (iso27001-2013 -> -2022)."""
    source, target = mapping_set.source_framework.code, mapping_set.target_framework.code
    return source.rsplit("-", 1)[0] == target.rsplit("-", 1)[0]


def _group_title(mapping_set: MappingSet, other: Framework, outgoing: bool) -> tuple[int, str]:
    """The group's heading, and its rank: predecessors, then successors, then the rest."""
    if _is_edition_change(mapping_set):
        if outgoing:
            return 1, f"Successors in {other.name}"
        return 0, f"Predecessors in {other.name}"
    return 2, f"Related ground in {other.name}"


def requirement_links(requirement: Requirement) -> list[LinkGroup]:
    """The requirement's mappings both ways, grouped by mapping set and direction (1 query)."""
    mappings = Mapping.objects.filter(Q(source=requirement) | Q(target=requirement)).select_related(
        "mapping_set__source_framework",
        "mapping_set__target_framework",
        "source__framework",
        "target__framework",
    )
    groups: dict[tuple[int, bool], list[Link]] = {}
    sets: dict[int, MappingSet] = {}
    for m in mappings:
        outgoing = m.source_id == requirement.pk
        other = m.target if outgoing else m.source
        phrase = relationship_phrase(m.relationship, from_source=outgoing)
        groups.setdefault((m.mapping_set_id, outgoing), []).append(
            Link(other, m.relationship, phrase)
        )
        sets[m.mapping_set_id] = m.mapping_set
    ranked = []
    for (set_id, outgoing), links in groups.items():
        mapping_set = sets[set_id]
        framework = mapping_set.target_framework if outgoing else mapping_set.source_framework
        links.sort(key=lambda link: link.requirement.order)
        rank, title = _group_title(mapping_set, framework, outgoing)
        group = LinkGroup(title, mapping_set, framework, outgoing, links)
        ranked.append((rank, framework.code, group))
    return [group for _, _, group in sorted(ranked, key=lambda item: item[:2])]


@dataclass(frozen=True)
class Side:
    """One end of a mapping set's coverage: how many of its rows have at least one mapping."""

    framework: Framework
    kind: str
    covered: int
    total: int

    @property
    def noun(self) -> str:
        """``Annex A controls``, ``criteria``..."""
        plural = KIND_PLURALS.get(self.kind, "requirements")
        return f"Annex A {plural}" if self.kind == RequirementKind.CONTROL else plural

    @property
    def noun_one(self) -> str:
        """``Annex A control``, ``criterion``..."""
        one = "criterion" if self.kind == RequirementKind.CRITERION else self.kind
        return f"Annex A {one}" if self.kind == RequirementKind.CONTROL else one

    @property
    def percent(self) -> int:
        """The share covered in whole percent; never 100 unless all, nor 0 unless none."""
        if not self.total:
            return 0
        share = round(self.covered * 100 / self.total)
        if self.covered < self.total:
            share = min(share, 99)
        return max(share, 1) if self.covered else 0


@dataclass(frozen=True)
class Coverage:
    """How much of each end of a mapping set the other end reaches (leaf rows only)."""

    mapping_set: MappingSet
    source: Side
    target: Side


def _leaf_totals(frameworks: set[int]) -> dict[int, tuple[str, int]]:
    """The leaf kind (control or criterion) of each framework and how many rows it has."""
    rows = (
        Requirement.objects.filter(framework__in=frameworks, kind__in=LEAF_KINDS)
        .values_list("framework", "kind")
        .annotate(n=Count("pk"))
        .order_by("framework", "-n")
    )
    totals: dict[int, tuple[str, int]] = {}
    for framework_id, kind, n in rows:
        totals.setdefault(framework_id, (kind, n))
    return totals


def coverage_for(*, framework: Framework) -> list[Coverage]:
    """Coverage of every mapping set touching ``framework``, in three queries.

    Only leaf rows count (Annex A controls, SOC 2 criteria): a criterion is covered when at
    least one Annex A control maps to it, whatever the clauses do.
    """
    sets = list(mapping_set_list(framework=framework))
    leaf_pairs = Mapping.objects.filter(
        mapping_set__in=sets, source__kind__in=LEAF_KINDS, target__kind__in=LEAF_KINDS
    )
    counts = {
        row["mapping_set"]: row
        for row in leaf_pairs.values("mapping_set")
        .annotate(sources=Count("source", distinct=True), targets=Count("target", distinct=True))
        .order_by()
    }
    ids = {s.source_framework_id for s in sets} | {s.target_framework_id for s in sets}
    totals = _leaf_totals(ids)
    result = []
    for s in sets:
        row = counts.get(s.pk, {"sources": 0, "targets": 0})
        source_kind, source_total = totals.get(s.source_framework_id, ("", 0))
        target_kind, target_total = totals.get(s.target_framework_id, ("", 0))
        result.append(
            Coverage(
                s,
                Side(s.source_framework, source_kind, row["sources"], source_total),
                Side(s.target_framework, target_kind, row["targets"], target_total),
            )
        )
    return result


@dataclass(frozen=True)
class Mapped:
    """A requirement reached from another through a mapping set, for ``catalog map``.

    ``relationship`` reads from the starting requirement: "it is <relationship> of this one".
    """

    requirement: Requirement
    relationship: str
    phrase: str
    mapping_set: MappingSet


def requirement_map(*, ref: str, source: str, target: str) -> tuple[Requirement, list[Mapped]]:
    """Where ``source:ref`` goes in ``target``, through a set in either direction."""
    requirement = requirement_get(framework=source, ref=ref)
    sets = MappingSet.objects.filter(
        Q(source_framework__code=source, target_framework__code=target)
        | Q(source_framework__code=target, target_framework__code=source)
    )
    if not sets.exists():
        raise NotFound(f"No mapping set between {source} and {target}.")
    mapped = []
    for group in requirement_links(requirement):
        if group.framework.code != target:
            continue
        for link in group.links:
            relationship = relationship_seen_from(link.relationship, from_source=group.outgoing)
            phrase = relationship_phrase(relationship, from_source=True)
            mapped.append(Mapped(link.requirement, relationship, phrase, group.mapping_set))
    return requirement, mapped
