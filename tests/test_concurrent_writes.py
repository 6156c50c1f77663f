"""Writers of one organisation at once, on PostgreSQL (SQLite runs one writer at a time).

Each write queues behind the organisation's other writers before it reads or locks anything
(``authz.require`` -> ``audit.hold_chain``). Without that, a writer holding a row waited for
the audit chain while the chain's holder waited for that row at commit (a deadlock: one of
the two requests failed), and two writers numbered after the same SoA version.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from openisms.assets.rules import AssetInput
from openisms.assets.services import asset_update
from openisms.assets.tests.factories import make_asset
from openisms.catalog import services as catalog_services
from openisms.controls import services as controls
from openisms.controls.models import SoaVersion
from openisms.core import audit
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization, User
from openisms.risks.models import Risk
from openisms.risks.tests.factories import make_methodology, make_risk

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite runs one writer at a time"
    ),
]


def _one_after_the_other(first: Callable[[], Any], second: Callable[[], Any]) -> list[str]:
    """Run ``first`` in a transaction that stays open a moment after it, and ``second`` in
    another thread meanwhile; what each raised, if anything."""
    holding, failed = threading.Event(), []

    def run(write: Callable[[], Any], hold: float) -> None:
        try:
            with transaction.atomic():
                write()
                holding.set()
                time.sleep(hold)  # the other writer starts meanwhile
        except Exception as exc:  # reported by the caller
            failed.append(f"{type(exc).__name__}: {exc}")
        finally:
            holding.set()
            connection.close()

    one = threading.Thread(target=run, args=(first, 0.5))
    one.start()
    holding.wait(5)
    two = threading.Thread(target=run, args=(second, 0))
    two.start()
    one.join(15)
    two.join(15)
    assert not one.is_alive() and not two.is_alive(), "a writer still waits"
    return failed


def test_an_asset_changed_while_a_risk_on_it_is_created_leaves_both_written(
    org_a: Organization, owner_a: User
) -> None:
    make_methodology(org_a)
    asset = make_asset(org_a, "Payroll database")
    failed = _one_after_the_other(
        lambda: make_risk(org_a, "Ransomware", assets=[asset.ref]),
        lambda: asset_update(actor=owner_a, asset=asset, data=AssetInput(location="London")),
    )
    assert failed == []
    asset.refresh_from_db()
    assert asset.location == "London"
    assert Risk.objects.get(organization=org_a).assets.get() == asset
    assert audit.verify(org_a).ok


def test_two_soa_versions_published_at_once_take_the_next_two_numbers(
    org_a: Organization, owner_a: User
) -> None:
    catalog_services.catalog_load(actor=SYSTEM)

    def publish() -> None:
        controls.soa_publish(actor=owner_a, org=org_a, override_reason="Published in a test.")

    failed = _one_after_the_other(publish, publish)
    assert failed == []
    numbers = SoaVersion.objects.filter(organization=org_a).values_list("number", flat=True)
    assert sorted(numbers) == [1, 2]
    assert audit.verify(org_a).ok
