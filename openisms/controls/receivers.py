"""Every new organisation gets its Annex A controls."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from openisms.controls import services
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization
from openisms.core.signals import organization_created


@receiver(organization_created, dispatch_uid="controls.ensure")
def create_controls(
    sender: Any, organization: Organization, actor: Any = SYSTEM, **kwargs: Any
) -> None:
    """One control record per Annex A control (none yet when the catalogue is not loaded)."""
    services.controls_ensure(organization, actor=actor)
