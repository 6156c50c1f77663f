"""What the tenancy check fills into each route's parameters, from organisation B's objects.

The check in ``test_tenancy.py`` walks every page under ``/o/<slug>/`` and every API operation
under ``/api/v1/orgs/{slug}`` and asks for organisation B's objects as the owner of A, who
must get 404. Each app that adds a route parameter adds its sample here: a function that
returns the parameter's value for one object of organisation B. A route with a parameter
missing from this table fails the check, so no route is forgotten.
"""

from __future__ import annotations

from collections.abc import Callable

from openisms.core.choices import TokenScope
from openisms.core.models import ApiToken, Organization
from openisms.core.navigation import pending_area_keys
from tests import support


def _token_id(org: Organization) -> str:
    token = ApiToken.objects.filter(organization=org).first()
    if token is None:
        owner = org.memberships.get(role="owner").user
        support.make_token(owner, org, TokenScope.WRITE)
        token = ApiToken.objects.get(organization=org)
    return str(token.pk)


def _member_email(org: Organization) -> str:
    return org.memberships.select_related("user").get(role="owner").user.email


#: parameter name -> sample value of organisation B
PARAM_SAMPLES: dict[str, Callable[[Organization], str]] = {
    "org_slug": lambda org: org.slug,
    "slug": lambda org: org.slug,
    "email": _member_email,
    "token_id": _token_id,
    "area": lambda org: pending_area_keys()[0] if pending_area_keys() else "none",
}

#: Routes that are not about one organisation's objects (the path they start with).
GLOBAL_ROUTES: tuple[str, ...] = ()
