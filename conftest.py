"""Fixtures for every test: the three personas and their clients.

- ``owner_a``: owner of organisation A ("Alpha Ltd", slug ``alpha``)
- ``viewer_a``: viewer of organisation A
- ``owner_b``: owner of organisation B ("Beta GmbH", slug ``beta``)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from openisms.core.actors import SYSTEM
from openisms.core.choices import Role, TokenScope
from openisms.core.models import Organization, User
from tests import support


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests that check the hasher set it back themselves.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org_a(db: None) -> Organization:
    return support.make_org("Alpha Ltd", "alpha", "owner@alpha.test")


@pytest.fixture
def org_b(db: None) -> Organization:
    return support.make_org("Beta GmbH", "beta", "owner@beta.test")


@pytest.fixture
def owner_a(org_a: Organization) -> User:
    return User.objects.get(email="owner@alpha.test")


@pytest.fixture
def viewer_a(org_a: Organization) -> User:
    return support.add_member(org_a, "viewer@alpha.test", Role.VIEWER)


@pytest.fixture
def owner_b(org_b: Organization) -> User:
    return User.objects.get(email="owner@beta.test")


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def client_owner_a(owner_a: User) -> Client:
    return _client_for(owner_a)


@pytest.fixture
def client_viewer_a(viewer_a: User) -> Client:
    return _client_for(viewer_a)


@pytest.fixture
def client_owner_b(owner_b: User) -> Client:
    return _client_for(owner_b)


@pytest.fixture
def token_owner_a(owner_a: User, org_a: Organization) -> str:
    return support.make_token(owner_a, org_a, TokenScope.WRITE)


@pytest.fixture
def api_owner_a(token_owner_a: str) -> support.ApiClient:
    return support.ApiClient(token_owner_a)


@pytest.fixture
def api_viewer_a(viewer_a: User, org_a: Organization) -> support.ApiClient:
    return support.ApiClient(support.make_token(viewer_a, org_a, TokenScope.WRITE))


@pytest.fixture
def system_actor() -> Iterator[Any]:
    yield SYSTEM
