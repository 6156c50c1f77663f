"""Every organisation page and API operation answers 404 for another organisation's objects.

See ``tests/tenancy.py`` for how the routes' parameters are filled.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from openisms.api.api import api
from openisms.core.models import Organization
from tests import support
from tests.tenancy import PARAM_SAMPLES, SLUG_PARAMS

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


@functools.cache
def _schema() -> dict[str, Any]:
    return dict(api.get_openapi_schema())


def org_api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    operations = []
    for path, methods in _schema()["paths"].items():
        if "/orgs/{slug}" in path:
            route = path.removeprefix("/").replace("{", "<").replace("}", ">")
            operations += [(method.upper(), route, op) for method, op in methods.items()]
    return sorted(operations, key=lambda item: (item[1], item[0]))


def _params(route: str) -> set[str]:
    return {m.group("name") for m in PARAM.finditer(route)}


def _fill(route: str, slug_org: Organization, object_org: Organization) -> str:
    def sample(match: re.Match[str]) -> str:
        name = match.group("name")
        if name in SLUG_PARAMS:
            return slug_org.slug
        assert name in PARAM_SAMPLES, f"add a sample for {name!r}: see tests/tenancy.py"
        return PARAM_SAMPLES[name].make(object_org)

    return "/" + PARAM.sub(sample, route)


def _object_routes(routes: list[str]) -> list[str]:
    """Routes with a parameter naming one organisation's object."""
    return [
        r
        for r in routes
        if any(PARAM_SAMPLES[p].scoped for p in _params(r) - SLUG_PARAMS if p in PARAM_SAMPLES)
    ]


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
        props = schema.get("properties", {})
        return {name: _example(props[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return []
    fmt = schema.get("format", "")
    return {"integer": 1, "number": 1, "boolean": False}.get(
        kind, "2026-01-01" if fmt == "date" else "someone@example.com" if fmt == "email" else "x"
    )


def _page(client: Client, url: str) -> int:
    status = client.get(url).status_code
    return client.post(url).status_code if status == 405 else status


def _call(api_client: support.ApiClient, method: str, url: str, op: dict[str, Any]) -> Any:
    components = _schema()["components"]["schemas"]
    schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return api_client.send(method, url, _example(schema, components) if schema else None)


def test_every_org_page_of_another_organisation_is_404(
    client_owner_a: Client, org_a: Organization, org_b: Organization
) -> None:
    routes = org_page_routes()
    assert len(routes) >= 8
    for route in routes:
        url = _fill(route, org_b, org_b)
        assert _page(client_owner_a, url) == 404, url


def test_another_organisations_object_under_the_own_slug_is_404(
    client_owner_a: Client, org_a: Organization, org_b: Organization
) -> None:
    for route in _object_routes(org_page_routes()):
        url = _fill(route, org_a, org_b)
        assert _page(client_owner_a, url) == 404, url


def test_every_org_api_operation_of_another_organisation_is_404(
    api_owner_a: support.ApiClient, org_b: Organization
) -> None:
    operations = org_api_operations()
    assert len(operations) >= 8
    for method, route, op in operations:
        url = _fill(route, org_b, org_b)
        response = _call(api_owner_a, method, url, op)
        assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
        assert response.json()["detail"]


def test_another_organisations_object_through_the_own_slug_is_404_in_the_api(
    api_owner_a: support.ApiClient, org_a: Organization, org_b: Organization
) -> None:
    scoped = set(_object_routes([route for _, route, _ in org_api_operations()]))
    for method, route, op in org_api_operations():
        if route in scoped:
            url = _fill(route, org_a, org_b)
            response = _call(api_owner_a, method, url, op)
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"


@pytest.mark.parametrize("route", ["o/<slug:org_slug>/", "o/<slug:org_slug>/audit/"])
def test_the_same_pages_answer_for_the_own_organisation(
    client_owner_a: Client, org_a: Organization, route: str
) -> None:
    assert client_owner_a.get(_fill(route, org_a, org_a)).status_code == 200
