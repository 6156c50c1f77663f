"""Sections that one app adds to another app's detail page without the page knowing the app.

The asset page shows the asset's risks, say: the risk app registers a section source for
``"asset"`` and the asset view renders whatever the sources return. Each source runs a fixed
number of queries and returns ``None`` when it has nothing to show to this actor.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openisms.core.actors import Actor
from openisms.core.models import Organization


@dataclass(frozen=True)
class Section:
    """A template to include and the values it reads (as ``section`` in the template)."""

    template: str
    values: dict[str, Any] = field(default_factory=dict)


SectionSource = Callable[[Actor, Organization, Any], Section | None]
_SOURCES: defaultdict[str, list[SectionSource]] = defaultdict(list)


def register(page: str) -> Callable[[SectionSource], SectionSource]:
    """Add a section source to the detail page ``page`` (a decorator)."""

    def add(source: SectionSource) -> SectionSource:
        _SOURCES[page].append(source)
        return source

    return add


def sections(page: str, actor: Actor, org: Organization, obj: Any) -> list[Section]:
    """The sections every registered source gives for ``obj`` on ``page``."""
    found = (source(actor, org, obj) for source in _SOURCES[page])
    return [section for section in found if section is not None]
