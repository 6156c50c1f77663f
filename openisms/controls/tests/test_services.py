"""The control records: creation per organisation, edits, derived risk reasons."""

from __future__ import annotations

import pytest

from openisms.catalog import services as catalog_services
from openisms.controls import selectors, services
from openisms.controls.choices import Applicability
from openisms.controls.models import Control, SoaVersion
from openisms.controls.services import ControlInput
from openisms.controls.tests.factories import control, set_control
from openisms.core.actors import SYSTEM
from openisms.core.errors import Conflict, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from openisms.risks import services as risk_services
from openisms.risks.models import Methodology
from openisms.risks.rules import RiskInput
from openisms.risks.tests.factories import make_risk
from tests import support

pytestmark = pytest.mark.usefixtures("annex_a")


def test_every_new_organisation_gets_the_93_annex_a_controls(org_a: Organization) -> None:
    assert Control.objects.filter(organization=org_a, source="annex_a").count() == 93
    assert AuditEvent.objects.filter(organization=org_a, verb="controls.ensured").exists()


def test_it_creates_missing_controls_lazily_and_only_once(org_a: Organization) -> None:
    Control.objects.filter(organization=org_a, ref="A.8.8").delete()
    assert services.controls_ensure(org_a) == 1
    assert services.controls_ensure(org_a) == 0


def test_loading_the_catalogue_gives_existing_organisations_their_missing_controls(
    org_a: Organization,
) -> None:
    Control.objects.filter(organization=org_a, ref__in=["A.5.1", "A.8.8"]).delete()
    catalog_services.catalog_load(actor=SYSTEM)
    assert Control.objects.filter(organization=org_a, source="annex_a").count() == 93


def test_an_update_is_audited_and_counts_the_version(org_a: Organization, owner_a: User) -> None:
    found = control(org_a, "A.5.1")
    services.control_update(
        actor=owner_a,
        control=found,
        data=ControlInput(applicability="yes", owner=owner_a.email, business_reason="Policy."),
        version=1,
    )
    found.refresh_from_db()
    assert found.version == 2
    assert found.owner == owner_a
    event = AuditEvent.objects.get(organization=org_a, verb="control.updated")
    assert event.data["applicability"] == ["undecided", "yes"]


def test_it_refuses_a_stale_version(org_a: Organization, owner_a: User) -> None:
    found = control(org_a, "A.5.1")
    services.control_update(actor=owner_a, control=found, data=ControlInput(business_reason="x"))
    with pytest.raises(Conflict):
        services.control_update(
            actor=owner_a, control=found, data=ControlInput(business_reason="y"), version=1
        )


def test_it_refuses_an_exclusion_without_justification(org_a: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        set_control(org_a, "A.7.1", applicability="no")
    assert "exclusion_justification" in caught.value.errors


def test_a_viewer_cannot_change_a_control(org_a: Organization, viewer_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.control_update(
            actor=viewer_a, control=control(org_a, "A.5.1"), data=ControlInput(business_reason="x")
        )


def test_it_adds_a_control_from_another_source(org_a: Organization, owner_a: User) -> None:
    made = services.control_create(
        actor=owner_a,
        org=org_a,
        ref="X-01",
        title="Customer data residency",
        source_note="Contract with Globex",
        data=ControlInput(business_reason="Globex contract clause 9"),
    )
    assert made.theme == "other"
    assert AuditEvent.objects.filter(organization=org_a, verb="control.created").exists()
    with pytest.raises(ValidationError):
        services.control_create(
            actor=owner_a, org=org_a, ref="A.9.9", title="Fake", source_note="", data=ControlInput()
        )


def test_texts_that_do_not_fit_their_columns_are_refused_by_field(
    org_a: Organization, owner_a: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.control_create(
            actor=owner_a,
            org=org_a,
            ref="X-" + "9" * 40,
            title="Residency\x00",
            source_note="",
            data=ControlInput(business_reason="x" * 5, implementation_description="\x1b"),
        )
    assert set(caught.value.errors) == {"ref", "title"}
    assert caught.value.errors["ref"] == ["Use at most 32 characters (this has 42)."]
    with pytest.raises(ValidationError) as caught:
        services.control_update(
            actor=owner_a,
            control=control(org_a, "A.5.1"),
            data=ControlInput(implementation_description="Done\x1b"),
        )
    assert list(caught.value.errors) == ["implementation_description"]
    with pytest.raises(ValidationError) as caught:
        services.control_link_add(
            actor=owner_a,
            control=control(org_a, "A.5.1"),
            label="Policy",
            url="https://x.test/" + "p" * 500,
        )
    assert caught.value.errors == {"url": ["Use at most 500 characters (this has 515)."]}
    assert not Control.objects.filter(organization=org_a, theme="other").exists()
    assert not control(org_a, "A.5.1").links.exists()


def _row(org: Organization, owner: User, ref: str) -> selectors.SoaRow:
    return selectors.soa_row_get(actor=owner, org=org, ref=ref)


def test_choosing_a_control_in_a_risk_makes_it_applicable_with_the_reason_at_once(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    set_control(org_a, "A.8.13", business_reason="Backups are a customer requirement.")
    risk = make_risk(org_a, controls=["A.8.13"], treatment="modify")
    row = _row(org_a, owner_a, "A.8.13")
    assert row.applicable
    assert f"risk treatment: {risk.ref}" in row.reasons()
    risk_services.risk_update(actor=owner_a, risk=risk, data=RiskInput(controls=[]))
    row = _row(org_a, owner_a, "A.8.13")
    assert f"risk treatment: {risk.ref}" not in row.reasons()
    assert row.reasons() == ["business requirement: Backups are a customer requirement."]
    assert row.applicable  # still undecided, but the business reason keeps it in
    # the stored decision never moved: the risk reason is derived, not written
    assert row.control.applicability == Applicability.UNDECIDED


def test_removing_the_last_risk_leaves_an_undecided_control_undecided(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    first = make_risk(org_a, "One", controls=["A.5.7"], treatment="modify")
    second = make_risk(org_a, "Two", controls=["A.5.7"], treatment="modify")
    assert _row(org_a, owner_a, "A.5.7").risk_refs == [first.ref, second.ref]
    risk_services.risk_update(actor=owner_a, risk=first, data=RiskInput(controls=[]))
    assert _row(org_a, owner_a, "A.5.7").risk_refs == [second.ref]
    risk_services.risk_update(actor=owner_a, risk=second, data=RiskInput(controls=[]))
    row = _row(org_a, owner_a, "A.5.7")
    assert row.risk_refs == []
    assert not row.applicable


def test_a_row_lists_the_first_risks_by_reference_and_counts_them_all(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    listed = selectors.RISK_REFS_LISTED
    made = [make_risk(org_a, f"Risk {n}", controls=["A.8.7"]) for n in range(listed + 2)]
    rows = selectors.soa_rows(actor=owner_a, org=org_a)
    row = next(row for row in rows if row.control.ref == "A.8.7")
    assert row.risk_refs == [risk.ref for risk in made[:listed]]
    assert (row.risk_count, row.more_risks) == (listed + 2, 2)
    assert row.reasons()[-1] == "risk treatment: and 2 more risks"
    assert row.as_dict()["reasons"]["risk_count"] == listed + 2
    assert len(_row(org_a, owner_a, "A.8.7").risk_refs) == listed + 2  # its own page: all


def test_another_organisations_risks_are_no_reason(
    org_a: Organization, org_b: Organization, owner_a: User
) -> None:
    from openisms.risks.tests.factories import make_methodology

    make_methodology(org_b)
    make_risk(org_b, controls=["A.5.7"], treatment="modify")
    assert _row(org_a, owner_a, "A.5.7").risk_refs == []
    assert support.MAX_QUERIES == 25


def test_the_risk_reasons_are_read_once_per_change_and_follow_every_change(
    org_a: Organization, owner_a: User, method_a: Methodology
) -> None:
    from django.core.cache import cache

    def refs() -> list[str]:
        rows = selectors.soa_rows(actor=owner_a, org=org_a)
        return next(row for row in rows if row.control.ref == "A.5.7").risk_refs

    risk = make_risk(org_a, "One", controls=["A.5.7"], treatment="modify")
    cache.clear()
    cold, first = support.count_queries(refs)
    warm, again = support.count_queries(refs)
    assert first == again == [risk.ref]
    assert warm <= cold - 3  # the counts, the first links and their refs: kept
    risk_services.risk_update(actor=owner_a, risk=risk, data=RiskInput(controls=[]))
    assert refs() == []


def test_a_reference_that_cannot_name_a_page_is_refused(org_a: Organization, owner_a: User) -> None:
    for ref in ("X/01", "X?1", "-X", "X 1"):
        with pytest.raises(ValidationError) as caught:
            services.control_create(
                actor=owner_a, org=org_a, ref=ref, title="T", source_note="", data=ControlInput()
            )
        assert list(caught.value.errors) == ["ref"], ref
    assert not Control.objects.filter(organization=org_a, theme="other").exists()


def test_a_decision_on_a_version_decided_meanwhile_is_refused(
    org_a: Organization, owner_a: User
) -> None:
    published = services.soa_publish(actor=owner_a, org=org_a, override_reason="A test.")
    stale = SoaVersion.objects.get(pk=published.pk)  # what another page loaded
    services.soa_approve(actor=owner_a, version=published)
    with pytest.raises(Conflict, match="is approved"):
        services.soa_reject(actor=owner_a, version=stale, comment="Too late.")
    assert SoaVersion.objects.get(pk=published.pk).status == "approved"
