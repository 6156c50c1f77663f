"""Template context shared by every page: the areas, the current organisation, the switcher."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from openisms.core.navigation import AREAS


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Navigation data; the memberships are read lazily, only when a template shows them."""
    user = getattr(request, "user", None)

    def memberships() -> list[Any]:
        from openisms.core.selectors import memberships_of

        if user is None or not user.is_authenticated:
            return []
        read: list[Any] | None = getattr(request, "memberships", None)  # by ``org_view``
        return read if read is not None else list(memberships_of(user))

    return {
        "areas": AREAS,
        "current_org": getattr(request, "org", None),
        "current_role": getattr(request, "role", None),
        "my_memberships": memberships,
    }
