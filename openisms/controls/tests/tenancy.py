"""Samples for the tenancy walk (``tests/tenancy.py``): objects in organisation B only."""

from __future__ import annotations

from openisms.controls import services
from openisms.controls.models import Control, SoaVersion
from openisms.controls.services import ControlInput
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization
from tests.tenancy import Sample


def _control_ref(org: Organization) -> str:
    """A control of B's own (Annex A refs are the same in every organisation)."""
    if Control.objects.filter(organization=org, ref="BETA-ONLY-1").exists():
        return "BETA-ONLY-1"
    return services.control_create(
        actor=SYSTEM,
        org=org,
        ref="BETA-ONLY-1",
        title="Beta's own control",
        source_note="tenancy walk",
        data=ControlInput(business_reason="Tenancy walk"),
    ).ref


def _soa_version(org: Organization) -> str:
    """B's second version: organisation A never has one numbered 2 in the walk."""
    if SoaVersion.objects.filter(organization=org, number=2).exists():
        return "2"
    services.soa_publish(actor=SYSTEM, org=org, override_reason="tenancy walk")
    return str(services.soa_publish(actor=SYSTEM, org=org, override_reason="tenancy walk").number)


PARAM_SAMPLES = {
    "control_ref": Sample(_control_ref),
    "soa_version": Sample(_soa_version),
}
