"""The consistency check: each rule fires on its problem and stays quiet on a clean SoA."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from openisms.assets.tests.factories import make_asset
from openisms.context.tests.factories import obligation
from openisms.controls import checks, services
from openisms.controls.models import Control, ControlLink
from openisms.controls.tests.factories import control, make_clean_soa, set_control
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization, User
from openisms.risks.models import Methodology, Risk
from openisms.risks.tests.factories import make_risk

pytestmark = pytest.mark.usefixtures("annex_a")
RULE_IDS = [rule_id for rule_id, _ in checks.RULES]


@pytest.fixture
def clean(org_a: Organization, owner_a: User, method_a: Methodology) -> Organization:
    """A clean SoA with the things rules look at: a treated risk, an answered obligation,
    people and a site in the inventory, current evidence, an approved version."""
    make_clean_soa(org_a)
    make_risk(org_a, assess=(5, 5), controls=["A.8.7"], treatment="modify")
    gdpr = obligation(org_a)
    set_control(org_a, "A.5.34", obligations=[gdpr.ref])
    make_asset(org_a, "Engineering team", kind="people")
    make_asset(org_a, "London office", kind="site")
    set_control(org_a, "A.8.13", implementation_status="implemented")
    services.control_link_add(
        actor=SYSTEM, control=control(org_a, "A.8.13"), kind="evidence", label="Backup report"
    )
    version = services.soa_publish(actor=owner_a, org=org_a)
    services.soa_approve(actor=owner_a, version=version)
    return org_a


def _rules(org: Organization) -> list[str]:
    return [f.rule for f in checks.run(org)]


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_the_rule_stays_quiet_on_a_clean_soa(clean: Organization, rule_id: str) -> None:
    assert rule_id not in _rules(clean)


def test_a_clean_soa_has_no_findings_at_all(clean: Organization) -> None:
    assert checks.run(clean) == []


def test_excluded_but_chosen_by_a_risk(clean: Organization) -> None:
    set_control(clean, "A.8.7", applicability="no", exclusion_justification="x" * 40)
    found = [f for f in checks.run(clean) if f.rule == "excluded-but-chosen"]
    assert [(f.object, f.severity) for f in found] == [("A.8.7", "blocker")]
    assert found[0].url.endswith("/controls/A.8.7/")


def test_applicable_without_reason(clean: Organization) -> None:
    Control.objects.filter(organization=clean, ref="A.5.2").update(business_reason="")
    assert "applicable-without-reason" in _rules(clean)


@pytest.mark.parametrize("text", ["", "N/A", "Not applicable.", "no need"])
def test_weak_exclusion(clean: Organization, text: str) -> None:
    Control.objects.filter(organization=clean, ref="A.5.2").update(
        applicability="no", exclusion_justification=text
    )
    assert "weak-exclusion" in _rules(clean)


def test_modify_without_control(clean: Organization) -> None:
    make_risk(clean, "No control yet", treatment="modify")
    assert "modify-without-control" in _rules(clean)


def test_untreated_above_criteria(clean: Organization) -> None:
    make_risk(clean, "Critical and ignored", assess=(5, 5))
    assert "untreated-above-criteria" in _rules(clean)


def test_acceptance_expired(clean: Organization) -> None:
    risk = make_risk(clean, "Accepted long ago", assess=(1, 1), treatment="retain")
    Risk.objects.filter(pk=risk.pk).update(
        status="accepted", acceptance_valid_until=dt.date(2020, 1, 1)
    )
    assert "acceptance-expired" in _rules(clean)


def test_applicable_without_owner(clean: Organization) -> None:
    Control.objects.filter(organization=clean, ref="A.5.3").update(owner=None)
    assert "applicable-without-owner" in _rules(clean)


def test_implemented_without_current_evidence(clean: Organization) -> None:
    ControlLink.objects.filter(organization=clean).update(valid_until=dt.date(2020, 1, 1))
    assert "implemented-without-evidence" in _rules(clean)


def test_implemented_is_skipped_with_info_while_no_evidence_exists(clean: Organization) -> None:
    ControlLink.objects.filter(organization=clean).delete()
    found = [f for f in checks.run(clean) if f.rule == "implemented-without-evidence"]
    assert [f.severity for f in found] == ["info"]


def test_obligation_unanswered(clean: Organization) -> None:
    obligation(clean, name="NIS2")
    assert "obligation-unanswered" in _rules(clean)


@pytest.mark.parametrize("ref", ["A.6.3", "A.7.1"])
def test_people_or_physical_excluded(clean: Organization, ref: str) -> None:
    set_control(clean, ref, applicability="no", exclusion_justification="We decided so, long ago.")
    assert "people-or-physical-excluded" in _rules(clean)


def test_differs_from_approved(clean: Organization) -> None:
    set_control(clean, "A.5.1", implementation_status="partial")
    assert "differs-from-approved" in _rules(clean)


@pytest.mark.parametrize("text", ["See A.12.6.1 in the old SoA", "Replaces A.11.2"])
def test_old_control_id(clean: Organization, text: str) -> None:
    set_control(clean, "A.8.8", implementation_description=text)
    assert "old-control-id" in _rules(clean)


def test_the_check_page_lists_findings(client_owner_a: Client, clean: Organization) -> None:
    set_control(clean, "A.8.8", implementation_description="A.12.6.1")
    body = client_owner_a.get(f"/o/{clean.slug}/controls/check/").content.decode()
    assert 'data-rule="old-control-id"' in body
