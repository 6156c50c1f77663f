"""Small catalogues for tests: data files written to a temporary directory, and extra rows."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import yaml

from openisms.catalog.choices import RequirementKind
from openisms.catalog.models import Framework, Mapping, MappingSet, Requirement

_counter = itertools.count(1)


def framework_doc(
    code: str = "demo-1",
    version: str = "1.1",
    requirements: list[dict[str, Any]] | None = None,
    expect: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A valid framework file: one group with two controls (unless told otherwise)."""
    rows = requirements or [
        {"ref": "G", "kind": "group", "title": "Group", "summary": "A heading."},
        {"ref": "G.1", "kind": "control", "parent": "G", "title": "One", "summary": "First."},
        {"ref": "G.2", "kind": "control", "parent": "G", "title": "Two", "summary": "Second."},
    ]
    return {
        "framework": {
            "code": code,
            "name": f"Demo {code}",
            "version": version,
            "publisher": "Tests",
            "description": "A framework for tests.",
            "sources": ["the test suite"],
        },
        "expect": expect if expect is not None else {"control": 2},
        "requirements": rows,
    }


def mapping_doc(
    source: str = "demo-1",
    target: str = "demo-2",
    mappings: list[dict[str, Any]] | None = None,
    version: str = "1",
    expect: int | None = None,
) -> dict[str, Any]:
    """A valid mapping file between two demo frameworks."""
    rows = mappings or [
        {"source": "G.1", "target": "G.1", "relationship": "equal"},
        {"source": "G.2", "target": "G.2", "relationship": "intersect"},
    ]
    return {
        "mapping_set": {
            "name": f"{source}-to-{target}",
            "version": version,
            "source_framework": source,
            "target_framework": target,
            "description": "A mapping for tests.",
            "sources": ["the test suite"],
        },
        "expect": {"mappings": len(rows) if expect is None else expect},
        "mappings": rows,
    }


def write(directory: Path, name: str, doc: dict[str, Any]) -> Path:
    """Write ``doc`` as ``directory/name`` (YAML)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def make_framework(code: str = "test-fw") -> Framework:
    """An empty framework, created directly (for query-count tests)."""
    return Framework.objects.create(
        code=code, name=f"Test {code}", version="1.1", publisher="Tests", description="Test."
    )


def add_requirements(
    framework: Framework,
    n: int,
    *,
    kind: str = RequirementKind.CONTROL,
    title: str = "Row",
    parent: Requirement | None = None,
    **fields: Any,
) -> list[Requirement]:
    """``n`` more rows in ``framework`` under ``parent`` (default: a new group)."""
    group = parent or Requirement.objects.create(
        framework=framework,
        ref=f"G{next(_counter)}",
        kind=RequirementKind.GROUP,
        order=next(_counter),
        title="Group",
        summary="A heading.",
    )
    rows = [
        Requirement(
            framework=framework,
            ref=f"{group.ref}.{next(_counter)}",
            kind=kind,
            parent=group,
            level=1,
            order=next(_counter),
            title=f"{title} {i}",
            summary="A row for tests.",
            **fields,
        )
        for i in range(n)
    ]
    return Requirement.objects.bulk_create(rows)


def add_mappings(source: Requirement, targets: list[Requirement], name: str) -> MappingSet:
    """A mapping set (made once per name) with ``source`` mapped to every target."""
    mapping_set, _ = MappingSet.objects.get_or_create(
        name=name,
        defaults={
            "version": "1",
            "source_framework": source.framework,
            "target_framework": targets[0].framework,
            "description": "Test.",
        },
    )
    Mapping.objects.bulk_create(
        Mapping(mapping_set=mapping_set, source=source, target=t, relationship="intersect")
        for t in targets
    )
    return mapping_set
