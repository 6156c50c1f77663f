"""The SoA's tiles on the dashboard: one aggregate query."""

from __future__ import annotations

from django.db.models import Count, Q

from openisms.controls.choices import Applicability, ImplementationStatus, SoaStatus
from openisms.controls.models import Control, SoaVersion
from openisms.core.dashboard import Tile, register
from openisms.core.models import Organization
from openisms.core.web import org_url


@register
def soa_tiles(org: Organization) -> list[Tile]:
    """Controls decided applicable, implemented among them, and versions awaiting approval."""
    counts = Control.objects.filter(organization=org).aggregate(
        applicable=Count("id", filter=Q(applicability=Applicability.YES)),
        implemented=Count(
            "id",
            filter=Q(
                applicability=Applicability.YES,
                implementation_status=ImplementationStatus.IMPLEMENTED,
            ),
        ),
        undecided=Count("id", filter=Q(applicability=Applicability.UNDECIDED)),
    )
    in_review = SoaVersion.objects.filter(organization=org, status=SoaStatus.IN_REVIEW).count()
    url = org_url("controls:soa", org)
    return [
        Tile(
            "Controls implemented",
            counts["implemented"],
            f"of {counts['applicable']} decided applicable",
            f"{url}?status=implemented",
        ),
        Tile("Controls undecided", counts["undecided"], "applicability not decided", url),
        Tile(
            "SoA versions in review",
            in_review,
            "awaiting approval",
            org_url("controls:versions", org),
        ),
    ]
