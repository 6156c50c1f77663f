"""Writes of the catalogue: loading the data files is the only way it changes.

``catalog_load`` reads and checks every file first (``loader.read_catalogue``), then, in one
transaction, compares each file with the database and writes only the difference with bulk
statements. Loading the same version again therefore writes nothing and records nothing; a
newer version updates rows in place, so a requirement keeps its id (framework code + ref) and
every link to it survives.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as ReadMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import ProtectedError

from openisms.catalog.loader import (
    DATA_DIR,
    FrameworkFile,
    LoadError,
    MappingFile,
    RequirementRow,
    read_catalogue,
    version_key,
)
from openisms.catalog.models import (
    Framework,
    Mapping,
    MappingSet,
    Requirement,
    RequirementAttribute,
)
from openisms.core import audit
from openisms.core.actors import Actor, ServiceActor
from openisms.core.errors import PermissionDenied
from openisms.core.signals import catalog_loaded

FRAMEWORK = "framework"
MAPPING_SET = "mapping set"


@dataclass(frozen=True)
class LoadOutcome:
    """What loading one data file did."""

    file: str
    kind: str
    name: str
    version: str
    previous_version: str | None
    rows: int
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def status(self) -> str:
        """``created`` (new framework or set), ``updated`` or ``unchanged``."""
        if self.previous_version is None:
            return "created"
        changed = self.created or self.updated or self.deleted
        return "updated" if changed or self.version != self.previous_version else "unchanged"

    @property
    def changed(self) -> bool:
        return self.status != "unchanged"


def _assign(obj: models.Model, values: ReadMap[str, Any]) -> list[str]:
    """Set the fields of ``obj`` that differ from ``values``; return their names."""
    changed = []
    for name, value in values.items():
        if isinstance(value, models.Model):
            if getattr(obj, f"{name}_id") != value.pk:
                setattr(obj, name, value)
                changed.append(name)
        elif getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def _check_version(file: str, entry: str, previous: str, version: str, what: list[str]) -> None:
    """A change needs a newer version than the one loaded; never go back."""
    if version_key(version) > version_key(previous):
        return
    if version_key(version) < version_key(previous):
        problem = f"{version} is older than the loaded {previous}; refusing to go back"
    else:
        shown = ", ".join(what[:5]) + (f" and {len(what) - 5} more" if len(what) > 5 else "")
        problem = f"the content differs from the loaded {previous} ({shown}); bump the version"
    raise LoadError({file: [f"{file}: {entry}: {problem}"]})


# --- frameworks ------------------------------------------------------------------------------


@dataclass
class _RequirementPlan:
    """The difference between a framework file and the stored rows."""

    create: list[RequirementRow] = field(default_factory=list)
    update: list[tuple[Requirement, list[str]]] = field(default_factory=list)
    delete: list[Requirement] = field(default_factory=list)
    attributes_create: set[tuple[int, str, str]] = field(default_factory=set)
    attributes_delete: dict[int, int] = field(default_factory=dict)  # row id -> requirement id

    def touched(self) -> list[str]:
        """Refs of the rows the plan changes, for messages."""
        return (
            [r.ref for r in self.create]
            + [o.ref for o, _ in self.update]
            + [o.ref for o in self.delete]
        )

    def updated_ids(self) -> set[int]:
        attribute_ids = {pk for pk, _, _ in self.attributes_create}
        return {o.pk for o, _ in self.update} | attribute_ids | set(self.attributes_delete.values())

    def __bool__(self) -> bool:
        return bool(self.create or self.update or self.delete or self.updated_ids())


def _triples(pk: int, attributes: ReadMap[str, list[str]]) -> set[tuple[int, str, str]]:
    return {(pk, family, value) for family, values in attributes.items() for value in values}


def _plan_requirements(
    framework: Framework, framework_file: FrameworkFile, existing: dict[str, Requirement]
) -> _RequirementPlan:
    plan = _RequirementPlan()
    ref_by_pk = {obj.pk: ref for ref, obj in existing.items()}
    wanted: set[tuple[int, str, str]] = set()
    for row in framework_file.requirements:
        obj = existing.get(row.ref)
        if obj is None:
            plan.create.append(row)
            continue
        changed = _assign(obj, row.values())
        if ref_by_pk.get(obj.parent_id) != row.parent:  # type: ignore[arg-type]
            changed.append("parent")
        if changed:
            plan.update.append((obj, changed))
        wanted |= _triples(obj.pk, row.attributes)
    refs = {row.ref for row in framework_file.requirements}
    plan.delete = [obj for ref, obj in existing.items() if ref not in refs]
    stored = RequirementAttribute.objects.filter(requirement__framework=framework)
    have: dict[tuple[int, str, str], int] = {
        (req, family, value): pk
        for pk, req, family, value in stored.values_list("pk", "requirement", "family", "value")
    }
    plan.attributes_create = wanted - set(have)
    plan.attributes_delete = {pk: key[0] for key, pk in have.items() if key not in wanted}
    return plan


def _create_requirements(
    framework: Framework, rows: list[RequirementRow], pk_of: dict[str, int]
) -> None:
    """Insert new rows level by level, so that each row's parent already has an id."""
    for level in sorted({row.level for row in rows}):
        objs = [
            Requirement(
                framework=framework,
                ref=row.ref,
                parent_id=pk_of[row.parent] if row.parent else None,
                **row.values(),
            )
            for row in rows
            if row.level == level
        ]
        Requirement.objects.bulk_create(objs)
        pk_of.update({obj.ref: obj.pk for obj in objs})


def _delete_requirements(file: str, objs: list[Requirement]) -> None:
    ids = [obj.pk for obj in objs]
    Requirement.objects.filter(pk__in=ids).update(parent=None)
    try:
        Requirement.objects.filter(pk__in=ids).delete()
    except ProtectedError as exc:
        refs = sorted({obj.ref for obj in objs})
        used_by = sorted({type(o).__name__ for o in exc.protected_objects})
        raise LoadError(
            {
                file: [
                    f"{file}: requirements {', '.join(refs)}: removed from the file but still "
                    f"used by {', '.join(used_by)} rows; keep them or remove those links first"
                ]
            }
        ) from None


def _write_requirements(
    framework: Framework,
    framework_file: FrameworkFile,
    plan: _RequirementPlan,
    existing: dict[str, Requirement],
) -> None:
    pk_of = {ref: obj.pk for ref, obj in existing.items()}
    _create_requirements(framework, plan.create, pk_of)
    parents = {row.ref: row.parent for row in framework_file.requirements}
    for obj, _ in plan.update:
        parent = parents[obj.ref]
        obj.parent_id = pk_of[parent] if parent else None
    fields = sorted({name for _, names in plan.update for name in names})
    if fields:
        Requirement.objects.bulk_update([obj for obj, _ in plan.update], fields)
    created = {row.ref: row for row in plan.create}
    new_triples = set(plan.attributes_create)
    for ref, row in created.items():
        new_triples |= _triples(pk_of[ref], row.attributes)
    RequirementAttribute.objects.bulk_create(
        RequirementAttribute(requirement_id=pk, family=family, value=value)
        for pk, family, value in sorted(new_triples)
    )
    if plan.attributes_delete:
        RequirementAttribute.objects.filter(pk__in=list(plan.attributes_delete)).delete()
    if plan.delete:
        _delete_requirements(framework_file.file, plan.delete)


def _sync_framework(framework_file: FrameworkFile) -> LoadOutcome:
    """Bring one framework and its requirements in line with its data file."""
    head = dict(framework_file.head)
    framework = Framework.objects.filter(code=framework_file.code).first()
    previous = framework.version if framework else None
    if framework is None:
        framework, head_changes, existing = Framework.objects.create(**head), [], {}
    else:
        head_changes = _assign(framework, head)
        existing = {obj.ref: obj for obj in Requirement.objects.filter(framework=framework)}
    plan = _plan_requirements(framework, framework_file, existing)
    outcome = LoadOutcome(
        framework_file.file,
        FRAMEWORK,
        framework_file.code,
        framework_file.version,
        previous,
        rows=len(framework_file.requirements),
        created=len(plan.create),
        updated=len(plan.updated_ids()),
        deleted=len(plan.delete),
    )
    if previous is not None and (plan or head_changes):
        what = [f"framework.{name}" for name in head_changes if name != "version"]
        _check_version(
            framework_file.file,
            "framework.version",
            previous,
            framework_file.version,
            what + plan.touched(),
        )
    if head_changes:
        framework.save(update_fields=head_changes)
    if plan:
        _write_requirements(framework, framework_file, plan, existing)
    return outcome


# --- mapping sets ----------------------------------------------------------------------------


def _sync_mapping_set(
    mapping_file: MappingFile,
    frameworks: ReadMap[str, Framework],
    pk_of: ReadMap[tuple[str, str], int],
) -> LoadOutcome:
    """Bring one mapping set in line with its data file."""
    source, target = mapping_file.source_framework, mapping_file.target_framework
    head: dict[str, Any] = dict(mapping_file.head)
    head.update(source_framework=frameworks[source], target_framework=frameworks[target])
    mapping_set = MappingSet.objects.filter(name=mapping_file.name).first()
    previous = mapping_set.version if mapping_set else None
    existing: dict[tuple[int, int], Mapping] = {}
    if mapping_set is None:
        mapping_set, head_changes = MappingSet.objects.create(**head), []
    else:
        head_changes = _assign(mapping_set, head)
        existing = {(m.source_id, m.target_id): m for m in mapping_set.mappings.all()}
    wanted = {
        (pk_of[(source, row.source)], pk_of[(target, row.target)]): row.relationship
        for row in mapping_file.mappings
    }
    create = [pair for pair in wanted if pair not in existing]
    update: list[Mapping] = []
    delete: list[int] = []
    for pair, mapping in existing.items():
        if pair not in wanted:
            delete.append(mapping.pk)
        elif _assign(mapping, {"relationship": wanted[pair]}):
            update.append(mapping)
    outcome = LoadOutcome(
        mapping_file.file,
        MAPPING_SET,
        mapping_file.name,
        mapping_file.version,
        previous,
        rows=len(wanted),
        created=len(create),
        updated=len(update),
        deleted=len(delete),
    )
    if previous is not None and (create or update or delete or head_changes):
        what = [f"mapping_set.{name}" for name in head_changes if name != "version"]
        what.append(f"{len(create) + len(update) + len(delete)} mapping(s)")
        _check_version(
            mapping_file.file, "mapping_set.version", previous, mapping_file.version, what
        )
    if head_changes:
        mapping_set.save(update_fields=head_changes)
    Mapping.objects.bulk_create(
        Mapping(mapping_set=mapping_set, source_id=s, target_id=t, relationship=wanted[(s, t)])
        for s, t in create
    )
    if update:
        Mapping.objects.bulk_update(update, ["relationship"])
    if delete:
        Mapping.objects.filter(pk__in=delete).delete()
    return outcome


def _ids_of(codes: Iterable[str]) -> tuple[dict[str, Framework], dict[tuple[str, str], int]]:
    codes = set(codes)
    frameworks = {f.code: f for f in Framework.objects.filter(code__in=codes)}
    rows = Requirement.objects.filter(framework__code__in=codes)
    pk_of = {(code, ref): pk for code, ref, pk in rows.values_list("framework__code", "ref", "pk")}
    return frameworks, pk_of


# --- the service -----------------------------------------------------------------------------


def _record(actor: Actor, outcome: LoadOutcome) -> None:
    kind = "catalog.framework" if outcome.kind == FRAMEWORK else "catalog.mappingset"
    audit.record(
        actor=actor,
        verb="catalog.loaded",
        target=(kind, outcome.name),
        org=None,
        data={
            "file": outcome.file,
            "version": outcome.version,
            "previous_version": outcome.previous_version,
            "created": outcome.created,
            "updated": outcome.updated,
            "deleted": outcome.deleted,
        },
    )


@transaction.atomic
def catalog_load(*, actor: Actor, directory: Path | None = None) -> list[LoadOutcome]:
    """Load every data file of ``directory`` (default: the bundled ``data/``); idempotent.

    All or nothing: a file with a problem (see ``loader``) rejects the whole load with a
    ``LoadError`` naming the file, the entry and the problem. One audit event per framework
    or mapping set that changed, on the accounts chain (the catalogue has no organisation).
    """
    if not isinstance(actor, ServiceActor) and not actor.is_superuser:
        raise PermissionDenied("Only the console or a superuser may load the catalogue.")
    catalogue = read_catalogue(directory or DATA_DIR)
    outcomes = [_sync_framework(f) for f in catalogue.frameworks]
    codes = {c for m in catalogue.mapping_sets for c in (m.source_framework, m.target_framework)}
    if catalogue.mapping_sets:
        frameworks, pk_of = _ids_of(codes)
        outcomes += [_sync_mapping_set(m, frameworks, pk_of) for m in catalogue.mapping_sets]
    for outcome in outcomes:
        if outcome.changed:
            _record(actor, outcome)
    catalog_loaded.send(sender=Requirement, actor=actor)
    return outcomes
