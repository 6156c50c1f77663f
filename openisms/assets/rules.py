"""The rules an asset's values must meet, shared by every write: pages, API, CLI and import.

Values arrive as people and files give them (an owner's e-mail, a classification's label, a
list of refs); ``clean`` checks them against the organisation (``Lookups``, read once for any
number of rows) and turns them into model values, or says per field what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from openisms.assets.choices import (
    DEFAULT_LEVEL,
    LEVELS,
    REF_PREFIX,
    AssetKind,
    LifecycleStatus,
    criticality_of,
)
from openisms.assets.models import Asset, Classification
from openisms.core.cleaning import (
    FieldError,
    ListInput,
    choice,
    date,
    member,
    members_by_email,
    split_list,
    text,
    whole,
)
from openisms.core.models import Organization, User
from openisms.core.prepared import Prepared, columns, instance

MAX_TAGS = 30
MAX_TAG_LENGTH = 60
MAX_DEPENDENCIES = 100
_REF = re.compile(rf"^{REF_PREFIX}-(\d{{1,9}})$", re.IGNORECASE)


@dataclass(frozen=True)
class AssetInput:
    """An asset's values as given: e-mails for people, labels, refs for dependencies.

    ``None`` means "not given": a new asset takes the default (or misses a required value), an
    existing one keeps its value. An empty string or list clears an optional field.
    ``tags`` and ``depends_on`` take a list or one string separated by ``;`` or ``,``;
    ``depends_on`` names assets by ref (A-0007) or by external id.
    """

    name: str | None = None
    kind: str | None = None
    description: str | None = None
    owner: str | None = None
    custodian: str | None = None
    location: str | None = None
    classification: str | None = None
    confidentiality: int | str | None = None
    integrity: int | str | None = None
    availability: int | str | None = None
    status: str | None = None
    tags: ListInput | None = None
    depends_on: ListInput | None = None
    next_review: dt.date | str | None = None
    external_id: str | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        """The names of the values, in form order."""
        return [f.name for f in fields(cls)]


_LABELS = Prepared(
    lambda org: Classification.objects.filter(organization=org).values(*columns(Classification)),
    org=int,
)


@dataclass
class Lookups:
    """What checking values needs from the organisation, read in two queries for any rows."""

    organization: Organization
    members: dict[str, User]
    classifications: dict[str, Classification]

    @classmethod
    def load(cls, org: Organization, inputs: Iterable[AssetInput] | None = None) -> Lookups:
        """Read the members (by e-mail: those ``inputs`` name, or all) and the classification
        labels (by lower-case name)."""
        labels = [instance(Classification, row) for row in _LABELS.rows(org=org.pk)]
        return cls(
            organization=org,
            members=members_by_email(org, inputs),
            classifications={c.name.lower(): c for c in labels},
        )

    @property
    def default_classification(self) -> Classification | None:
        """The label new assets get, or the first one when none is marked."""
        ordered = sorted(self.classifications.values(), key=lambda c: (c.position, c.name))
        return next((c for c in ordered if c.is_default), ordered[0] if ordered else None)


def normalise_ref(text: str) -> str | None:
    """``a-7`` -> ``A-0007``; None when ``text`` is not an asset reference."""
    match = _REF.match(text.strip())
    return f"{REF_PREFIX}-{int(match.group(1)):04d}" if match else None


def _classification(value: Any, lookups: Lookups) -> Classification:
    found = lookups.classifications.get(str(value).strip().lower())
    if found is None:
        known = ", ".join(c.name for c in lookups.classifications.values())
        raise FieldError(
            f"{str(value).strip()!r} is not a classification here; use one of: {known}."
        )
    return found


def _tags(value: Any, lookups: Lookups) -> list[str]:
    unique: dict[str, str] = {}
    for tag in split_list(value):
        if len(tag) > MAX_TAG_LENGTH:
            raise FieldError(f"A tag has at most {MAX_TAG_LENGTH} characters: {tag[:20]!r}….")
        unique.setdefault(tag.lower(), tag)
    if len(unique) > MAX_TAGS:
        raise FieldError(f"Use at most {MAX_TAGS} tags.")
    return sorted(unique.values(), key=str.lower)


def _dependencies(value: Any, lookups: Lookups) -> list[str]:
    names = list(dict.fromkeys(normalise_ref(n) or n for n in split_list(value)))
    if len(names) > MAX_DEPENDENCIES:
        raise FieldError(f"Use at most {MAX_DEPENDENCIES} dependencies.")
    return names


_LEVEL = whole(min(LEVELS), max(LEVELS))
CLEANERS: dict[str, Callable[[Any, Lookups], Any]] = {
    "name": text(200, "the asset a name", required=True),
    "kind": choice(AssetKind, "kind of asset"),
    "description": text(10_000, "a description"),
    "owner": member(required=True),
    "custodian": member(required=False),
    "location": text(200, "a location"),
    "classification": _classification,
    "confidentiality": _LEVEL,
    "integrity": _LEVEL,
    "availability": _LEVEL,
    "status": choice(LifecycleStatus, "lifecycle status"),
    "tags": _tags,
    "depends_on": _dependencies,
    "next_review": date,
    "external_id": text(100, "an external id"),
}
REQUIRED = frozenset({"name", "kind", "owner"})
#: Fields with a default: empty means "the default" for a new asset, "unchanged" otherwise.
DEFAULTED = frozenset({"classification", "confidentiality", "integrity", "availability", "status"})


@dataclass
class Cleaned:
    """Checked values: model fields, and the tags and dependencies when they were given."""

    values: dict[str, Any]
    tags: list[str] | None
    depends_on: list[str] | None
    errors: dict[str, list[str]]


def clean(data: AssetInput, lookups: Lookups, *, creating: bool) -> Cleaned:
    """Check every given value; a new asset also gets the defaults and needs the required ones."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, cleaner in CLEANERS.items():
        raw = getattr(data, name)
        if raw is None or (name in DEFAULTED and not str(raw).strip()):
            if creating and name in REQUIRED:
                errors[name] = ["This value is required for a new asset."]
            continue
        try:
            values[name] = cleaner(raw, lookups)
        except FieldError as error:
            errors[name] = [error.message]
    if creating:
        _fill_defaults(values, lookups, errors)
    tags, depends_on = values.pop("tags", None), values.pop("depends_on", None)
    return Cleaned(values, tags, depends_on, errors)


def _fill_defaults(values: dict[str, Any], lookups: Lookups, errors: dict[str, list[str]]) -> None:
    for level in ("confidentiality", "integrity", "availability"):
        values.setdefault(level, DEFAULT_LEVEL)
    values.setdefault("status", LifecycleStatus.IN_USE)
    if "classification" not in values and "classification" not in errors:
        default = lookups.default_classification
        if default is None:
            errors["classification"] = ["This organisation has no classification labels yet."]
        else:
            values["classification"] = default


def apply(asset: Asset, values: Mapping[str, Any]) -> None:
    """Set the cleaned values on ``asset`` and derive its criticality."""
    for name, value in values.items():
        setattr(asset, name, value)
    asset.criticality = criticality_of(asset.confidentiality, asset.integrity, asset.availability)


def snapshot(asset: Asset, tags: Iterable[str], depends_on: Iterable[str]) -> dict[str, Any]:
    """The asset as the audit trail records it: people by e-mail, labels, refs."""
    return {
        "name": asset.name,
        "kind": asset.kind,
        "description": asset.description,
        "owner": asset.owner.email,
        "custodian": asset.custodian.email if asset.custodian else None,
        "location": asset.location,
        "classification": asset.classification.name,
        "confidentiality": asset.confidentiality,
        "integrity": asset.integrity,
        "availability": asset.availability,
        "criticality": asset.criticality,
        "status": asset.status,
        "tags": sorted(tags, key=str.lower),
        "depends_on": sorted(depends_on),
        "next_review": asset.next_review.isoformat() if asset.next_review else None,
        "external_id": asset.external_id,
    }
