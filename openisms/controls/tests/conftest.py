"""Fixtures of the controls tests."""

from __future__ import annotations

import pytest

from openisms.catalog import services as catalog_services
from openisms.core.actors import SYSTEM
from openisms.core.models import Organization
from openisms.risks.models import Methodology
from openisms.risks.tests.factories import make_methodology


@pytest.fixture
def annex_a(db: None) -> None:
    """The bundled catalogue (Annex A controls), loaded through its service."""
    catalog_services.catalog_load(actor=SYSTEM)


@pytest.fixture
def method_a(org_a: Organization) -> Methodology:
    """A 5x5 methodology for organisation A (low, medium: owner; high, critical: top)."""
    return make_methodology(org_a, "5x5")
