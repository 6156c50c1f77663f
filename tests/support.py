"""Helpers every app's tests share: personas, an API client, constant query counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pydantic import BaseModel

from openisms.core import services
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role, TokenScope
from openisms.core.models import Organization, User

MAX_QUERIES = 25


def make_user(email: str, password: str = "correct horse battery") -> User:  # noqa: S107
    """An account, created through the service as the console would."""
    existing = User.objects.filter(email=email).first()
    return existing or services.user_create(actor=SYSTEM, email=email, password=password)


def make_org(name: str, slug: str, owner_email: str) -> Organization:
    """An organisation with its owner."""
    return services.organization_create(
        actor=SYSTEM, name=name, slug=slug, owner=make_user(owner_email)
    )


def add_member(org: Organization, email: str, role: Role) -> User:
    """A new account with ``role`` in ``org``."""
    user = make_user(email)
    services.membership_add(actor=SYSTEM, org=org, email=email, role=role)
    return user


def make_token(user: User, org: Organization, scope: str = TokenScope.READ) -> str:
    """A token's secret for ``user`` in ``org``."""
    _, secret = services.api_token_create(
        actor=SYSTEM, user=user, org=org, name="test", scope=scope
    )
    return secret


class ApiClient(Client):
    """A test client that sends ``Authorization: Bearer`` and JSON bodies."""

    def __init__(self, token: str | None = None, **defaults: Any) -> None:
        if token:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        super().__init__(**defaults)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        """Call ``path`` with ``method``; ``body`` is sent as JSON."""
        data = json.dumps(body) if body is not None else None
        return getattr(self, method.lower())(path, data=data, content_type="application/json")


def count_queries(call: Callable[[], Any]) -> tuple[int, Any]:
    """How many SQL queries ``call`` runs, and what it returned."""
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result


def assert_constant_queries(
    request: Callable[[], Any],
    add_rows: Callable[[int], None],
    *,
    max_queries: int = MAX_QUERIES,
) -> int:
    """The same number of queries with 1 and with 200 rows, and no more than ``max_queries``.

    ``add_rows(n)`` adds ``n`` more rows of what the page lists; ``request()`` loads the page
    (and must answer 200).
    """
    add_rows(1)
    request()  # warm caches that are filled once per process (content types, say)
    cache.clear()  # and count the worst case: what is computed once per change, computed
    small, response = count_queries(request)
    assert response.status_code == 200, response.content[:500]
    add_rows(199)
    cache.clear()
    large, response = count_queries(request)
    assert response.status_code == 200, response.content[:500]
    assert small == large, f"{small} queries with 1 row but {large} with 200 rows"
    assert large <= max_queries, f"{large} queries; the budget is {max_queries}"
    return large


def assert_api_rows(rows: list[dict[str, Any]], model: type[BaseModel]) -> None:
    """Each row is what ``model`` would have written: valid, and unchanged by a round trip
    through it (types, formats, keys and their order).

    For the lists written as built (``openisms.api.base.paginated_records``).
    """
    assert rows, "no rows to check"
    for row in rows:
        written = model.model_validate(row).model_dump(mode="json")
        assert list(row) == list(written), f"keys {list(row)} are not {list(written)}"
        assert row == written
