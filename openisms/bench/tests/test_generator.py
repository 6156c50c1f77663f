"""The generator at its tiny scale: data the services and pages accept as their own."""

from __future__ import annotations

import pytest
from django.test import Client

from openisms.assets.choices import criticality_of
from openisms.assets.models import Asset
from openisms.assets.rules import AssetInput
from openisms.assets.services import asset_create
from openisms.bench.generator import SCALES, Summary, generate
from openisms.bench.names import BENCH_SLUG, OWNER_EMAIL, PEER_SLUG
from openisms.controls.models import Control
from openisms.core import audit
from openisms.core.actors import SYSTEM
from openisms.core.errors import Conflict
from openisms.core.models import ApiToken, AuditEvent, Organization, User
from openisms.risks import services as risk_services
from openisms.risks.models import Risk, RiskAssessment, RiskControl
from openisms.risks.rules import AssessmentInput, RiskInput

pytestmark = pytest.mark.django_db
TINY = SCALES["tiny"]


@pytest.fixture
def summary() -> Summary:
    return generate(TINY, seed=7)


def test_it_generates_the_numbers_of_its_scale(summary: Summary) -> None:
    bench = Organization.objects.get(slug=BENCH_SLUG)
    assert Asset.objects.filter(organization=bench).count() == TINY.assets
    assert Risk.objects.filter(organization=bench).count() == TINY.risks
    assert Control.objects.filter(organization=bench).count() == summary.counts["controls"] > 0
    assert AuditEvent.objects.filter(organization=bench).count() == TINY.events
    assert Organization.objects.filter(slug__startswith="small-").count() == TINY.small_orgs
    assert RiskControl.objects.filter(organization=bench).exists()
    assert "skipped" in "\n".join(summary.lines())


def test_the_next_asset_and_risk_continue_the_numbering(summary: Summary) -> None:
    bench = Organization.objects.get(slug=BENCH_SLUG)
    owner = User.objects.get(email=OWNER_EMAIL)
    asset = asset_create(
        actor=owner, org=bench, data=AssetInput(name="After", kind="software", owner=OWNER_EMAIL)
    )
    assert asset.ref == f"A-{TINY.assets + 1:04d}"
    risk = risk_services.risk_create(
        actor=owner,
        org=bench,
        data=RiskInput(title="After", owner=OWNER_EMAIL, assets=[asset.ref]),
        assessment=AssessmentInput(inherent_likelihood=2, inherent_impact=3),
    ).risk
    assert risk.ref == f"R-{TINY.risks + 1:04d}"


def test_every_audit_chain_verifies_and_later_events_extend_it(summary: Summary) -> None:
    bench = Organization.objects.get(slug=BENCH_SLUG)
    audit.record(actor=SYSTEM, verb="bench.checked", target=bench)
    reports = audit.verify_all()
    assert all(report.ok for report in reports), [r for r in reports if not r.ok]
    assert audit.verify(bench).checked == TINY.events + 1


def test_risk_levels_are_what_the_methodology_gives(summary: Summary) -> None:
    risks = Risk.objects.filter(organization__slug=BENCH_SLUG).select_related("methodology")
    assessed = [risk for risk in risks if risk.is_assessed]
    assert assessed
    for risk in assessed:
        assert risk.methodology is not None
        spec = risk.methodology.parsed
        assert risk.inherent_likelihood is not None and risk.inherent_impact is not None
        level = spec.level_for(risk.inherent_likelihood, risk.inherent_impact)
        assert (risk.inherent_level, risk.inherent_rank) == (level.key, spec.rank(level.key))
        if risk.residual_likelihood is not None and risk.residual_impact is not None:
            residual = spec.level_for(risk.residual_likelihood, risk.residual_impact)
            assert risk.residual_level == residual.key
    history = RiskAssessment.objects.filter(organization__slug=BENCH_SLUG).count()
    assert history == len(assessed)
    for asset in Asset.objects.filter(organization__slug=BENCH_SLUG):
        assert asset.criticality == criticality_of(
            asset.confidentiality, asset.integrity, asset.availability
        )


def test_the_bench_owner_sees_the_pages_and_holds_tokens(summary: Summary) -> None:
    owner = User.objects.get(email=OWNER_EMAIL)
    assert owner.check_password(summary.credentials["password"])
    assert set(summary.credentials["tokens"]) == {BENCH_SLUG, PEER_SLUG}
    assert ApiToken.objects.filter(user=owner).count() == 2
    client = Client()
    client.force_login(owner)
    for path in ("assets/", "assets/A-0001/", "risks/", "risks/R-0001/"):
        response = client.get(f"/o/{BENCH_SLUG}/{path}")
        assert response.status_code == 200, path


def test_it_refuses_a_database_that_has_the_data_already(summary: Summary) -> None:
    with pytest.raises(Conflict):
        generate(TINY, seed=7)
