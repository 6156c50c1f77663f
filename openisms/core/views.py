"""Core pages: home, dashboard, pending areas, audit trail, members, API tokens, errors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from openisms.core import authz, dashboard, selectors, services
from openisms.core.errors import DomainError, ValidationError
from openisms.core.forms import (
    ApiTokenForm,
    AuditFilterForm,
    MemberAddForm,
    MemberRoleForm,
    OrganizationForm,
)
from openisms.core.navigation import AREAS_BY_KEY
from openisms.core.web import (
    OrgRequest,
    apply_domain_error,
    org_url,
    org_view,
    paginate,
    query_without,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Go to the last organisation used, the only one, or a list to choose from."""
    memberships = list(selectors.memberships_of(request.user))  # type: ignore[arg-type]
    slugs = {m.organization.slug for m in memberships}
    last = request.session.get("org_slug")
    if last in slugs:
        return redirect("core:dashboard", org_slug=last)
    if len(memberships) == 1:
        return redirect("core:dashboard", org_slug=memberships[0].organization.slug)
    return render(request, "core/choose_org.html", {"memberships": memberships})


@org_view("org.view")
def dashboard_view(request: OrgRequest) -> HttpResponse:
    """Live counts for the organisation and the areas of the ISMS."""
    return render(request, "core/dashboard.html", {"tiles": dashboard.tiles(request.org)})


@org_view("org.view")
def area_pending(request: OrgRequest, area: str) -> HttpResponse:
    """An area whose app has not landed yet: say what it will hold."""
    found = AREAS_BY_KEY.get(area)
    if found is None or found.url_name is not None:
        raise Http404("No such area.")
    return render(request, "core/area_pending.html", {"area": found})


@org_view("audit.view")
def audit_list(request: OrgRequest) -> HttpResponse:
    """The audit trail with filters in the URL, newest first."""
    form = AuditFilterForm(request.GET or None)
    filters = selectors.AuditFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.AuditFilters(
            verb=data["verb"].strip(),
            actor=data["actor"].strip(),
            target=data["target"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
    events = selectors.audit_event_list(actor=request.user, org=request.org, filters=filters)
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page": paginate(request, events),
            "verbs": selectors.audit_verbs(org=request.org),
            "query": query_without(request, "page"),
        },
    )


@org_view("members.view")
def member_list(request: OrgRequest) -> HttpResponse:
    """Members and their roles; owners and admins can add, change and remove."""
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(actor=request.user, org=request.org, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['email']} was added.")
            return redirect(org_url("core:members", request.org))
    status = 422 if form.errors else 200
    return render(
        request,
        "core/member_list.html",
        {
            "form": form,
            "page": paginate(
                request, selectors.membership_list(actor=request.user, org=request.org)
            ),
            "role_form": MemberRoleForm(),
            "can_manage": authz.can(request.user, "members.manage", request.org),
        },
        status=status,
    )


@require_POST
@org_view("members.manage")
def member_change(request: OrgRequest, email: str) -> HttpResponse:
    """Change a member's role, or remove the member when ``remove`` is posted."""
    membership = services.membership_for(request.org, email)
    try:
        if "remove" in request.POST:
            services.membership_remove(actor=request.user, membership=membership)
            messages.success(request, f"{email} no longer has access to {request.org.name}.")
        else:
            form = MemberRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(
                    errors={k: [str(m) for m in v] for k, v in form.errors.items()}
                )
            services.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, f"{email} is now {membership.get_role_display()}.")
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(org_url("core:members", request.org))


@org_view("org.change")
def organization_settings(request: OrgRequest) -> HttpResponse:
    """Rename the organisation."""
    form = OrganizationForm(request.POST or None, initial={"name": request.org.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(actor=request.user, org=request.org, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(org_url("core:settings", request.org))
    return render(
        request,
        "core/organization_settings.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@org_view("tokens.manage")
def token_list(request: OrgRequest) -> HttpResponse:
    """The user's API tokens for this organisation; a new token is shown once, here."""
    form = ApiTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.api_token_create(
                actor=request.user, user=request.user, org=request.org, **form.cleaned_data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_token_list(actor=request.user, org=request.org)
    return render(
        request,
        "core/token_list.html",
        {
            "form": form,
            "secret": secret,
            "page": paginate(request, tokens),
        },
        status=422 if form.errors else 200,
    )


@require_POST
@org_view("tokens.manage")
def token_revoke(request: OrgRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's tokens."""
    token = selectors.api_token_get(actor=request.user, org=request.org, token_id=token_id)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"Token {token.name} is revoked; it no longer works.")
    return redirect(org_url("core:tokens", request.org))


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    """The error pages, inside the layout."""
    titles = {
        400: "Bad request",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict",
        422: "Not accepted",
        500: "Something went wrong",
    }
    context = {"status": status, "title": titles.get(status, "Error"), "message": message}
    response = TemplateResponse(request, "error.html", context, status=status)
    return response.render()


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403, str(exception or "") or "Your role does not allow this.")


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404, "There is nothing at this address, or not for you.")


def handler500(request: HttpRequest) -> HttpResponse:
    return error_page(request, 500, "The error was logged. Try again, or tell your administrator.")
