"""The columns of an asset file: their headers, synonyms, examples; detecting the mapping.

A header matches a field when, lower-cased and stripped of spaces, underscores, hyphens and
dots, it equals the field's name or one of its synonyms (``Asset owner`` -> ``owner``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of the import and export files."""

    field: str
    header: str
    example: str
    help: str
    synonyms: tuple[str, ...] = ()
    importable: bool = True


COLUMNS: tuple[Column, ...] = (
    Column(
        "ref",
        "Ref",
        "A-0001",
        "Update the asset with this reference; empty for a new one.",
        ("reference", "assetref", "assetid", "id"),
    ),
    Column(
        "external_id",
        "External ID",
        "cmdb-4711",
        "Your own id (CMDB, spreadsheet); an import updates the asset that has it.",
        ("externalid", "extid", "sourceid", "cmdbid"),
    ),
    Column("name", "Name", "Customer payroll data", "Required.", ("assetname", "title", "asset")),
    Column(
        "kind",
        "Kind",
        "information",
        "information, software, hardware, service, people, site or supplier. Required.",
        ("type", "assettype", "category", "assetkind"),
    ),
    Column(
        "description",
        "Description",
        "Payslips and salaries of our customers' staff.",
        "",
        ("details", "notes", "summary"),
    ),
    Column(
        "owner",
        "Owner",
        "owner@example.com",
        "The e-mail of a member of the organisation. Required.",
        ("owneremail", "assetowner", "responsible"),
    ),
    Column(
        "custodian",
        "Custodian",
        "admin@example.com",
        "The e-mail of a member, or empty.",
        ("custodianemail", "caretaker"),
    ),
    Column("location", "Location", "AWS eu-west-1", "", ("site", "place", "where")),
    Column(
        "classification",
        "Classification",
        "Confidential",
        "One of the organisation's labels; empty: the default for new assets.",
        ("class", "classificationlevel", "label", "sensitivity"),
    ),
    Column(
        "confidentiality",
        "Confidentiality",
        "4",
        "1 to 4; empty: 2 for new assets.",
        ("c", "conf", "confidentialityrequirement"),
    ),
    Column(
        "integrity",
        "Integrity",
        "4",
        "1 to 4; empty: 2 for new assets.",
        ("i", "integ", "integrityrequirement"),
    ),
    Column(
        "availability",
        "Availability",
        "3",
        "1 to 4; empty: 2 for new assets.",
        ("a", "avail", "availabilityrequirement"),
    ),
    Column(
        "criticality",
        "Criticality",
        "Critical",
        "Derived from C, I and A (the highest); ignored on import.",
        importable=False,
    ),
    Column(
        "status",
        "Status",
        "in use",
        "planned, in use or retired; empty: in use.",
        ("lifecycle", "lifecyclestatus", "state"),
    ),
    Column("tags", "Tags", "pii; payroll", "Separated by ; or ,.", ("tag", "labels", "keywords")),
    Column(
        "depends_on",
        "Depends on",
        "A-0002; A-0003",
        "Refs or external ids of assets it depends on, separated by ; or ,.",
        ("dependson", "dependencies", "dependsupon", "requires"),
    ),
    Column(
        "next_review",
        "Next review",
        "2026-12-31",
        "A date, YYYY-MM-DD.",
        ("nextreview", "nextreviewdate", "reviewdate", "reviewby", "review"),
    ),
)
COLUMNS_BY_FIELD = {column.field: column for column in COLUMNS}
IMPORTABLE = tuple(column.field for column in COLUMNS if column.importable)
_STRIP = re.compile(r"[\s_\-.]+")


def normalise_header(text: str) -> str:
    """``"Next review date"`` -> ``"nextreviewdate"``."""
    return _STRIP.sub("", text.strip().lower())


def _synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for column in COLUMNS:
        if column.importable:
            for name in (column.field, column.header, *column.synonyms):
                table.setdefault(normalise_header(name), column.field)
    return table


SYNONYMS = _synonyms()


def detect(headers: Sequence[str]) -> list[str]:
    """The field each column fills ("" for none); the first column wins for each field."""
    used: set[str] = set()
    mapping: list[str] = []
    for header in headers:
        field = SYNONYMS.get(normalise_header(header), "")
        mapping.append("" if field in used else field)
        used.add(field)
    return mapping


def check(mapping: Sequence[str], headers: Sequence[str]) -> list[str]:
    """What is wrong with a mapping, as sentences (empty when it can be used)."""
    problems: list[str] = []
    if len(mapping) != len(headers):
        problems.append("The mapping does not match the file's columns; upload it again.")
    unknown = sorted({f for f in mapping if f and f not in IMPORTABLE})
    if unknown:
        problems.append(f"Unknown fields: {', '.join(unknown)}.")
    doubled = sorted({f for f in mapping if f and mapping.count(f) > 1})
    problems += [f"Two columns fill {COLUMNS_BY_FIELD[f].header}; keep one." for f in doubled]
    if not {"name", "ref", "external_id"} & set(mapping):
        problems.append("No column gives the name, ref or external id of the assets.")
    return problems
