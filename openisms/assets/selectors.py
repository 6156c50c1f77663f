"""Reads of the asset inventory, scoped to what the actor may see, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openisms.assets import rules
from openisms.assets.choices import CiaDimension, Criticality
from openisms.assets.filters import AssetFilters, filter_assets, order_assets
from openisms.assets.models import (
    Asset,
    AssetDependency,
    AssetTag,
    CiaLevel,
    Classification,
    ImportJob,
    Tag,
)
from openisms.core import authz
from openisms.core.actors import Actor
from openisms.core.errors import NotFound
from openisms.core.lookups import Ids, among
from openisms.core.models import Membership, Organization, User
from openisms.core.prepared import Prepared, of_organization
from openisms.core.selectors import LinkKind, LinksOf, computed_per_change, grouped, listed


def _brief_assets() -> QuerySet[Asset]:
    return Asset.objects.only("id", "ref", "name", "kind", "criticality").order_by("number")


def asset_list(
    *,
    actor: Actor,
    org: Organization,
    filters: AssetFilters | None = None,
    with_dependencies: bool = False,
) -> QuerySet[Asset]:
    """The organisation's assets, filtered and sorted, with people, labels and tags.

    ``with_dependencies`` also fetches the refs each asset depends on (for the API and exports).
    """
    authz.require(actor, "assets.view", org)
    f = (filters or AssetFilters()).checked()
    assets = (
        Asset.objects.filter(organization=org)
        .select_related("owner", "custodian", "classification")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr=listed("tags"))
        )
    )
    if with_dependencies:
        assets = assets.prefetch_related(
            Prefetch("depends_on", queryset=_brief_assets(), to_attr=listed("depends_on"))
        )
    return order_assets(filter_assets(assets, f), f.sort)


def asset_links() -> tuple[Prefetch[Any], ...]:
    """What an asset's page and its API detail show of its links, one query each."""
    return (
        Prefetch("tags", queryset=Tag.objects.order_by("name")),
        Prefetch("depends_on", queryset=_brief_assets()),
        Prefetch("needed_by", queryset=_brief_assets()),
    )


def _by_ref(actor: Actor, org: Organization, ref: str) -> QuerySet[Asset]:
    """The asset ``ref`` of ``org`` (one or none), once the actor may read assets."""
    authz.require(actor, "assets.view", org)
    return Asset.objects.filter(organization=org, ref=rules.normalise_ref(ref) or ref)


def _present(found: Any, ref: str) -> Any:
    if found is None:
        raise NotFound(f"No asset {ref} in this organisation.")
    return found


def asset_get(*, actor: Actor, org: Organization, ref: str) -> Asset:
    """One asset by its reference, with its dependencies both ways; NotFound otherwise."""
    found = (
        _by_ref(actor, org, ref)
        .select_related("organization", "owner", "custodian", "classification")
        .prefetch_related(*asset_links())
    )
    asset: Asset = _present(found.first(), ref)
    return asset


def classification_list(*, org: Organization) -> list[Classification]:
    """The organisation's classification labels in their order."""
    return list(Classification.objects.filter(organization=org).order_by("position", "name"))


def cia_levels(*, org: Organization) -> dict[str, list[CiaLevel]]:
    """What levels 1 to 4 mean, per property (``c``, ``i``, ``a``)."""
    levels: dict[str, list[CiaLevel]] = {d: [] for d in CiaDimension.values}
    for level in CiaLevel.objects.filter(organization=org).order_by("dimension", "level"):
        levels[level.dimension].append(level)
    return levels


def member_choices(*, org: Organization) -> list[User]:
    """The organisation's members, for owner and custodian choices."""
    memberships = Membership.objects.filter(organization=org).select_related("user")
    return sorted((m.user for m in memberships), key=lambda u: u.display_name.lower())


def tag_names(*, org: Organization) -> list[str]:
    """The tags in use in the organisation, by name."""
    return list(
        Tag.objects.filter(organization=org).order_by("name").values_list("name", flat=True)
    )


@dataclass(frozen=True)
class AssetCounts:
    """Totals for the dashboard."""

    total: int
    high_or_critical: int
    review_due: int


def asset_counts(*, org: Organization, today: dt.date | None = None) -> AssetCounts:
    """Counts of assets as of the organisation's last change and today (read once per
    change)."""
    today = today or timezone.localdate()
    return computed_per_change(org, "asset-counts", lambda: _asset_counts(org, today), today)


def _asset_counts(org: Organization, today: dt.date) -> AssetCounts:
    """Counts of assets, in one aggregate query."""
    totals = Asset.objects.filter(organization=org).aggregate(
        total=Count("*"),
        high=Count("organization", filter=Q(criticality__gte=3)),
        due=Count(
            "organization", filter=Q(next_review__lte=today, status__in=("planned", "in_use"))
        ),
    )
    return AssetCounts(totals["total"], totals["high"], totals["due"])


def import_job_get(*, actor: User, org: Organization, job_id: uuid.UUID | str) -> ImportJob:
    """One of the actor's own import jobs in ``org``, or NotFound."""
    authz.require(actor, "assets.change", org)
    found = ImportJob.objects.filter(organization=org, user=actor, pk=job_id).first()
    if found is None:
        raise NotFound("No such import; upload the file again.")
    return found


#: The columns of ``asset_rows``, in export order (tags and dependencies are added after).
ROW_FIELDS = (
    "id",
    "ref",
    "external_id",
    "name",
    "kind",
    "description",
    "owner__email",
    "custodian__email",
    "location",
    "classification__name",
    "confidentiality",
    "integrity",
    "availability",
    "criticality",
    "status",
    "next_review",
)


@dataclass(frozen=True)
class AssetRows:
    """The filtered assets as plain values, for exports: no model objects, three queries."""

    rows: list[tuple[Any, ...]]
    tags: dict[int, list[str]]
    depends_on: dict[int, list[str]]


_TAGS = LinkKind(AssetTag, "asset", "tag__name", None, "tag__name")
_DEPENDS_ON = LinkKind(
    AssetDependency, "asset", "depends_on__ref", "depends_on__number", "depends_on__ref"
)
_NEEDED_BY = LinkKind(AssetDependency, "depends_on", "asset__ref", "asset__number", "asset__ref")
#: What an asset record lists, read in one query for any number of assets.
_LINKS = LinksOf(tags=_TAGS, depends_on=_DEPENDS_ON)
_LINKS_BOTH_WAYS = LinksOf(tags=_TAGS, depends_on=_DEPENDS_ON, needed_by=_NEEDED_BY)


def _tags_of(chosen: QuerySet[Asset, Any]) -> dict[int, list[str]]:
    """The tag names of the assets ``chosen`` (a query of ids of one organisation).

    Read by asset, not by organisation: the organisation's index would make SQLite, without
    statistics, walk every link of the organisation for a page of ten assets.
    """
    links = AssetTag.objects.filter(among("asset", chosen))
    return grouped(links, "asset_id", "tag__name", "tag__name")


def _edges_of(chosen: QuerySet[Asset, Any]) -> dict[int, list[str]]:
    """The refs each asset ``chosen`` depends on."""
    edges = AssetDependency.objects.filter(among("asset", chosen))
    return grouped(edges, "asset_id", "depends_on__ref", "depends_on__number")


def asset_rows(*, actor: Actor, org: Organization, filters: AssetFilters) -> AssetRows:
    """Every filtered asset (all pages) as values, with its tags and dependencies by id."""
    assets = asset_list(actor=actor, org=org, filters=filters).prefetch_related(None)
    rows = list(assets.values_list(*ROW_FIELDS))
    chosen = assets.values("id")
    return AssetRows(rows, _tags_of(chosen), _edges_of(chosen))


#: What ``asset_records`` reads of each asset, and the name it gives the value.
_RECORD_FIELDS = {
    "ref": "ref",
    "external_id": "external_id",
    "name": "name",
    "kind": "kind",
    "description": "description",
    "owner__email": "owner",
    "custodian__email": "custodian",
    "location": "location",
    "classification__name": "classification",
    "confidentiality": "confidentiality",
    "integrity": "integrity",
    "availability": "availability",
    "criticality": "criticality",
    "status": "status",
    "next_review": "next_review",
    "version": "version",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


_RECORDS = Prepared(
    lambda ids: (
        Asset.objects.filter(id__in_ids=ids)
        .order_by()
        .values("id", "organization_id", *_RECORD_FIELDS)
    ),
    for_json=True,
    ids=Ids,
)


def asset_records(
    *, org: Organization, ids: list[int], with_needed_by: bool = False
) -> list[dict[str, Any]]:
    """The assets ``ids`` (already allowed to the reader), in that order, as plain values.

    What the API answers: no model objects, two queries whatever the number of rows (a
    1,000-row page as model objects costs five times as much). For JSON only: on SQLite the
    dates and date-times come as their JSON text (``core.prepared``, ``for_json``).
    """
    by_id = {row["id"]: row for row in of_organization(org, _RECORDS.rows(ids=ids))}
    found_ids = list(by_id)  # of ``org`` alone
    links = (_LINKS_BOTH_WAYS if with_needed_by else _LINKS)(found_ids)
    tags, depends_on = links["tags"], links["depends_on"]
    needed_by = links["needed_by"] if with_needed_by else None
    records = []
    for pk in ids:
        row = by_id.get(pk)
        if row is None:
            continue
        record = {name: row[field] for field, name in _RECORD_FIELDS.items()}
        record["criticality_label"] = Criticality(row["criticality"]).label
        record["tags"] = tags.get(pk, [])
        record["depends_on"] = depends_on.get(pk, [])
        if needed_by is not None:
            record["needed_by"] = needed_by.get(pk, [])
        records.append(record)
    return records


def _attribute(obj: Any, path: str) -> Any:
    """The value at ``owner__email`` and the like, None past an empty relation."""
    for name in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def created_record(asset: Asset, *, linked: bool) -> dict[str, Any]:
    """An asset written in this request, as ``asset_records`` gives it, taken from the object
    in hand (its owner, custodian and classification set, as the services leave them): what
    a create answers, without reading the row back. Its tags and dependencies are read, in
    the order the list gives them, only when it was given some (``linked``); needed by none
    yet."""
    record = {name: _attribute(asset, path) for path, name in _RECORD_FIELDS.items()}
    record["criticality_label"] = Criticality(asset.criticality).label
    links = _LINKS([asset.pk]) if linked else {}
    record["tags"] = links.get("tags", {}).get(asset.pk, [])
    record["depends_on"] = links.get("depends_on", {}).get(asset.pk, [])
    record["needed_by"] = []
    return record


def asset_key(*, actor: Actor, org: Organization, ref: str) -> int:
    """The id of the asset ``ref`` if the actor may read it; NotFound otherwise."""
    key: int = _present(_by_ref(actor, org, ref).values_list("id", flat=True).first(), ref)
    return key
