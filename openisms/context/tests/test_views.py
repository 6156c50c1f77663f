"""Context pages: overview, scope workflow, registers, forms, access and query counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import count

import pytest
from django.test import Client

from openisms.context import services
from openisms.context.models import InterestedParty, Issue, Obligation, ScopeStatement
from openisms.context.tests import factories
from openisms.context.tiles import context_tiles
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role
from openisms.core.models import AuditEvent, Organization, User
from tests import support

BASE = "/o/alpha/context/"


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _filled_org(org: Organization) -> None:
    factories.approved_scope(org)
    gdpr = factories.obligation(org)
    factories.issue(org)
    party = factories.party(org, requirements=[{"text": "A DPA", "obligation": gdpr.ref}])
    assert party.requirements.count() == 1


def _pages() -> list[str]:
    return [
        BASE,
        BASE + "scope/",
        BASE + "scope/versions/1/",
        BASE + "scope/compare/",
        BASE + "scope/new/",
        BASE + "issues/",
        BASE + "issues/new/",
        BASE + "issues/IS-0001/",
        BASE + "issues/IS-0001/edit/",
        BASE + "issues/IS-0001/delete/",
        BASE + "interested-parties/",
        BASE + "interested-parties/new/",
        BASE + "interested-parties/IP-0001/",
        BASE + "interested-parties/IP-0001/edit/",
        BASE + "interested-parties/IP-0001/requirements/new/",
        BASE + "obligations/",
        BASE + "obligations/new/",
        BASE + "obligations/OB-0001/",
        BASE + "obligations/OB-0001/edit/",
        BASE + "obligations/OB-0001/delete/",
    ]


def test_every_page_renders_without_inline_script_or_style_and_labels_every_input(
    client_owner_a: Client, org_a: Organization
) -> None:
    _filled_org(org_a)
    for url in _pages():
        html = _html(client_owner_a, url)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert " style=" not in html and " onclick=" not in html, url
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if 'type="hidden"' in tag or 'name="csrfmiddlewaretoken"' in tag:
                continue
            ident = re.search(r'\bid="([^"]+)"', tag)
            assert ident and ident.group(1) in labelled, (url, tag)
        assert "<th>" not in html, url


def test_the_context_area_in_the_navigation_leads_to_the_overview(
    client_owner_a: Client, org_a: Organization
) -> None:
    _filled_org(org_a)
    html = _html(client_owner_a, BASE)
    assert 'href="/o/alpha/context/"' in html
    assert "The SaaS platform." in html and "Open issues" in html
    assert "Coming" not in html


def test_recording_an_issue_through_the_form_goes_to_its_page(
    client_owner_a: Client, owner_a: User, org_a: Organization
) -> None:
    response = client_owner_a.post(
        BASE + "issues/new/",
        {
            "title": "Heat waves",
            "kind": "external",
            "category": "climate",
            "effect": "negative",
            "owner": owner_a.email,
            "review_date": "2030-01-31",
            "status": "open",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == BASE + "issues/IS-0001/"
    html = response.content.decode()
    assert "Heat waves" in html and "Climate change" in html and "2030-01-31" in html
    assert Issue.objects.get().owner == owner_a


def test_an_invalid_form_answers_422_with_errors_beside_the_fields_and_keeps_the_input(
    client_owner_a: Client, owner_b: User, org_a: Organization
) -> None:
    response = client_owner_a.post(
        BASE + "issues/new/",
        {
            "title": "Typed title",
            "kind": "internal",
            "category": "legal",
            "effect": "neutral",
            "status": "open",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Typed title"' in html
    error = re.search(r'id="id_category".*?invalid-feedback[^>]*>([^<]+)<', html, re.S)
    assert error and "An internal issue takes one of" in error.group(1)
    assert not Issue.objects.exists()


def test_a_stale_edit_answers_409_and_keeps_the_newer_text(
    client_owner_a: Client, org_a: Organization
) -> None:
    issue = factories.issue(org_a)
    services.issue_update(actor=SYSTEM, issue=issue, version=1, title="Someone else's")
    data = {
        "title": "Mine",
        "kind": "external",
        "category": "legal",
        "effect": "neutral",
        "status": "open",
        "version": "1",
    }
    response = client_owner_a.post(BASE + "issues/IS-0001/edit/", data)
    assert response.status_code == 409
    assert b"changed by someone else" in response.content
    assert b'value="Mine"' in response.content
    issue.refresh_from_db()
    assert issue.title == "Someone else's"


def test_delete_asks_once_saying_what_goes_then_deletes(
    client_owner_a: Client, org_a: Organization
) -> None:
    factories.party(org_a, requirements=[{"text": "A"}, {"text": "B"}])
    html = _html(client_owner_a, BASE + "interested-parties/IP-0001/delete/")
    assert "its 2 requirements" in html
    assert InterestedParty.objects.exists()
    response = client_owner_a.post(BASE + "interested-parties/IP-0001/delete/")
    assert response["Location"] == BASE + "interested-parties/"
    assert not InterestedParty.objects.exists()


def test_requirements_are_added_and_edited_from_the_party(
    client_owner_a: Client, org_a: Organization
) -> None:
    factories.party(org_a)
    ob = factories.obligation(org_a)
    url = BASE + "interested-parties/IP-0001/requirements/new/"
    bad = client_owner_a.post(url, {"text": "Uptime", "addressed": "on"})
    assert bad.status_code == 422 and b"Say how the ISMS addresses it." in bad.content
    client_owner_a.post(
        url, {"text": "Uptime", "addressed": "on", "how": "SLOs", "obligation": ob.ref}
    )
    requirement = InterestedParty.objects.get().requirements.get()
    html = _html(client_owner_a, BASE + "interested-parties/IP-0001/")
    assert "Uptime" in html and "addressed" in html and ob.ref in html
    edit = f"{BASE}interested-parties/IP-0001/requirements/{requirement.pk}/edit/"
    client_owner_a.post(edit, {"text": "Uptime 99.9%", "how": "SLOs", "version": "1"})
    requirement.refresh_from_db()
    assert (requirement.text, requirement.addressed, requirement.obligation) == (
        "Uptime 99.9%",
        False,
        None,
    )


def test_list_filters_and_sort_live_in_the_url(client_owner_a: Client, org_a: Organization) -> None:
    factories.obligation(org_a, name="Alpha law")
    factories.obligation(org_a, name="Zulu contract", kind="contractual", counterparty="Z plc")
    html = _html(client_owner_a, BASE + "obligations/?kind=contractual")
    assert "Zulu contract" in html and "Alpha law" not in html
    html = _html(client_owner_a, BASE + "obligations/?sort=-name")
    assert html.index("Zulu contract") < html.index("Alpha law")
    assert 'aria-sort="descending"' in html and "sort=name" in html
    html = _html(client_owner_a, BASE + "obligations/?kind=nonsense")
    assert "Select a valid choice" in html and "Zulu contract" in html


def test_a_viewer_reads_but_every_write_page_is_403(
    client_viewer_a: Client, org_a: Organization
) -> None:
    _filled_org(org_a)
    html = _html(client_viewer_a, BASE + "issues/IS-0001/")
    assert "/edit/" not in html and "/delete/" not in html
    for url in [
        BASE + "issues/new/",
        BASE + "issues/IS-0001/edit/",
        BASE + "issues/IS-0001/delete/",
        BASE + "scope/new/",
        BASE + "interested-parties/IP-0001/requirements/new/",
        BASE + "obligations/OB-0001/delete/",
    ]:
        assert client_viewer_a.get(url).status_code == 403, url
        assert client_viewer_a.post(url, {"title": "x"}).status_code == 403, url
    assert client_viewer_a.post(BASE + "scope/versions/1/approve/").status_code == 403
    assert Issue.objects.count() == 1


def _scope_post(**extra: str) -> dict[str, str]:
    return {
        "summary": "Platform",
        "text": "The ISMS covers the platform.",
        "locations": "London",
        "exclusions-TOTAL_FORMS": "2",
        "exclusions-INITIAL_FORMS": "0",
        "exclusions-0-item": "Sandbox",
        "exclusions-0-justification": "No customer data",
        "exclusions-1-item": "",
        "exclusions-1-justification": "",
        **extra,
    }


def test_the_scope_is_drafted_submitted_and_approved_through_the_pages(
    client_owner_a: Client, org_a: Organization
) -> None:
    response = client_owner_a.post(BASE + "scope/new/", _scope_post())
    assert response["Location"] == BASE + "scope/versions/1/"
    draft = ScopeStatement.objects.get()
    assert draft.exclusions == [{"item": "Sandbox", "justification": "No customer data"}]
    client_owner_a.post(BASE + "scope/versions/1/submit/", {"version": "1"})
    html = _html(client_owner_a, BASE + "scope/versions/1/")
    assert "In review" in html and "Approve" in html and "Return to draft" in html
    client_owner_a.post(BASE + "scope/versions/1/approve/", {"comment": "Fine", "version": "2"})
    html = _html(client_owner_a, BASE + "scope/")
    assert "Approved" in html and "Sandbox" in html and "No customer data" in html


def test_an_exclusion_without_justification_is_refused_with_the_form_kept(
    client_owner_a: Client, org_a: Organization
) -> None:
    response = client_owner_a.post(
        BASE + "scope/new/", _scope_post(**{"exclusions-0-justification": ""})
    )
    assert response.status_code == 422
    html = response.content.decode()
    beside = re.search(
        r'id="id_exclusions-0-justification".*?invalid-feedback[^>]*>([^<]+)<', html, re.S
    )
    assert beside and beside.group(1) == "Say why it is out of scope."
    assert "Check the exclusions below." in html and 'value="Sandbox"' in html
    assert not ScopeStatement.objects.exists()


def test_returning_a_version_needs_a_comment(client_owner_a: Client, org_a: Organization) -> None:
    client_owner_a.post(BASE + "scope/new/", _scope_post())
    client_owner_a.post(BASE + "scope/versions/1/submit/", {"version": "1"})
    response = client_owner_a.post(BASE + "scope/versions/1/reject/", {"comment": ""})
    assert response.status_code == 422 and b"Say what needs to change." in response.content
    client_owner_a.post(BASE + "scope/versions/1/reject/", {"comment": "Add Berlin"})
    assert ScopeStatement.objects.get().status == "draft"
    assert b"Add Berlin" in client_owner_a.get(BASE + "scope/versions/1/").content


def test_an_editor_submits_but_sees_no_approval_and_cannot_approve(org_a: Organization) -> None:
    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    client = Client()
    client.force_login(editor)
    client.post(BASE + "scope/new/", _scope_post())
    client.post(BASE + "scope/versions/1/submit/", {"version": "1"})
    html = _html(client, BASE + "scope/versions/1/")
    assert "Waiting for an owner or admin" in html and "Approve</button>" not in html
    assert client.post(BASE + "scope/versions/1/approve/", {}).status_code == 403
    assert ScopeStatement.objects.get().status == "in_review"


def test_an_approved_version_cannot_be_edited_from_the_pages(
    client_owner_a: Client, org_a: Organization
) -> None:
    factories.approved_scope(org_a)
    assert client_owner_a.get(BASE + "scope/versions/1/edit/").status_code == 409
    assert client_owner_a.post(BASE + "scope/versions/1/delete/").status_code == 409
    assert client_owner_a.get(BASE + "scope/new/").status_code == 200


def test_the_compare_page_shows_what_changed(client_owner_a: Client, org_a: Organization) -> None:
    factories.approved_scope(org_a, locations="London")
    factories.approved_scope(org_a, locations="London\nBerlin")
    html = _html(client_owner_a, BASE + "scope/compare/")
    assert "Added: </span>+ Berlin" in html and "unchanged" in html
    html = _html(client_owner_a, BASE + "scope/compare/?a=2&b=1")
    assert "Added: </span>+ Berlin" in html


def test_the_dashboard_tiles_count_in_a_fixed_number_of_queries(org_a: Organization) -> None:
    _filled_org(org_a)
    queries, tiles = support.count_queries(lambda: context_tiles(org_a))
    assert queries == 3
    assert [(t.label, t.value) for t in tiles] == [
        ("Open issues", 1),
        ("Interested parties", 1),
        ("Active obligations", 1),
    ]
    assert tiles[0].url == "/o/alpha/context/issues/?status=open"


def _adder(org: Organization, make: Callable[[Organization], object]) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            make(org)

    return add


_numbers = count(1)


def _party_with_requirements(org: Organization) -> None:
    ob = Obligation.objects.filter(organization=org).first() or factories.obligation(org)
    factories.party(org, requirements=[{"text": "x", "obligation": ob.ref}, {"text": "y"}])


def _scope_version(org: Organization) -> None:
    factories.approved_scope(org, summary=f"v{next(_numbers)}")


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("issues/?per_page=200", lambda org: factories.issue(org, owner="owner@alpha.test")),
        ("issues/?per_page=200&sort=-owner&kind=external", factories.issue),
        ("interested-parties/?per_page=200&sort=requirements", _party_with_requirements),
        (
            "obligations/?per_page=200",
            lambda org: factories.obligation(org, owner="owner@alpha.test"),
        ),
        ("scope/?per_page=200", _scope_version),
    ],
)
def test_list_pages_run_the_same_queries_for_1_and_200_rows(
    client_owner_a: Client, org_a: Organization, path: str, make: Callable[[Organization], object]
) -> None:
    support.assert_constant_queries(lambda: client_owner_a.get(BASE + path), _adder(org_a, make))


def test_writes_from_the_pages_are_in_the_audit_trail(
    client_owner_a: Client, org_a: Organization
) -> None:
    client_owner_a.post(
        BASE + "obligations/new/",
        {"name": "GDPR", "kind": "legal", "jurisdiction": "EU", "status": "active"},
    )
    client_owner_a.post(BASE + "obligations/OB-0001/delete/")
    verbs = AuditEvent.objects.filter(organization=org_a, verb__startswith="obligation.")
    assert list(verbs.order_by("seq").values_list("verb", "actor")) == [
        ("obligation.created", "owner@alpha.test"),
        ("obligation.deleted", "owner@alpha.test"),
    ]
