"""References are per organisation, never reused; stale saves are refused."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest
from django.db import connection, transaction

from openisms.core import refs
from openisms.core.errors import Conflict
from openisms.core.models import Organization


def test_references_count_up_per_organisation_and_kind(
    org_a: Organization, org_b: Organization
) -> None:
    assert refs.next_ref(org_a, "A") == "A-0001"
    assert refs.allocate(org_a, "A", 3) == ["A-0002", "A-0003", "A-0004"]
    assert refs.next_ref(org_b, "A") == "A-0001"
    assert refs.next_ref(org_a, "R") == "R-0001"
    assert refs.allocate(org_a, "A", 0) == []


def test_an_explicit_reference_moves_the_counter_past_it(org_a: Organization) -> None:
    refs.seen(org_a, "A", "A-0041")
    refs.seen(org_a, "A", "A-0007")
    refs.seen(org_a, "A", "legacy")
    assert refs.next_ref(org_a, "A") == "A-0042"


@dataclass
class _Row:
    version: int


def test_a_stale_version_is_a_conflict_and_a_fresh_one_counts_up() -> None:
    row = _Row(version=3)
    refs.check_version(row, 3)
    assert row.version == 4
    refs.check_version(row, None)
    assert row.version == 5
    with pytest.raises(Conflict, match=r"changed by someone else.*version 4, now 5"):
        refs.check_version(row, 4)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
def test_two_writers_at_once_never_get_the_same_reference(org_a: Organization) -> None:
    refs.next_ref(org_a, "A")  # the counter's row exists: both writers update it
    holding, got = threading.Event(), []

    def first() -> None:
        with transaction.atomic():
            got.append(refs.next_ref(org_a, "A"))
            holding.set()
            time.sleep(0.3)  # the second writer waits on the counter's row meanwhile
        connection.close()

    def second() -> None:
        holding.wait(5)
        with transaction.atomic():
            got.append(refs.next_ref(org_a, "A"))
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert got == ["A-0002", "A-0003"]
