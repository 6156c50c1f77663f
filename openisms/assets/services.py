"""Writes of the asset inventory: one asset at a time (pages, API, demo) and in bulk.

Imports have their own writer (``openisms.assets.imports``), built on the same rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.db.models.functions import Lower
from django.utils import timezone

from openisms.assets import graph, rules
from openisms.assets.choices import DEFAULT_CIA_LEVELS, DEFAULT_CLASSIFICATIONS, REF_PREFIX
from openisms.assets.models import Asset, AssetDependency, AssetTag, CiaLevel, Classification, Tag
from openisms.assets.rules import AssetInput, Lookups
from openisms.core import audit, authz, bulk, refs
from openisms.core.actors import Actor
from openisms.core.cleaning import ListInput, ref_number, split_list
from openisms.core.errors import Conflict, ValidationError, raise_if
from openisms.core.models import Organization


def resolve_assets(org: Organization, names: Sequence[str]) -> dict[str, Asset]:
    """Assets named by ref or external id, in one query; refs win over external ids."""
    if not names:
        return {}
    found = list(
        Asset.objects.filter(organization=org)
        .filter(Q(ref__in=names) | Q(external_id__in=names))
        .only("id", "ref", "external_id", "name")
    )
    by_name = {a.ref: a for a in found}
    for found_asset in found:
        if found_asset.external_id:
            by_name.setdefault(found_asset.external_id, found_asset)
    return {name: by_name[name] for name in names if name in by_name}


def _dependencies(
    org: Organization, names: list[str] | None, errors: dict[str, list[str]]
) -> list[Asset] | None:
    if names is None:
        return None
    found = resolve_assets(org, names)
    missing = [name for name in names if name not in found]
    if missing:
        errors["depends_on"] = [f"No asset {', '.join(missing)} in this organisation."]
    return list({a.pk: a for a in found.values()}.values())


def _check_external_id(
    asset: Asset | None, org: Organization, errors: dict[str, list[str]], value: str | None
) -> None:
    if not value:
        return
    taken = Asset.objects.filter(organization=org, external_id=value)
    if asset is not None:
        taken = taken.exclude(pk=asset.pk)
    other = taken.values_list("ref", flat=True).first()
    if other:
        errors["external_id"] = [f"{value!r} is already the external id of {other}."]


def tags_for(org: Organization, names: Iterable[str]) -> dict[str, Tag]:
    """The tags with these names (any case), created when missing; keyed by lower-case name."""
    wanted = {name.lower(): name for name in names}
    if not wanted:
        return {}
    existing = Tag.objects.filter(organization=org).annotate(lname=Lower("name"))
    found: dict[str, Tag] = {t.name.lower(): t for t in existing.filter(lname__in=list(wanted))}
    missing = [Tag(organization=org, name=name) for key, name in wanted.items() if key not in found]
    for tag in Tag.objects.bulk_create(missing):
        found[tag.name.lower()] = tag
    return found


def _set_tags(asset: Asset, tags: dict[str, Tag], *, replace: bool = True) -> None:
    if replace:
        AssetTag.objects.filter(asset=asset).delete()
    if tags:
        AssetTag.objects.bulk_create(
            AssetTag(organization=asset.organization, asset=asset, tag=tag) for tag in tags.values()
        )


def _set_dependencies(asset: Asset, targets: list[Asset], *, replace: bool = True) -> None:
    if replace:
        AssetDependency.objects.filter(asset=asset).delete()
    if targets:
        AssetDependency.objects.bulk_create(
            AssetDependency(organization=asset.organization, asset=asset, depends_on=target)
            for target in targets
        )


def _check_cycle(asset: Asset, targets: list[Asset]) -> None:
    """Refuse dependencies that would lead back to ``asset``, showing the cycle by refs."""
    edges = (
        AssetDependency.objects.filter(organization=asset.organization)
        .exclude(asset=asset)
        .values_list("asset_id", "depends_on_id")
    )
    adjacency: dict[int, set[int]] = defaultdict(set)
    for source, target in edges:
        adjacency[source].add(target)
    cycle = graph.cycle_with(adjacency, asset.pk, [t.pk for t in targets])
    if cycle is not None:
        names = dict(Asset.objects.filter(pk__in=cycle).values_list("id", "ref"))
        shown = graph.describe(cycle, lambda pk: names[pk])
        raise ValidationError.field(
            "depends_on",
            f"This would make a dependency cycle: {shown}. An asset cannot depend on itself.",
        )


def _current(asset: Asset) -> dict[str, Any]:
    tags = [link.tag.name for link in AssetTag.objects.filter(asset=asset).select_related("tag")]
    depends_on = AssetDependency.objects.filter(asset=asset).values_list(
        "depends_on__ref", flat=True
    )
    return rules.snapshot(asset, tags, depends_on)


@transaction.atomic
def asset_create(*, actor: Actor, org: Organization, data: AssetInput) -> Asset:
    """Add an asset with the next reference (A-0001...); the owner must be a member."""
    authz.require(actor, "assets.change", org)
    cleaned = rules.clean(data, Lookups.load(org, [data]), creating=True)
    errors = cleaned.errors
    targets = _dependencies(org, cleaned.depends_on, errors)
    _check_external_id(None, org, errors, cleaned.values.get("external_id"))
    raise_if(errors)
    ref = refs.next_ref(org, REF_PREFIX)
    asset = Asset(organization=org, ref=ref, number=ref_number(ref))
    rules.apply(asset, cleaned.values)
    bulk.insert_one(asset)
    tags = tags_for(org, cleaned.tags or [])
    _set_tags(asset, tags, replace=False)
    _set_dependencies(asset, targets or [], replace=False)
    after = rules.snapshot(asset, [t.name for t in tags.values()], [t.ref for t in targets or []])
    audit.record(actor=actor, verb="asset.created", target=asset, data=after)
    return asset


def _locked(asset: Asset) -> Asset:
    """The asset as stored, read under a row lock: two saves from one read cannot both pass."""
    return (
        Asset.objects.select_for_update(of=("self",))
        .select_related("organization", "owner", "custodian", "classification")
        .get(pk=asset.pk)
    )


def _checked(asset: Asset, data: AssetInput) -> tuple[rules.Cleaned, list[Asset] | None]:
    """The cleaned values and new dependencies of an update, or a ValidationError."""
    org = asset.organization
    cleaned = rules.clean(data, Lookups.load(org, [data]), creating=False)
    targets = _dependencies(org, cleaned.depends_on, cleaned.errors)
    _check_external_id(asset, org, cleaned.errors, cleaned.values.get("external_id"))
    raise_if(cleaned.errors)
    if targets is not None:
        _check_cycle(asset, targets)
    return cleaned, targets


@transaction.atomic
def asset_update(
    *, actor: Actor, asset: Asset, data: AssetInput, version: int | None = None
) -> Asset:
    """Change the given values; a stale ``version`` is a Conflict, a dependency cycle refused.

    Returns the asset as saved (a change that changes nothing writes nothing).
    """
    authz.require(actor, "assets.change", asset.organization)
    cleaned, targets = _checked(asset, data)
    asset = _locked(asset)
    before = _current(asset)
    refs.check_version(asset, version, f"Asset {asset.ref}")
    rules.apply(asset, cleaned.values)
    tags = tags_for(asset.organization, cleaned.tags) if cleaned.tags is not None else None
    tag_names = [t.name for t in tags.values()] if tags is not None else before["tags"]
    depends_on = [t.ref for t in targets] if targets is not None else before["depends_on"]
    changes = audit.changes(before, rules.snapshot(asset, tag_names, depends_on))
    if not changes:
        asset.version -= 1  # check_version counted a save that is not made
        return asset
    asset.updated_at = timezone.now()
    asset.save()
    if tags is not None:
        _set_tags(asset, tags)
    if targets is not None:
        _set_dependencies(asset, targets)
    audit.record(actor=actor, verb="asset.updated", target=asset, data=changes)
    return asset


@transaction.atomic
def asset_delete(*, actor: Actor, asset: Asset) -> None:
    """Remove an asset and its dependency links both ways; the audit event keeps its values.

    Refused (Conflict) while other records name it, risks say: retire it instead.
    """
    authz.require(actor, "assets.change", asset.organization)
    data = _current(asset)
    data["needed_by"] = sorted(
        AssetDependency.objects.filter(depends_on=asset).values_list("asset__ref", flat=True)
    )
    try:
        asset.delete()
    except ProtectedError as exc:
        raise Conflict(_held_by(asset, exc)) from None
    audit.record(
        actor=actor,
        verb="asset.deleted",
        target=("assets.asset", asset.ref, f"{asset.ref} {asset.name}"),
        org=asset.organization,
        data=data,
    )


def _held_by(asset: Asset, error: ProtectedError) -> str:
    holders = sorted({str(obj) for obj in list(error.protected_objects)[:50]})
    shown = ", ".join(holders[:10]) + (" and more" if len(holders) > 10 else "")
    return (
        f"{asset.ref} is still named by {shown}; remove it from those first, or set its "
        "lifecycle status to retired to keep the history."
    )


def _bulk_targets(org: Organization, refs_given: Sequence[str]) -> list[Asset]:
    given = [(ref, rules.normalise_ref(ref)) for ref in refs_given]
    wrong = [ref for ref, normal in given if normal is None]
    if wrong:
        shown = ", ".join(repr(ref) for ref in wrong[:10])
        raise ValidationError.field("refs", f"Not an asset reference (A-0001): {shown}.")
    wanted = list(dict.fromkeys(normal for _, normal in given if normal))
    if not wanted:
        raise ValidationError.field("refs", "Choose at least one asset.")
    assets = list(
        Asset.objects.select_for_update(of=("self",))
        .filter(organization=org, ref__in=wanted)
        .select_related("owner", "classification", "organization")
        .prefetch_related("tag_links__tag")
        .order_by("number")
    )
    missing = sorted(set(wanted) - {a.ref for a in assets})
    if missing:
        raise ValidationError.field("refs", f"No asset {', '.join(missing)} in this organisation.")
    return assets


def _bulk_values(
    org: Organization, owner: str | None, classification: str | None
) -> dict[str, Any]:
    given = AssetInput(owner=owner or None, classification=classification or None)
    cleaned = rules.clean(given, Lookups.load(org, [given]), creating=False)
    raise_if(cleaned.errors)
    return cleaned.values


def _brief(asset: Asset, tags: Iterable[str]) -> dict[str, Any]:
    return {
        "owner": asset.owner.email,
        "classification": asset.classification.name,
        "tags": sorted(tags, key=str.lower),
    }


@dataclass
class _TagChanges:
    """Tag links to drop and to add across a bulk change, written in two queries."""

    adding: dict[str, Tag]
    removing: set[str]
    drop: list[int] = field(default_factory=list)
    add: list[AssetTag] = field(default_factory=list)

    def plan(self, asset: Asset) -> list[str]:
        """Note the links ``asset`` gains and loses; return its tag names afterwards."""
        links = {link.tag.name.lower(): link for link in asset.tag_links.all()}
        self.drop += [link.pk for key, link in links.items() if key in self.removing]
        kept = {key: link.tag for key, link in links.items() if key not in self.removing}
        for key, tag in self.adding.items():
            if key not in kept:
                self.add.append(AssetTag(organization=asset.organization, asset=asset, tag=tag))
                kept[key] = tag
        return [tag.name for tag in kept.values()]

    def write(self) -> None:
        AssetTag.objects.filter(pk__in=self.drop).delete()
        AssetTag.objects.bulk_create(self.add)


@transaction.atomic
def asset_bulk_update(
    *,
    actor: Actor,
    org: Organization,
    refs: Sequence[str],
    owner: str | None = None,
    classification: str | None = None,
    add_tags: ListInput = (),
    remove_tags: ListInput = (),
) -> list[Asset]:
    """Give many assets one owner or classification, add or remove tags; one audit event each.

    Returns the assets that changed; the others are left as they were.
    """
    authz.require(actor, "assets.change", org)
    values = _bulk_values(org, owner, classification)
    adding, removing = split_list(add_tags), split_list(remove_tags)
    if not values and not adding and not removing:
        message = "Choose a new owner or classification, or tags to add or remove."
        raise ValidationError(message, {"__all__": [message]})
    assets = _bulk_targets(org, refs)
    tags = _TagChanges(tags_for(org, adding), {t.lower() for t in removing})
    changed = [a for a in assets if _bulk_apply(actor, a, values, tags)]
    tags.write()
    Asset.objects.bulk_update(changed, [*values, "version", "updated_at"])
    return changed


def _bulk_apply(actor: Actor, asset: Asset, values: dict[str, Any], tags: _TagChanges) -> bool:
    before = _brief(asset, [link.tag.name for link in asset.tag_links.all()])
    rules.apply(asset, values)
    changes = audit.changes(before, _brief(asset, tags.plan(asset)))
    if not changes:
        return False
    asset.version += 1
    asset.updated_at = timezone.now()
    audit.record(actor=actor, verb="asset.updated", target=asset, data=changes)
    return True


def asset_settings_init(*, org: Organization) -> None:
    """Give ``org`` the default classification labels and C, I, A definitions (idempotent).

    Called when an organisation is created; not audited, as nothing was chosen by anyone.
    """
    if not Classification.objects.filter(organization=org).exists():
        Classification.objects.bulk_create(
            Classification(organization=org, name=name, description=text, position=n, is_default=d)
            for n, (name, text, d) in enumerate(DEFAULT_CLASSIFICATIONS, start=1)
        )
    if not CiaLevel.objects.filter(organization=org).exists():
        CiaLevel.objects.bulk_create(
            CiaLevel(organization=org, dimension=dim, level=n, label=label, description=text)
            for dim, levels in DEFAULT_CIA_LEVELS.items()
            for n, (label, text) in enumerate(levels, start=1)
        )


@dataclass(frozen=True)
class ClassificationRow:
    """One line of the classification settings: an existing label (``pk``) or a new one."""

    pk: int | None
    name: str
    description: str = ""
    position: int = 0
    remove: bool = False
    is_default: bool = False


def _check_scheme(org: Organization, rows: list[ClassificationRow]) -> None:
    kept = [r for r in rows if not r.remove]
    names = [r.name.strip().lower() for r in kept]
    errors: dict[str, list[str]] = {}
    if not kept:
        errors["__all__"] = ["Keep at least one classification label."]
    elif sum(r.is_default for r in kept) != 1:
        errors["__all__"] = ["Mark exactly one label as the default for new assets."]
    if any(not n for n in names) or any(len(r.name.strip()) > 60 for r in kept):
        errors.setdefault("name", []).append("Every label needs a name of at most 60 characters.")
    if len(set(names)) != len(names):
        errors.setdefault("name", []).append("Two labels have the same name.")
    removed = [r.pk for r in rows if r.remove and r.pk]
    used = Asset.objects.filter(organization=org, classification_id__in=removed)
    in_use = sorted(set(used.values_list("classification__name", flat=True)))
    if in_use:
        errors["remove"] = [f"Still given to assets, so not removed: {', '.join(in_use)}."]
    raise_if(errors)


def _scheme(org: Organization) -> list[str]:
    labels = Classification.objects.filter(organization=org).order_by("position", "name")
    return [f"{c.name} (default)" if c.is_default else c.name for c in labels]


@transaction.atomic
def classification_scheme_save(
    *, actor: Actor, org: Organization, rows: Sequence[ClassificationRow]
) -> list[Classification]:
    """Rename, reorder, add and remove classification labels (A.5.12); labels in use stay."""
    authz.require(actor, "org.change", org)
    rows = [r for r in rows if r.pk or r.name.strip()]
    _check_scheme(org, rows)
    before = _scheme(org)
    existing = {c.pk: c for c in Classification.objects.filter(organization=org)}
    unknown = [r.pk for r in rows if r.pk and r.pk not in existing]
    if unknown:
        raise ValidationError.field("pk", "A label was removed meanwhile; reload the page.")
    Classification.objects.filter(pk__in=[r.pk for r in rows if r.remove]).delete()
    for row in (r for r in rows if not r.remove):
        label = existing.get(row.pk or 0) or Classification(organization=org)
        label.name, label.description = row.name.strip(), row.description.strip()[:300]
        label.position, label.is_default = row.position, row.is_default
        label.save()
    after = _scheme(org)
    if before != after:
        audit.record(
            actor=actor,
            verb="classification.updated",
            target=("assets.classification", "scheme", "Classification scheme"),
            org=org,
            data={"labels": [before, after]},
        )
    return list(Classification.objects.filter(organization=org))


@transaction.atomic
def cia_levels_update(
    *, actor: Actor, org: Organization, levels: dict[tuple[str, int], tuple[str, str]]
) -> None:
    """Say what each level of C, I and A means: ``{("c", 1): (label, description)}``."""
    authz.require(actor, "org.change", org)
    errors = {
        f"{dim}{n}": ["Give the level a label of at most 60 characters."]
        for (dim, n), (label, _) in levels.items()
        if not label.strip() or len(label.strip()) > 60
    }
    raise_if(errors)
    stored = {(c.dimension, c.level): c for c in CiaLevel.objects.filter(organization=org)}
    changes: dict[str, list[Any]] = {}
    for key, (label, text) in levels.items():
        row = stored.get(key) or CiaLevel(organization=org, dimension=key[0], level=key[1])
        new = (label.strip(), text.strip()[:300])
        if (row.label, row.description) != new:
            changes[f"{key[0]}{key[1]}"] = [[row.label, row.description], list(new)]
            row.label, row.description = new
            row.save()
    if changes:
        audit.record(
            actor=actor,
            verb="cia_level.updated",
            target=("assets.cialevel", "scheme", "C, I, A definitions"),
            org=org,
            data=changes,
        )
