"""What every new organisation gets from the asset inventory: its default settings."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from openisms.assets import services
from openisms.core.models import Organization
from openisms.core.signals import organization_created


@receiver(organization_created, dispatch_uid="assets.settings_init")
def give_default_settings(sender: Any, organization: Organization, **kwargs: Any) -> None:
    """The default classification labels and C, I, A definitions."""
    services.asset_settings_init(org=organization)
