"""The demo organisation's risk management: about thirty risks on its assets, some treated,
some accepted, one acceptance expired, a few actions overdue."""

from __future__ import annotations

from collections import Counter

import pytest

from openisms.core.actors import SYSTEM
from openisms.core.demo import demo_create
from openisms.risks import selectors
from openisms.risks.models import Risk, RiskAsset, RiskControl, Threat

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_realistic_risk_register() -> None:
    org = demo_create(actor=SYSTEM).organization
    risks = Risk.objects.filter(organization=org)
    statuses = Counter(risks.values_list("status", flat=True))
    assert 28 <= risks.count() <= 35
    assert statuses["accepted"] >= 5 and statuses["treated"] >= 5 and statuses["closed"] == 1
    assert RiskAsset.objects.filter(organization=org).count() >= risks.count()
    assert RiskControl.objects.filter(organization=org).count() >= 40
    assert Threat.objects.filter(organization__isnull=True).count() == 64
    expired = [r for r in risks if r.acceptance_expired()]
    assert len(expired) == 1 and expired[0].is_due_for_review()
    counts = selectors.risk_counts(org=org)
    assert counts.overdue_actions >= 3 and counts.stale == 0
    assert demo_create(actor=SYSTEM).created is False
