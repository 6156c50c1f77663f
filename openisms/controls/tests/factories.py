"""Controls and SoA states for tests, made through the services."""

from __future__ import annotations

from typing import Any

from openisms.controls import services
from openisms.controls.choices import Applicability, ImplementationStatus
from openisms.controls.models import Control
from openisms.controls.services import ControlInput
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization, User


def control(org: Organization, ref: str) -> Control:
    """The organisation's control ``ref`` (the Annex A controls exist once ensured)."""
    services.controls_ensure(org)
    return Control.objects.select_related("organization", "owner").get(organization=org, ref=ref)


def set_control(org: Organization, ref: str, **values: Any) -> Control:
    """Change a control through the service."""
    return services.control_update(
        actor=SYSTEM, control=control(org, ref), data=ControlInput(**values)
    )


def make_clean_soa(org: Organization) -> None:
    """Every control applicable for a stated business reason, with an owner, planned.

    A SoA the consistency check has nothing to say about (with no risks, obligations or
    people and sites in the inventory).
    """
    services.controls_ensure(org)
    owner = User.objects.get(memberships__organization=org, memberships__role="owner")
    Control.objects.filter(organization=org).update(
        applicability=Applicability.YES,
        business_reason="Customers require it in every contract we sign.",
        owner=owner,
        implementation_status=ImplementationStatus.PLANNED,
    )
