"""The filters of the catalogue, shared by the pages, the API and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from openisms.catalog.choices import ATTRIBUTE_VALUES, AttributeFamily
from openisms.catalog.models import Mapping, Requirement
from openisms.core.errors import ValidationError

MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class RequirementFilters:
    """Which requirements to list; every filter optional, all of them must hold.

    ``attributes`` holds ``(family, value)`` pairs (all must hold); ``q`` matches every word
    against the ref, the title or the summary.
    """

    framework: str = ""
    kind: str = ""
    theme: str = ""
    category: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    is_new: bool | None = None
    q: str = ""


@dataclass(frozen=True)
class MappingFilters:
    """Which mappings to list; ``requirement`` is ``(framework code, ref)`` on either end."""

    source_framework: str = ""
    target_framework: str = ""
    mapping_set: str = ""
    requirement: tuple[str, str] | None = None


def parse_attribute(text: str) -> tuple[str, str]:
    """``"control_type:Detective"`` -> ``("control_type", "Detective")``, checked."""
    family, sep, value = text.strip().partition(":")
    if not sep or family not in AttributeFamily.values:
        families = ", ".join(AttributeFamily.values)
        raise ValidationError.field(
            "attribute", f"use family:value with a family among {families}; got {text!r}"
        )
    if value not in ATTRIBUTE_VALUES[family]:
        raise ValidationError.field(
            "attribute",
            f"{value!r} is not a {family} value; use one of {', '.join(ATTRIBUTE_VALUES[family])}",
        )
    return family, value


def parse_key(text: str, name: str = "requirement") -> tuple[str, str]:
    """``"iso27001-2022:A.8.8"`` -> ``("iso27001-2022", "A.8.8")``."""
    code, sep, ref = text.strip().partition(":")
    if not sep or not code or not ref:
        raise ValidationError.field(
            name, f"use <framework>:<ref>, e.g. iso27001-2022:A.8.8; got {text!r}"
        )
    return code, ref


def _search(requirements: QuerySet[Requirement], q: str) -> QuerySet[Requirement]:
    for word in q.split()[:MAX_SEARCH_WORDS]:
        requirements = requirements.filter(
            Q(ref__icontains=word) | Q(title__icontains=word) | Q(summary__icontains=word)
        )
    return requirements


def filter_requirements(
    requirements: QuerySet[Requirement], filters: RequirementFilters
) -> QuerySet[Requirement]:
    """Apply ``filters``; each attribute pair is one indexed join on RequirementAttribute."""
    exact = {
        "framework__code": filters.framework,
        "kind": filters.kind,
        "theme": filters.theme,
        "category": filters.category,
    }
    requirements = requirements.filter(**{key: value for key, value in exact.items() if value})
    if filters.is_new is not None:
        requirements = requirements.filter(is_new=filters.is_new)
    for family, value in filters.attributes:
        # One join per pair; (requirement, family, value) is unique, so no duplicate rows.
        requirements = requirements.filter(
            attribute_rows__family=family, attribute_rows__value=value
        )
    return _search(requirements, filters.q) if filters.q.strip() else requirements


def filter_mappings(mappings: QuerySet[Mapping], filters: MappingFilters) -> QuerySet[Mapping]:
    """Apply ``filters`` to mappings."""
    if filters.source_framework:
        mappings = mappings.filter(mapping_set__source_framework__code=filters.source_framework)
    if filters.target_framework:
        mappings = mappings.filter(mapping_set__target_framework__code=filters.target_framework)
    if filters.mapping_set:
        mappings = mappings.filter(mapping_set__name=filters.mapping_set)
    if filters.requirement is not None:
        code, ref = filters.requirement
        mappings = mappings.filter(
            Q(source__framework__code=code, source__ref=ref)
            | Q(target__framework__code=code, target__ref=ref)
        )
    return mappings
