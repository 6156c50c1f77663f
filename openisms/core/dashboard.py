"""Live counts on the dashboard; each app registers a function that adds its own tiles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from openisms.core.models import AuditEvent, Membership, Organization


@dataclass(frozen=True)
class Tile:
    """One number on the dashboard, with what it counts and where to see the rows."""

    label: str
    value: int
    hint: str = ""
    url: str = ""


TileSource = Callable[[Organization], list[Tile]]
_SOURCES: list[TileSource] = []


def register(source: TileSource) -> TileSource:
    """Add a tile source (usable as a decorator); each should run a fixed number of queries."""
    _SOURCES.append(source)
    return source


def tiles(org: Organization) -> list[Tile]:
    """Every registered tile for ``org``, core first."""
    return [tile for source in _SOURCES for tile in source(org)]


@register
def _core_tiles(org: Organization) -> list[Tile]:
    since = timezone.now() - dt.timedelta(days=30)
    return [
        Tile("Members", Membership.objects.filter(organization=org).count(), "people with a role"),
        Tile(
            "Changes, last 30 days",
            AuditEvent.objects.filter(organization=org, created_at__gte=since).count(),
            "events in the audit trail",
        ),
    ]
