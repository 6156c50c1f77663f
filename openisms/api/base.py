"""What every API module shares: authentication, the actor, pagination, the org lookup."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer, SessionAuth
from pydantic import BaseModel
from pydantic_core import to_json

from openisms import __version__
from openisms.core import authz, selectors, services
from openisms.core.cleaning import unwritable
from openisms.core.errors import ValidationError
from openisms.core.models import Organization, User


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: a personal token, bound to one organisation."""

    openapi_description = "A personal API token, created on the tokens page or by the CLI."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = services.api_token_authenticate(token)
        if api_token is None:
            return None
        user = api_token.user
        authz.attach_token(user, api_token)
        return user


class BrowserSessionAuth(SessionAuth):
    """The browser's login session (CSRF-checked for writes)."""

    openapi_description = "The session of a user logged in to the web pages."


AUTH = [TokenAuth(), BrowserSessionAuth()]


def actor(request: HttpRequest) -> User:
    """The authenticated user acting in this request."""
    user = request.auth  # type: ignore[attr-defined]
    if not isinstance(user, User):  # pragma: no cover - every route is authenticated
        raise TypeError("the API route was reached without authentication")
    return user


def org_for(request: HttpRequest, slug: str, permission: str = "org.view") -> Organization:
    """The organisation at ``slug`` if the caller holds ``permission`` (404 for outsiders)."""
    return selectors.organization_get(actor=actor(request), slug=slug, permission=permission)


Path = tuple[str | int, ...]


def _first_unwritable(value: Any, path: Path) -> tuple[Path, str] | None:
    """The place of the first text in ``value`` that cannot be kept, with the reason."""
    if isinstance(value, str):
        problem = unwritable(value)
        return (path, problem) if problem else None
    items: Any
    if isinstance(value, BaseModel):
        items = ((name, getattr(value, name)) for name in type(value).model_fields)
    elif isinstance(value, dict):
        items = value.items()
        for key in value:  # a key is kept too (JSON fields): named by its mapping
            found = _first_unwritable(key, path)
            if found:
                return found
    elif isinstance(value, list | tuple | set | frozenset):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _first_unwritable(item, (*path, key))
        if found:
            return found
    return None


def refuse_unwritable(view: Callable[..., Any]) -> Callable[..., Any]:
    """Wraps every operation's view (``api.add_decorator``): once ninja has validated the
    input, a text in it that cannot be kept (``cleaning.unwritable``: control characters)
    answers 422 naming the field (``requirements.0.text``), before anything is read or
    written. The forms refuse the same (``core.forms.CheckedForm``)."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **values: Any) -> Any:
        for name, value in values.items():
            # A body or a query schema is named by its fields; a path parameter by itself.
            found = _first_unwritable(value, () if isinstance(value, BaseModel) else (name,))
            if found:
                path, problem = found
                raise ValidationError(errors={".".join(map(str, path)) or name: [problem]})
        return view(request, *args, **values)

    return checked


#: The highest page number asked for: any list ends long before it, and the offset of its
#: rows, up to a thousand times more, stays within the databases' 64-bit integers.
MAX_PAGE = 1_000_000_000


class Pagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (up to 1,000); answers ``items``, ``count`` and both."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        if isinstance(queryset, Records):
            result = queryset.page(request, pagination.page, page_size)
        else:
            result = super().paginate_queryset(queryset, pagination, request, **params)
        result.update(page=pagination.page, page_size=page_size)
        return result


@dataclass(frozen=True)
class Records:
    """A list answered in two steps: the filtered, sorted keys (sliced to the page), then
    ``read(keys)``: that page as plain dicts, in the keys' order, for a pydantic model.

    A page of model objects through ninja's per-attribute resolvers costs about 0.25 ms a
    row; dicts validated by a plain pydantic model cost a tenth of that.

    ``keys`` makes the query of keys (the list's selector, which checks the reader's
    permission and the filters) when a page is read, not when it comes from the cache:
    building it was a fifth of a cached page's time. A kept page was read by the same user
    at the same state of the organisation (``page_key``, ``computed_per_change``), and a
    change of role is a change of that state, so the check it passed still holds.
    """

    keys: Callable[[], QuerySet[Any]]
    read: Callable[[list[int]], list[dict[str, Any]]]
    #: The organisation the rows belong to. Its pages of up to ``CACHED_PAGE_ROWS`` rows are
    #: kept per change of it (``page``); None: read every time.
    org: Organization | None = None

    def page(self, request: HttpRequest, number: int, size: int) -> dict[str, Any]:
        """Page ``number`` of ``size`` rows: ``items`` and ``count``."""
        if self.org is None or size > CACHED_PAGE_ROWS:
            return self._read(number, size)
        key = page_key(request, number, size)
        kept = selectors.computed_per_change(
            self.org, "api-page", lambda: self._read(number, size), key
        )
        return dict(kept)

    def _read(self, number: int, size: int) -> dict[str, Any]:
        bottom = (number - 1) * size
        found = self.keys()
        keys = found.prefetch_related(None).values_list("pk", flat=True)
        return {"items": self.read(list(keys[bottom : bottom + size])), "count": found.count()}


#: The largest page kept in the cache (a 50-row page of assets is about 10 KB; see ``CACHES``).
CACHED_PAGE_ROWS = 50


def page_key(request: HttpRequest, number: int, size: int) -> str:
    """What a cached page depends on besides its organisation's state: the list and its
    filters (path and query), the page, the caller (a filter may name them), today's date
    (due for review, expired acceptance) and the code's version (the answer's shape)."""
    user = getattr(request, "auth", None) or request.user
    parts = (
        __version__,
        request.path,
        sorted(request.GET.lists()),
        number,
        size,
        getattr(user, "pk", None),
        timezone.localdate().isoformat(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


class ErrorOut(Schema):
    """Every error: a sentence, and messages by field where a field is to blame."""

    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict)


class FastJSONRenderer(JSONRenderer):
    """JSON written by pydantic's serialiser (in Rust), not the ``json`` module: a 1,000-row
    page is written in 3 ms instead of 30. Dates and times are ISO 8601 (UTC as ``Z``);
    what it does not know (lazy translations...) goes through ninja's own encoder."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return to_json(data, fallback=NinjaJSONEncoder().default)


RENDERER = FastJSONRenderer()
CONTENT_TYPE = f"{RENDERER.media_type}; charset={RENDERER.charset}"


def paginated_records(
    item: type[BaseModel],
) -> Callable[[Callable[..., Records]], Callable[..., HttpResponse]]:
    """``@paginate(Pagination)`` for a view that answers ``Records`` of ``item``, the page
    written as built, its rows' keys in ``item``'s order.

    The rows are not validated again against ``item`` on the way out: the app's selectors
    build them from typed columns, and validating and dumping 1,000 of them through pydantic
    took 30 ms, two thirds of a 1,000-row page. The tests check such lists against their
    schema (``tests.support.assert_api_rows``).
    """
    names = tuple(item.model_fields)

    def decorate(view: Callable[..., Records]) -> Callable[..., HttpResponse]:
        paged = paginate(Pagination)(view)

        @functools.wraps(paged)
        def answer(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            page = paged(request, **kwargs)
            page["items"] = [{name: row[name] for name in names} for row in page["items"]]
            body = RENDERER.render(request, page, response_status=200)
            return HttpResponse(body, content_type=CONTENT_TYPE)

        return answer

    return decorate
