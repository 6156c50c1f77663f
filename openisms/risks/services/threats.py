"""Writes of the threat library (shipped, loaded from its data file) and of own threats."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from openisms.core import audit, authz, refs
from openisms.core.actors import Actor, ServiceActor
from openisms.core.errors import PermissionDenied, raise_if
from openisms.core.models import Organization
from openisms.risks.choices import THREAT_PREFIX, ThreatSource
from openisms.risks.library import LibraryFile, ThreatRow, read_library, version_key
from openisms.risks.models import Threat, ThreatLibrary
from openisms.risks.rules import THREAT_CLEANERS, Lookups, ThreatInput, clean_values
from openisms.risks.services.common import lock_version

_ROW_FIELDS = ("name", "category", "also_category", "summary", "source", "position")


@dataclass(frozen=True)
class LibraryOutcome:
    """What loading the threat library did."""

    code: str
    version: str
    previous_version: str | None
    rows: int
    created: int = 0
    updated: int = 0
    retired: int = 0

    @property
    def status(self) -> str:
        """``created``, ``updated``, ``unchanged`` or ``skipped`` (an older file)."""
        if self.previous_version is None:
            return "created"
        if version_key(self.version) < version_key(self.previous_version):
            return "skipped"
        changed = self.created or self.updated or self.retired
        return "updated" if changed or self.version != self.previous_version else "unchanged"


def _row_values(row: ThreatRow) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(row, name) for name in _ROW_FIELDS}
    for word in ("confidentiality", "integrity", "availability"):
        values[f"affects_{word}"] = word in row.affects
    values["is_retired"] = False
    return values


def _sync_threats(library: ThreatLibrary, rows: list[ThreatRow]) -> tuple[int, int, int]:
    existing = {t.ref: t for t in Threat.objects.filter(organization__isnull=True)}
    created, changed = [], []
    now = timezone.now()
    for row in rows:
        values, threat = _row_values(row), existing.get(row.ref)
        if threat is None:
            created.append(Threat(ref=row.ref, library=library, **values))
        elif any(getattr(threat, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(threat, key, value)
            threat.updated_at, threat.library = now, library
            changed.append(threat)
    Threat.objects.bulk_create(created)
    fields = [*_row_values(rows[0]), "updated_at", "library"]
    Threat.objects.bulk_update(changed, fields)
    gone = set(existing) - {row.ref for row in rows}
    retired = Threat.objects.filter(organization__isnull=True, ref__in=gone, is_retired=False)
    return len(created), len(changed), retired.update(is_retired=True, updated_at=now)


def _apply(file: LibraryFile) -> LibraryOutcome:
    library = ThreatLibrary.objects.select_for_update().filter(code=file.code).first()
    previous = library.version if library else None
    if previous is not None and version_key(file.version) <= version_key(previous):
        return LibraryOutcome(file.code, file.version, previous, len(file.threats))
    library = library or ThreatLibrary(code=file.code)
    library.name, library.version, library.sources = file.name, file.version, file.sources
    library.loaded_at = timezone.now()
    library.save()
    created, updated, retired = _sync_threats(library, file.threats)
    return LibraryOutcome(
        file.code, file.version, previous, len(file.threats), created, updated, retired
    )


@transaction.atomic
def threat_library_load(*, actor: Actor, path: Path | None = None) -> LibraryOutcome:
    """Load the shipped threat library (or the file at ``path``); idempotent, version-checked.

    The same or an older version writes nothing and records nothing; a newer one updates the
    threats in place by reference and retires those it no longer lists (risks keep them).
    One audit event on the accounts chain when something changed.
    """
    if not isinstance(actor, ServiceActor) and not actor.is_superuser:
        raise PermissionDenied("Only the console or a superuser may load the threat library.")
    outcome = _apply(read_library(path))
    if outcome.status in {"created", "updated"}:
        audit.record(
            actor=actor,
            verb="threat_library.loaded",
            target=("risks.threatlibrary", outcome.code),
            data={
                "version": outcome.version,
                "previous": outcome.previous_version,
                "created": outcome.created,
                "updated": outcome.updated,
                "retired": outcome.retired,
            },
        )
    return outcome


def _snapshot(threat: Threat) -> dict[str, Any]:
    return {
        "name": threat.name,
        "category": threat.category,
        "summary": threat.summary,
        "affects": threat.affects,
    }


@transaction.atomic
def threat_create(*, actor: Actor, org: Organization, data: ThreatInput) -> Threat:
    """Add one of the organisation's own threats (T-0001...)."""
    authz.require(actor, "risks.change", org)
    cleaned = clean_values(data, THREAT_CLEANERS, Lookups(org, {}), ("name", "category"))
    raise_if(cleaned.errors)
    ref = refs.next_ref(org, THREAT_PREFIX)
    number = Threat.objects.filter(organization=org).count() + 1
    threat = Threat(organization=org, ref=ref, source=ThreatSource.OWN, position=10_000 + number)
    for name, value in cleaned.values.items():
        setattr(threat, name, value)
    threat.save()
    audit.record(actor=actor, verb="threat.created", target=threat, data=_snapshot(threat))
    return threat


@transaction.atomic
def threat_update(
    *, actor: Actor, threat: Threat, data: ThreatInput, version: int | None = None
) -> Threat:
    """Change one of the organisation's own threats; the shipped library cannot be edited."""
    if threat.organization is None:
        raise PermissionDenied(
            f"{threat.ref} belongs to the shipped threat library; add your own threat instead."
        )
    authz.require(actor, "risks.change", threat.organization)
    cleaned = clean_values(data, THREAT_CLEANERS, Lookups(threat.organization, {}))
    raise_if(cleaned.errors)
    lock_version(threat)
    before = _snapshot(threat)
    refs.check_version(threat, version, f"Threat {threat.ref}")
    for name, value in cleaned.values.items():
        setattr(threat, name, value)
    changes = audit.changes(before, _snapshot(threat))
    if not changes:
        threat.version -= 1
        return threat
    threat.updated_at = timezone.now()
    threat.save()
    audit.record(actor=actor, verb="threat.updated", target=threat, data=changes)
    return threat
