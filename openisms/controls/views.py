"""Pages of the SoA: the table with inline edit, one control, the check, versions, exports."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openisms.context.models import Obligation
from openisms.controls import checks, exports, selectors, services
from openisms.controls.forms import (
    ControlForm,
    DecisionForm,
    LinkForm,
    NewControlForm,
    PublishForm,
    SoaFilterForm,
    control_initial,
)
from openisms.controls.selectors import SoaRow
from openisms.core import authz
from openisms.core.errors import DomainError, ValidationError
from openisms.core.web import OrgRequest, apply_domain_error, org_url, org_view, query_without

#: Risk references listed per row on the SoA page; the rest is a count with a link.
RISKS_SHOWN = 10


def _bases(request: OrgRequest) -> dict[str, str]:
    """Address prefixes for the row links, reversed once per page rather than once per link."""
    return {
        "risk_base": org_url("risks:register", request.org),
        "control_base": org_url("controls:soa", request.org),
    }


def _control_form(request: OrgRequest, row: SoaRow, data: Any = None) -> ControlForm:
    obligations = [
        (ref, f"{ref} {name}")
        for ref, name in Obligation.objects.filter(organization=request.org)
        .order_by("ref")
        .values_list("ref", "name")
    ]
    return ControlForm(
        data,
        initial=control_initial(row.control),
        members=services.member_choices(request.org),
        obligations=obligations,
    )


@org_view("controls.view")
def soa_page(request: OrgRequest) -> HttpResponse:
    """Every control in one table grouped by theme, with reasons, status and a summary."""
    filter_form = SoaFilterForm(request.GET)
    filters = filter_form.filters()
    all_rows = selectors.soa_rows(actor=request.user, org=request.org, risk_limit=RISKS_SHOWN)
    rows = [row for row in all_rows if filters.checked().keep(row)]
    approved = selectors.soa_version_latest_approved(request.org)
    return render(
        request,
        "controls/soa.html",
        {
            "groups": selectors.soa_groups(rows),
            "summary": selectors.soa_summary(all_rows),
            "filter_form": filter_form,
            "filters": filters.checked(),
            "shown": len(rows),
            "total": len(all_rows),
            "approved": approved,
            "export_query": query_without(request, "format", "working"),
            "can_change": authz.can(request.user, "controls.change", request.org),
            **_bases(request),
        },
    )


def _row_response(
    request: OrgRequest, row: SoaRow, form: ControlForm | None = None
) -> HttpResponse:
    can_change = authz.can(request.user, "controls.change", request.org)
    context = {"row": row, "can_change": can_change, "form": form, **_bases(request)}
    template = "controls/_soa_row_form.html" if form is not None else "controls/_soa_row.html"
    return render(request, template, context)


@org_view("controls.view")
def control_row(request: OrgRequest, control_ref: str) -> HttpResponse:
    """The htmx row: GET shows it (``?edit=1``: as a form); POST saves and shows it again."""
    row = selectors.soa_row_get(actor=request.user, org=request.org, ref=control_ref)
    editing = request.method == "POST" or request.GET.get("edit")
    if editing:
        authz.require(request.user, "controls.change", request.org)
    if request.method != "POST":
        return _row_response(request, row, _control_form(request, row) if editing else None)
    form = _control_form(request, row, request.POST)
    if form.is_valid():
        try:
            services.control_update(
                actor=request.user,
                control=row.control,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            row = selectors.soa_row_get(actor=request.user, org=request.org, ref=control_ref)
            return _row_response(request, row)
    return _row_response(request, row, form)


@org_view("controls.view")
def control_detail(request: OrgRequest, control_ref: str) -> HttpResponse:
    """One control: its reasons, implementation, links, and the catalogue's guidance."""
    row = selectors.soa_row_get(actor=request.user, org=request.org, ref=control_ref)
    can_change = authz.can(request.user, "controls.change", request.org)
    return render(
        request,
        "controls/control_detail.html",
        {"row": row, "can_change": can_change, "link_form": LinkForm() if can_change else None},
    )


@org_view("controls.change")
def control_edit(request: OrgRequest, control_ref: str) -> HttpResponse:
    """Edit one control on its own page."""
    row = selectors.soa_row_get(actor=request.user, org=request.org, ref=control_ref)
    form = _control_form(request, row, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.control_update(
                actor=request.user,
                control=row.control,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{row.control.ref} saved.")
            return redirect(org_url("controls:detail", request.org, control_ref=row.control.ref))
    return render(request, "controls/control_form.html", {"row": row, "form": form})


@org_view("controls.change")
def control_new(request: OrgRequest) -> HttpResponse:
    """Add a control from another source."""
    form = NewControlForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            control = services.control_create(
                actor=request.user,
                org=request.org,
                ref=data["ref"],
                title=data["title"],
                source_note=data["source_note"],
                data=services.ControlInput(business_reason=data["business_reason"]),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect(org_url("controls:detail", request.org, control_ref=control.ref))
    status = 422 if form.errors else 200
    return render(request, "controls/control_new.html", {"form": form}, status=status)


@require_POST
@org_view("controls.change")
def link_add(request: OrgRequest, control_ref: str) -> HttpResponse:
    """Link a document, evidence item or web page to a control."""
    row = selectors.soa_row_get(actor=request.user, org=request.org, ref=control_ref)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            services.control_link_add(actor=request.user, control=row.control, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, "The link needs a label and a valid address.")
    return redirect(org_url("controls:detail", request.org, control_ref=row.control.ref))


@org_view("controls.view")
def check_page(request: OrgRequest) -> HttpResponse:
    """The consistency check on the working copy."""
    rows = selectors.soa_rows(actor=request.user, org=request.org)
    findings = checks.run(request.org, rows=rows)
    return render(request, "controls/check.html", {"findings": findings})


@org_view("controls.view")
def version_list(request: OrgRequest) -> HttpResponse:
    """The published versions and the publish form."""
    versions = list(selectors.soa_version_list(actor=request.user, org=request.org))
    can_change = authz.can(request.user, "controls.change", request.org)
    return render(
        request,
        "controls/versions.html",
        {"versions": versions, "form": PublishForm() if can_change else None},
    )


@require_POST
@org_view("controls.change")
def version_publish(request: OrgRequest) -> HttpResponse:
    """Freeze the working copy as a new version in review."""
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        version = services.soa_publish(
            actor=request.user,
            org=request.org,
            note=form.cleaned_data.get("note", ""),
            override_reason=form.cleaned_data.get("override_reason", ""),
        )
    except ValidationError as error:
        apply_domain_error(form, error)
        versions = list(selectors.soa_version_list(actor=request.user, org=request.org))
        findings = checks.blockers(checks.run(request.org, include_drift=False))
        context = {"versions": versions, "form": form, "blockers": findings}
        return render(request, "controls/versions.html", context, status=422)
    messages.success(request, f"SoA version {version.number} published for approval.")
    return redirect(org_url("controls:version", request.org, soa_version=version.number))


@org_view("controls.view")
def version_detail(request: OrgRequest, soa_version: int) -> HttpResponse:
    """One frozen version as it was published, with its approval."""
    version = selectors.soa_version_get(actor=request.user, org=request.org, number=soa_version)
    can_decide = authz.can(request.user, "soa.approve", request.org)
    return render(
        request,
        "controls/version_detail.html",
        {"version": version, "form": DecisionForm() if can_decide else None},
    )


@require_POST
@org_view("soa.approve")
def version_decide(request: OrgRequest, soa_version: int) -> HttpResponse:
    """Approve or reject a version in review."""
    version = selectors.soa_version_get(actor=request.user, org=request.org, number=soa_version)
    form = DecisionForm(request.POST)
    if form.is_valid():
        comment = form.cleaned_data["comment"]
        try:
            if form.cleaned_data["decision"] == "approve":
                services.soa_approve(actor=request.user, version=version, comment=comment)
            else:
                services.soa_reject(actor=request.user, version=version, comment=comment)
        except DomainError as error:
            messages.error(request, error.message)
    return redirect(org_url("controls:version", request.org, soa_version=version.number))


@org_view("controls.view")
def version_diff(request: OrgRequest) -> HttpResponse:
    """Row-by-row differences between two versions (``b=working``: the working copy)."""
    versions = list(selectors.soa_version_list(actor=request.user, org=request.org))
    left, right = request.GET.get("a", ""), request.GET.get("b", "working")
    old_rows, new_rows = _rows_of(request, left), _rows_of(request, right)
    changes = selectors.soa_diff(old_rows, new_rows) if left else []
    return render(
        request,
        "controls/diff.html",
        {"versions": versions, "a": left, "b": right, "changes": changes},
    )


def _rows_of(request: OrgRequest, which: str) -> list[dict[str, Any]]:
    if which in ("", "working"):
        rows = selectors.soa_rows(actor=request.user, org=request.org)
        return [row.as_dict() for row in rows] if which else []
    try:
        number = int(which)
    except ValueError:
        return []
    version = selectors.soa_version_get(actor=request.user, org=request.org, number=number)
    frozen: list[dict[str, Any]] = version.rows
    return frozen


@org_view("controls.view")
def soa_export(request: OrgRequest) -> HttpResponse:
    """The SoA as XLSX, DOCX, PDF, CSV or JSON: the approved version unless ``working=1``."""
    fmt = request.GET.get("format", "xlsx")
    version = request.GET.get("version")
    document = exports.build(
        actor=request.user,
        org=request.org,
        fmt=fmt,
        working=bool(request.GET.get("working")),
        number=int(version)
        if version and version.isascii() and version.isdecimal() and len(version) < 10
        else None,
    )
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response
