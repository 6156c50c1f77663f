"""What a leaving member still holds in risk management: open risks and open actions."""

from __future__ import annotations

from typing import Any

from django.db.models import Value
from django.db.models.functions import Concat
from django.dispatch import receiver

from openisms.core.models import Organization, User
from openisms.core.selectors import held
from openisms.core.signals import member_leaving
from openisms.risks.choices import OPEN_ACTION_STATUSES, RiskStatus
from openisms.risks.models import Risk, TreatmentAction


@receiver(member_leaving, dispatch_uid="risks.member_leaving")
def risks_held(sender: Any, organization: Organization, user: User, **kwargs: Any) -> list[str]:
    """Risks not closed that the member owns, and treatment actions still to do."""
    risks = Risk.objects.filter(organization=organization, owner=user).exclude(
        status=RiskStatus.CLOSED
    )
    actions = TreatmentAction.objects.filter(
        organization=organization, owner=user, status__in=OPEN_ACTION_STATUSES
    )
    # An action is named by its risk and title ("R-0003: Encrypt laptops").
    named = actions.order_by("risk__number", "pk").annotate(
        named=Concat("risk__ref", Value(": "), "title")
    )
    return held("risk", "risks", risks.order_by("number").values_list("ref", flat=True)) + held(
        "treatment action", "treatment actions", named.values_list("named", flat=True)
    )
