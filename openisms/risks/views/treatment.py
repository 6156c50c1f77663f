"""The heat maps, the risk treatment plan and its actions, and the exports."""

from __future__ import annotations

from dataclasses import replace

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openisms.core import authz
from openisms.core.errors import DomainError
from openisms.core.web import (
    OrgRequest,
    apply_domain_error,
    org_url,
    org_view,
    paginate,
    query_without,
)
from openisms.risks import exports, heatmap, selectors, services
from openisms.risks.filters import OPEN, RiskFilters
from openisms.risks.forms import ActionFilterForm, ActionForm, RiskFilterForm, action_initial
from openisms.risks.views.common import filtered_url, form_page, sort_columns

ACTION_COLUMNS = (
    ("risk", "Risk"),
    ("due_date", "Due"),
    ("owner", "Owner"),
    ("status", "Status"),
    ("progress", "Progress"),
)


def _filters(request: OrgRequest) -> tuple[RiskFilterForm, RiskFilters]:
    current = selectors.methodology_current_or_none(actor=request.user, org=request.org)
    members = selectors.member_choices(org=request.org)
    spec = current.parsed if current else None
    form = RiskFilterForm(request.GET or None, members=members, spec=spec)
    return form, form.to_filters()


@org_view("risks.view")
def heatmap_view(request: OrgRequest) -> HttpResponse:
    """Inherent and residual heat maps for one methodology version; each cell links to the
    register filtered to it. By default the open risks of the current version."""
    current = selectors.methodology_current_or_none(actor=request.user, org=request.org)
    if current is None:
        return render(request, "risks/heatmap.html", {"maps": [], "methodology": None})
    form, filters = _filters(request)
    base = replace(
        filters,
        methodology=filters.methodology or current.version,
        status=filters.status or OPEN,
        sort="ref",
    )
    methodology = selectors.methodology_get(
        actor=request.user, org=request.org, version=base.methodology or current.version
    )
    risks = selectors.risk_list(actor=request.user, org=request.org, filters=base, links=False)
    register = org_url("risks:register", request.org)  # once, not once per cell
    maps = heatmap.build_both(methodology, risks, lambda f: filtered_url(register, f), base)
    context = {
        "form": form,
        "maps": maps,
        "methodology": methodology,
        "filters": base,
        "counts": selectors.risk_counts(org=request.org),
        "versions": selectors.methodology_list(
            actor=request.user, org=request.org, with_counts=False
        ),
    }
    return render(request, "risks/heatmap.html", context)


@org_view("risks.view")
def treatment_plan(request: OrgRequest) -> HttpResponse:
    """The risk treatment plan (6.1.3 e): every action with its risk, owner, due date and
    progress; overdue actions stand out."""
    members = selectors.member_choices(org=request.org)
    form = ActionFilterForm(request.GET or None, members=members)
    filters = form.to_filters()
    actions = selectors.action_list(actor=request.user, org=request.org, filters=filters)
    context = {
        "form": form,
        "filters": filters,
        "page": paginate(request, actions),
        "query": query_without(request, "page"),
        "columns": sort_columns(request, filters.sort, ACTION_COLUMNS),
        "today": timezone.localdate(),
        "counts": selectors.risk_counts(org=request.org),
        "risk_base": org_url("risks:register", request.org),
    }
    return render(request, "risks/treatment_plan.html", context)


def _download(content: bytes, file_format: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("risks.view")
def risk_export(request: OrgRequest) -> HttpResponse:
    """The filtered register as XLSX or CSV, the assessment report as PDF, the plan as DOCX."""
    file_format = exports.check_format(request.GET.get("format", "xlsx"))
    _, filters = _filters(request)
    content, name = exports.export_risks(
        actor=request.user, org=request.org, filters=filters, file_format=file_format
    )
    return _download(content, file_format, name)


@org_view("risks.change")
def action_create(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """Add a treatment action to a risk."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    members = selectors.member_choices(org=request.org)
    initial = {"owner": risk.owner.email}
    form = ActionForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(actor=request.user, risk=risk, data=form.to_input())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"The action was added to {risk.ref}.")
            return redirect(org_url("risks:detail", request.org, risk_ref=risk.ref))
    return form_page(request, "risks/action_form.html", form, risk=risk)


@org_view("risks.change")
def action_edit(request: OrgRequest, risk_ref: str, action_id: int) -> HttpResponse:
    """Change a treatment action: progress, status, owner, due date."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    action = selectors.action_get(
        actor=request.user, org=request.org, risk=risk, action_id=action_id
    )
    members = selectors.member_choices(org=request.org)
    form = ActionForm(request.POST or None, members=members, initial=action_initial(action))
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                actor=request.user,
                action=action,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"The action {action.title!r} was saved.")
            return redirect(org_url("risks:detail", request.org, risk_ref=risk.ref))
    return form_page(request, "risks/action_form.html", form, risk=risk, action=action)


@org_view("risks.change")
def action_delete(request: OrgRequest, risk_ref: str, action_id: int) -> HttpResponse:
    """Ask once; remove the action on POST."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    action = selectors.action_get(
        actor=request.user, org=request.org, risk=risk, action_id=action_id
    )
    if request.method == "POST":
        services.action_delete(actor=request.user, action=action)
        messages.success(request, f"The action {action.title!r} was removed.")
        return redirect(org_url("risks:detail", request.org, risk_ref=risk.ref))
    can_change = authz.can(request.user, "risks.change", request.org)
    return render(
        request,
        "risks/action_confirm_delete.html",
        {"risk": risk, "action": action, "can_change": can_change},
    )
