"""Import of an existing SoA from XLSX or CSV, with 2022 ids or 2013 ids.

2013 ids (``A.12.6.1``) are translated through the catalogue's transition mapping. The report
names the 2013 controls merged into one 2022 control and the 2022 controls that no row
covered (new in 2022, or simply missing) and that need a decision. All or nothing.
"""

from __future__ import annotations

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import load_workbook

from openisms.assets.imports.reading import Table, cell_text, check_upload, problem, read_table
from openisms.catalog.models import Mapping
from openisms.controls import services
from openisms.controls.choices import Applicability, ImplementationStatus
from openisms.controls.models import Control
from openisms.controls.services import ControlInput
from openisms.core import audit, authz
from openisms.core.actors import Actor
from openisms.core.errors import ValidationError
from openisms.core.models import Organization
from openisms.core.xlsx import read_value

TRANSITION = "iso27001-2013-to-iso27001-2022"
OLD_REF = re.compile(r"^A\.\d{1,2}\.\d{1,2}\.\d{1,2}$")
HEADERS = {
    "control id": "ref",
    "control": "ref",
    "applicable": "applicable",
    "inclusion reasons": "business_reason",
    "business requirement": "business_reason",
    "exclusion justification": "exclusion_justification",
    "implementation status": "status",
    "implementation summary": "implementation",
    "owner": "owner",
}
_YES = {"yes", "y", "applicable", "true", "1", "x"}
_NO = {"no", "n", "not applicable", "excluded", "false", "0"}
_STATUS = {label.lower(): value for value, label in ImplementationStatus.choices} | {
    value: value for value in ImplementationStatus.values
}
_STATUS_ORDER = list(ImplementationStatus.values)


@dataclass
class ImportReport:
    """What an import did and what still needs a person."""

    updated: list[str] = field(default_factory=list)
    merged: dict[str, list[str]] = field(default_factory=dict)  # 2022 ref -> 2013 refs
    needs_decision: list[str] = field(default_factory=list)
    edition: str = "2022"

    def as_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "updated": self.updated,
            "merged": self.merged,
            "needs_decision": self.needs_decision,
        }


def _xlsx_table(content: bytes) -> Table:
    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = book["SoA"] if "SoA" in book.sheetnames else book.active
    if sheet is None:
        raise problem("The workbook has no sheet.")
    lines = [[cell_text(read_value(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    if not lines:
        raise problem("The sheet is empty.")
    rows = [(n, line) for n, line in enumerate(lines[1:], start=2) if any(c.strip() for c in line)]
    return Table([h.strip() for h in lines[0]], rows)


def _read(filename: str, content: bytes) -> list[dict[str, str]]:
    kind = check_upload(filename, len(content))
    table = _xlsx_table(content) if kind == "xlsx" else read_table(filename, content)
    keys = [HEADERS.get(h.strip().lower(), "") for h in table.headers]
    if "ref" not in keys:
        raise problem("The file needs a 'Control id' column.")
    return [
        {key: line[i].strip() for i, key in enumerate(keys) if key and i < len(line)}
        for _, line in table.rows
    ]


def _transition() -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    pairs = Mapping.objects.filter(mapping_set__name=TRANSITION).values_list(
        "source__ref", "target__ref"
    )
    for source, target in pairs.order_by("target__order"):
        found[source].append(target)
    return found


def _merge(rows: list[dict[str, str]]) -> dict[str, str]:
    """Several 2013 rows for one 2022 control: applicable if any is, texts joined, the least
    advanced status (the conservative reading)."""
    applicable = [r.get("applicable", "").lower() for r in rows]
    merged = {
        "applicable": "yes"
        if any(a in _YES for a in applicable)
        else (applicable[0] if applicable else ""),
        "owner": next((r["owner"] for r in rows if r.get("owner")), ""),
    }
    for key in ("business_reason", "exclusion_justification", "implementation"):
        merged[key] = "\n".join(dict.fromkeys(r[key] for r in rows if r.get(key)))
    statuses = [_STATUS.get(r.get("status", "").lower(), "") for r in rows]
    known = [s for s in statuses if s]
    merged["status"] = min(known, key=_STATUS_ORDER.index) if known else ""
    return merged


def _input(row: dict[str, str], line: str, errors: dict[str, list[str]]) -> ControlInput:
    word = row.get("applicable", "").lower()
    applicability = Applicability.YES if word in _YES else Applicability.NO if word in _NO else None
    status = _STATUS.get(row.get("status", "").lower())
    if row.get("status") and status is None:
        errors.setdefault("file", []).append(f"{line}: unknown status {row['status']!r}.")
    return ControlInput(
        applicability=applicability,
        business_reason=row.get("business_reason") or None,
        exclusion_justification=row.get("exclusion_justification") or None,
        implementation_status=status,
        implementation_description=row.get("implementation") or None,
        owner=row.get("owner") or None,
    )


@transaction.atomic
def soa_import(*, actor: Actor, org: Organization, filename: str, content: bytes) -> ImportReport:
    """Apply a SoA file to the organisation's controls; all or nothing."""
    authz.require(actor, "controls.change", org)
    services.controls_ensure(org)
    rows = _read(filename, content)
    report = ImportReport()
    by_target: dict[str, list[dict[str, str]]] = defaultdict(list)
    sources: dict[str, list[str]] = defaultdict(list)
    transition = _transition()
    errors: dict[str, list[str]] = {}
    for row in rows:
        ref = row["ref"] if row["ref"].upper().startswith("A.") else f"A.{row['ref']}"
        if OLD_REF.match(ref):
            report.edition = "2013"
            targets = transition.get(ref)
            if not targets:
                errors.setdefault("file", []).append(f"{ref} is not a 2013 Annex A control.")
            for target in targets or []:
                by_target[target].append(row)
                sources[target].append(ref)
        else:
            by_target[ref].append(row)
    controls = {c.ref: c for c in Control.objects.filter(organization=org).select_related("owner")}
    inputs: list[tuple[Control, ControlInput]] = []
    for ref, group in by_target.items():
        if ref not in controls:
            errors.setdefault("file", []).append(f"No control {ref} in this organisation.")
            continue
        inputs.append(
            (controls[ref], _input(_merge(group) if len(group) > 1 else group[0], ref, errors))
        )
        if len(sources[ref]) > 1:
            report.merged[ref] = sources[ref]
    if errors:
        raise ValidationError(errors=errors)
    for control, data in inputs:
        try:
            services.control_update(actor=actor, control=control, data=data)
        except ValidationError as error:
            raise ValidationError(f"{control.ref}: {error.message}", error.errors) from None
        report.updated.append(control.ref)
    report.needs_decision = [
        ref for ref, c in controls.items() if c.requirement_id and ref not in by_target
    ]
    audit.record(
        actor=actor,
        verb="soa.imported",
        target=("controls.soa", "soa", "Statement of Applicability"),
        org=org,
        data={"file": filename, **report.as_dict()},
    )
    return report
