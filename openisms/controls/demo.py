"""The demo SoA for Acme Cloud Ltd: every control decided, with a few planted problems.

Runs after the risks builder (apps build in ``INSTALLED_APPS`` order), so the risks' chosen
controls are reasons already. ``PLANTED`` lists what the consistency check must find; a test
asserts it finds exactly these.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openisms.context.models import Obligation
from openisms.controls import services
from openisms.controls.choices import ImplementationStatus, LinkKind
from openisms.controls.models import Control
from openisms.controls.services import ControlInput
from openisms.core.actors import Actor
from openisms.core.choices import Role
from openisms.core.demo import register
from openisms.core.models import Organization, User

REASONS = {
    "organizational": "Customer contracts and our ISO/IEC 27001 certification goal require it.",
    "people": "Every employee and contractor handles customer data.",
    "physical": "The London office and the colocation cage hold equipment and staff.",
    "technological": "The SaaS platform processes customer data; customers audit these.",
}
#: Controls excluded with a real justification.
EXCLUDED = {
    "A.8.30": "All software is developed by employees; no development is outsourced, and "
    "contracts with contractors run through A.5.19 to A.5.22.",
}
#: (rule, object) pairs the check must find on the demo SoA, and nothing else.
PLANTED: tuple[tuple[str, str], ...] = (
    ("weak-exclusion", "A.7.10"),
    ("people-or-physical-excluded", "A.7.10"),
    ("applicable-without-owner", "A.5.23"),
    ("old-control-id", "A.8.8"),
    ("implemented-without-evidence", "A.8.15"),
    ("acceptance-expired", "R-0015"),  # planted by the risks demo
)
_STATUS_CYCLE = (
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.PARTIAL,
    ImplementationStatus.PLANNED,
)


def _decide(org: Organization, owner: User, actor: Actor) -> None:
    today = timezone.localdate()
    controls = list(Control.objects.filter(organization=org).select_related("organization"))
    for index, control in enumerate(controls):
        if control.ref in EXCLUDED:
            data = ControlInput(applicability="no", exclusion_justification=EXCLUDED[control.ref])
        else:
            data = ControlInput(
                applicability="yes",
                business_reason=REASONS.get(control.theme, ""),
                implementation_status=_STATUS_CYCLE[index % len(_STATUS_CYCLE)],
                implementation_description=f"{control.title}: see the ISMS manual, section "
                f"{control.ref.removeprefix('A.')}.",
                owner=owner.email,
                last_review=today - dt.timedelta(days=30 + index),
            )
        services.control_update(actor=actor, control=control, data=data)
        if data.implementation_status == ImplementationStatus.IMPLEMENTED:
            services.control_link_add(
                actor=actor,
                control=control,
                kind=LinkKind.EVIDENCE,
                label=f"{control.ref} operating evidence, last quarter",
                valid_until=today + dt.timedelta(days=90),
            )


def _answer_obligations(org: Organization, actor: Actor) -> None:
    refs = list(Obligation.objects.filter(organization=org).values_list("ref", flat=True))
    for target in ("A.5.31", "A.5.34"):
        control = Control.objects.select_related("organization").get(organization=org, ref=target)
        services.control_update(actor=actor, control=control, data=ControlInput(obligations=refs))


def _plant(org: Organization, actor: Actor) -> None:
    def update(ref: str, **values: object) -> None:
        control = Control.objects.select_related("organization").get(organization=org, ref=ref)
        services.control_update(actor=actor, control=control, data=ControlInput(**values))  # type: ignore[arg-type]

    update("A.7.10", applicability="no", exclusion_justification="N/A")
    update("A.5.23", clear=("owner",))
    update("A.8.8", implementation_description="Carried over from A.12.6.1 in the 2013 SoA.")
    update("A.8.15", implementation_status=ImplementationStatus.IMPLEMENTED)
    Control.objects.get(organization=org, ref="A.8.15").links.all().delete()


@register
def build_soa(org: Organization, users: dict[Role, User], actor: Actor) -> None:
    """Decide every control, answer the obligations, publish and approve, then plant."""
    services.controls_ensure(org, actor=actor)
    if not Control.objects.filter(organization=org).exists():
        return  # no catalogue loaded: nothing to decide
    _decide(org, users[Role.ADMIN], actor)
    _answer_obligations(org, actor)
    _plant(org, actor)
    version = services.soa_publish(
        actor=actor,
        org=org,
        note="First SoA for the Stage 1 audit.",
        override_reason="Known gaps, tracked for Stage 2.",
    )
    services.soa_approve(actor=actor, version=version, comment="Approved for Stage 1.")
