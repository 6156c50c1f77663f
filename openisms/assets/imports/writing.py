"""Writing a checked import plan: bulk inserts and updates, and the audit entries to record.

Called inside the transaction that checked the plan, so the file is written whole or not at
all. New references are handed out in one block.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from openisms.assets.choices import REF_PREFIX
from openisms.assets.imports.validation import (
    Node,
    Plan,
    RowPlan,
    after_snapshot,
    changes_of,
    chunk_size,
)
from openisms.assets.models import Asset, AssetDependency, AssetTag
from openisms.assets.services import tags_for
from openisms.core import audit, bulk, refs
from openisms.core.cleaning import ref_number
from openisms.core.models import Organization

Step = Callable[[str], None]
_CREATED_FIELDS = (
    "organization",
    "ref",
    "number",
    "external_id",
    "name",
    "kind",
    "description",
    "owner",
    "custodian",
    "location",
    "classification",
    "confidentiality",
    "integrity",
    "availability",
    "criticality",
    "status",
    "next_review",
    "version",
    "created_at",
    "updated_at",
)
_ALWAYS_UPDATED = ("criticality", "version", "updated_at")
_MODEL_FIELDS = frozenset(_CREATED_FIELDS)


def _assign_refs(org: Organization, rows: list[RowPlan]) -> None:
    explicit = [row.explicit_ref for row in rows if row.explicit_ref]
    if explicit:
        refs.seen(org, REF_PREFIX, max(explicit, key=ref_number))
    fresh = [row for row in rows if not row.explicit_ref]
    for row, ref in zip(fresh, refs.allocate(org, REF_PREFIX, len(fresh)), strict=True):
        row.explicit_ref = ref
    for row in rows:
        row.asset.ref, row.asset.number = row.explicit_ref, ref_number(row.explicit_ref)


def _create(org: Organization, rows: list[RowPlan], now: dt.datetime) -> None:
    """Insert the new assets, then read their ids back by reference (one query)."""
    _assign_refs(org, rows)
    for row in rows:
        row.asset.created_at = row.asset.updated_at = now
    bulk.insert_many(
        Asset, _CREATED_FIELDS, bulk.values_of(Asset, _CREATED_FIELDS, (r.asset for r in rows))
    )
    if rows:
        ids = dict(Asset.objects.filter(organization=org).values_list("ref", "id"))
        for row in rows:
            row.asset.pk = ids[row.asset.ref]
            row.asset._state.adding = False


def _update(
    rows: list[RowPlan], labels: dict[Node, str], now: dt.datetime
) -> dict[str, dict[str, list[Any]]]:
    """Save the updated rows' changed fields; return the changes by ref for the audit trail."""
    changed_fields, changes = set(_ALWAYS_UPDATED), {}
    for row in rows:
        if any(isinstance(node, str) for node in row.depends or ()):
            row.changes = changes_of(row, labels)  # name the new assets by their refs
        changes[row.asset.ref] = row.changes
        changed_fields.update(f for f in row.changes if f in _MODEL_FIELDS)
        row.asset.version += 1
        row.asset.updated_at = now
    names = sorted(changed_fields)
    values = bulk.values_of(Asset, names, (row.asset for row in rows))
    bulk.update_many(
        Asset, names, [[*v, row.asset.pk] for v, row in zip(values, rows, strict=True)]
    )
    return changes


def _delete_links(model: type[AssetTag] | type[AssetDependency], ids: list[int]) -> None:
    size = chunk_size()
    for start in range(0, len(ids), size):
        model.objects.filter(asset_id__in=ids[start : start + size]).delete()


def _changing(rows: list[RowPlan], name: str) -> list[RowPlan]:
    """New rows, and updated rows whose ``name`` (tags, depends_on) changes."""
    return [row for row in rows if row.action == "create" or name in row.changes]


def _write_tags(org: Organization, rows: list[RowPlan]) -> None:
    tagged = [row for row in _changing(rows, "tags") if row.tags is not None]
    tags = tags_for(org, {name for row in tagged for name in row.tags or ()})
    _delete_links(AssetTag, [row.asset.pk for row in tagged if row.action == "update"])
    links = [
        (org.pk, row.asset.pk, tags[name.lower()].pk) for row in tagged for name in row.tags or ()
    ]
    bulk.insert_many(AssetTag, ("organization", "asset", "tag"), links)


def _write_dependencies(org: Organization, rows: list[RowPlan]) -> None:
    linked = [row for row in _changing(rows, "depends_on") if row.depends is not None]
    ids: dict[Node, int] = {row.node: row.asset.pk for row in rows}
    _delete_links(AssetDependency, [row.asset.pk for row in linked if row.action == "update"])
    links = [
        (org.pk, row.asset.pk, ids[node] if isinstance(node, str) else node)
        for row in linked
        for node in row.depends or ()
    ]
    bulk.insert_many(AssetDependency, ("organization", "asset", "depends_on"), links)


@dataclass(frozen=True)
class Written:
    """What writing a plan did: the refs created, the changes by ref updated, the number
    unchanged, and an audit entry per asset written (as the services record one)."""

    created: list[str]
    updated: dict[str, dict[str, list[Any]]]
    unchanged: int
    events: list[audit.Entry]


def _events(
    created: list[RowPlan], updated: list[RowPlan], labels: dict[Node, str]
) -> list[audit.Entry]:
    """``asset.created`` with each new asset, then ``asset.updated`` with each change (each
    group in the order of the rows)."""
    entries: list[audit.Entry] = [
        ("asset.created", row.asset, after_snapshot(row, labels)) for row in created
    ]
    entries += [("asset.updated", row.asset, row.changes) for row in updated]
    return entries


def write_plan(org: Organization, plan: Plan, step: Step | None = None) -> Written:
    """Write the plan's creates and updates; return what the audit trail records."""
    say = step or (lambda _: None)
    created = [row for row in plan.rows if row.action == "create"]
    updated = [row for row in plan.rows if row.action == "update"]
    now = timezone.now()
    say("creating")
    _create(org, created, now)
    labels = {**plan.labels, **{row.node: row.asset.ref for row in created}}
    say("updating")
    changes = _update(updated, labels, now)
    say("linking")
    _write_tags(org, [*created, *updated])
    _write_dependencies(org, [*created, *updated])
    return Written(
        created=[row.asset.ref for row in created],
        updated=changes,
        unchanged=plan.count("unchanged"),
        events=_events(created, updated, labels),
    )
