"""The filters and sort orders of the asset inventory, shared by the page, the API and exports."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet

from openisms.assets.choices import AssetKind, LifecycleStatus
from openisms.assets.models import Asset
from openisms.core.errors import ValidationError

MAX_SEARCH_WORDS = 8

#: sort key -> ORDER BY columns; the reference breaks ties so pages never overlap.
SORTS: dict[str, tuple[str, ...]] = {
    "ref": ("number",),
    "name": ("name", "number"),
    "kind": ("kind", "number"),
    "owner": ("owner__full_name", "owner__email", "number"),
    "classification": ("classification__position", "number"),
    "criticality": ("criticality", "number"),
    "status": ("status", "number"),
    "next_review": ("next_review", "number"),
    "updated": ("updated_at", "number"),
}
CRITICALITY_CHOICES = (
    ("4", "Critical"),
    ("3", "High"),
    ("2", "Medium"),
    ("1", "Low"),
    ("3+", "High or critical"),
    ("2+", "Medium or more"),
)


@dataclass(frozen=True)
class AssetFilters:
    """Which assets to list and in which order; every filter optional, all must hold.

    ``owner`` is an e-mail, ``classification`` and ``tag`` are names (any case),
    ``criticality`` is ``3`` (exactly) or ``3+`` (at least), ``q`` matches every word against
    the ref, name and description. ``sort`` is a key of ``SORTS``, ``-`` first for descending.
    """

    kind: str = ""
    owner: str = ""
    classification: str = ""
    criticality: str = ""
    status: str = ""
    tag: str = ""
    q: str = ""
    sort: str = "ref"

    def checked(self) -> AssetFilters:
        """The filters with their values checked (ValidationError naming the filter)."""
        errors: dict[str, list[str]] = {}
        if self.kind and self.kind not in AssetKind.values:
            errors["kind"] = [f"Use one of: {', '.join(AssetKind.values)}."]
        if self.status and self.status not in LifecycleStatus.values:
            errors["status"] = [f"Use one of: {', '.join(LifecycleStatus.values)}."]
        if self.criticality and self.criticality not in dict(CRITICALITY_CHOICES):
            errors["criticality"] = ["Use 1 to 4 for exactly that level, or 2+ or 3+."]
        if self.sort.removeprefix("-") not in SORTS:
            errors["sort"] = [f"Use one of: {', '.join(SORTS)} (with - for descending)."]
        if errors:
            raise ValidationError(errors=errors)
        return replace(self, owner=self.owner.strip().lower(), q=self.q.strip())

    def describe(self) -> str:
        """``kind=software, tag=pii`` for the export's About sheet."""
        return ", ".join(f"{k}={v}" for k, v in vars(self).items() if v and k != "sort")

    @property
    def active(self) -> bool:
        """Whether any filter (not the sort) is set."""
        return any(v for k, v in vars(self).items() if k != "sort")


def _search(assets: QuerySet[Asset], q: str) -> QuerySet[Asset]:
    for word in q.split()[:MAX_SEARCH_WORDS]:
        assets = assets.filter(
            Q(ref__icontains=word) | Q(name__icontains=word) | Q(description__icontains=word)
        )
    return assets


def _criticality(assets: QuerySet[Asset], value: str) -> QuerySet[Asset]:
    if value.endswith("+"):
        return assets.filter(criticality__gte=int(value[:-1]))
    return assets.filter(criticality=int(value))


def filter_assets(assets: QuerySet[Asset], filters: AssetFilters) -> QuerySet[Asset]:
    """Apply ``filters`` (checked) to ``assets``; each filter uses an index on its column."""
    exact = {"kind": filters.kind, "status": filters.status, "owner__email": filters.owner}
    assets = assets.filter(**{key: value for key, value in exact.items() if value})
    if filters.classification:
        assets = assets.filter(classification__name__iexact=filters.classification)
    if filters.criticality:
        assets = _criticality(assets, filters.criticality)
    if filters.tag:
        # (asset, tag) is unique, so the join gives no duplicate rows.
        assets = assets.filter(tag_links__tag__name__iexact=filters.tag.strip())
    return _search(assets, filters.q) if filters.q else assets


def order_assets(assets: QuerySet[Asset], sort: str) -> QuerySet[Asset]:
    """Order by a key of ``SORTS``; ``-key`` reverses it (ties still by reference)."""
    descending = sort.startswith("-")
    columns = SORTS.get(sort.removeprefix("-"), SORTS["ref"])
    if descending:
        columns = tuple(f"-{c}" for c in columns)
    return assets.order_by(*columns)
