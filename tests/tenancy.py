"""What the tenancy check fills into each route's parameters, from organisation B's objects.

``test_tenancy.py`` walks every page under ``/o/<slug>/`` and every API operation under
``/api/v1/orgs/{slug}`` twice, as the owner of organisation A:

1. with B's slug: every route must answer 404 (A's owner is no member of B);
2. with A's own slug and B's objects in the other parameters: routes that take an object
   must answer 404 too (the lookup must be scoped to the organisation in the URL).

Each app that adds a route parameter provides its sample in ``openisms/<app>/tests/tenancy.py``
as ``PARAM_SAMPLES = {"asset_ref": Sample(make_asset_ref)}``: a function that returns the
parameter's value for an object that exists in organisation B only. A route with a parameter
that has no sample fails the check, so no route is forgotten. Parameter names are unique
across apps (``asset_ref``, ``risk_ref``...).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

from openisms.core.choices import TokenScope
from openisms.core.models import ApiToken, Organization
from openisms.core.navigation import pending_area_keys
from tests import support


@dataclass(frozen=True)
class Sample:
    """How to get a parameter's value for organisation B.

    ``scoped`` is False for values that are not one organisation's (an area name, a catalogue
    reference); those routes are only checked with B's slug.
    """

    make: Callable[[Organization], str]
    scoped: bool = True


def _token_id(org: Organization) -> str:
    token = ApiToken.objects.filter(organization=org).first()
    if token is None:
        owner = org.memberships.get(role="owner").user
        support.make_token(owner, org, TokenScope.WRITE)
        token = ApiToken.objects.get(organization=org)
    return str(token.pk)


def _member_email(org: Organization) -> str:
    return org.memberships.select_related("user").get(role="owner").user.email


CORE_SAMPLES: dict[str, Sample] = {
    "email": Sample(_member_email),
    "token_id": Sample(_token_id),
    "area": Sample(
        lambda org: pending_area_keys()[0] if pending_area_keys() else "none", scoped=False
    ),
}


def _collect() -> dict[str, Sample]:
    samples = dict(CORE_SAMPLES)
    for config in apps.get_app_configs():
        if not config.name.startswith("openisms.") or config.name == "openisms.core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.tenancy")
        except ModuleNotFoundError:
            continue
        for name, sample in module.PARAM_SAMPLES.items():
            if name in samples:
                raise AssertionError(f"{config.name} reuses the parameter name {name!r}")
            samples[name] = sample
    return samples


#: parameter name -> how to get organisation B's value
PARAM_SAMPLES: dict[str, Sample] = _collect()
SLUG_PARAMS = frozenset({"org_slug", "slug"})
