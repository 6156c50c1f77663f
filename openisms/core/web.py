"""Helpers every app's views share: the organisation in the URL, pagination, form errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from openisms.core import authz
from openisms.core.choices import Role
from openisms.core.errors import DomainError, NotFound, PermissionDenied, ValidationError
from openisms.core.models import Membership, Organization, User
from openisms.core.selectors import memberships_of

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponse)
M = TypeVar("M", bound=Model)

PAGE_SIZES = (25, 50, 100, 200)


class OrgRequest(HttpRequest):
    """A request inside ``/o/<slug>/``: the organisation and the user's role are known."""

    user: User
    org: Organization
    role: Role
    memberships: list[Membership]


def org_view(
    permission: str,
) -> Callable[[Callable[Concatenate[OrgRequest, P], R]], Callable[..., HttpResponse]]:
    """Resolve ``org_slug`` from the URL with one query and require ``permission``.

    Not a member: 404 (another organisation's pages look like pages that do not exist).
    A member without the permission: 403.
    """

    def decorator(view: Callable[Concatenate[OrgRequest, P], R]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            # All the user's memberships in one query: the page's organisation is among them,
            # and the switcher in the page's header lists them (``my_memberships``).
            memberships = list(memberships_of(request.user))
            membership = next((m for m in memberships if m.organization.slug == org_slug), None)
            if membership is None:
                raise Http404("No such organisation.")
            org_request = cast(OrgRequest, request)
            org_request.memberships = memberships
            org_request.org, org_request.role = membership.organization, Role(membership.role)
            authz.remember_role(org_request.user, org_request.org, membership.role)
            if not authz.can(org_request.user, permission, org_request.org):
                raise PermissionDenied(f"Your role ({org_request.role.label}) may not see this.")
            if request.session.get("org_slug") != org_slug:
                request.session["org_slug"] = org_slug  # where "home" returns next time
            return view(org_request, *args, **kwargs)

        return wrapped

    return decorator


class KeysFirstPaginator(Paginator[Any]):
    """Sorts and slices the primary keys alone, then reads that page's rows with their joins.

    A list sorted over thousands of rows otherwise joins every row (owner, risk, labels...)
    before the database can sort and keep 50: on SQLite 80 ms instead of 10 for 20,000 rows.
    """

    def page(self, number: Any) -> Page[Any]:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        items = cast(QuerySet[Any], self.object_list)
        keys = list(items.prefetch_related(None).values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in items.filter(pk__in=keys).order_by()}
        return Page([rows[key] for key in keys if key in rows], number, self)


def paginate(request: HttpRequest, items: QuerySet[M], default_size: int = 50) -> Page[M]:
    """The page asked for in ``?page=`` (and ``?per_page=``), clamped to what exists."""
    try:
        size = int(request.GET.get("per_page", default_size))
    except ValueError:
        size = default_size
    size = size if size in PAGE_SIZES else default_size
    return KeysFirstPaginator(items, size).get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *keys: str) -> str:
    """The current query string without ``keys``, for links that change one parameter."""
    params = request.GET.copy()
    for key in keys:
        params.pop(key, None)
    return params.urlencode()


def apply_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's error beside the field it names (or at the top of the form).

    Refusals (403) and missing objects (404) are not form errors: they go to the error page.
    """
    if isinstance(error, PermissionDenied | NotFound):
        raise error
    if isinstance(error, ValidationError) and error.errors:
        for field, messages in error.errors.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        form.add_error(None, error.message)


def raise_http(error: DomainError) -> None:
    """Turn a NotFound into a 404 page; other errors go to the handlers of ``urls.py``."""
    if isinstance(error, NotFound):
        raise Http404(error.message)
    raise error


def org_url(name: str, org: Organization, **kwargs: Any) -> str:
    """``reverse`` for a page inside an organisation."""
    return reverse(name, kwargs={"org_slug": org.slug, **kwargs})
