"""The context API: scope versions and approval, issues, parties, obligations, filters."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from openisms.api import context as api_context
from openisms.context import filters
from openisms.context.models import Issue, Obligation, ScopeStatement
from openisms.context.tests import factories
from openisms.core.choices import Role, TokenScope
from openisms.core.models import AuditEvent, Organization, User
from tests import support

API = "/api/v1/orgs/alpha"


def _editor_api(org: Organization) -> support.ApiClient:
    editor = support.add_member(org, "editor@alpha.test", Role.EDITOR)
    return support.ApiClient(support.make_token(editor, org, TokenScope.WRITE))


def test_an_issue_is_created_read_changed_and_deleted(
    api_owner_a: support.ApiClient, owner_a: User, org_a: Organization
) -> None:
    created = api_owner_a.send(
        "POST",
        f"{API}/issues",
        {"title": "Heat", "kind": "external", "category": "climate", "owner": owner_a.email},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["ref"] == "IS-0001" and body["owner"] == owner_a.email and body["version"] == 1
    assert api_owner_a.get(f"{API}/issues/IS-0001").json()["title"] == "Heat"
    patched = api_owner_a.send("PATCH", f"{API}/issues/IS-0001", {"version": 1, "owner": None})
    assert patched.status_code == 200
    assert (patched.json()["owner"], patched.json()["version"]) == (None, 2)
    assert api_owner_a.delete(f"{API}/issues/IS-0001").status_code == 204
    assert api_owner_a.get(f"{API}/issues/IS-0001").status_code == 404
    verbs = AuditEvent.objects.filter(organization=org_a, verb__startswith="issue.")
    assert list(verbs.order_by("seq").values_list("verb", flat=True)) == [
        "issue.created",
        "issue.updated",
        "issue.deleted",
    ]


def test_invalid_input_answers_422_naming_the_fields(api_owner_a: support.ApiClient) -> None:
    response = api_owner_a.send(
        "POST", f"{API}/issues", {"title": "", "kind": "internal", "category": "legal"}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"title", "category"}
    response = api_owner_a.send("POST", f"{API}/issues", {"title": "x", "kind": "sideways"})
    assert response.status_code == 422 and "kind" in response.json()["errors"]


def test_a_patch_needs_the_version_and_a_stale_one_answers_409(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    factories.obligation(org_a)
    missing = api_owner_a.send("PATCH", f"{API}/obligations/OB-0001", {"name": "x"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    ok = api_owner_a.send("PATCH", f"{API}/obligations/OB-0001", {"version": 1, "name": "New"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api_owner_a.send("PATCH", f"{API}/obligations/OB-0001", {"version": 1, "name": "Old"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    assert Obligation.objects.get().name == "New"


def test_a_viewer_reads_but_cannot_write(
    api_viewer_a: support.ApiClient, org_a: Organization
) -> None:
    factories.issue(org_a)
    assert api_viewer_a.get(f"{API}/issues").status_code == 200
    calls: list[tuple[str, str, Any]] = [
        ("POST", f"{API}/issues", {"title": "x", "kind": "external", "category": "legal"}),
        ("PATCH", f"{API}/issues/IS-0001", {"version": 1, "title": "y"}),
        ("DELETE", f"{API}/issues/IS-0001", None),
        ("POST", f"{API}/scope/versions", {}),
        ("POST", f"{API}/obligations", {"name": "x", "kind": "other"}),
        ("POST", f"{API}/interested-parties", {"name": "x", "kind": "customer"}),
    ]
    for method, url, body in calls:
        response = api_viewer_a.send(method, url, body)
        assert response.status_code == 403, (method, url, response.json())
        assert "Viewer" in response.json()["detail"]
    assert Issue.objects.count() == 1


def test_a_read_token_cannot_write(owner_a: User, org_a: Organization) -> None:
    api = support.ApiClient(support.make_token(owner_a, org_a, TokenScope.READ))
    response = api.send("POST", f"{API}/obligations", {"name": "x", "kind": "other"})
    assert response.status_code == 403


def test_the_scope_workflow_through_the_api(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    assert api_owner_a.get(f"{API}/scope").status_code == 404
    draft = api_owner_a.send(
        "POST",
        f"{API}/scope/versions",
        {"summary": "SaaS", "exclusions": [{"item": "Lab", "justification": "No data"}]},
    )
    assert draft.status_code == 201 and draft.json()["number"] == 1
    patched = api_owner_a.send(
        "PATCH", f"{API}/scope/versions/1", {"version": 1, "text": "The ISMS covers SaaS."}
    )
    assert patched.json()["version"] == 2
    submitted = api_owner_a.send("POST", f"{API}/scope/versions/1/submit", {"version": 2})
    assert submitted.json()["status"] == "in_review"
    approved = api_owner_a.send("POST", f"{API}/scope/versions/1/approve", {"comment": "ok"})
    assert approved.json()["status"] == "approved"
    current = api_owner_a.get(f"{API}/scope").json()
    assert current["number"] == 1 and current["exclusions"][0]["item"] == "Lab"


def test_an_editor_cannot_approve_or_return_through_the_api(org_a: Organization) -> None:
    api = _editor_api(org_a)
    api.send("POST", f"{API}/scope/versions", factories.SCOPE)
    api.send("POST", f"{API}/scope/versions/1/submit", {})
    assert api.send("POST", f"{API}/scope/versions/1/approve", {}).status_code == 403
    assert api.send("POST", f"{API}/scope/versions/1/reject", {"comment": "no"}).status_code == 403
    assert ScopeStatement.objects.get().status == "in_review"


def test_approving_supersedes_and_versions_compare(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    factories.approved_scope(org_a, locations="London")
    api_owner_a.send("POST", f"{API}/scope/versions", {"locations": "London\nBerlin"})
    api_owner_a.send("POST", f"{API}/scope/versions/2/submit", {})
    conflict = api_owner_a.send("POST", f"{API}/scope/versions", {})
    assert conflict.status_code == 409
    rejected = api_owner_a.send("POST", f"{API}/scope/versions/2/reject", {"comment": ""})
    assert rejected.status_code == 422 and "comment" in rejected.json()["errors"]
    api_owner_a.send("POST", f"{API}/scope/versions/2/approve", {})
    versions = api_owner_a.get(f"{API}/scope/versions").json()["items"]
    assert [(v["number"], v["status"]) for v in versions] == [(2, "approved"), (1, "superseded")]
    diff = api_owner_a.get(f"{API}/scope/versions/2/diff").json()
    fields = {f["name"]: f for f in diff["fields"]}
    assert (diff["older"], diff["newer"]) == (1, 2)
    assert {"op": "added", "text": "Berlin"} in fields["locations"]["lines"]
    assert not fields["summary"]["changed"]
    assert api_owner_a.get(f"{API}/scope/versions/1/diff").status_code == 404
    assert api_owner_a.get(f"{API}/scope/versions/1/diff?against=2").json()["newer"] == 2
    assert api_owner_a.delete(f"{API}/scope/versions/2").status_code == 409


def test_a_party_is_created_with_its_requirements_which_change_on_their_own(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    factories.obligation(org_a)
    created = api_owner_a.send(
        "POST",
        f"{API}/interested-parties",
        {
            "name": "Customers",
            "kind": "customer",
            "relevance": "high",
            "requirements": [
                {"text": "A DPA", "addressed": True, "how": "Template", "obligation": "OB-0001"}
            ],
        },
    )
    assert created.status_code == 201, created.json()
    requirement = created.json()["requirements"][0]
    assert requirement["obligation"] == "OB-0001" and requirement["addressed"] is True
    url = f"{API}/interested-parties/IP-0001/requirements"
    added = api_owner_a.send("POST", url, {"text": "Pen test"})
    assert added.status_code == 201 and added.json()["addressed"] is False
    patched = api_owner_a.send(
        "PATCH", f"{url}/{requirement['id']}", {"version": 1, "obligation": None}
    )
    assert patched.json()["obligation"] is None
    assert api_owner_a.delete(f"{url}/{added.json()['id']}").status_code == 204
    party = api_owner_a.get(f"{API}/interested-parties/IP-0001").json()
    assert [r["text"] for r in party["requirements"]] == ["A DPA"]
    bad = api_owner_a.send(
        "POST",
        f"{API}/interested-parties",
        {"name": "X", "kind": "customer", "requirements": [{"text": ""}]},
    )
    assert bad.status_code == 422 and "requirements.0.text" in bad.json()["errors"]


def test_lists_are_filtered_like_the_pages(
    api_owner_a: support.ApiClient, owner_a: User, org_a: Organization
) -> None:
    factories.obligation(org_a, name="GDPR", owner=owner_a.email)
    factories.obligation(org_a, name="MSA", kind="contractual", counterparty="Northwind plc")
    factories.obligation(org_a, name="Old", status="retired")

    def names(query: str) -> list[str]:
        return [o["name"] for o in api_owner_a.get(f"{API}/obligations?{query}").json()["items"]]

    assert names("kind=contractual") == ["MSA"]
    assert names("status=active&sort=-name") == ["MSA", "GDPR"]
    assert names(f"owner={owner_a.email}") == ["GDPR"]
    assert names("q=northwind") == ["MSA"]
    assert api_owner_a.get(f"{API}/obligations?sort=colour").status_code == 422
    assert api_owner_a.get(f"{API}/obligations?kind=nonsense").status_code == 422


@pytest.mark.parametrize(
    ("schema", "dataclass"),
    [
        (api_context.IssueFilterIn, filters.IssueFilters),
        (api_context.PartyFilterIn, filters.PartyFilters),
        (api_context.ObligationFilterIn, filters.ObligationFilters),
    ],
)
def test_the_api_filters_are_the_shared_filters(schema: Any, dataclass: Any) -> None:
    names = {field.name for field in dataclasses.fields(dataclass)}
    assert set(schema.model_fields) == names


def _adder(org: Organization, make: Callable[[Organization], object]) -> Callable[[int], None]:
    def add(n: int) -> None:
        for _ in range(n):
            make(org)

    return add


def _party(org: Organization) -> None:
    ob = Obligation.objects.filter(organization=org).first() or factories.obligation(org)
    factories.party(org, requirements=[{"text": "x", "obligation": ob.ref}, {"text": "y"}])


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("issues", lambda org: factories.issue(org, owner="owner@alpha.test")),
        ("interested-parties", _party),
        ("obligations", lambda org: factories.obligation(org, owner="owner@alpha.test")),
        ("scope/versions", factories.approved_scope),
    ],
)
def test_api_lists_run_the_same_queries_for_1_and_200_rows(
    api_owner_a: support.ApiClient,
    org_a: Organization,
    path: str,
    make: Callable[[Organization], object],
) -> None:
    support.assert_constant_queries(
        lambda: api_owner_a.get(f"{API}/{path}?page_size=200"), _adder(org_a, make)
    )


def test_the_routes_are_in_the_openapi_document(api_owner_a: support.ApiClient) -> None:
    paths = api_owner_a.get("/api/v1/openapi.json").json()["paths"]
    for path in [
        "/api/v1/orgs/{slug}/scope",
        "/api/v1/orgs/{slug}/scope/versions/{scope_version}/approve",
        "/api/v1/orgs/{slug}/issues/{issue_ref}",
        "/api/v1/orgs/{slug}/interested-parties/{party_ref}/requirements/{party_requirement_id}",
        "/api/v1/orgs/{slug}/obligations/{obligation_ref}",
    ]:
        assert path in paths
