"""What every new organisation gets from the asset inventory (its default settings), and what
a leaving member still holds in it."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from openisms.assets import services
from openisms.assets.models import Asset
from openisms.core.models import Organization, User
from openisms.core.selectors import held
from openisms.core.signals import member_leaving, organization_created


@receiver(organization_created, dispatch_uid="assets.settings_init")
def give_default_settings(sender: Any, organization: Organization, **kwargs: Any) -> None:
    """The default classification labels and C, I, A definitions."""
    services.asset_settings_init(org=organization)


@receiver(member_leaving, dispatch_uid="assets.member_leaving")
def assets_held(sender: Any, organization: Organization, user: User, **kwargs: Any) -> list[str]:
    """The assets a leaving member owns or looks after (retired ones too: their records stay)."""
    mine = Asset.objects.filter(Q(owner=user) | Q(custodian=user), organization=organization)
    return held("asset", "assets", mine.order_by("number").values_list("ref", flat=True))
