"""Every organisation page and API operation answers 404 for another organisation's objects."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from openisms.api.api import api
from openisms.core.models import Organization
from tests import support
from tests.tenancy import PARAM_SAMPLES

ORG_PAGE = re.compile(r"^o/<slug:org_slug>/")
PARAM = re.compile(r"<(?:(?P<conv>[^:>]+):)?(?P<name>[^>]+)>")


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def org_page_routes() -> list[str]:
    return sorted({r for r in _walk(get_resolver().url_patterns) if ORG_PAGE.match(r)})


def org_api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    operations = []
    for path, methods in schema["paths"].items():
        if "/orgs/{slug}" not in path:
            continue
        for method, operation in methods.items():
            operations.append((method.upper(), path, operation))
    return sorted(operations, key=lambda item: (item[1], item[0]))


def _fill(route: str, org: Organization) -> str:
    def sample(match: re.Match[str]) -> str:
        name = match.group("name")
        assert name in PARAM_SAMPLES, f"add a sample for parameter {name!r} to tests/tenancy.py"
        return PARAM_SAMPLES[name](org)

    return "/" + PARAM.sub(sample, route)


def _example(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """A minimal valid body for a JSON schema, so validation passes and the lookup decides."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].split("/")[-1]], components)
    for key in ("allOf", "anyOf", "oneOf"):
        if key in schema:
            return _example(schema[key][0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        required = schema.get("required", [])
        props = schema.get("properties", {})
        return {name: _example(props[name], components) for name in required}
    if kind == "array":
        return []
    fmt = schema.get("format", "")
    return {"integer": 1, "number": 1, "boolean": False}.get(
        kind, "2026-01-01" if fmt == "date" else "someone@example.com" if fmt == "email" else "x"
    )


def test_every_org_page_of_another_organisation_is_404(
    client_owner_a: Client, org_b: Organization
) -> None:
    routes = org_page_routes()
    assert len(routes) >= 8
    for route in routes:
        url = _fill(route, org_b)
        response = client_owner_a.get(url)
        if response.status_code == 405:
            response = client_owner_a.post(url)
        assert response.status_code == 404, f"{url} answered {response.status_code}"


def test_every_org_api_operation_of_another_organisation_is_404(
    api_owner_a: support.ApiClient, org_b: Organization
) -> None:
    components = api.get_openapi_schema()["components"]["schemas"]
    operations = org_api_operations()
    assert len(operations) >= 8
    for method, path, operation in operations:
        url = "/api/v1" + _fill(
            path.removeprefix("/api/v1").lstrip("/").replace("{", "<").replace("}", ">"), org_b
        )
        body_schema = (
            operation.get("requestBody", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        body = _example(body_schema, components) if body_schema else None
        response = api_owner_a.send(method, url, body)
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
        assert response.json()["detail"]


@pytest.mark.parametrize("route", ["o/<slug:org_slug>/", "o/<slug:org_slug>/audit/"])
def test_the_same_pages_answer_for_the_own_organisation(
    client_owner_a: Client, org_a: Organization, route: str
) -> None:
    assert client_owner_a.get(_fill(route, org_a)).status_code == 200
