"""The inventory's tiles on the dashboard: one aggregate query."""

from __future__ import annotations

from openisms.assets import selectors
from openisms.core.dashboard import Tile, register
from openisms.core.models import Organization
from openisms.core.web import org_url


@register
def asset_tiles(org: Organization) -> list[Tile]:
    """Total assets, the high or critical ones, and those due for review."""
    counts = selectors.asset_counts(org=org)
    url = org_url("assets:list", org)
    return [
        Tile("Assets", counts.total, "in the inventory", url),
        Tile(
            "High or critical assets",
            counts.high_or_critical,
            "criticality 3 or 4",
            f"{url}?criticality=3%2B&sort=-criticality",
        ),
        Tile(
            "Asset reviews due",
            counts.review_due,
            "next review today or earlier",
            f"{url}?sort=next_review",
        ),
    ]
