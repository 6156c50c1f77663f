"""The risk register's section on the asset page: the risks assessed on that asset."""

from __future__ import annotations

from typing import Any

from openisms.core import authz
from openisms.core.actors import Actor
from openisms.core.models import Organization
from openisms.core.sections import Section, register
from openisms.core.web import org_url
from openisms.risks import selectors
from openisms.risks.filters import RiskFilters

#: The asset page lists this many; the link opens the register filtered to the asset.
SHOWN = 10


@register("asset")
def asset_risks(actor: Actor, org: Organization, asset: Any) -> Section | None:
    """The asset's risks by level (two queries), or nothing for an actor who may not see risks."""
    if not authz.can(actor, "risks.view", org):
        return None
    risks = selectors.risk_list(
        actor=actor,
        org=org,
        filters=RiskFilters(asset=asset.ref, sort="-level"),
        links=False,
    )
    return Section(
        "risks/_asset_risks.html",
        {
            "risks": list(risks[:SHOWN]),
            "count": risks.count(),
            "register_url": f"{org_url('risks:register', org)}?asset={asset.ref}",
            "new_url": f"{org_url('risks:create', org)}?asset={asset.ref}",
            "can_add": authz.can(actor, "risks.change", org),
        },
    )
