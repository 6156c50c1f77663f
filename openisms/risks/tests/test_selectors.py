"""Reads: the impact an asset's valuation suggests, the risks behind a control, the filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openisms.assets.tests.factories import make_asset
from openisms.core.actors import SYSTEM
from openisms.core.errors import ValidationError
from openisms.core.models import Organization
from openisms.risks import methodology, selectors, services
from openisms.risks.filters import RiskFilters
from openisms.risks.models import Methodology
from openisms.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("size", "expected"), [(3, [1, 2, 2, 3]), (4, [1, 2, 3, 4]), (5, [1, 2, 4, 5])]
)
def test_asset_values_map_onto_the_impact_scale_end_to_end(size: int, expected: list[int]) -> None:
    assert [selectors.scale_value(v, size) for v in (1, 2, 3, 4)] == expected


def test_the_highest_value_of_the_properties_hit_suggests_the_impact(org_a: Organization) -> None:
    spec = methodology.preset("5x5")
    data = make_asset(org_a, "Payroll data", confidentiality=4, integrity=2, availability=1)
    laptop = make_asset(org_a, "Laptop", confidentiality=2, integrity=2, availability=3)
    hit_a = selectors.impact_suggestion([data, laptop], ["availability"], spec)
    assert hit_a is not None and (hit_a.impact, hit_a.asset, hit_a.value) == (4, laptop, 3)
    hit_c = selectors.impact_suggestion([data, laptop], ["confidentiality"], spec)
    assert hit_c is not None and (hit_c.impact, hit_c.label) == (5, "Severe")
    assert "A-0001 Payroll data has confidentiality 4 of 4" in hit_c.reason
    anything = selectors.impact_suggestion([laptop], [], spec)
    assert anything is not None and anything.dimension == "availability"
    assert selectors.impact_suggestion([], ["integrity"], spec) is None


def test_the_assess_page_shows_the_suggestion_as_a_hint(
    org_a: Organization, method_a: Methodology, client_owner_a: object
) -> None:
    asset = make_asset(org_a, "Payroll data", confidentiality=4)
    risk = make_risk(org_a, assets=[asset.ref], affects_confidentiality=True)
    page = client_owner_a.get(f"/o/alpha/risks/{risk.ref}/assess/")  # type: ignore[attr-defined]
    hint = page.content.decode().split('data-testid="impact-hint"')[1].split("</div>")[0]
    assert "impact 5 (Severe)" in hint and asset.ref in hint


def test_risks_choosing_a_control_leaves_out_closed_and_other_organisations(
    org_a: Organization, org_b: Organization, annex_a: None
) -> None:
    control = selectors.annex_a_control("5.15")
    chosen = make_risk(org_a, "Chosen", controls=["A.5.15", "A.8.2"])
    closed = make_risk(org_a, "Closed", controls=["A.5.15"])
    services.risk_close(actor=SYSTEM, risk=closed, reason="gone")
    make_risk(org_a, "Other", controls=["A.8.2"])
    make_risk(org_b, "Theirs", controls=["A.5.15"])
    assert list(selectors.risks_choosing_control(org_a, control)) == [chosen]


def test_filters_combine_and_name_a_bad_value(
    org_a: Organization, method_a: Methodology, threats: None
) -> None:
    asset = make_asset(org_a, "DB")
    high = make_risk(org_a, "High", assess=(4, 3), assets=[asset.ref], threats=["G 0.39"])
    low = make_risk(org_a, "Low", assess=(1, 1))
    treated = make_risk(org_a, "Reduced", assess=(4, 4), residual=(1, 2))

    def refs(**values: object) -> list[str]:
        found = selectors.risk_list(actor=SYSTEM, org=org_a, filters=RiskFilters(**values))  # type: ignore[arg-type]
        return [r.ref for r in found]

    assert refs(level="high") == [high.ref]
    assert refs(level="low") == [low.ref, treated.ref]  # the residual level counts once set
    assert refs(asset="a-1", threat="G 0.39") == [high.ref]
    assert refs(inherent_likelihood=4, inherent_impact=4) == [treated.ref]
    assert refs(sort="-inherent") == [treated.ref, high.ref, low.ref]
    assert refs(q="redu") == [treated.ref]
    with pytest.raises(ValidationError) as caught:
        refs(status="done", sort="colour")
    assert set(caught.value.errors) == {"status", "sort"}


def test_the_counts_are_read_once_per_change_and_follow_every_change(
    org_a: Organization, method_a: Methodology, django_assert_num_queries: Any
) -> None:
    risk = make_risk(org_a, "Flood", assess=(2, 2))
    first = selectors.risk_counts(org=org_a)
    assert (first.open, first.unassessed) == (1, 0)
    with django_assert_num_queries(1):  # the head of the audit trail, nothing else
        assert selectors.risk_counts(org=org_a) == first
    make_risk(org_a, "Fire")
    assert selectors.risk_counts(org=org_a).unassessed == 1
    later = timezone.localdate() + dt.timedelta(days=800)
    assert selectors.risk_counts(org=org_a).due_for_review == 0
    assert selectors.risk_counts(org=org_a, today=later).due_for_review == 1
    services.risk_close(actor=SYSTEM, risk=risk, reason="moved out of the flood plain")
    assert selectors.risk_counts(org=org_a).open == 1
