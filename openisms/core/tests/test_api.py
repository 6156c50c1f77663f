"""The JSON API: authentication, scopes, tenancy, error shape, OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openisms.core import audit, services
from openisms.core.actors import SYSTEM
from openisms.core.choices import TokenScope
from openisms.core.models import ApiToken, AuditEvent, Organization, User
from tests import support


def test_without_credentials_the_api_answers_401_in_json(org_a: Organization) -> None:
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert "Authentication required" in body["detail"] and body["errors"] == {}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bearer_token_identifies_the_user_and_its_organisation(
    api_owner_a: support.ApiClient,
) -> None:
    body = api_owner_a.get("/api/v1/me").json()
    assert body["email"] == "owner@alpha.test"
    assert body["token_scope"] == "write"
    assert [m["organization"] for m in body["memberships"]] == ["alpha"]


def test_a_token_sees_only_its_own_organisation(
    owner_a: User, org_a: Organization, org_b: Organization
) -> None:
    services.membership_add(actor=SYSTEM, org=org_b, email=owner_a.email, role="admin")
    api = support.ApiClient(support.make_token(owner_a, org_a))
    assert [o["slug"] for o in api.get("/api/v1/orgs").json()["items"]] == ["alpha"]
    assert api.get("/api/v1/orgs/beta").status_code == 404


def test_the_browser_session_works_too(client_owner_a: Client) -> None:
    body = client_owner_a.get("/api/v1/orgs").json()
    assert body["count"] == 1 and body["items"][0]["slug"] == "alpha"


def test_the_session_needs_csrf_for_writes(owner_a: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_a)
    response = client.patch(
        "/api/v1/orgs/alpha", data={"name": "X"}, content_type="application/json"
    )
    assert response.status_code in {401, 403}


def test_revoked_and_expired_tokens_are_refused(owner_a: User, org_a: Organization) -> None:
    token, secret = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="x")
    api = support.ApiClient(secret)
    assert api.get("/api/v1/me").status_code == 200
    services.api_token_revoke(actor=owner_a, token=token)
    assert api.get("/api/v1/me").status_code == 401
    token2, secret2 = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="y")
    ApiToken.objects.filter(pk=token2.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    assert support.ApiClient(secret2).get("/api/v1/me").status_code == 401


def test_a_read_token_cannot_write(owner_a: User, org_a: Organization) -> None:
    api = support.ApiClient(support.make_token(owner_a, org_a, TokenScope.READ))
    response = api.send("PATCH", "/api/v1/orgs/alpha", {"name": "Renamed"})
    assert response.status_code == 403
    assert response.json()["detail"] == "This API token is read-only."


def test_a_viewers_write_answers_403(api_viewer_a: support.ApiClient) -> None:
    response = api_viewer_a.send("PATCH", "/api/v1/orgs/alpha", {"name": "Renamed"})
    assert response.status_code == 403
    assert "Viewer" in response.json()["detail"]


def test_an_owner_renames_through_the_api_and_it_is_audited(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    response = api_owner_a.send("PATCH", "/api/v1/orgs/alpha", {"name": "Alpha Group"})
    assert response.status_code == 200 and response.json()["name"] == "Alpha Group"
    assert AuditEvent.objects.filter(organization=org_a, verb="organization.updated").exists()


def test_invalid_input_names_the_field(api_owner_a: support.ApiClient) -> None:
    response = api_owner_a.send(
        "POST", "/api/v1/orgs/alpha/members", {"email": "x@y.test", "role": "king"}
    )
    assert response.status_code == 422
    assert "role" in response.json()["errors"]
    missing = api_owner_a.send("PATCH", "/api/v1/orgs/alpha", {})
    assert missing.status_code == 422 and "name" in missing.json()["errors"]
    rule = api_owner_a.send("PATCH", "/api/v1/orgs/alpha", {"name": "  "})
    assert rule.status_code == 422 and rule.json()["errors"] == {
        "name": ["The name cannot be empty."]
    }


@pytest.mark.parametrize(
    "path", ["/api/v1/orgs", "/api/v1/orgs/alpha/audit-events", "/api/v1/orgs/alpha/assets"]
)
def test_a_page_past_the_end_is_empty_and_an_absurd_page_number_names_the_field(
    api_owner_a: support.ApiClient, path: str
) -> None:
    past = api_owner_a.get(f"{path}?page=1000")
    assert past.status_code == 200 and past.json()["items"] == []
    absurd = api_owner_a.get(f"{path}?page=7658429051983096832")
    assert absurd.status_code == 422
    assert list(absurd.json()["errors"]) == ["page"]


def test_a_control_character_anywhere_in_the_input_is_refused_naming_its_place(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    def refused(response: Any) -> dict[str, list[str]]:
        assert response.status_code == 422
        errors: dict[str, list[str]] = response.json()["errors"]
        assert all(
            "a text cannot hold control characters" in m for ms in errors.values() for m in ms
        )
        return errors

    events = AuditEvent.objects.count()
    renamed = api_owner_a.send("PATCH", "/api/v1/orgs/alpha", {"name": "Alpha\u000bLtd"})
    assert refused(renamed) == {
        "name": [
            "Remove the character U+000B (character 6): a text cannot hold control characters."
        ]
    }
    party = {
        "name": "Regulator",
        "kind": "regulator",
        "requirements": [{"text": "Report"}, {"text": "x\u0000"}],
    }
    assert list(
        refused(api_owner_a.send("POST", "/api/v1/orgs/alpha/interested-parties", party))
    ) == ["requirements.1.text"]
    spec: dict[str, Any] = {"spec": {"likelihood\u0001": []}}
    assert list(
        refused(api_owner_a.send("POST", "/api/v1/orgs/alpha/risks/methodology", spec))
    ) == ["spec"]
    assert list(refused(api_owner_a.get("/api/v1/orgs/alpha/audit-events?actor=a%00"))) == ["actor"]
    assert list(refused(api_owner_a.get("/api/v1/orgs/alpha/assets/A-0001%00"))) == ["asset_ref"]
    org_a.refresh_from_db()
    assert org_a.name == "Alpha Ltd"
    assert AuditEvent.objects.count() == events  # nothing was written


def test_members_are_listed_added_changed_and_removed(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    support.make_user("new@alpha.test")
    added = api_owner_a.send(
        "POST", "/api/v1/orgs/alpha/members", {"email": "new@alpha.test", "role": "editor"}
    )
    assert added.status_code == 201 and added.json()["role"] == "editor"
    assert (
        api_owner_a.send(
            "POST", "/api/v1/orgs/alpha/members", {"email": "new@alpha.test", "role": "editor"}
        ).status_code
        == 409
    )
    changed = api_owner_a.send(
        "PATCH", "/api/v1/orgs/alpha/members/new@alpha.test", {"role": "auditor"}
    )
    assert changed.json()["role"] == "auditor"
    listed = api_owner_a.get("/api/v1/orgs/alpha/members").json()
    assert listed["count"] == 2
    assert api_owner_a.delete("/api/v1/orgs/alpha/members/new@alpha.test").status_code == 204
    assert api_owner_a.delete("/api/v1/orgs/alpha/members/new@alpha.test").status_code == 404


def test_audit_events_are_paginated_and_filtered(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    for i in range(3):
        audit.record(actor=SYSTEM, verb="test.event", target=("test", str(i)), org=org_a)
    body = api_owner_a.get("/api/v1/orgs/alpha/audit-events?page_size=2").json()
    assert body["page_size"] == 2 and len(body["items"]) == 2
    assert body["items"][0]["seq"] > body["items"][1]["seq"]
    filtered = api_owner_a.get("/api/v1/orgs/alpha/audit-events?verb=test.event").json()
    assert filtered["count"] == 3
    assert {"hash", "prev_hash", "data", "actor"} <= set(filtered["items"][0])


def test_audit_events_run_the_same_queries_for_1_and_200(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    def add(n: int) -> None:
        for i in range(n):
            audit.record(actor=SYSTEM, verb="test.event", target=("test", str(i)), org=org_a)

    support.assert_constant_queries(
        lambda: api_owner_a.get("/api/v1/orgs/alpha/audit-events?page_size=200"), add
    )


def test_members_and_tokens_lists_run_constant_queries(
    api_owner_a: support.ApiClient, owner_a: User, org_a: Organization
) -> None:
    counter = iter(range(10_000))

    def add_members(n: int) -> None:
        for _ in range(n):
            support.add_member(org_a, f"m{next(counter)}@alpha.test", "viewer")  # type: ignore[arg-type]

    def add_tokens(n: int) -> None:
        for _ in range(n):
            support.make_token(owner_a, org_a)

    support.assert_constant_queries(
        lambda: api_owner_a.get("/api/v1/orgs/alpha/members?page_size=200"), add_members
    )
    support.assert_constant_queries(
        lambda: api_owner_a.get("/api/v1/orgs/alpha/tokens?page_size=200"), add_tokens
    )


def test_a_viewer_reads_no_audit_events(api_viewer_a: support.ApiClient) -> None:
    assert api_viewer_a.get("/api/v1/orgs/alpha/audit-events").status_code == 403


def test_tokens_are_listed_without_secrets_and_revoked(
    api_owner_a: support.ApiClient, owner_a: User, org_a: Organization
) -> None:
    token, secret = services.api_token_create(actor=owner_a, user=owner_a, org=org_a, name="z")
    items = api_owner_a.get("/api/v1/orgs/alpha/tokens").json()["items"]
    assert secret not in str(items)
    revoked = api_owner_a.post(f"/api/v1/orgs/alpha/tokens/{token.pk}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"


def test_the_openapi_document_and_docs_are_served(api_owner_a: support.ApiClient) -> None:
    schema = api_owner_a.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs/{slug}/audit-events" in schema["paths"]
    assert "TokenAuth" in schema["components"]["securitySchemes"]
    docs = api_owner_a.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
