"""Reads the shipped threat library (``data/threats.yaml``) and checks it whole, without writing.

The format and its rules are in ``data/README.md``. Every problem found names the entry and
the problem; only a file without problems is returned, and
``openisms.risks.services.threat_library_load`` then writes what changed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from openisms.core.errors import ValidationError
from openisms.risks.choices import ThreatCategory

DATA_FILE = Path(__file__).resolve().parent / "data" / "threats.yaml"
SUMMARY_MAX = 220
SOURCES = ("bsi", "iso27005", "openisms")
CIA_WORDS = ("confidentiality", "integrity", "availability")
_REF_PATTERNS = {
    "bsi": re.compile(r"^G 0\.(\d{1,2})$"),
    "iso27005": re.compile(r"^ISO27005-[a-z0-9]+(-[a-z0-9]+)*$"),
    "openisms": re.compile(r"^OI-[a-z0-9]+(-[a-z0-9]+)*$"),
}
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BSI_COUNT = 47


@dataclass(frozen=True)
class ThreatRow:
    """One threat as the data file describes it."""

    ref: str
    name: str
    category: str
    also_category: str
    summary: str
    source: str
    affects: tuple[str, ...]
    position: int


@dataclass(frozen=True)
class LibraryFile:
    """The threat library, checked."""

    code: str
    name: str
    version: str
    sources: list[str]
    threats: list[ThreatRow]


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, entry: str, problem: str) -> None:
        self.lines.append(f"{entry}: {problem}")


def version_key(version: str) -> tuple[int, ...]:
    """``"1.2"`` -> ``(1, 2)``, so that versions compare as numbers."""
    return tuple(int(part) for part in version.split("."))


def _head(problems: _Problems, raw: Any) -> dict[str, Any]:
    head = raw if isinstance(raw, dict) else {}
    if not head:
        problems.add("library", "missing or not a mapping")
    values = {key: str(head.get(key) or "").strip() for key in ("code", "name", "version")}
    for key, value in values.items():
        if not value:
            problems.add(f"library.{key}", "missing")
    if values["version"] and not _VERSION.match(values["version"]):
        problems.add("library.version", 'use numbers separated by dots, e.g. "1"')
    sources = head.get("sources")
    if not isinstance(sources, list) or not sources:
        problems.add("library.sources", "must be a non-empty list")
        sources = []
    return {**values, "sources": [str(s) for s in sources]}


def _affects(problems: _Problems, entry: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or any(v not in CIA_WORDS for v in raw):
        problems.add(entry, f"affects must be a non-empty list of {', '.join(CIA_WORDS)}")
        return ()
    return tuple(dict.fromkeys(str(v) for v in raw))


def _category(problems: _Problems, entry: str, raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    if value is None and key == "also_category":
        return ""
    if value not in ThreatCategory.values:
        problems.add(entry, f"{key} {value!r} is not one of {', '.join(ThreatCategory.values)}")
        return ""
    return str(value)


def _threat(problems: _Problems, index: int, raw: Any) -> ThreatRow | None:
    ref = str(raw.get("ref", "")) if isinstance(raw, dict) else ""
    entry = f'threat "{ref}" (entry {index + 1})' if ref else f"threats entry {index + 1}"
    if not isinstance(raw, dict):
        problems.add(entry, "must be a mapping of keys")
        return None
    source = str(raw.get("source", ""))
    if source not in SOURCES:
        problems.add(entry, f"source must be one of {', '.join(SOURCES)}")
    elif not _REF_PATTERNS[source].match(ref):
        problems.add(entry, f"ref {ref!r} does not match the pattern of source {source}")
    name, summary = str(raw.get("name") or "").strip(), str(raw.get("summary") or "").strip()
    if not name:
        problems.add(entry, "name missing")
    if not summary or len(summary) > SUMMARY_MAX:
        problems.add(entry, f"summary must hold 1 to {SUMMARY_MAX} characters")
    category = _category(problems, entry, raw, "category")
    also = _category(problems, entry, raw, "also_category")
    if also and also == category:
        problems.add(entry, "also_category repeats category")
    affects = _affects(problems, entry, raw.get("affects"))
    return ThreatRow(ref, name, category, also, summary, source, affects, index + 1)


def _check_identity(problems: _Problems, rows: list[ThreatRow]) -> None:
    refs = Counter(row.ref for row in rows)
    names = Counter(row.name.lower() for row in rows)
    for label, counts in (("ref", refs), ("name", names)):
        for value, count in counts.items():
            if count > 1:
                problems.add(f"{label} {value!r}", f"appears {count} times")
    bsi = [int(m.group(1)) for r in rows if (m := _REF_PATTERNS["bsi"].match(r.ref))]
    if bsi != list(range(1, BSI_COUNT + 1)):
        problems.add("bsi", f"the BSI threats must run from G 0.1 to G 0.{BSI_COUNT} in order")


def _check_expect(problems: _Problems, raw: Any, rows: list[ThreatRow]) -> None:
    if not isinstance(raw, dict):
        problems.add("expect", "missing or not a mapping")
        return
    counts = Counter(row.source for row in rows)
    actual = {**{s: counts.get(s, 0) for s in SOURCES}, "total": len(rows)}
    for key, expected in raw.items():
        if key not in actual:
            problems.add(f"expect.{key}", f"unknown key; use {', '.join(actual)}")
        elif expected != actual[key]:
            problems.add(f"expect.{key}", f"expected {expected}, the file has {actual[key]}")


def parse_library(text: str) -> LibraryFile:
    """Check the library's YAML text; raise a ValidationError listing every problem."""
    problems = _Problems()
    try:
        doc = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as error:
        raise ValidationError.field("file", f"not valid YAML: {error}") from None
    doc = doc if isinstance(doc, dict) else {}
    head = _head(problems, doc.get("library"))
    found = doc.get("threats")
    raws: list[Any] = found if isinstance(found, list) else []
    if not raws:
        problems.add("threats", "missing or empty")
    rows = [row for i, raw in enumerate(raws) if (row := _threat(problems, i, raw)) is not None]
    _check_identity(problems, rows)
    _check_expect(problems, doc.get("expect"), rows)
    if problems.lines:
        raise ValidationError("\n".join(problems.lines), {"file": problems.lines})
    return LibraryFile(head["code"], head["name"], head["version"], head["sources"], rows)


def read_library(path: Path | None = None) -> LibraryFile:
    """Read and check the library file (default: the shipped one)."""
    target = path or DATA_FILE
    if not target.is_file():
        raise ValidationError.field("file", f"no threat library at {target}")
    return parse_library(target.read_text(encoding="utf-8"))
