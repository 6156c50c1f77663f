"""Template filters of the catalogue pages."""

from __future__ import annotations

from django import template

from openisms.catalog.choices import attribute_label
from openisms.catalog.models import Requirement

register = template.Library()


@register.filter
def attribute_values(requirement: Requirement, family: str) -> list[tuple[str, str]]:
    """The requirement's values in ``family`` as ``(value, label)`` pairs."""
    values = (requirement.attributes or {}).get(family, [])
    return [(value, attribute_label(value)) for value in values]


@register.filter
def indent(level: int) -> str:
    """The padding class for a row ``level`` deep in its framework."""
    return {0: "", 1: "ps-3"}.get(level, "ps-5")
