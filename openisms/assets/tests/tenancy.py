"""Samples for the tenancy walk (``tests/tenancy.py``): objects in organisation B only."""

from __future__ import annotations

from openisms.assets.imports.jobs import import_job_create
from openisms.assets.tests.factories import make_asset
from openisms.core.models import Organization, User
from tests.tenancy import Sample


def _asset_ref(org: Organization) -> str:
    """B's second asset: organisation A has an A-0001 of its own at most, never B's A-0002."""
    make_asset(org, "Beta first")
    return make_asset(org, "Beta second").ref


def _job_id(org: Organization) -> str:
    owner = User.objects.get(memberships__organization=org, memberships__role="owner")
    job = import_job_create(
        actor=owner, org=org, filename="b.csv", content=b"name,kind,owner\nX,software,x@y.test\n"
    )
    return str(job.pk)


PARAM_SAMPLES = {
    "asset_ref": Sample(_asset_ref),
    "job_id": Sample(_job_id),
}
