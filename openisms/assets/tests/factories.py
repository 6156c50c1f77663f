"""Assets for tests, made through the service as a user would make them."""

from __future__ import annotations

from typing import Any

from openisms.assets import services
from openisms.assets.models import Asset
from openisms.assets.rules import AssetInput
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization


def owner_email(org: Organization) -> str:
    """The e-mail of the organisation's (first) owner."""
    return org.memberships.select_related("user").filter(role="owner").first().user.email  # type: ignore[union-attr]


def make_asset(org: Organization, name: str = "Payroll database", **values: Any) -> Asset:
    """An asset in ``org`` owned by its owner unless ``owner`` is given."""
    values.setdefault("kind", "software")
    values.setdefault("owner", owner_email(org))
    return services.asset_create(actor=SYSTEM, org=org, data=AssetInput(name=name, **values))
