"""The threat library (shipped and own threats) and the vulnerability register."""

from __future__ import annotations

from typing import Any

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
from openisms.risks import selectors, services
from openisms.risks.filters import RiskFilters
from openisms.risks.forms import (
    ThreatFilterForm,
    ThreatForm,
    VulnerabilityFilterForm,
    VulnerabilityForm,
    vulnerability_initial,
)
from openisms.risks.models import ThreatLibrary
from openisms.risks.views.common import form_page


@org_view("risks.view")
def threat_list(request: OrgRequest) -> HttpResponse:
    """The shipped library and the organisation's own threats, filtered."""
    form = ThreatFilterForm(request.GET or None)
    threats = selectors.threat_list(actor=request.user, org=request.org, filters=form.to_filters())
    context = {
        "form": form,
        "page": paginate(request, threats, default_size=100),
        "query": query_without(request, "page"),
        "libraries": list(ThreatLibrary.objects.all()),
        "can_change": authz.can(request.user, "risks.change", request.org),
    }
    return render(request, "risks/threat_list.html", context)


@org_view("risks.change")
def threat_create(request: OrgRequest) -> HttpResponse:
    """Add one of the organisation's own threats."""
    form = ThreatForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            threat = services.threat_create(
                actor=request.user, org=request.org, data=form.to_input()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{threat.ref} {threat.name} was added.")
            return redirect(org_url("risks:threat", request.org, threat_ref=threat.ref))
    return form_page(request, "risks/threat_form.html", form)


@org_view("risks.view")
def threat_detail(request: OrgRequest, threat_ref: str) -> HttpResponse:
    """One threat and the organisation's risks that name it."""
    threat = selectors.threat_get(actor=request.user, org=request.org, ref=threat_ref)
    risks = selectors.risk_list(
        actor=request.user, org=request.org, filters=RiskFilters(threat=threat.ref), links=False
    )
    context = {
        "threat": threat,
        "page": paginate(request, risks),
        "can_change": threat.is_own and authz.can(request.user, "risks.change", request.org),
    }
    return render(request, "risks/threat_detail.html", context)


@org_view("risks.change")
def threat_edit(request: OrgRequest, threat_ref: str) -> HttpResponse:
    """Change one of the organisation's own threats (the library is read-only)."""
    threat = selectors.threat_get(actor=request.user, org=request.org, ref=threat_ref)
    initial: dict[str, Any] = {
        "name": threat.name,
        "category": threat.category,
        "summary": threat.summary,
        "affects_confidentiality": threat.affects_confidentiality,
        "affects_integrity": threat.affects_integrity,
        "affects_availability": threat.affects_availability,
        "version": threat.version,
    }
    form = ThreatForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.threat_update(
                actor=request.user,
                threat=threat,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{threat.ref} was saved.")
            return redirect(org_url("risks:threat", request.org, threat_ref=threat.ref))
    return form_page(request, "risks/threat_form.html", form, threat=threat)


@org_view("risks.view")
def vulnerability_list(request: OrgRequest) -> HttpResponse:
    """The vulnerability register, filtered."""
    form = VulnerabilityFilterForm(request.GET or None)
    found = selectors.vulnerability_list(
        actor=request.user, org=request.org, filters=form.to_filters()
    )
    context = {
        "form": form,
        "page": paginate(request, found),
        "query": query_without(request, "page"),
        "can_change": authz.can(request.user, "risks.change", request.org),
    }
    return render(request, "risks/vulnerability_list.html", context)


@org_view("risks.change")
def vulnerability_create(request: OrgRequest) -> HttpResponse:
    """Record a vulnerability."""
    initial = {"assets": request.GET.get("asset", "")}
    form = VulnerabilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            found = services.vulnerability_create(
                actor=request.user, org=request.org, data=form.to_input()
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{found.ref} was recorded.")
            url = org_url("risks:vulnerability", request.org, vulnerability_ref=found.ref)
            return redirect(url)
    return form_page(request, "risks/vulnerability_form.html", form)


@org_view("risks.view")
def vulnerability_detail(request: OrgRequest, vulnerability_ref: str) -> HttpResponse:
    """One vulnerability, its assets and the risks that exploit it."""
    found = selectors.vulnerability_get(actor=request.user, org=request.org, ref=vulnerability_ref)
    context = {
        "vulnerability": found,
        "can_change": authz.can(request.user, "risks.change", request.org),
    }
    return render(request, "risks/vulnerability_detail.html", context)


@org_view("risks.change")
def vulnerability_edit(request: OrgRequest, vulnerability_ref: str) -> HttpResponse:
    """Change a vulnerability; a save from a stale page is refused with a message."""
    found = selectors.vulnerability_get(actor=request.user, org=request.org, ref=vulnerability_ref)
    form = VulnerabilityForm(request.POST or None, initial=vulnerability_initial(found))
    if request.method == "POST" and form.is_valid():
        try:
            services.vulnerability_update(
                actor=request.user,
                vulnerability=found,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{found.ref} was saved.")
            url = org_url("risks:vulnerability", request.org, vulnerability_ref=found.ref)
            return redirect(url)
    return form_page(request, "risks/vulnerability_form.html", form, vulnerability=found)


@org_view("risks.change")
def vulnerability_delete(request: OrgRequest, vulnerability_ref: str) -> HttpResponse:
    """Ask once, naming the risks that lose the link; delete on POST."""
    found = selectors.vulnerability_get(actor=request.user, org=request.org, ref=vulnerability_ref)
    if request.method == "POST":
        services.vulnerability_delete(actor=request.user, vulnerability=found)
        messages.success(request, f"{found.ref} {found.title} was deleted.")
        return redirect(org_url("risks:vulnerabilities", request.org))
    return render(request, "risks/vulnerability_confirm_delete.html", {"vulnerability": found})
