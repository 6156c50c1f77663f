"""Every organisation has its Annex A controls: when it is created and when the catalogue loads;
and what a leaving member still holds: the controls they own."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from openisms.controls import services
from openisms.controls.models import Control
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization, User
from openisms.core.selectors import held
from openisms.core.signals import catalog_loaded, member_leaving, organization_created


@receiver(organization_created, dispatch_uid="controls.ensure")
def create_controls(
    sender: Any, organization: Organization, actor: Any = SYSTEM, **kwargs: Any
) -> None:
    """One control record per Annex A control (none yet when the catalogue is not loaded)."""
    services.controls_ensure(organization, actor=actor)


@receiver(catalog_loaded, dispatch_uid="controls.ensure_all")
def create_missing_controls(sender: Any, actor: Any = SYSTEM, **kwargs: Any) -> None:
    """A catalogue load may bring Annex A controls that no organisation has yet."""
    services.controls_ensure_all(actor=actor)


@receiver(member_leaving, dispatch_uid="controls.member_leaving")
def controls_held(sender: Any, organization: Organization, user: User, **kwargs: Any) -> list[str]:
    """The controls a leaving member owns."""
    mine = Control.objects.filter(organization=organization, owner=user).order_by("position", "ref")
    return held("control", "controls", mine.values_list("ref", flat=True))
