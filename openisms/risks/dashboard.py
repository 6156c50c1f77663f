"""The risk tiles on the dashboard: two aggregate queries."""

from __future__ import annotations

from openisms.core.dashboard import Tile, register
from openisms.core.models import Organization
from openisms.core.web import org_url
from openisms.risks import selectors


@register
def risk_tiles(org: Organization) -> list[Tile]:
    """Open risks, the high ones, those due for review, and overdue treatment actions."""
    counts = selectors.risk_counts(org=org)
    url = org_url("risks:register", org)
    return [
        Tile("Open risks", counts.open, "in the risk register", f"{url}?status=open"),
        Tile("High or critical risks", counts.high, "by their current level", f"{url}?sort=-level"),
        Tile(
            "Risk reviews due",
            counts.due_for_review,
            "or acceptance expired",
            f"{url}?review_due=1",
        ),
        Tile(
            "Overdue treatment actions",
            counts.overdue_actions,
            "past their due date",
            f"{org_url('risks:plan', org)}?overdue=1",
        ),
    ]
