"""The register as XLSX (about, methodology, register, heat maps, treatment plan) and CSV.

The XLSX is written by ``core.xlsx``: rows go to disk as they come, so a 20,000-risk register
needs little memory, and text is always text (never a formula).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openisms.core import csvtext
from openisms.core.xlsx import Sheet, workbook
from openisms.risks.exports.common import PLAN_HEADERS, REGISTER_HEADERS, ExportInfo
from openisms.risks.heatmap import KINDS, TITLES, Counts
from openisms.risks.models import Methodology

Rows = Iterable[Sequence[Any]]


def methodology_rows(methodology: Methodology | None) -> list[list[Any]]:
    """The methodology as a sheet: scales, levels with acceptance and review, the matrix."""
    if methodology is None:
        return [["No methodology yet."]]
    spec = methodology.parsed
    rows: list[list[Any]] = [[f"{methodology.name}, version {methodology.version}"], []]
    for name, points in (("Likelihood", spec.likelihood), ("Impact", spec.impact)):
        rows += [[f"{name} scale"], ["Value", "Label", "Description", "Range"]]
        rows += [[p.value, p.label, p.description, p.range] for p in points] + [[]]
    rows += [["Levels"], ["Key", "Label", "Colour", "Risk owner may accept", "Review (months)"]]
    rows += [
        [lv.key, lv.label, lv.colour, "yes" if lv.owner_may_accept else "no", lv.review_months]
        for lv in spec.levels
    ]
    rows += [[], ["Matrix (likelihood down, impact across)"]]
    rows.append(["Likelihood \\ Impact", *(f"{p.value} {p.label}" for p in spec.impact)])
    for point in reversed(spec.likelihood):
        cells = [spec.level(spec.matrix[point.value - 1][i]).label for i in range(len(spec.impact))]
        rows.append([f"{point.value} {point.label}", *cells])
    return rows


def heatmap_rows(
    methodology: Methodology | None, counts: Counts | None, kind: str
) -> list[list[Any]]:
    """One heat map as a table of counts, highest likelihood first."""
    if methodology is None or counts is None:
        return [["No methodology yet."]]
    spec = methodology.parsed
    rows: list[list[Any]] = [
        [f"{TITLES[kind]}: open risks assessed with version {methodology.version}"],
        ["Likelihood \\ Impact", *(f"{p.value} {p.label}" for p in spec.impact)],
    ]
    for point in reversed(spec.likelihood):
        values = [counts[kind][(point.value, im)] for im in range(1, len(spec.impact) + 1)]
        rows.append([f"{point.value} {point.label}", *values])
    rows.append(["Total", sum(counts[kind].values())])
    return rows


def write_xlsx(
    info: ExportInfo,
    methodology: Methodology | None,
    register: Rows,
    counts: Counts | None,
    plan: Rows,
) -> bytes:
    """The whole register workbook."""
    return workbook(
        [
            Sheet("About", info.lines(), header=["Field", "Value"]),
            Sheet("Methodology", methodology_rows(methodology)),
            Sheet("Register", register, header=REGISTER_HEADERS, freeze=True),
            *(
                Sheet(f"Heat map ({kind})", heatmap_rows(methodology, counts, kind))
                for kind in KINDS
            ),
            Sheet("Treatment plan", plan, header=PLAN_HEADERS, freeze=True),
        ]
    )


def write_csv(info: ExportInfo, register: Rows) -> bytes:
    """The register as CSV (UTF-8 with a byte-order mark), after a few lines saying what it is.

    The import finds the header row (first cell ``Ref``) below those lines.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([key, value] for key, value in info.lines())
    writer.writerow([])
    writer.writerow(REGISTER_HEADERS)
    writer.writerows([csvtext.cell(v) for v in row] for row in register)
    return out.getvalue().encode("utf-8-sig")
