"""The risk register, one risk's page and the forms that change a risk."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openisms.core import authz
from openisms.core.errors import DomainError, PermissionDenied
from openisms.core.web import OrgRequest, apply_domain_error, org_url, org_view, paginate
from openisms.core.web import query_without as _query_without
from openisms.risks import selectors, services
from openisms.risks.forms import (
    AcceptForm,
    AssessForm,
    CloseForm,
    RiskFilterForm,
    RiskForm,
    TreatmentForm,
    risk_initial,
)
from openisms.risks.methodology import add_months
from openisms.risks.models import Risk
from openisms.risks.views.common import form_page, sort_columns

SORTABLE = (
    ("ref", "Ref"),
    ("title", "Risk"),
    ("owner", "Owner"),
    ("inherent", "Inherent"),
    ("residual", "Residual"),
    ("treatment", "Treatment"),
    ("status", "Status"),
    ("next_review", "Next review"),
)


def _risk_url(request: OrgRequest, risk: Risk) -> str:
    return org_url("risks:detail", request.org, risk_ref=risk.ref)


@org_view("risks.view")
def risk_list(request: OrgRequest) -> HttpResponse:
    """The register: filters in the URL, sortable columns, pages, counts, exports."""
    current = selectors.methodology_current_or_none(actor=request.user, org=request.org)
    members = selectors.member_choices(org=request.org)
    form = RiskFilterForm(
        request.GET or None, members=members, spec=current.parsed if current else None
    )
    filters = form.to_filters()
    risks = selectors.risk_list(actor=request.user, org=request.org, filters=filters, links=False)
    risks = selectors.with_links(risks, "assets", "controls")  # the columns the table shows
    context = {
        "form": form,
        "filters": filters,
        "page": paginate(request, risks),
        "query": _query_without(request, "page"),
        "export_query": _query_without(request, "page", "per_page", "format"),
        "columns": sort_columns(request, filters.sort, SORTABLE),
        "counts": selectors.risk_counts(org=request.org),
        "methodology": current,
        "can_change": authz.can(request.user, "risks.change", request.org),
        # Row links are built from these: a {% url %} per row and link costs on long pages.
        "risk_base": org_url("risks:register", request.org),
        "asset_base": org_url("assets:list", request.org),
    }
    return render(request, "risks/risk_list.html", context)


def _risk_form(request: OrgRequest, data: Any, initial: dict[str, Any] | None) -> RiskForm:
    threats = list(selectors.threat_list(actor=request.user, org=request.org))
    members = selectors.member_choices(org=request.org)
    return RiskForm(data, members=members, threats=threats, initial=initial)


@org_view("risks.change")
def risk_create(request: OrgRequest) -> HttpResponse:
    """Identify a risk; it gets the next reference on saving and is assessed next."""
    initial = {"owner": request.user.email}
    if request.GET.get("asset"):
        initial["assets"] = request.GET["asset"]
    form = _risk_form(request, request.POST or None, initial)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.to_input()
            risk = services.risk_create(actor=request.user, org=request.org, data=data).risk
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{risk.ref} was added. Assess it next.")
            return redirect(org_url("risks:assess", request.org, risk_ref=risk.ref))
    return form_page(request, "risks/risk_form.html", form)


@org_view("risks.view")
def risk_detail(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """One risk: what it is, its levels, treatment, actions, acceptance and history."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    today = timezone.localdate()
    context = {
        "risk": risk,
        "today": today,
        "actions": list(risk.actions.all()),
        "history": list(risk.assessments.all()),
        "is_stale": risk.methodology is not None and not risk.methodology.is_current,
        "acceptance": services.acceptance_check(request.user, risk),
        "can_change": authz.can(request.user, "risks.change", request.org),
        "can_audit": authz.can(request.user, "audit.view", request.org),
    }
    return render(request, "risks/risk_detail.html", context)


@org_view("risks.change")
def risk_edit(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """Change what the risk is; a save from a stale page is refused with a message."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    form = _risk_form(request, request.POST or None, risk_initial(risk))
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_update(
                actor=request.user,
                risk=risk,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{risk.ref} was saved.")
            return redirect(_risk_url(request, risk))
    return form_page(request, "risks/risk_form.html", form, risk=risk)


@org_view("risks.change")
def risk_treatment(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """Choose the treatment option and the Annex A controls (6.1.3 a and b)."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    initial = {
        "treatment": risk.treatment,
        "controls": [c.ref for c in risk.controls.all()],
        "version": risk.version,
    }
    controls = list(selectors.annex_a_controls())
    form = TreatmentForm(request.POST or None, controls=controls, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_update(
                actor=request.user,
                risk=risk,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"The treatment of {risk.ref} was saved.")
            return redirect(_risk_url(request, risk))
    return form_page(
        request, "risks/risk_treatment.html", form, risk=risk, catalogue_loaded=bool(controls)
    )


def _assess_initial(risk: Risk) -> dict[str, Any]:
    return {
        "inherent_likelihood": risk.inherent_likelihood,
        "inherent_impact": risk.inherent_impact,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "version": risk.version,
    }


@org_view("risks.change")
def risk_assess(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """(Re)assess with the current methodology; the linked assets' values suggest the impact."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    current = selectors.methodology_current_or_none(actor=request.user, org=request.org)
    if current is None:
        messages.error(request, "Set up the risk methodology first: choose a preset.")
        return redirect(org_url("risks:methodology_new", request.org))
    form = AssessForm(request.POST or None, spec=current.parsed, initial=_assess_initial(risk))
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_assess(
                actor=request.user,
                risk=risk,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{risk.ref} was assessed.")
            return redirect(_risk_url(request, risk))
    suggestion = selectors.impact_suggestion(risk.assets.all(), risk.affects, current.parsed)
    return form_page(
        request,
        "risks/risk_assess.html",
        form,
        risk=risk,
        methodology=current,
        suggestion=suggestion,
    )


@org_view("risks.change")
def risk_accept(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """Accept the risk's level (6.1.3 f): the owner within the criteria, top management above."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    check = services.acceptance_check(request.user, risk)
    months = check.level.review_months if check.level else 12
    initial = {"valid_until": add_months(timezone.localdate(), months), "version": risk.version}
    form = AcceptForm(request.POST or None, initial=initial)
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_accept(
                actor=request.user,
                risk=risk,
                rationale=form.cleaned_data["rationale"],
                valid_until=form.cleaned_data["valid_until"],
                version=form.cleaned_data["version"],
            )
        except PermissionDenied as error:
            form.add_error(None, error.message)
            status = 403
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{risk.ref} was accepted.")
            return redirect(_risk_url(request, risk))
    return form_page(request, "risks/risk_accept.html", form, status=status, risk=risk, check=check)


@org_view("risks.change")
def risk_close(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """Close a risk that no longer applies (asked once, with the reason)."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    form = CloseForm(request.POST or None, initial={"version": risk.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_close(
                actor=request.user,
                risk=risk,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{risk.ref} was closed.")
            return redirect(_risk_url(request, risk))
    return form_page(request, "risks/risk_close.html", form, risk=risk)


@org_view("risks.change")
def risk_delete(request: OrgRequest, risk_ref: str) -> HttpResponse:
    """Ask once, saying what goes with the risk; delete on POST."""
    risk = selectors.risk_get(actor=request.user, org=request.org, ref=risk_ref)
    if request.method == "POST":
        services.risk_delete(actor=request.user, risk=risk)
        messages.success(request, f"{risk.ref} {risk.title} was deleted.")
        return redirect(org_url("risks:register", request.org))
    context = {"risk": risk, "actions": list(risk.actions.all())}
    return render(request, "risks/risk_confirm_delete.html", context)
