"""Pages of the asset inventory: the register, one asset, its forms, import, export, settings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openisms.assets import exports, selectors, services
from openisms.assets.choices import ImportStatus
from openisms.assets.filters import AssetFilters
from openisms.assets.forms import (
    AssetFilterForm,
    AssetForm,
    BulkForm,
    CiaLevelsForm,
    ClassificationFormSet,
    MappingForm,
    UploadForm,
    asset_initial,
    disable,
)
from openisms.assets.imports import columns
from openisms.assets.imports.jobs import (
    import_job_commit,
    import_job_create,
    import_job_preview,
    import_job_set_mapping,
)
from openisms.assets.imports.reading import MAX_BYTES
from openisms.assets.models import Classification, ImportJob
from openisms.core import authz
from openisms.core.errors import Conflict, DomainError, PermissionDenied, ValidationError
from openisms.core.models import User
from openisms.core.sections import sections
from openisms.core.web import (
    OrgRequest,
    apply_domain_error,
    org_url,
    org_view,
    paginate,
    query_without,
)

SORTABLE = (
    ("ref", "Ref"),
    ("name", "Name"),
    ("kind", "Kind"),
    ("owner", "Owner"),
    ("classification", "Classification"),
    ("criticality", "Criticality"),
    ("status", "Status"),
    ("next_review", "Next review"),
)


@dataclass(frozen=True)
class SortColumn:
    """A column header that sorts the list, keeping the filters."""

    key: str
    label: str
    url: str
    direction: str  # "ascending", "descending" or "" (for aria-sort)


def sort_columns(request: OrgRequest, current: str) -> list[SortColumn]:
    """Header links: a click sorts by the column, a second click reverses it."""
    base = query_without(request, "sort", "page")
    found = []
    for key, label in SORTABLE:
        active, descending = current.removeprefix("-") == key, current.startswith("-")
        target = f"-{key}" if active and not descending else key
        direction = ("descending" if descending else "ascending") if active else ""
        url = f"?{base}&sort={target}" if base else f"?sort={target}"
        found.append(SortColumn(key, label, url, direction))
    return found


def _choices(request: OrgRequest) -> tuple[list[User], list[Classification]]:
    return selectors.member_choices(org=request.org), selectors.classification_list(org=request.org)


def _filters(
    request: OrgRequest, members: list[User], labels: list[Classification]
) -> tuple[AssetFilterForm, AssetFilters]:
    form = AssetFilterForm(request.GET or None, members=members, labels=labels)
    return form, form.to_filters()


@org_view("assets.view")
def asset_list(request: OrgRequest) -> HttpResponse:
    """The register: filters in the URL, sortable columns, pages, bulk changes, exports."""
    members, labels = _choices(request)
    form, filters = _filters(request, members, labels)
    assets = selectors.asset_list(actor=request.user, org=request.org, filters=filters)
    can_change = authz.can(request.user, "assets.change", request.org)
    context = {
        "form": form,
        "filters": filters,
        "page": paginate(request, assets),
        "query": query_without(request, "page"),
        "export_query": query_without(request, "page", "per_page", "format"),
        "columns": sort_columns(request, filters.sort),
        "bulk_form": BulkForm(members=members, labels=labels) if can_change else None,
        "tag_names": selectors.tag_names(org=request.org),
        "can_change": can_change,
        "asset_base": org_url("assets:list", request.org),
    }
    return render(request, "assets/asset_list.html", context)


def _back_to_list(request: OrgRequest) -> HttpResponse:
    query = str(request.POST.get("query", "")).lstrip("?")
    url = org_url("assets:list", request.org)
    return redirect(f"{url}?{query}" if query else url)


@require_POST
@org_view("assets.change")
def asset_bulk(request: OrgRequest) -> HttpResponse:
    """Apply one change to the ticked assets, then return to the same filtered list."""
    members, labels = _choices(request)
    form = BulkForm(request.POST, members=members, labels=labels)
    if not form.is_valid():
        messages.error(request, "Choose a member and a label from the lists.")
        return _back_to_list(request)
    try:
        changed = services.asset_bulk_update(
            actor=request.user,
            org=request.org,
            refs=request.POST.getlist("refs"),
            **form.cleaned_data,
        )
    except ValidationError as error:
        messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))
    else:
        messages.success(request, f"{len(changed)} asset{'s' * (len(changed) != 1)} changed.")
    return _back_to_list(request)


def _download(content: bytes, file_format: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("assets.view")
def asset_export(request: OrgRequest) -> HttpResponse:
    """Exactly the filtered list (all pages), as CSV or XLSX."""
    file_format = request.GET.get("format", "csv")
    _, filters = _filters(request, *_choices(request))
    content, name = exports.export_inventory(
        actor=request.user, org=request.org, filters=filters, file_format=file_format
    )
    return _download(content, file_format, name)


@org_view("assets.view")
def import_template(request: OrgRequest) -> HttpResponse:
    """An empty import file with the headers and one example row."""
    file_format = exports.check_format(request.GET.get("format", "csv"))
    return _download(exports.template(file_format), file_format, f"assets-template.{file_format}")


def _form_context(
    request: OrgRequest, data: Any = None, initial: dict[str, Any] | None = None
) -> AssetForm:
    members, labels = _choices(request)
    levels = selectors.cia_levels(org=request.org)
    return AssetForm(data, members=members, labels=labels, levels=levels, initial=initial)


def _form_page(request: OrgRequest, form: AssetForm, **context: Any) -> HttpResponse:
    status = 422 if form.errors else 200
    return render(request, "assets/asset_form.html", {"form": form, **context}, status=status)


@org_view("assets.change")
def asset_create(request: OrgRequest) -> HttpResponse:
    """Add an asset; the next reference is given on saving."""
    default = next(
        (c.name for c in selectors.classification_list(org=request.org) if c.is_default), ""
    )
    form = _form_context(
        request, request.POST or None, {"owner": request.user.email, "classification": default}
    )
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_create(actor=request.user, org=request.org, data=form.to_input())
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{asset.ref} {asset.name} was added.")
            return redirect(org_url("assets:detail", request.org, asset_ref=asset.ref))
    return _form_page(request, form)


@org_view("assets.view")
def asset_detail(request: OrgRequest, asset_ref: str) -> HttpResponse:
    """One asset: its values, what it depends on and what needs it, and its risks."""
    asset = selectors.asset_get(actor=request.user, org=request.org, ref=asset_ref)
    levels = selectors.cia_levels(org=request.org)
    named = {dim: {level.level: level for level in found} for dim, found in levels.items()}
    values = [
        ("Confidentiality", asset.confidentiality, named["c"].get(asset.confidentiality)),
        ("Integrity", asset.integrity, named["i"].get(asset.integrity)),
        ("Availability", asset.availability, named["a"].get(asset.availability)),
    ]
    context = {
        "asset": asset,
        "values": values,
        "can_change": authz.can(request.user, "assets.change", request.org),
        "can_audit": authz.can(request.user, "audit.view", request.org),
        "sections": sections("asset", request.user, request.org, asset),
    }
    return render(request, "assets/asset_detail.html", context)


@org_view("assets.change")
def asset_edit(request: OrgRequest, asset_ref: str) -> HttpResponse:
    """Change an asset; a save made from a stale page is refused with a message (409 rule)."""
    asset = selectors.asset_get(actor=request.user, org=request.org, ref=asset_ref)
    form = _form_context(request, request.POST or None, asset_initial(asset))
    if request.method == "POST" and form.is_valid():
        try:
            services.asset_update(
                actor=request.user,
                asset=asset,
                data=form.to_input(),
                version=form.cleaned_data["version"],
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            messages.success(request, f"{asset.ref} was saved.")
            return redirect(org_url("assets:detail", request.org, asset_ref=asset.ref))
    return _form_page(request, form, asset=asset)


@org_view("assets.change")
def asset_delete(request: OrgRequest, asset_ref: str) -> HttpResponse:
    """Ask once, saying what goes with the asset; delete on POST."""
    asset = selectors.asset_get(actor=request.user, org=request.org, ref=asset_ref)
    if request.method == "POST":
        try:
            services.asset_delete(actor=request.user, asset=asset)
        except Conflict as error:
            context = {"asset": asset, "refusal": error.message}
            return render(request, "assets/asset_confirm_delete.html", context, status=409)
        messages.success(request, f"{asset.ref} {asset.name} was deleted.")
        return redirect(org_url("assets:list", request.org))
    return render(request, "assets/asset_confirm_delete.html", {"asset": asset})


@org_view("assets.change")
def import_upload(request: OrgRequest) -> HttpResponse:
    """Step 1: upload a CSV or XLSX file; the columns are matched to fields."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_job_create(
                actor=request.user,
                org=request.org,
                filename=upload.name or "",
                content=upload.read(MAX_BYTES + 1),
            )
        except DomainError as error:
            apply_domain_error(form, error)
        else:
            return redirect(org_url("assets:import_preview", request.org, job_id=job.pk))
    context = {"form": form, "columns": [c for c in columns.COLUMNS if c.importable]}
    return render(request, "assets/import_upload.html", context, status=422 if form.errors else 200)


def _import_step(request: OrgRequest, job: ImportJob) -> HttpResponse | None:
    """Save the posted mapping, then check again or import; None when the file was refused."""
    posted = MappingForm(request.POST, headers=[""] * len(job.mapping), mapping=job.mapping)
    if not posted.is_valid():
        return None
    import_job_set_mapping(actor=request.user, job=job, mapping=posted.mapping())
    if request.POST.get("action") != "commit":
        return redirect(org_url("assets:import_preview", request.org, job_id=job.pk))
    try:
        counts = import_job_commit(actor=request.user, job=job).summary()
    except ValidationError:
        return None
    messages.success(
        request,
        f"Imported {job.filename}: {counts['created']} created, {counts['updated']} updated, "
        f"{counts['unchanged']} unchanged.",
    )
    return redirect(org_url("assets:list", request.org))


@org_view("assets.change")
def import_preview(request: OrgRequest, job_id: uuid.UUID) -> HttpResponse:
    """Step 2: the mapping, the first rows and every error; step 3: commit (POST)."""
    job = selectors.import_job_get(actor=request.user, org=request.org, job_id=job_id)
    if job.status != ImportStatus.UPLOADED:
        messages.info(request, f"{job.filename} was imported already.")
        return redirect(org_url("assets:list", request.org))
    if request.method == "POST":
        done = _import_step(request, job)
        if done is not None:
            return done
    preview = import_job_preview(actor=request.user, job=job)
    form = MappingForm(headers=preview.headers, mapping=job.mapping)
    context = {"job": job, "preview": preview, "form": form, "errors_shown": preview.errors[:500]}
    status = 422 if request.method == "POST" else 200  # a refused import
    return render(request, "assets/import_preview.html", context, status=status)


def _label_rows(formset: Any, default: str) -> list[services.ClassificationRow]:
    return [
        services.ClassificationRow(
            pk=f.cleaned_data.get("pk"),
            name=f.cleaned_data.get("name") or "",
            description=f.cleaned_data.get("description") or "",
            position=f.cleaned_data.get("position") or 0,
            remove=bool(f.cleaned_data.get("remove")),
            is_default=str(i) == default,
        )
        for i, f in enumerate(formset.forms)
        if f.cleaned_data
    ]


def _save_settings(request: OrgRequest, labels_form: Any, levels_form: CiaLevelsForm) -> bool:
    """Save whichever settings form was posted; False when it needs correcting."""
    which = request.POST.get("form")
    try:
        if which == "labels" and labels_form.is_valid():
            rows = _label_rows(labels_form, str(request.POST.get("default", "")))
            services.classification_scheme_save(actor=request.user, org=request.org, rows=rows)
            return True
        if which == "levels" and levels_form.is_valid():
            services.cia_levels_update(
                actor=request.user, org=request.org, levels=levels_form.levels()
            )
            return True
    except ValidationError as error:
        messages.error(
            request, " ".join(m for ms in error.errors.values() for m in ms) or error.message
        )
    return False


def _settings_forms(
    request: OrgRequest, labels: list[Classification], can_edit: bool
) -> tuple[Any, CiaLevelsForm]:
    """The two settings forms, bound to the POST when it is theirs, read-only for others."""
    which = request.POST.get("form") if request.method == "POST" else None
    initial = [
        {"pk": c.pk, "name": c.name, "description": c.description, "position": c.position}
        for c in labels
    ]
    labels_form = ClassificationFormSet(
        request.POST if which == "labels" else None, initial=initial, prefix="labels"
    )
    levels_form = CiaLevelsForm(
        request.POST if which == "levels" else None, levels=selectors.cia_levels(org=request.org)
    )
    if not can_edit:
        disable(*labels_form.forms, levels_form)
    return labels_form, levels_form


@org_view("assets.view")
def asset_settings(request: OrgRequest) -> HttpResponse:
    """The classification labels and their order, and what each level of C, I and A means."""
    can_edit = authz.can(request.user, "org.change", request.org)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied("Only owners and admins change the classification scheme.")
    labels = selectors.classification_list(org=request.org)
    labels_form, levels_form = _settings_forms(request, labels, can_edit)
    if request.method == "POST" and _save_settings(request, labels_form, levels_form):
        messages.success(request, "Saved.")
        return redirect(org_url("assets:settings", request.org))
    context = {
        "labels_form": labels_form,
        "levels_form": levels_form,
        "can_edit": can_edit,
        "can_change": authz.can(request.user, "assets.change", request.org),
        "default": next((str(i) for i, c in enumerate(labels) if c.is_default), ""),
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "assets/settings.html", context, status=status)
