"""Fixtures of the catalogue's tests."""

from __future__ import annotations

import pytest

from openisms.catalog import services
from openisms.catalog.services import LoadOutcome
from openisms.core.actors import SYSTEM


@pytest.fixture
def catalogue(db: None) -> list[LoadOutcome]:
    """The bundled catalogue, loaded."""
    return services.catalog_load(actor=SYSTEM)
