"""Reads the catalogue's YAML data files and checks each one whole, without writing.

``read_catalogue`` parses every ``*.yaml`` file of a directory (format: ``data/README.md``)
and collects every problem it finds, each naming the file, the entry and the problem. Only a
catalogue without problems is returned; ``openisms.catalog.services.catalog_load`` then
writes what changed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from openisms.catalog.choices import (
    ATTRIBUTE_VALUES,
    KIND_PLURALS,
    AttributeFamily,
    Category,
    Relationship,
    RequirementKind,
    Theme,
)
from openisms.catalog.models import Requirement
from openisms.core.errors import ValidationError

DATA_DIR = Path(__file__).resolve().parent / "data"

_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]*$")
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TITLE_MAX = 200
SUMMARY_MAX = 250

_REQUIREMENT_KEYS = frozenset(
    {
        "ref",
        "kind",
        "parent",
        "title",
        "summary",
        "documented_information",
        "amended_by",
        "theme",
        "new_in_2022",
        "attributes",
        "category",
    }
)
_MAPPING_KEYS = frozenset({"source", "target", "relationship"})
_FRAMEWORK_HEAD = ("code", "name", "version", "publisher", "description")
_MAPPING_HEAD = ("name", "version", "source_framework", "target_framework", "description")
#: Keys that, once one row of a file has them, every row of that kind must have.
_ALL_OR_NONE: tuple[tuple[str, str | None], ...] = (
    ("theme", RequirementKind.CONTROL),
    ("new_in_2022", RequirementKind.CONTROL),
    ("attributes", RequirementKind.CONTROL),
    ("category", None),
)


class LoadError(ValidationError):
    """One or more data files are wrong; each message names the file, the entry and the problem."""

    def __init__(self, problems: Mapping[str, list[str]]) -> None:
        lines = [line for messages in problems.values() for line in messages]
        super().__init__("\n".join(lines), errors=problems)


@dataclass(frozen=True)
class RequirementRow:
    """One requirement as its data file describes it."""

    ref: str
    kind: str
    parent: str | None
    level: int
    order: int
    title: str
    summary: str
    theme: str = ""
    category: str = ""
    is_new: bool = False
    documented_information: bool = False
    amended_by: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """The stored fields of the row, except ``parent`` (which needs the parent's id)."""
        return {
            "kind": self.kind,
            "level": self.level,
            "order": self.order,
            "title": self.title,
            "summary": self.summary,
            "theme": self.theme,
            "category": self.category,
            "is_new": self.is_new,
            "documented_information": self.documented_information,
            "amended_by": self.amended_by,
            "attributes": self.attributes,
        }


@dataclass(frozen=True)
class FrameworkFile:
    """A framework data file, checked."""

    file: str
    head: dict[str, Any]
    requirements: list[RequirementRow]

    @property
    def code(self) -> str:
        return str(self.head["code"])

    @property
    def version(self) -> str:
        return str(self.head["version"])


@dataclass(frozen=True)
class MappingRow:
    """One mapping as its data file describes it: source is ``relationship`` of target."""

    source: str
    target: str
    relationship: str


@dataclass(frozen=True)
class MappingFile:
    """A mapping-set data file, checked."""

    file: str
    head: dict[str, Any]
    mappings: list[MappingRow]

    @property
    def name(self) -> str:
        return str(self.head["name"])

    @property
    def version(self) -> str:
        return str(self.head["version"])

    @property
    def source_framework(self) -> str:
        return str(self.head["source_framework"])

    @property
    def target_framework(self) -> str:
        return str(self.head["target_framework"])


@dataclass(frozen=True)
class Catalogue:
    """Every data file of a directory, checked; frameworks first, then mapping sets."""

    frameworks: list[FrameworkFile]
    mapping_sets: list[MappingFile]


class _Problems:
    """The problems found in one file, as ``<file>: <entry>: <problem>`` lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[str] = []

    def add(self, entry: str, problem: str) -> None:
        self.lines.append(f"{self.file}: {entry}: {problem}")


def version_key(version: str) -> tuple[int, ...]:
    """``"2022.10"`` -> ``(2022, 10)``, so that versions compare as numbers."""
    return tuple(int(part) for part in version.split("."))


# --- small typed readers -------------------------------------------------------------------


def _text(
    problems: _Problems, entry: str, data: Mapping[str, Any], key: str, max_length: int = 0
) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        shown = "missing" if value is None else f"must be a quoted string, got {value!r}"
        problems.add(entry, f"{key} {shown}")
        return ""
    value = value.strip()
    if not value:
        problems.add(entry, f"{key} is empty")
    elif max_length and len(value) > max_length:
        problems.add(entry, f"{key} is {len(value)} characters long; the limit is {max_length}")
    return value


def _flag(problems: _Problems, entry: str, data: Mapping[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        problems.add(entry, f"{key} must be true or false, got {value!r}")
        return False
    return value


def _strings(problems: _Problems, entry: str, value: Any, label: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.add(entry, f"{label} must be a non-empty list of strings")
        return []
    return [v.strip() for v in value]


def _choice(
    problems: _Problems, entry: str, data: Mapping[str, Any], key: str, allowed: Iterable[str]
) -> str:
    value = data.get(key)
    if value is None:
        return ""
    options = list(allowed)
    if value not in options:
        problems.add(entry, f"unknown {key} {value!r}; use one of {', '.join(options)}")
        return ""
    return str(value)


def _unknown_keys(
    problems: _Problems, entry: str, data: Mapping[str, Any], allowed: frozenset[str]
) -> None:
    for key in sorted(set(data) - allowed):
        problems.add(entry, f"unknown key {key!r}")


def _section(problems: _Problems, doc: Mapping[str, Any], key: str, kind: type) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        noun = "a mapping of keys" if kind is dict else "a list"
        problems.add(key, "missing" if value is None else f"must be {noun}")
        return kind()
    return value


# --- framework files -------------------------------------------------------------------------


def _framework_head(problems: _Problems, head: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: _text(problems, f"framework.{key}", head, key) for key in _FRAMEWORK_HEAD
    }
    values["sources"] = _strings(problems, "framework", head.get("sources"), "sources")
    _unknown_keys(problems, "framework", head, frozenset((*_FRAMEWORK_HEAD, "sources")))
    if values["code"] and not _CODE.match(values["code"]):
        problems.add("framework.code", "use lower-case letters, digits and hyphens only")
    if values["version"] and not _VERSION.match(values["version"]):
        problems.add("framework.version", 'use numbers separated by dots, e.g. "2022.1"')
    return values


def _entry_name(index: int, raw: Any) -> str:
    ref = raw.get("ref") if isinstance(raw, dict) else None
    return f'requirement "{ref}" (entry {index + 1})' if ref else f"requirements entry {index + 1}"


def _check_ref(problems: _Problems, entry: str, raw: Mapping[str, Any]) -> str:
    ref = raw.get("ref")
    if not isinstance(ref, str):
        shown = "missing" if ref is None else f"must be a quoted string, got {ref!r}"
        problems.add(entry, f"ref {shown}")
        return ""
    if not _REF.match(ref) or len(ref) > 32:
        problems.add(entry, "ref may hold only letters, digits, dots and hyphens (up to 32)")
    return ref


def _check_attributes(problems: _Problems, entry: str, raw: Any) -> dict[str, list[str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(entry, "attributes must map each family to a list of values")
        return {}
    families = list(AttributeFamily.values)
    for family in sorted(set(families) - set(raw)):
        problems.add(entry, f"attributes.{family} missing")
    result: dict[str, list[str]] = {}
    for family, values in raw.items():
        if family not in families:
            problems.add(entry, f"unknown attribute family {family!r}")
            continue
        chosen = _strings(problems, entry, values, f"attributes.{family}")
        for value in chosen:
            if value not in ATTRIBUTE_VALUES[family]:
                problems.add(entry, f"unknown {family} value {value!r}")
        if len(set(chosen)) != len(chosen):
            problems.add(entry, f"attributes.{family} repeats a value")
        result[family] = chosen
    return {family: result[family] for family in families if family in result}


def _parent_of(
    problems: _Problems, entry: str, raw: Mapping[str, Any], seen: Mapping[str, RequirementRow]
) -> tuple[str | None, int]:
    parent = raw.get("parent")
    if parent is None:
        return None, 0
    if not isinstance(parent, str):
        problems.add(entry, f"parent must be a quoted string, got {parent!r}")
        return None, 0
    if parent not in seen:
        problems.add(entry, f"unknown parent {parent!r} (a parent must come before its children)")
        return None, 0
    return parent, seen[parent].level + 1


def _requirement(
    problems: _Problems, index: int, raw: Any, seen: Mapping[str, RequirementRow]
) -> RequirementRow | None:
    entry = _entry_name(index, raw)
    if not isinstance(raw, dict):
        problems.add(entry, "must be a mapping of keys")
        return None
    _unknown_keys(problems, entry, raw, _REQUIREMENT_KEYS)
    ref = _check_ref(problems, entry, raw)
    kind = _choice(problems, entry, raw, "kind", RequirementKind.values)
    if "kind" not in raw:
        problems.add(entry, "kind missing")
    if kind == RequirementKind.CLAUSE and "documented_information" not in raw:
        problems.add(entry, "documented_information missing (required on every clause)")
    if kind != RequirementKind.CLAUSE and "documented_information" in raw:
        problems.add(entry, "documented_information applies to clauses only")
    parent, level = _parent_of(problems, entry, raw, seen)
    return RequirementRow(
        ref=ref,
        kind=kind,
        parent=parent,
        level=level,
        order=index,
        title=_text(problems, entry, raw, "title", TITLE_MAX),
        summary=_text(problems, entry, raw, "summary", SUMMARY_MAX),
        theme=_choice(problems, entry, raw, "theme", Theme.values),
        category=_choice(problems, entry, raw, "category", Category.values),
        is_new=_flag(problems, entry, raw, "new_in_2022"),
        documented_information=_flag(problems, entry, raw, "documented_information"),
        amended_by=_text(problems, entry, raw, "amended_by", 100) if "amended_by" in raw else "",
        attributes=_check_attributes(problems, entry, raw.get("attributes")),
    )


def _requirements(problems: _Problems, raws: list[Any]) -> list[RequirementRow]:
    rows: dict[str, RequirementRow] = {}
    first_at: dict[str, int] = {}
    for index, raw in enumerate(raws):
        row = _requirement(problems, index, raw, rows)
        if row is None or not row.ref:
            continue
        if row.ref in rows:
            problems.add(
                _entry_name(index, raw), f"duplicate ref (first at entry {first_at[row.ref] + 1})"
            )
            continue
        rows[row.ref], first_at[row.ref] = row, index
    _check_all_or_none(problems, raws)
    return list(rows.values())


def _check_all_or_none(problems: _Problems, raws: list[Any]) -> None:
    """Once one row of a kind carries ``theme`` (say), every row of that kind must."""
    entries = [(i, raw) for i, raw in enumerate(raws) if isinstance(raw, dict)]
    for key, kind in _ALL_OR_NONE:
        rows = [(i, raw) for i, raw in entries if kind is None or raw.get("kind") == kind]
        if any(key in raw for _, raw in rows):
            noun = KIND_PLURALS.get(kind, "rows") if kind else "rows"
            for i, raw in rows:
                if key not in raw:
                    problems.add(_entry_name(i, raw), f"{key} missing (other {noun} have it)")


def _compare_counts(
    problems: _Problems, entry: str, expected: Any, actual: Counter[str], allowed: list[str]
) -> None:
    if not isinstance(expected, dict):
        problems.add(entry, "must map each value to a count")
        return
    for key in sorted(set(expected) | set(actual)):
        if key not in allowed:
            problems.add(f"{entry}.{key}", f"unknown value; use one of {', '.join(allowed)}")
        elif expected.get(key, 0) != actual.get(key, 0):
            problems.add(
                f"{entry}.{key}",
                f"expected {expected.get(key, 0)}, the file has {actual.get(key, 0)}",
            )


def _check_framework_expect(
    problems: _Problems, expect: Mapping[str, Any], rows: list[RequirementRow]
) -> None:
    counts = Counter(row.kind for row in rows)
    for key, expected in expect.items():
        if key == "themes":
            themes = Counter(r.theme for r in rows if r.kind == RequirementKind.CONTROL and r.theme)
            _compare_counts(problems, "expect.themes", expected, themes, Theme.values)
        elif key == "categories":
            found = Counter(r.category for r in rows if r.kind == RequirementKind.CRITERION)
            _compare_counts(problems, "expect.categories", expected, found, Category.values)
        elif key not in RequirementKind.values:
            problems.add(f"expect.{key}", "unknown key; use a kind, themes or categories")
        elif not isinstance(expected, int) or isinstance(expected, bool):
            problems.add(f"expect.{key}", f"must be a number, got {expected!r}")
        elif expected != counts.get(key, 0):
            problems.add(f"expect.{key}", f"expected {expected}, the file has {counts.get(key, 0)}")
    for kind, count in counts.items():
        if kind != RequirementKind.GROUP and kind not in expect:
            problems.add(f"expect.{kind}", f"missing; the file has {count} {KIND_PLURALS[kind]}")


def _framework_file(problems: _Problems, doc: Mapping[str, Any]) -> FrameworkFile:
    _unknown_keys(problems, "top level", doc, frozenset({"framework", "expect", "requirements"}))
    head = _framework_head(problems, _section(problems, doc, "framework", dict))
    rows = _requirements(problems, _section(problems, doc, "requirements", list))
    _check_framework_expect(problems, _section(problems, doc, "expect", dict), rows)
    return FrameworkFile(problems.file, head, rows)


# --- mapping files ---------------------------------------------------------------------------


def _mapping_head(problems: _Problems, head: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        key: _text(problems, f"mapping_set.{key}", head, key) for key in _MAPPING_HEAD
    }
    values["sources"] = _strings(problems, "mapping_set", head.get("sources"), "sources")
    _unknown_keys(problems, "mapping_set", head, frozenset((*_MAPPING_HEAD, "sources")))
    expected_name = f"{values['source_framework']}-to-{values['target_framework']}"
    if values["name"] and values["name"] != expected_name:
        problems.add("mapping_set.name", f"should be {expected_name!r}")
    if values["version"] and not _VERSION.match(values["version"]):
        problems.add("mapping_set.version", 'use numbers separated by dots, e.g. "1"')
    return values


def _mapping_entry(index: int, raw: Any) -> str:
    if isinstance(raw, dict) and raw.get("source") and raw.get("target"):
        return f"mapping {raw['source']} -> {raw['target']} (entry {index + 1})"
    return f"mappings entry {index + 1}"


def _mapping(problems: _Problems, index: int, raw: Any) -> MappingRow | None:
    entry = _mapping_entry(index, raw)
    if not isinstance(raw, dict):
        problems.add(entry, "must be a mapping of keys")
        return None
    _unknown_keys(problems, entry, raw, _MAPPING_KEYS)
    source, target = _text(problems, entry, raw, "source"), _text(problems, entry, raw, "target")
    relationship = raw.get("relationship")
    if relationship not in Relationship.values:
        problems.add(
            entry,
            f"unknown relationship {relationship!r}; use one of " + ", ".join(Relationship.values),
        )
        return None
    return MappingRow(source, target, str(relationship)) if source and target else None


def _mappings(problems: _Problems, raws: list[Any]) -> list[MappingRow]:
    rows: list[MappingRow] = []
    first_at: dict[tuple[str, str], int] = {}
    for index, raw in enumerate(raws):
        row = _mapping(problems, index, raw)
        if row is None:
            continue
        pair = (row.source, row.target)
        if pair in first_at:
            problems.add(
                _mapping_entry(index, raw), f"duplicate pair (first at entry {first_at[pair] + 1})"
            )
            continue
        first_at[pair] = index
        rows.append(row)
    return rows


def _mapping_file(problems: _Problems, doc: Mapping[str, Any]) -> MappingFile:
    _unknown_keys(problems, "top level", doc, frozenset({"mapping_set", "expect", "mappings"}))
    head = _mapping_head(problems, _section(problems, doc, "mapping_set", dict))
    raws = _section(problems, doc, "mappings", list)
    rows = _mappings(problems, raws)
    expect = _section(problems, doc, "expect", dict)
    _unknown_keys(problems, "expect", expect, frozenset({"mappings"}))
    if expect.get("mappings") != len(raws):
        problems.add(
            "expect.mappings", f"expected {expect.get('mappings')}, the file has {len(raws)}"
        )
    return MappingFile(problems.file, head, rows)


def _check_endpoints(
    problems: _Problems, mapping_file: MappingFile, refs: Mapping[str, set[str]]
) -> None:
    sides = (
        ("source", mapping_file.source_framework),
        ("target", mapping_file.target_framework),
    )
    for side, code in sides:
        if code and code not in refs:
            problems.add(
                f"mapping_set.{side}_framework",
                f"unknown framework {code!r} (neither in these files nor loaded)",
            )
    for index, row in enumerate(mapping_file.mappings):
        for side, code in sides:
            ref = getattr(row, side)
            if code in refs and ref not in refs[code]:
                entry = f"mapping {row.source} -> {row.target} (entry {index + 1})"
                problems.add(entry, f"{side} {ref!r} is not a requirement of {code}")


# --- the directory ---------------------------------------------------------------------------


def read_file(path: Path) -> tuple[FrameworkFile | MappingFile | None, list[str]]:
    """Parse and check one data file: the file (or None) and its problems."""
    problems = _Problems(path.name)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.add("whole file", f"cannot be read as YAML: {' '.join(str(exc).split())}")
        return None, problems.lines
    if isinstance(doc, dict) and "framework" in doc:
        return _framework_file(problems, doc), problems.lines
    if isinstance(doc, dict) and "mapping_set" in doc:
        return _mapping_file(problems, doc), problems.lines
    problems.add("top level", "neither a framework file (framework:) nor a mapping file")
    return None, problems.lines


def _duplicates(problems: dict[str, list[str]], files: list[Any], attr: str, noun: str) -> None:
    seen: dict[str, str] = {}
    for item in files:
        name = getattr(item, attr)
        if name in seen:
            problems.setdefault(item.file, []).append(
                f"{item.file}: top level: {noun} {name!r} is also defined in {seen[name]}"
            )
        seen.setdefault(name, item.file)


def _known_refs(frameworks: list[FrameworkFile], codes: set[str]) -> dict[str, set[str]]:
    """Refs by framework code: from the files, else from the database (one query)."""
    refs = {f.code: {row.ref for row in f.requirements} for f in frameworks}
    missing = codes - set(refs)
    if missing:
        stored = Requirement.objects.filter(framework__code__in=missing)
        for code, ref in stored.values_list("framework__code", "ref"):
            refs.setdefault(code, set()).add(ref)
    return refs


def read_catalogue(directory: Path = DATA_DIR) -> Catalogue:
    """Every ``*.yaml`` file of ``directory``, checked; raises LoadError listing every problem."""
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise LoadError({str(directory): [f"{directory}: no *.yaml data files there"]})
    problems: dict[str, list[str]] = {}
    parsed = []
    for path in paths:
        item, lines = read_file(path)
        if lines:
            problems[path.name] = lines
        if item is not None:
            parsed.append(item)
    frameworks = [p for p in parsed if isinstance(p, FrameworkFile)]
    mapping_sets = [p for p in parsed if isinstance(p, MappingFile)]
    _duplicates(problems, frameworks, "code", "framework")
    _duplicates(problems, mapping_sets, "name", "mapping set")
    codes = {code for m in mapping_sets for code in (m.source_framework, m.target_framework)}
    refs = _known_refs(frameworks, codes)
    for mapping_file in mapping_sets:
        endpoint_problems = _Problems(mapping_file.file)
        _check_endpoints(endpoint_problems, mapping_file, refs)
        if endpoint_problems.lines:
            problems.setdefault(mapping_file.file, []).extend(endpoint_problems.lines)
    if problems:
        raise LoadError(problems)
    return Catalogue(frameworks, mapping_sets)
