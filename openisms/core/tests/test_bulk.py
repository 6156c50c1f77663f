"""``core.bulk.insert_one``: a row stored as ``save()`` stores it, its key set."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.forms.models import model_to_dict

from openisms.assets.choices import LifecycleStatus
from openisms.assets.models import Asset, Classification
from openisms.core import bulk
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks.models import (
    Risk,
    RiskAssessment,
    RiskAsset,
    RiskControl,
    RiskThreat,
    RiskVulnerability,
)

pytestmark = pytest.mark.django_db


def _event(org: Organization, seq: int) -> AuditEvent:
    return AuditEvent(
        organization=org,
        seq=seq,
        created_at=dt.datetime(2026, 11, 29, 12, 0, 0, 123456, tzinfo=dt.UTC),
        actor="owner@alpha.test",
        verb="thing.done",
        target_type="core.thing",
        target_id="T-1",
        target_repr="T-1",
        data={"text": 'quote " back\\slash Ünï', "n": 3, "list": [1, None, True]},
        prev_hash="0" * 64,
        hash=f"{seq:064d}",
    )


def _stored(obj: models.Model) -> dict[str, object]:
    fresh = type(obj)._default_manager.get(pk=obj.pk)
    return {k: v for k, v in model_to_dict(fresh).items() if k not in {"id", "seq", "hash"}}


def test_a_row_inserted_alone_is_stored_as_save_stores_it(
    org_a: Organization, owner_a: User
) -> None:
    saved, inserted = _event(org_a, 1001), _event(org_a, 1002)
    saved.save(force_insert=True)
    bulk.insert_one(inserted)
    assert inserted.pk is not None and inserted.pk != saved.pk
    assert not inserted._state.adding
    assert _stored(inserted) == _stored(saved)
    assert AuditEvent.objects.get(pk=inserted.pk).data["text"] == 'quote " back\\slash Ünï'


def test_defaults_and_automatic_dates_are_filled_as_save_fills_them(
    org_a: Organization, owner_a: User
) -> None:
    before = dt.datetime.now(tz=dt.UTC)
    label = Classification.objects.filter(organization=org_a).first()
    asset = Asset(
        organization=org_a,
        ref="A-0100",
        number=100,
        name="Vault",
        owner=owner_a,
        classification=label,
    )
    bulk.insert_one(asset)
    stored = Asset.objects.get(pk=asset.pk)
    assert stored.created_at >= before and stored.updated_at >= before
    assert (stored.version, stored.status, stored.name) == (asset.version, asset.status, "Vault")


def test_values_of_another_type_are_stored_as_save_converts_them(
    org_a: Organization, owner_a: User
) -> None:
    label = Classification.objects.filter(organization=org_a).first()
    given = {"name": 42, "confidentiality": "3", "status": LifecycleStatus.RETIRED}

    def asset(number: int) -> Asset:
        return Asset(
            organization=org_a,
            ref=f"A-{number:04d}",
            number=number,
            owner=owner_a,
            classification=label,
            **given,
        )

    saved, inserted = asset(201), asset(202)
    saved.save(force_insert=True)
    bulk.insert_one(inserted)
    stored = Asset.objects.values("name", "confidentiality", "status")
    assert stored.get(pk=inserted.pk) == stored.get(pk=saved.pk)
    assert stored.get(pk=inserted.pk) == {"name": "42", "confidentiality": 3, "status": "retired"}


def test_a_number_or_flag_of_another_type_is_converted_as_save_converts_it(
    org_a: Organization,
) -> None:
    # A float for an integer and an integer for a flag: stored as given, both databases
    # would keep something else than save() does (2.7 or 3, and 1 or an error).
    def label(name: str) -> Classification:
        return Classification(organization=org_a, name=name, position=2.7, is_default=1)  # type: ignore[misc]

    saved, inserted = label("Saved"), label("Inserted")
    saved.save(force_insert=True)
    bulk.insert_one(inserted)
    stored = Classification.objects.values("position", "is_default")
    assert (
        stored.get(pk=inserted.pk)
        == stored.get(pk=saved.pk)
        == {
            "position": 2,
            "is_default": True,
        }
    )


@pytest.mark.parametrize(
    "model",
    [
        Asset,
        Risk,
        RiskAssessment,
        RiskAsset,
        RiskThreat,
        RiskControl,
        RiskVulnerability,
        AuditEvent,
    ],
)
def test_nothing_listens_to_the_saves_that_insert_one_skips(model: type[models.Model]) -> None:
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)


def test_a_row_with_a_key_or_an_unsaved_relation_is_refused(
    org_a: Organization, owner_a: User
) -> None:
    with pytest.raises(ValueError, match="has a key already"):
        bulk.insert_one(Organization.objects.get(pk=org_a.pk))
    unsaved = User(email="new@alpha.test")
    event = _event(org_a, 1003)
    event.actor_user = unsaved
    with pytest.raises(ValueError, match="unsaved related object"):
        bulk.insert_one(event)
    assert not AuditEvent.objects.filter(organization=org_a, seq=1003).exists()
