"""Risk methodologies: presets, validation by field, versions that never change."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import connection

from openisms.core.errors import NotFound, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks import methodology, selectors, services
from openisms.risks.models import Methodology


@pytest.mark.parametrize(
    ("name", "size", "top"), [("3x3", 3, "high"), ("4x4", 4, "critical"), ("5x5", 5, "critical")]
)
def test_presets_cover_every_cell_and_rise_with_likelihood_and_impact(
    name: str, size: int, top: str
) -> None:
    spec = methodology.preset(name)
    assert len(spec.likelihood) == len(spec.impact) == size
    assert spec.level_for(1, 1).key == "low"
    assert spec.level_for(size, size).key == top
    for li in range(1, size + 1):
        ranks = [spec.rank(spec.level_for(li, im).key) for im in range(1, size + 1)]
        assert ranks == sorted(ranks)


def test_the_owner_may_accept_low_and_medium_but_not_high() -> None:
    spec = methodology.preset("5x5")
    assert [lv.owner_may_accept for lv in spec.levels] == [True, True, False, False]


def test_a_value_outside_the_scale_is_refused_by_field() -> None:
    spec = methodology.preset("3x3")
    with pytest.raises(ValidationError) as caught:
        spec.level_for(4, 1)
    assert caught.value.errors == {"likelihood": ["Choose 1 to 3."]}


def _raw(**changes: Any) -> dict[str, Any]:
    raw = methodology.preset("3x3").to_json()
    raw.update(changes)
    return raw


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"likelihood": [{"label": "a"}, {"label": "b"}]}, "likelihood", "3 to 5 steps"),
        ({"impact": [{"label": "a"}, {"label": ""}, {"label": "c"}]}, "impact", "Step 2"),
        ({"matrix": [["low"]]}, "matrix", "3 rows"),
        (
            {"matrix": [["low", "low", "low"]] * 2 + [["low", "low", "extreme"]]},
            "matrix",
            "extreme",
        ),
        (
            {"levels": [{"key": "low", "label": "Low", "colour": "red", "review_months": 3}] * 2},
            "levels",
            "colour",
        ),
    ],
)
def test_a_broken_methodology_names_the_field(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        methodology.parse(_raw(**changes))
    assert field in caught.value.errors
    assert message in " ".join(caught.value.errors[field])


def test_a_new_version_becomes_current_and_the_old_one_stays(
    owner_a: User, org_a: Organization
) -> None:
    first = services.methodology_create(actor=owner_a, org=org_a, preset="3x3")
    second = services.methodology_create(actor=owner_a, org=org_a, preset="5x5", note="finer")
    first.refresh_from_db()
    assert (first.version, first.is_current) == (1, False)
    assert (second.version, second.is_current) == (2, True)
    assert selectors.methodology_current(actor=owner_a, org=org_a) == second
    assert first.parsed.level_for(3, 3).key == "high"
    assert list(selectors.methodology_list(actor=owner_a, org=org_a)) == [second, first]
    event = AuditEvent.objects.filter(organization=org_a, verb="methodology.created").first()
    assert event is not None and event.data["size"] == "5x5" and event.data["previous"] == 1


def test_only_owners_and_admins_change_the_methodology(viewer_a: User, org_a: Organization) -> None:
    with pytest.raises(PermissionDenied):
        services.methodology_create(actor=viewer_a, org=org_a, preset="3x3")


def test_no_methodology_yet_says_how_to_start(owner_a: User, org_a: Organization) -> None:
    with pytest.raises(NotFound, match="preset"):
        selectors.methodology_current(actor=owner_a, org=org_a)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
def test_a_new_methodology_does_not_wait_for_another_writer_of_the_organisation(
    owner_a: User, org_a: Organization, method_a: Methodology
) -> None:
    # Another request has written a row of the organisation and not committed yet: its foreign
    # key holds the organisation's row (FOR KEY SHARE) until it ends, while it may wait for a
    # lock this transaction holds (the audit chain's). Locking that row too would deadlock.
    other = psycopg.connect(**connection.get_connection_params())
    try:
        other.execute("SELECT 1 FROM core_organization WHERE id = %s FOR KEY SHARE", [org_a.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
        made = services.methodology_create(actor=owner_a, org=org_a, preset="3x3")
    finally:
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")  # the setting is the connection's
    assert made.version == method_a.version + 1
    assert selectors.methodology_current(actor=owner_a, org=org_a).pk == made.pk
