"""What a leaving member still holds in the context: issues not closed, active obligations."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from openisms.context.choices import IssueStatus, ObligationStatus
from openisms.context.models import Issue, Obligation
from openisms.core.models import Organization, User
from openisms.core.selectors import held
from openisms.core.signals import member_leaving


@receiver(member_leaving, dispatch_uid="context.member_leaving")
def context_held(sender: Any, organization: Organization, user: User, **kwargs: Any) -> list[str]:
    """Issues not closed and active obligations the member owns."""
    issues = Issue.objects.filter(organization=organization, owner=user).exclude(
        status=IssueStatus.CLOSED
    )
    obligations = Obligation.objects.filter(
        organization=organization, owner=user, status=ObligationStatus.ACTIVE
    )
    return held("issue", "issues", issues.order_by("ref").values_list("ref", flat=True)) + held(
        "obligation", "obligations", obligations.order_by("ref").values_list("ref", flat=True)
    )
