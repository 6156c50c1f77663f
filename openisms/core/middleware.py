"""Response headers Django 5.2 does not set by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# The interactive API docs (Swagger UI) set style attributes from script; they get a policy
# that allows inline styles, still with no inline script.
_DOCS_PREFIX = "/api/v1/docs"


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header (no inline script anywhere)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy: str = settings.CONTENT_SECURITY_POLICY
        if request.path.startswith(_DOCS_PREFIX):
            policy = policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        return response


class DomainErrorMiddleware:
    """Turns a domain error that escaped a view into the matching error page.

    Views handle the errors they expect (a form error beside the field); this catches the
    rest, so a user-caused error is never a 500.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view: Callable[..., HttpResponse],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        """An address whose part holds what no text can (a control character: ``/R-0001%00/``)
        names nothing: 404 before the view reads anything (PostgreSQL refuses U+0000 in a
        query). The API says which parameter instead (``api.base.refuse_unwritable``)."""
        from openisms.core.cleaning import unwritable
        from openisms.core.views import error_page

        if request.path.startswith("/api/"):
            return None
        parts = [*args, *kwargs.values()]
        if any(isinstance(part, str) and unwritable(part) for part in parts):
            return error_page(request, 404, "Nothing is at this address.")
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from openisms.core.errors import DomainError
        from openisms.core.views import error_page

        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        return error_page(request, exception.status, exception.message)
