"""The demo organisation's SoA: complete, approved, with exactly the planted problems."""

from __future__ import annotations

import pytest

from openisms.controls import checks
from openisms.controls.demo import PLANTED
from openisms.controls.models import Control, SoaVersion
from openisms.core.actors import SYSTEM
from openisms.core.demo import demo_create


@pytest.mark.django_db
def test_the_demo_check_lists_exactly_the_planted_problems() -> None:
    org = demo_create(actor=SYSTEM).organization
    assert Control.objects.filter(organization=org).count() == 93
    assert not Control.objects.filter(organization=org, applicability="undecided").exists()
    assert SoaVersion.objects.get(organization=org).status == "approved"
    found = {(f.rule, f.object) for f in checks.run(org)}
    assert found == set(PLANTED)
