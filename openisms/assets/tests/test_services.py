"""The asset services: create, update, delete, bulk update, cycles, owners, the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest

from openisms.assets import services
from openisms.assets.models import Asset, AssetDependency, Classification
from openisms.assets.rules import AssetInput
from openisms.assets.tests.factories import make_asset
from openisms.core.choices import Role
from openisms.core.errors import Conflict, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from tests import support


def _events(org: Organization, verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organization=org, verb=verb).order_by("seq"))


def test_a_new_asset_gets_the_next_reference_defaults_and_an_audit_event(
    owner_a: User, org_a: Organization
) -> None:
    first = make_asset(org_a, "Customer payroll data", kind="information")
    second = services.asset_create(
        actor=owner_a,
        org=org_a,
        data=AssetInput(
            name="Production database",
            kind="Software",
            owner="OWNER@alpha.test",
            confidentiality=4,
            integrity="3",
            availability=2,
            tags="Production; pii, PII",
            depends_on=[first.ref],
            next_review="2026-06-30",
        ),
    )
    assert (first.ref, second.ref) == ("A-0001", "A-0002")
    assert second.kind == "software" and second.owner == owner_a
    assert second.classification.name == "Internal"  # the organisation's default
    assert second.criticality == 4  # the highest of C, I and A
    assert second.next_review == dt.date(2026, 6, 30)
    assert sorted(t.name for t in second.tags.all()) == ["Production", "pii"]
    assert [a.ref for a in second.depends_on.all()] == ["A-0001"]
    event = _events(org_a, "asset.created")[-1]
    assert event.target_id == "A-0002" and event.actor == "owner@alpha.test"
    assert event.data["depends_on"] == ["A-0001"] and event.data["criticality"] == 4


def test_the_owner_and_custodian_must_be_members_of_the_organisation(
    owner_a: User, org_a: Organization, owner_b: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.asset_create(
            actor=owner_a,
            org=org_a,
            data=AssetInput(
                name="Laptop", kind="hardware", owner=owner_b.email, custodian="ghost@x.test"
            ),
        )
    assert "not a member of Alpha Ltd" in caught.value.errors["owner"][0]
    assert "not a member" in caught.value.errors["custodian"][0]
    assert not Asset.objects.exists()


def test_required_values_and_wrong_values_are_named_by_field(
    owner_a: User, org_a: Organization
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.asset_create(
            actor=owner_a,
            org=org_a,
            data=AssetInput(kind="spaceship", confidentiality=7, classification="Top secret"),
        )
    errors = caught.value.errors
    assert set(errors) == {"name", "kind", "owner", "confidentiality", "classification"}
    assert "use one of: information" in errors["kind"][0]
    assert "1 to 4" in errors["confidentiality"][0]
    assert "Public, Internal, Confidential, Restricted" in errors["classification"][0]


def test_an_update_records_the_changes_and_counts_the_version(
    owner_a: User, org_a: Organization
) -> None:
    asset = make_asset(org_a, confidentiality=2)
    updated = services.asset_update(
        actor=owner_a,
        asset=asset,
        data=AssetInput(confidentiality=4, location="AWS eu-west-1", tags=["pii"]),
        version=1,
    )
    assert updated.version == 2 and updated.criticality == 4
    event = _events(org_a, "asset.updated")[-1]
    assert event.data == {
        "confidentiality": [2, 4],
        "criticality": [2, 4],
        "location": ["", "AWS eu-west-1"],
        "tags": [[], ["pii"]],
    }


def test_an_update_that_changes_nothing_writes_nothing(owner_a: User, org_a: Organization) -> None:
    asset = make_asset(org_a, location="London")
    services.asset_update(actor=owner_a, asset=asset, data=AssetInput(location="London"))
    assert Asset.objects.get(pk=asset.pk).version == 1
    assert not _events(org_a, "asset.updated")


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    owner_a: User, org_a: Organization
) -> None:
    asset = make_asset(org_a)
    services.asset_update(actor=owner_a, asset=asset, data=AssetInput(location="Berlin"), version=1)
    stale = Asset.objects.get(pk=asset.pk)
    stale.version = 1  # as the other editor loaded it
    with pytest.raises(Conflict, match=r"changed by someone else.*version 1, now 2"):
        services.asset_update(
            actor=owner_a, asset=stale, data=AssetInput(location="Paris"), version=1
        )
    assert Asset.objects.get(pk=asset.pk).location == "Berlin"


def test_a_dependency_cycle_is_refused_showing_the_cycle(
    owner_a: User, org_a: Organization
) -> None:
    a1, a2, a3 = (make_asset(org_a, name) for name in ("One", "Two", "Three"))
    services.asset_update(actor=owner_a, asset=a1, data=AssetInput(depends_on=[a2.ref]))
    services.asset_update(actor=owner_a, asset=a2, data=AssetInput(depends_on="A-0003"))
    with pytest.raises(ValidationError) as caught:
        services.asset_update(actor=owner_a, asset=a3, data=AssetInput(depends_on=["A-1"]))
    assert "A-0003 -> A-0001 -> A-0002 -> A-0003" in caught.value.message
    assert "A-0003 -> A-0001 -> A-0002 -> A-0003" in caught.value.errors["depends_on"][0]
    assert not AssetDependency.objects.filter(asset=a3).exists()


def test_an_asset_cannot_depend_on_itself(owner_a: User, org_a: Organization) -> None:
    asset = make_asset(org_a)
    with pytest.raises(ValidationError, match=r"A-0001 -> A-0001"):
        services.asset_update(actor=owner_a, asset=asset, data=AssetInput(depends_on="A-0001"))


def test_a_two_step_cycle_reads_as_in_the_issue(owner_a: User, org_a: Organization) -> None:
    for n in range(7):
        make_asset(org_a, f"Asset {n + 1}")
    a3, a7 = Asset.objects.get(ref="A-0003"), Asset.objects.get(ref="A-0007")
    services.asset_update(actor=owner_a, asset=a7, data=AssetInput(depends_on="A-0003"))
    with pytest.raises(ValidationError, match=r"A-0003 -> A-0007 -> A-0003"):
        services.asset_update(actor=owner_a, asset=a3, data=AssetInput(depends_on="A-0007"))


def test_dependencies_must_exist_in_the_same_organisation(
    owner_a: User, org_a: Organization, org_b: Organization
) -> None:
    make_asset(org_b, "Beta asset")
    with pytest.raises(ValidationError) as caught:
        make_asset(org_a, "Alpha asset", depends_on="A-0001")
    assert caught.value.errors["depends_on"] == ["No asset A-0001 in this organisation."]


def test_delete_removes_the_dependencies_both_ways_and_keeps_the_values_in_the_trail(
    owner_a: User, org_a: Organization
) -> None:
    base = make_asset(org_a, "Database")
    service = make_asset(org_a, "Service", depends_on=[base.ref])
    make_asset(org_a, "Frontend", depends_on=[service.ref])
    services.asset_delete(actor=owner_a, asset=service)
    assert not AssetDependency.objects.exists()
    event = _events(org_a, "asset.deleted")[-1]
    assert event.target_id == "A-0002"
    assert event.data["depends_on"] == ["A-0001"] and event.data["needed_by"] == ["A-0003"]
    assert make_asset(org_a, "Next").ref == "A-0004"  # a reference is never reused


def test_bulk_update_changes_owner_classification_and_tags_with_one_event_per_asset(
    owner_a: User, org_a: Organization
) -> None:
    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    assets = [make_asset(org_a, f"Laptop {n}", tags="fleet; old") for n in range(3)]
    changed = services.asset_bulk_update(
        actor=owner_a,
        org=org_a,
        refs=[a.ref for a in assets[:2]],
        owner=editor.email,
        classification="confidential",
        add_tags="encrypted",
        remove_tags=["OLD"],
    )
    assert [a.ref for a in changed] == ["A-0001", "A-0002"]
    for asset in Asset.objects.filter(ref__in=["A-0001", "A-0002"]):
        assert asset.owner == editor and asset.classification.name == "Confidential"
        assert sorted(t.name for t in asset.tags.all()) == ["encrypted", "fleet"]
        assert asset.version == 2
    untouched = Asset.objects.get(ref="A-0003")
    assert untouched.owner == owner_a and untouched.version == 1
    events = _events(org_a, "asset.updated")
    assert [e.target_id for e in events] == ["A-0001", "A-0002"]
    assert events[0].data["tags"] == [["fleet", "old"], ["encrypted", "fleet"]]


def test_bulk_update_refuses_unknown_refs_and_changes_nothing(
    owner_a: User, org_a: Organization
) -> None:
    make_asset(org_a)
    with pytest.raises(ValidationError, match="No asset A-0009"):
        services.asset_bulk_update(
            actor=owner_a, org=org_a, refs=["A-0001", "A-0009"], classification="Public"
        )
    assert Asset.objects.get().classification.name == "Internal"


def test_a_viewer_cannot_write(viewer_a: User, org_a: Organization) -> None:
    asset = make_asset(org_a)
    with pytest.raises(PermissionDenied):
        services.asset_create(
            actor=viewer_a, org=org_a, data=AssetInput(name="X", kind="site", owner=viewer_a.email)
        )
    with pytest.raises(PermissionDenied):
        services.asset_update(actor=viewer_a, asset=asset, data=AssetInput(name="Y"))
    with pytest.raises(PermissionDenied):
        services.asset_delete(actor=viewer_a, asset=asset)
    with pytest.raises(PermissionDenied):
        services.asset_bulk_update(actor=viewer_a, org=org_a, refs=[asset.ref], owner="")


def test_a_new_organisation_starts_with_the_default_labels(org_a: Organization) -> None:
    labels = Classification.objects.filter(organization=org_a).order_by("position")
    assert [c.name for c in labels] == ["Public", "Internal", "Confidential", "Restricted"]
    assert [c.name for c in labels if c.is_default] == ["Internal"]


def test_the_classification_scheme_can_be_renamed_reordered_and_extended(
    owner_a: User, org_a: Organization
) -> None:
    labels = {c.name: c for c in Classification.objects.filter(organization=org_a)}
    make_asset(org_a, classification="Restricted")
    rows = [
        services.ClassificationRow(labels["Public"].pk, "Public", position=1),
        services.ClassificationRow(
            labels["Internal"].pk, "Staff only", position=2, is_default=True
        ),
        services.ClassificationRow(labels["Confidential"].pk, "Confidential", position=4),
        services.ClassificationRow(labels["Restricted"].pk, "Restricted", position=5),
        services.ClassificationRow(None, "Sensitive", position=3),
    ]
    services.classification_scheme_save(actor=owner_a, org=org_a, rows=rows)
    ordered = Classification.objects.filter(organization=org_a).order_by("position")
    assert [c.name for c in ordered] == [
        "Public",
        "Staff only",
        "Sensitive",
        "Confidential",
        "Restricted",
    ]
    event = _events(org_a, "classification.updated")[-1]
    assert event.data["labels"][1][1] == "Staff only (default)"


def test_a_label_in_use_cannot_be_removed(owner_a: User, org_a: Organization) -> None:
    labels = {c.name: c for c in Classification.objects.filter(organization=org_a)}
    make_asset(org_a, classification="Restricted")
    rows = [
        services.ClassificationRow(
            c.pk,
            c.name,
            position=c.position,
            is_default=c.is_default,
            remove=c.name == "Restricted",
        )
        for c in labels.values()
    ]
    with pytest.raises(ValidationError, match=r"Still given to assets.*Restricted"):
        services.classification_scheme_save(actor=owner_a, org=org_a, rows=rows)


def test_only_owners_and_admins_change_the_scheme(org_a: Organization) -> None:
    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    with pytest.raises(PermissionDenied):
        services.cia_levels_update(actor=editor, org=org_a, levels={("c", 1): ("Open", "")})


def test_the_cia_definitions_can_be_changed_and_are_audited(
    owner_a: User, org_a: Organization
) -> None:
    services.cia_levels_update(
        actor=owner_a, org=org_a, levels={("a", 4): ("Round the clock", "Any outage hurts.")}
    )
    event = _events(org_a, "cia_level.updated")[-1]
    assert event.data["a4"][1] == ["Round the clock", "Any outage hurts."]
    with pytest.raises(ValidationError):
        services.cia_levels_update(actor=owner_a, org=org_a, levels={("a", 4): (" ", "")})


def test_a_bulk_change_names_what_is_not_an_asset_reference(
    owner_a: User, org_a: Organization
) -> None:
    make_asset(org_a)
    with pytest.raises(ValidationError) as caught:
        services.asset_bulk_update(
            actor=owner_a, org=org_a, refs=["A-0001", "A-1\x00"], owner="owner@alpha.test"
        )
    assert caught.value.errors == {"refs": ["Not an asset reference (A-0001): 'A-1\\x00'."]}
