"""API of the asset inventory: assets with filters, import and export.

No ``from __future__ import annotations`` here: ninja reads the annotations at runtime.
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from pydantic import BaseModel

from openisms.api.base import ErrorOut, Records, actor, org_for, paginated_records
from openisms.assets import exports, selectors, services
from openisms.assets.choices import AssetKind, LifecycleStatus
from openisms.assets.filters import AssetFilters
from openisms.assets.imports import import_file
from openisms.assets.imports.reading import MAX_BYTES
from openisms.assets.rules import AssetInput
from openisms.core.errors import ValidationError
from openisms.core.models import Organization

router = Router(tags=["assets"])
ERRORS: dict[int, type[ErrorOut]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
#: Optional values that ``null`` clears in a PATCH (the others keep their value).
CLEARABLE = ("custodian", "description", "location", "next_review", "external_id")


class AssetOut(BaseModel):
    """An asset as the API answers it (read with ``selectors.asset_records``; a create
    answers from the asset written, ``selectors.created_record``, with the same values)."""

    ref: str
    external_id: str
    name: str
    kind: AssetKind
    description: str
    owner: str
    custodian: str | None
    location: str
    classification: str
    confidentiality: int
    integrity: int
    availability: int
    criticality: int
    criticality_label: str
    status: LifecycleStatus
    tags: list[str]
    depends_on: list[str]
    next_review: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class AssetDetailOut(AssetOut):
    needed_by: list[str]


def _record(org: Organization, key: int) -> dict[str, Any]:
    """One asset, with the assets that need it, as the API answers it."""
    return selectors.asset_records(org=org, ids=[key], with_needed_by=True)[0]


class AssetIn(Schema):
    name: str
    kind: str
    owner: str
    description: str = ""
    custodian: str = ""
    location: str = ""
    classification: str | None = None
    confidentiality: int | None = None
    integrity: int | None = None
    availability: int | None = None
    status: str | None = None
    tags: list[str] = Field(default_factory=list)
    depends_on: list[str] = Field(default_factory=list)
    next_review: dt.date | None = None
    external_id: str = ""


class AssetPatch(Schema):
    """Only the values sent change; ``null`` clears an optional one (custodian, dates...)."""

    version: int | None = None
    name: str | None = None
    kind: str | None = None
    owner: str | None = None
    description: str | None = None
    custodian: str | None = None
    location: str | None = None
    classification: str | None = None
    confidentiality: int | None = None
    integrity: int | None = None
    availability: int | None = None
    status: str | None = None
    tags: list[str] | None = None
    depends_on: list[str] | None = None
    next_review: dt.date | None = None
    external_id: str | None = None


class AssetFilterIn(Schema):
    kind: str = ""
    owner: str = ""
    classification: str = ""
    criticality: str = ""
    status: str = ""
    tag: str = ""
    q: str = ""
    sort: str = "ref"


class ImportOut(Schema):
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    created_refs: list[str]
    updated_refs: list[str]


def _patch_input(payload: AssetPatch) -> AssetInput:
    sent: dict[str, Any] = payload.dict(exclude_unset=True)
    sent.pop("version", None)
    for name in CLEARABLE:
        if name in sent and sent[name] is None:
            sent[name] = ""
    return AssetInput(**{k: v for k, v in sent.items() if v is not None})


@router.get(
    "/orgs/{slug}/assets/export",
    response={200: None, **ERRORS},
    summary="Export the filtered assets as CSV or XLSX",
)
def asset_export(
    request: HttpRequest, slug: str, filters: Query[AssetFilterIn], format: str = "csv"
) -> HttpResponse:
    org = org_for(request, slug)
    content, name = exports.export_inventory(
        actor=actor(request), org=org, filters=AssetFilters(**filters.dict()), file_format=format
    )
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post(
    "/orgs/{slug}/assets/import",
    response={200: ImportOut, **ERRORS},
    summary="Import a CSV or XLSX file (all or nothing; dry_run checks only)",
)
def asset_import(
    request: HttpRequest,
    slug: str,
    file: File[UploadedFile | None] = None,
    dry_run: Form[bool] = False,
) -> ImportOut:
    org = org_for(request, slug)
    if file is None:
        raise ValidationError.field("file", "Send the CSV or XLSX file as multipart 'file'.")
    result = import_file(
        actor=actor(request),
        org=org,
        filename=file.name or "upload.csv",
        content=file.read(MAX_BYTES + 1),
        dry_run=dry_run,
    )
    return ImportOut(**result.summary(), created_refs=result.created, updated_refs=result.updated)  # type: ignore[arg-type]


@router.get(
    "/orgs/{slug}/assets",
    response={200: list[AssetOut], **ERRORS},
    summary="Assets, filtered and sorted as on the page",
)
@paginated_records(AssetOut)
def asset_list(request: HttpRequest, slug: str, filters: Query[AssetFilterIn]) -> Records:
    org, reader, chosen = org_for(request, slug), actor(request), AssetFilters(**filters.dict())
    return Records(
        lambda: selectors.asset_list(actor=reader, org=org, filters=chosen),
        lambda ids: selectors.asset_records(org=org, ids=ids),
        org,
    )


@router.post(
    "/orgs/{slug}/assets", response={201: AssetDetailOut, **ERRORS}, summary="Add an asset"
)
def asset_create(request: HttpRequest, slug: str, payload: AssetIn) -> tuple[int, dict[str, Any]]:
    org = org_for(request, slug)
    asset = services.asset_create(actor=actor(request), org=org, data=AssetInput(**payload.dict()))
    given = [*payload.tags, *payload.depends_on]
    return 201, selectors.created_record(asset, linked=any(name.strip() for name in given))


@router.get(
    "/orgs/{slug}/assets/{asset_ref}", response={200: AssetDetailOut, **ERRORS}, summary="One asset"
)
def asset_detail(request: HttpRequest, slug: str, asset_ref: str) -> dict[str, Any]:
    org = org_for(request, slug)
    return _record(org, selectors.asset_key(actor=actor(request), org=org, ref=asset_ref))


@router.patch(
    "/orgs/{slug}/assets/{asset_ref}",
    response={200: AssetDetailOut, **ERRORS},
    summary="Change an asset (send the version you read: a stale one answers 409)",
)
def asset_update(
    request: HttpRequest, slug: str, asset_ref: str, payload: AssetPatch
) -> dict[str, Any]:
    org = org_for(request, slug)
    asset = selectors.asset_get(actor=actor(request), org=org, ref=asset_ref)
    services.asset_update(
        actor=actor(request), asset=asset, data=_patch_input(payload), version=payload.version
    )
    return _record(org, asset.id)


@router.delete(
    "/orgs/{slug}/assets/{asset_ref}",
    response={204: None, **ERRORS},
    summary="Delete an asset and its dependency links",
)
def asset_delete(request: HttpRequest, slug: str, asset_ref: str) -> tuple[int, None]:
    org = org_for(request, slug)
    asset = selectors.asset_get(actor=actor(request), org=org, ref=asset_ref)
    services.asset_delete(actor=actor(request), asset=asset)
    return 204, None
