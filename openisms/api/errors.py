"""The one place where errors become JSON: ``{"detail": ..., "errors": {field: [...]}}``."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from openisms.core.errors import DomainError, ValidationError


def _field_name(loc: list[Any]) -> str:
    # ninja puts the source first ("body", "query", "path") and then the field path.
    parts = [str(p) for p in loc[1:] if p not in {"payload", "filters"}] or [str(p) for p in loc]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``."""

    def reply(
        request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]] | None = None
    ) -> HttpResponse:
        return api.create_response(
            request, {"detail": detail, "errors": errors or {}}, status=status
        )

    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        errors = exc.errors if isinstance(exc, ValidationError) else {}
        return reply(request, exc.status, exc.message, errors)

    @api.exception_handler(NinjaValidationError)
    def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field_name(list(error.get("loc", []))), []).append(error["msg"])
        return reply(request, 422, "The request is not valid.", errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = reply(
            request,
            401,
            "Authentication required: send 'Authorization: Bearer "
            "<token>' with a valid, unrevoked, unexpired token, or log in.",
        )
        response["WWW-Authenticate"] = 'Bearer realm="openisms"'
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return reply(request, 404, str(exc) or "Not found.")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return reply(request, exc.status_code, str(exc))
