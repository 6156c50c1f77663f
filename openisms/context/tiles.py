"""The context app's tiles on the dashboard: three numbers from three queries."""

from __future__ import annotations

from openisms.context import selectors
from openisms.core.dashboard import Tile, register
from openisms.core.models import Organization
from openisms.core.web import org_url


@register
def context_tiles(org: Organization) -> list[Tile]:
    """Open issues, interested parties and active obligations, each linking to its register."""
    counts = selectors.context_counts(actor=None, org=org)
    return [
        Tile(
            "Open issues",
            counts.open_issues,
            f"{counts.external_issues} external, {counts.internal_issues} internal",
            org_url("context:issues", org) + "?status=open",
        ),
        Tile(
            "Interested parties",
            counts.parties,
            f"{counts.unaddressed} requirement{'s' if counts.unaddressed != 1 else ''} "
            "not addressed",
            org_url("context:parties", org),
        ),
        Tile(
            "Active obligations",
            counts.active_obligations,
            f"{counts.obligations_due} due for review",
            org_url("context:obligations", org) + "?status=active",
        ),
    ]
