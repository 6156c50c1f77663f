"""Methodology pages: the current version, every version, a new version, risks to reassess."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

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
from openisms.risks import methodology as spec_module
from openisms.risks import selectors, services
from openisms.risks.filters import OPEN, RiskFilters
from openisms.risks.forms import MethodologyForm, PresetForm
from openisms.risks.models import Methodology
from openisms.risks.views.common import form_page


def _show(request: OrgRequest, methodology: Methodology | None, template: str) -> HttpResponse:
    context = {
        "methodology": methodology,
        "can_change": authz.can(request.user, "risks.methodology", request.org),
        "counts": selectors.risk_counts(org=request.org),
    }
    return render(request, template, context)


@org_view("risks.view")
def methodology_view(request: OrgRequest) -> HttpResponse:
    """The current version: scales, matrix, acceptance criteria, review intervals."""
    current = selectors.methodology_current_or_none(actor=request.user, org=request.org)
    return _show(request, current, "risks/methodology.html")


@org_view("risks.view")
def methodology_version(request: OrgRequest, methodology_version: int) -> HttpResponse:
    """One version, current or not."""
    found = selectors.methodology_get(
        actor=request.user, org=request.org, version=methodology_version
    )
    return _show(request, found, "risks/methodology.html")


@org_view("risks.view")
def methodology_versions(request: OrgRequest) -> HttpResponse:
    """Every version, newest first, with the number of risks assessed with each."""
    versions = selectors.methodology_list(actor=request.user, org=request.org)
    return render(request, "risks/methodology_versions.html", {"page": paginate(request, versions)})


@org_view("risks.methodology")
def methodology_new(request: OrgRequest) -> HttpResponse:
    """A new version from a preset; to edit the details, the next page starts from one."""
    form = PresetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.methodology_create(
                actor=request.user, org=request.org, **form.cleaned_data
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"Methodology version {created.version} is now current.")
            return redirect(org_url("risks:methodology", request.org))
    current = selectors.methodology_current_or_none(actor=request.user, org=request.org)
    return form_page(request, "risks/methodology_new.html", form, current=current)


def _base(request: OrgRequest) -> tuple[spec_module.MethodologySpec, str]:
    """The spec the edit form starts from: ``?base=3x3|4x4|5x5``, else the current version."""
    chosen = request.GET.get("base", "")
    if chosen in spec_module.PRESETS:
        return spec_module.preset(chosen), ""
    current = selectors.methodology_current_or_none(actor=request.user, org=request.org)
    if current is None:
        return spec_module.preset("5x5"), ""
    return current.parsed, current.name


@org_view("risks.methodology")
def methodology_edit(request: OrgRequest) -> HttpResponse:
    """A new version by editing labels, ranges, levels, acceptance criteria and the matrix."""
    base, name = _base(request)
    form = MethodologyForm(request.POST or None, base=base, name=name)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.methodology_create(
                actor=request.user,
                org=request.org,
                spec=form.to_spec(),
                name=form.cleaned_data["name"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"Methodology version {created.version} is now current.")
            return redirect(org_url("risks:methodology", request.org))
    return form_page(request, "risks/methodology_form.html", form, presets=spec_module.PRESETS)


@org_view("risks.view")
def methodology_reassess(request: OrgRequest) -> HttpResponse:
    """Open risks still assessed with an older version: they keep its levels until reassessed."""
    filters = RiskFilters(stale=True, status=OPEN)
    risks = selectors.risk_list(actor=request.user, org=request.org, filters=filters, links=False)
    context = {
        "page": paginate(request, risks),
        "query": query_without(request, "page"),
        "methodology": selectors.methodology_current_or_none(actor=request.user, org=request.org),
        "can_change": authz.can(request.user, "risks.change", request.org),
    }
    return render(request, "risks/methodology_reassess.html", context)
