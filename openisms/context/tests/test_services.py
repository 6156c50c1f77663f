"""Issues, interested parties and obligations change only through services, and are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openisms.context import selectors, services
from openisms.context.filters import IssueFilters, ObligationFilters, PartyFilters
from openisms.context.models import Issue, PartyRequirement
from openisms.context.tests import factories
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role
from openisms.core.errors import Conflict, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from tests import support


def _events(org: Organization, prefix: str) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(organization=org, verb__startswith=prefix).order_by("seq")
    )


def test_an_issue_gets_the_next_reference_of_its_organisation_and_is_audited(
    owner_a: User, org_a: Organization, org_b: Organization
) -> None:
    factories.issue(org_b)
    first = services.issue_create(
        actor=owner_a, org=org_a, title="Climate", kind="external", category="climate"
    )
    second = factories.issue(org_a)
    assert (first.ref, second.ref) == ("IS-0001", "IS-0002")
    event = _events(org_a, "issue.")[0]
    assert event.verb == "issue.created" and event.actor == owner_a.email
    assert event.target_id == "IS-0001"
    assert event.data["title"] == [None, "Climate"] and event.data["effect"] == [None, "neutral"]


def test_an_issue_needs_a_title_and_a_category_that_fits_its_kind(
    owner_a: User, org_a: Organization
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.issue_create(
            actor=owner_a, org=org_a, title=" ", kind="internal", category="legal"
        )
    assert set(caught.value.errors) == {"title", "category"}
    assert "governance" in caught.value.errors["category"][0]
    with pytest.raises(ValidationError, match="kind"):
        services.issue_create(
            actor=owner_a, org=org_a, title="X", kind="sideways", category="legal"
        )
    assert not Issue.objects.exists()


def test_a_text_too_long_or_with_a_control_character_is_refused_by_field(
    owner_a: User, org_a: Organization
) -> None:
    with pytest.raises(ValidationError) as caught:
        factories.issue(org_a, title="T" * 201, description="Line one\x0bline two")
    assert caught.value.errors == {
        "title": ["Use at most 200 characters (this has 201)."],
        "description": [
            "Remove the character U+000B (character 9): a text cannot hold control characters."
        ],
    }
    assert not Issue.objects.exists()


def test_an_owner_must_be_a_member_of_the_organisation(
    owner_a: User, org_a: Organization, owner_b: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        factories.issue(org_a, owner=owner_b.email)
    assert caught.value.errors == {"owner": [f"{owner_b.email} is not a member of Alpha Ltd."]}
    issue = factories.issue(org_a, owner=owner_a.email.upper())
    assert issue.owner == owner_a


def test_unknown_fields_are_refused_by_name(owner_a: User, org_a: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        factories.issue(org_a, colour="red")
    assert caught.value.errors == {"colour": ["Not a field of this record."]}


def test_an_update_records_only_the_changed_fields_and_counts_the_version(
    owner_a: User, org_a: Organization
) -> None:
    issue = factories.issue(org_a, review_date=dt.date(2026, 1, 1))
    updated = services.issue_update(
        actor=owner_a, issue=issue, version=1, status="monitored", title="New data law"
    )
    assert updated.version == 2 and updated.status == "monitored"
    event = _events(org_a, "issue.updated")[0]
    assert event.data == {"status": ["open", "monitored"]}


def test_a_stale_version_is_a_conflict_and_changes_nothing(
    owner_a: User, org_a: Organization
) -> None:
    issue = factories.issue(org_a)
    services.issue_update(actor=owner_a, issue=issue, version=1, title="First edit")
    with pytest.raises(Conflict, match="changed by someone else"):
        services.issue_update(actor=owner_a, issue=issue, version=1, title="Second edit")
    issue.refresh_from_db()
    assert (issue.title, issue.version) == ("First edit", 2)


def test_saving_without_changes_keeps_the_version_and_records_nothing(
    owner_a: User, org_a: Organization
) -> None:
    issue = factories.issue(org_a)
    same = services.issue_update(actor=owner_a, issue=issue, version=1, title=issue.title)
    issue.refresh_from_db()
    assert same.version == issue.version == 1
    assert not _events(org_a, "issue.updated")


@pytest.mark.parametrize("role", [Role.VIEWER, Role.AUDITOR])
def test_readers_cannot_write_to_the_registers(org_a: Organization, role: Role) -> None:
    reader = support.add_member(org_a, f"{role}@alpha.test", role)
    issue = factories.issue(org_a)
    with pytest.raises(PermissionDenied):
        services.issue_create(actor=reader, org=org_a, title="X", kind="external", category="legal")
    with pytest.raises(PermissionDenied):
        services.issue_update(actor=reader, issue=issue, version=None, title="Y")
    with pytest.raises(PermissionDenied):
        services.party_create(actor=reader, org=org_a, name="X", kind="customer")
    with pytest.raises(PermissionDenied):
        services.obligation_delete(actor=reader, obligation=factories.obligation(org_a))


def test_an_editor_may_write_the_registers(org_a: Organization) -> None:
    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    issue = services.issue_create(
        actor=editor, org=org_a, title="X", kind="internal", category="culture"
    )
    assert issue.ref == "IS-0001"


def test_deleting_an_issue_keeps_its_content_in_the_audit_trail(
    owner_a: User, org_a: Organization
) -> None:
    issue = factories.issue(org_a, description="Details")
    services.issue_delete(actor=owner_a, issue=issue)
    assert not Issue.objects.exists()
    event = _events(org_a, "issue.deleted")[0]
    assert event.target_id == "IS-0001"
    assert event.data["description"] == ["Details", None]
    assert factories.issue(org_a).ref == "IS-0002"  # numbers are never reused


def test_a_party_is_recorded_with_its_requirements(owner_a: User, org_a: Organization) -> None:
    gdpr = factories.obligation(org_a)
    party = services.party_create(
        actor=owner_a,
        org=org_a,
        name="Customers",
        kind="customer",
        requirements=[
            {"text": "A DPA", "addressed": True, "how": "Template DPA", "obligation": gdpr.ref},
            {"text": "Yearly pen test"},
        ],
    )
    assert party.ref == "IP-0001" and party.relevance == "medium"
    rows = list(party.requirements.order_by("pk").values_list("text", "addressed", "obligation"))
    assert rows == [("A DPA", True, gdpr.pk), ("Yearly pen test", False, None)]
    verbs = [e.verb for e in _events(org_a, "party")]
    assert verbs == ["party.created", "party_requirement.created", "party_requirement.created"]
    assert _events(org_a, "party_requirement.created")[0].data["party"] == "IP-0001"


def test_a_bad_requirement_names_its_position_and_nothing_is_written(
    owner_a: User, org_a: Organization, org_b: Organization
) -> None:
    other = factories.obligation(org_b)
    with pytest.raises(ValidationError) as caught:
        services.party_create(
            actor=owner_a,
            org=org_a,
            name="Customers",
            kind="customer",
            requirements=[
                {"text": "ok"},
                {"text": "x", "addressed": True, "obligation": other.ref},
            ],
        )
    assert caught.value.errors == {
        "requirements.1.how": ["Say how the ISMS addresses it."],
        "requirements.1.obligation": [f"There is no obligation {other.ref}."],
    }
    assert not PartyRequirement.objects.filter(organization=org_a).exists()


def test_a_requirement_changes_and_is_removed_on_its_own(
    owner_a: User, org_a: Organization
) -> None:
    party = factories.party(org_a)
    req = services.party_requirement_create(actor=owner_a, party=party, text="Uptime")
    req = services.party_requirement_update(
        actor=owner_a, requirement=req, version=1, addressed=True, how="SLOs"
    )
    assert req.version == 2
    with pytest.raises(Conflict):
        services.party_requirement_update(actor=owner_a, requirement=req, version=1, how="x")
    services.party_requirement_delete(actor=owner_a, requirement=req)
    assert not party.requirements.exists()
    assert [e.data.get("addressed") for e in _events(org_a, "party_requirement.updated")] == [
        [False, True]
    ]


def test_deleting_a_party_removes_its_requirements_and_audits_them(
    owner_a: User, org_a: Organization
) -> None:
    party = factories.party(org_a, requirements=[{"text": "A"}, {"text": "B"}])
    services.party_delete(actor=owner_a, party=party)
    assert not PartyRequirement.objects.exists()
    assert _events(org_a, "party.deleted")[0].data["requirements"] == ["A", "B"]


def test_deleting_an_obligation_keeps_the_requirements_that_cited_it(
    owner_a: User, org_a: Organization
) -> None:
    gdpr = factories.obligation(org_a)
    party = factories.party(org_a, requirements=[{"text": "A DPA", "obligation": gdpr.ref}])
    services.obligation_delete(actor=owner_a, obligation=gdpr)
    requirement = party.requirements.get()
    assert (requirement.text, requirement.obligation) == ("A DPA", None)


def test_obligations_name_their_jurisdiction_or_counterparty(
    owner_a: User, org_a: Organization
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.obligation_create(actor=owner_a, org=org_a, name="MSA", kind="contractual")
    assert set(caught.value.errors) == {"counterparty"}
    with pytest.raises(ValidationError) as caught:
        services.obligation_create(actor=owner_a, org=org_a, name="Law", kind="legal")
    assert set(caught.value.errors) == {"jurisdiction"}
    other = services.obligation_create(actor=owner_a, org=org_a, name="Code", kind="other")
    assert other.ref == "OB-0001" and other.status == "active"


def test_a_source_address_must_be_a_web_address(owner_a: User, org_a: Organization) -> None:
    with pytest.raises(ValidationError, match="source_url"):
        factories.obligation(org_a, source_url="javascript:alert(1)")
    ok = factories.obligation(org_a, source_url="https://eur-lex.europa.eu/eli/reg/2016/679/oj")
    assert ok.source_url.startswith("https://")


def test_retiring_an_obligation_takes_it_out_of_the_active_list(
    owner_a: User, org_a: Organization
) -> None:
    gdpr = factories.obligation(org_a)
    factories.obligation(org_a, name="NIS2")
    services.obligation_update(actor=owner_a, obligation=gdpr, version=1, status="retired")
    active = selectors.obligation_list(
        actor=owner_a, org=org_a, filters=ObligationFilters(status="active")
    )
    assert [o.name for o in active] == ["NIS2"]


def test_issue_filters_and_sorts_hold_together(owner_a: User, org_a: Organization) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    factories.issue(org_a, title="Heat waves", category="climate", review_date=yesterday)
    factories.issue(
        org_a, title="Small team", kind="internal", category="capabilities", owner=owner_a.email
    )
    factories.issue(org_a, title="Closed one", status="closed", review_date=yesterday)

    def titles(**kwargs: object) -> list[str]:
        found = selectors.issue_list(actor=owner_a, org=org_a, filters=IssueFilters(**kwargs))  # type: ignore[arg-type]
        return [i.title for i in found]

    assert titles(kind="internal") == ["Small team"]
    assert titles(q="heat WAVES") == ["Heat waves"]
    assert titles(owner=owner_a.email) == ["Small team"]
    assert titles(review_due=True) == ["Heat waves", "Closed one"]
    assert titles(sort="-title") == ["Small team", "Heat waves", "Closed one"]
    assert titles(sort="review_date")[-1] == "Small team"  # no date sorts last
    with pytest.raises(ValidationError, match="sort"):
        titles(sort="colour")


def test_parties_with_unaddressed_requirements_can_be_found(
    owner_a: User, org_a: Organization
) -> None:
    factories.party(org_a, name="Done", requirements=[{"text": "A", "addressed": True, "how": "B"}])
    factories.party(org_a, name="Open", requirements=[{"text": "A"}])
    found = selectors.party_list(actor=owner_a, org=org_a, filters=PartyFilters(unaddressed=True))
    assert [p.name for p in found] == ["Open"]


def test_the_console_actor_is_named_in_the_trail(org_a: Organization) -> None:
    services.issue_create(actor=SYSTEM, org=org_a, title="X", kind="external", category="legal")
    assert _events(org_a, "issue.")[0].actor == "system"
