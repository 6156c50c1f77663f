"""The demo organisation's inventory."""

from __future__ import annotations

from openisms.assets.choices import AssetKind
from openisms.assets.models import Asset, AssetDependency
from openisms.core.actors import SYSTEM
from openisms.core.demo import demo_create
from openisms.core.models import AuditEvent


def test_the_demo_has_about_forty_assets_of_every_kind_with_dependencies(db: None) -> None:
    org = demo_create(actor=SYSTEM).organization
    assets = Asset.objects.filter(organization=org)
    assert 35 <= assets.count() <= 50
    assert set(assets.values_list("kind", flat=True)) == set(AssetKind.values)
    assert set(assets.values_list("status", flat=True)) == {"planned", "in_use", "retired"}
    assert AssetDependency.objects.filter(organization=org).count() >= 40
    owners = set(assets.values_list("owner__email", flat=True))
    assert {"owner@acme.example", "admin@acme.example", "editor@acme.example"} <= owners
    payroll = assets.get(name__startswith="Customer payroll data")
    assert payroll.classification.name == "Restricted" and payroll.criticality == 4
    assert {"pii", "gdpr"} <= {t.name for t in payroll.tags.all()}
    created = AuditEvent.objects.filter(organization=org, verb="asset.created").count()
    assert created == assets.count()
