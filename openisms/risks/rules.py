"""The rules a risk's values must meet, shared by every write: pages, API, CLI and import.

Values arrive as people and files give them (an owner's e-mail, lists of asset, threat,
vulnerability and control references); ``clean_risk`` checks them against the organisation
(``Lookups``, read once for any number of rows) and turns them into model values and linked
rows, or says per field what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import F, IntegerField, Model, Q, QuerySet, Value

from openisms.assets.models import Asset
from openisms.catalog.choices import ANNEX_A_FRAMEWORK, RequirementKind
from openisms.catalog.models import Requirement
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
    word,
)
from openisms.core.lookups import Texts
from openisms.core.models import Organization, User
from openisms.core.prepared import Prepared, instance
from openisms.risks.choices import (
    MANUAL_STATUSES,
    ActionStatus,
    Severity,
    ThreatCategory,
    TreatmentOption,
    VulnerabilityStatus,
)
from openisms.risks.models import Threat, Vulnerability

_PREFIXED = re.compile(r"^([A-Za-z]{1,3})-(\d{1,9})$")
MAX_LINKS = 200


def normalise_ref(text: str, prefix: str) -> str:
    """``r-7`` -> ``R-0007`` for ``prefix`` R; anything else is returned stripped."""
    match = _PREFIXED.match(text.strip())
    if match and match.group(1).upper() == prefix:
        return f"{prefix}-{int(match.group(2)):04d}"
    return text.strip()


def control_ref(text: str) -> str:
    """``5.15`` or ``a.5.15`` -> ``A.5.15`` (Annex A references carry the ``A.`` prefix)."""
    text = text.strip()
    if text[:2].lower() == "a.":
        return "A." + text[2:]
    return f"A.{text}" if text[:1].isdigit() else text


@dataclass(frozen=True)
class RiskInput:
    """A risk's values as given: e-mails for people, references for linked rows.

    ``None`` means "not given": a new risk misses a required value, an existing one keeps
    its value. An empty string or list clears an optional value. Lists take a list or one
    string separated by ``;`` or ``,``; controls are Annex A references (``A.5.15``).
    """

    title: str | None = None
    description: str | None = None
    owner: str | None = None
    assets: ListInput | None = None
    threats: ListInput | None = None
    vulnerabilities: ListInput | None = None
    affects_confidentiality: bool | None = None
    affects_integrity: bool | None = None
    affects_availability: bool | None = None
    existing_controls: str | None = None
    treatment: str | None = None
    controls: ListInput | None = None
    status: str | None = None
    next_review: dt.date | str | None = None

    @classmethod
    def field_names(cls) -> list[str]:
        """The names of the values, in form order."""
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class AssessmentInput:
    """A (re)assessment: inherent likelihood and impact, optionally the target residual ones."""

    inherent_likelihood: int | str | None = None
    inherent_impact: int | str | None = None
    residual_likelihood: int | str | None = None
    residual_impact: int | str | None = None
    next_review: dt.date | str | None = None
    note: str = ""


@dataclass(frozen=True)
class VulnerabilityInput:
    """A vulnerability's values as given (``None``: not given)."""

    title: str | None = None
    description: str | None = None
    assets: ListInput | None = None
    severity: str | None = None
    status: str | None = None
    found_on: dt.date | str | None = None
    fixed_on: dt.date | str | None = None


@dataclass(frozen=True)
class ThreatInput:
    """An organisation's own threat as given (``None``: not given)."""

    name: str | None = None
    category: str | None = None
    summary: str | None = None
    affects_confidentiality: bool | None = None
    affects_integrity: bool | None = None
    affects_availability: bool | None = None


@dataclass(frozen=True)
class ActionInput:
    """A treatment action as given (``None``: not given)."""

    title: str | None = None
    owner: str | None = None
    due_date: dt.date | str | None = None
    status: str | None = None
    progress: int | str | None = None
    notes: str | None = None


@dataclass
class Lookups:
    """The organisation's rows that a batch of inputs names, read in one query per kind."""

    organization: Organization
    members: dict[str, User]
    assets: dict[str, Asset] = field(default_factory=dict)
    threats: dict[str, Threat] = field(default_factory=dict)
    vulnerabilities: dict[str, Vulnerability] = field(default_factory=dict)
    controls: dict[str, Requirement] = field(default_factory=dict)

    @classmethod
    def load(
        cls,
        org: Organization,
        risks: Iterable[RiskInput] = (),
        vulnerabilities: Iterable[VulnerabilityInput] = (),
        people: Iterable[Any] | None = None,
    ) -> Lookups:
        """Read the members (those ``people`` name, or all) and every asset, threat,
        vulnerability and control named."""
        risk_list, vuln_list = list(risks), list(vulnerabilities)
        found = cls(org, members_by_email(org, people))
        asset_refs = _names(risk_list, "assets", "A") | _names(vuln_list, "assets", "A")
        named = _named(
            org,
            assets=asset_refs,
            threats=_names(risk_list, "threats", ""),
            vulnerabilities=_names(risk_list, "vulnerabilities", "V"),
            controls={control_ref(n) for r in risk_list for n in _raw(r, "controls")},
        )
        found.assets, found.threats = named["assets"], named["threats"]
        found.vulnerabilities, found.controls = named["vulnerabilities"], named["controls"]
        return found


def _raw(item: Any, name: str) -> list[str]:
    value = getattr(item, name, None)
    return split_list(value) if value is not None else []


def _names(items: list[Any], name: str, prefix: str) -> set[str]:
    return {normalise_ref(n, prefix) if prefix else n for i in items for n in _raw(i, name)}


#: Each kind a batch names by reference: its model, the field of its label, whose it is
#: (None: the catalogue's, no organisation's), and the field a risk's links of that kind are
#: listed by (``selectors.link_refs``; read too, so that a create answers without reading its
#: links back).
_KINDS: dict[str, tuple[type[Model], str, str | None, str]] = {
    "assets": (Asset, "name", "organization_id", "number"),
    "threats": (Threat, "name", "organization_id", "position"),
    "vulnerabilities": (Vulnerability, "title", "organization_id", "number"),
    "controls": (Requirement, "title", None, "order"),
}


def _named_rows(
    org: int, assets: Texts, threats: Texts, vulnerabilities: Texts, controls: Texts
) -> QuerySet[Any, Any]:
    """The rows named by reference, each kind alike (its kind, id, ref, label, owner, order), in
    one ``UNION ALL``; no ``ORDER BY`` (by number, SQLite would walk the organisation's assets
    to sort them)."""
    parts = {
        "assets": Asset.objects.filter(organization=org, ref__in_texts=assets),
        "threats": Threat.objects.filter(Q(organization=org) | Q(organization__isnull=True)).filter(
            ref__in_texts=threats
        ),
        "vulnerabilities": Vulnerability.objects.filter(
            organization=org, ref__in_texts=vulnerabilities
        ),
        "controls": Requirement.objects.filter(
            framework__code=ANNEX_A_FRAMEWORK, kind=RequirementKind.CONTROL, ref__in_texts=controls
        ),
    }
    first, *rest = (_alike(kind, rows) for kind, rows in parts.items())
    return first.union(*rest, all=True)


def _alike(kind: str, rows: QuerySet[Any]) -> QuerySet[Any, Any]:
    _, label, owner, order = _KINDS[kind]
    return rows.order_by().values(
        named_kind=Value(kind),
        named_id=F("id"),
        named_ref=F("ref"),
        named_label=F(label),
        named_owner=F(owner) if owner else Value(None, output_field=IntegerField()),
        named_order=F(order),
    )


#: What a batch of inputs names by reference, in one prepared query (``core.prepared``).
_NAMED = Prepared(
    _named_rows, org=int, assets=Texts, threats=Texts, vulnerabilities=Texts, controls=Texts
)


def _named(org: Organization, **refs: set[str]) -> dict[str, dict[str, Any]]:
    """``{kind: {ref: object}}``, the objects with their id, ref, label and the field their
    links are listed by alone (``.only``). A threat of the organisation's own wins over the
    library's of the same reference."""
    found: dict[str, dict[str, Any]] = {kind: {} for kind in _KINDS}
    if not any(refs.values()):
        return found
    rows = _NAMED.rows(org=org.pk, **{kind: sorted(names) for kind, names in refs.items()})
    for row in sorted(rows, key=lambda row: row["named_owner"] is not None):
        kind, ref = row["named_kind"], row["named_ref"]
        model, label, _, order = _KINDS[kind]
        values = {"id": row["named_id"], "ref": ref, label: row["named_label"]}
        values[order] = row["named_order"]
        found[kind][ref] = instance(model, values, only=list(values))
    return found


# --- cleaners: each takes the raw value and the lookups, returns the model value ------------


def flag(value: Any, lookups: Lookups) -> bool:
    """True or false, also from the words a spreadsheet holds (yes/no, x, 1/0)."""
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in {"1", "true", "yes", "y", "x"}:
        return True
    if word in {"", "0", "false", "no", "n"}:
        return False
    raise FieldError(f"Use yes or no, not {value!r}.")


def linked(kind: str, prefix: str, table: str) -> Callable[[Any, Lookups], list[Any]]:
    """Rows named by reference, all of which must exist in the organisation."""

    def clean(value: Any, lookups: Lookups) -> list[Any]:
        known: dict[str, Any] = getattr(lookups, table)
        names = [_normalise(n, prefix, table) for n in split_list(value)]
        if len(names) > MAX_LINKS:
            raise FieldError(f"Link at most {MAX_LINKS} {kind}.")
        missing = [n for n in names if n not in known]
        if missing:
            where = "in Annex A" if table == "controls" else "in this organisation"
            raise FieldError(f"No {kind[:-1]} {', '.join(missing)} {where}.")
        return [known[n] for n in names]

    return clean


def _normalise(name: str, prefix: str, table: str) -> str:
    if table == "controls":
        return control_ref(name)
    return normalise_ref(name, prefix) if prefix else name


_MANUAL = {word(str(k)): s.value for s in MANUAL_STATUSES for k in (s.value, s.label)}


def _status(value: Any, lookups: Lookups) -> str:
    given = word(str(value))
    if given in {"accepted", "closed"}:
        raise FieldError("Accept or close a risk with its own step (it records who and why).")
    if given not in _MANUAL:
        raise FieldError(
            f"{str(value).strip()!r} is not a status; use one of: "
            f"{', '.join(s.value for s in MANUAL_STATUSES)}."
        )
    return str(_MANUAL[given])


def _treatment(value: Any, lookups: Lookups) -> str:
    if not str(value).strip():
        return ""
    return choice(TreatmentOption, "treatment option")(value, lookups)


RISK_CLEANERS: dict[str, Callable[[Any, Lookups], Any]] = {
    "title": text(200, "the risk a title", required=True),
    "description": text(10_000, "a description"),
    "owner": member(required=True),
    "assets": linked("assets", "A", "assets"),
    "threats": linked("threats", "", "threats"),
    "vulnerabilities": linked("vulnerabilities", "V", "vulnerabilities"),
    "affects_confidentiality": flag,
    "affects_integrity": flag,
    "affects_availability": flag,
    "existing_controls": text(10_000, "the existing controls"),
    "treatment": _treatment,
    "controls": linked("controls", "", "controls"),
    "status": _status,
    "next_review": date,
}
RISK_REQUIRED = frozenset({"title", "owner"})
#: The values that are links to other rows rather than columns of the risk.
LINKS = ("assets", "threats", "vulnerabilities", "controls")


@dataclass
class Cleaned:
    """Checked values: model fields, the linked rows given, and the problems by field."""

    values: dict[str, Any]
    links: dict[str, list[Any]]
    errors: dict[str, list[str]]


def clean_values(
    data: Any,
    cleaners: dict[str, Callable[[Any, Lookups], Any]],
    lookups: Lookups,
    required: Iterable[str] = (),
) -> Cleaned:
    """Check every given value of ``data``; ``required`` ones must be given."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, cleaner in cleaners.items():
        raw = getattr(data, name)
        if raw is None:
            if name in required:
                errors[name] = ["This value is required."]
            continue
        try:
            values[name] = cleaner(raw, lookups)
        except FieldError as error:
            errors[name] = [error.message]
    links = {name: values.pop(name) for name in LINKS if name in values}
    return Cleaned(values, links, errors)


def clean_risk(data: RiskInput, lookups: Lookups, *, creating: bool) -> Cleaned:
    """Check a risk's values; a new one needs a title and an owner."""
    return clean_values(data, RISK_CLEANERS, lookups, RISK_REQUIRED if creating else ())


VULNERABILITY_CLEANERS: dict[str, Callable[[Any, Lookups], Any]] = {
    "title": text(200, "the vulnerability a title", required=True),
    "description": text(10_000, "a description"),
    "assets": linked("assets", "A", "assets"),
    "severity": choice(Severity, "severity"),
    "status": choice(VulnerabilityStatus, "status"),
    "found_on": date,
    "fixed_on": date,
}

THREAT_CLEANERS: dict[str, Callable[[Any, Lookups], Any]] = {
    "name": text(200, "the threat a name", required=True),
    "category": choice(ThreatCategory, "threat category"),
    "summary": text(500, "a summary"),
    "affects_confidentiality": flag,
    "affects_integrity": flag,
    "affects_availability": flag,
}

ACTION_CLEANERS: dict[str, Callable[[Any, Lookups], Any]] = {
    "title": text(200, "the action a title", required=True),
    "owner": member(required=False),
    "due_date": date,
    "status": choice(ActionStatus, "action status"),
    "progress": whole(0, 100),
    "notes": text(10_000, "notes"),
}
