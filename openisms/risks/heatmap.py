"""Heat maps of inherent and residual risk: counts per cell from one aggregate query, laid out
for a server-rendered SVG (``risks/_heatmap.html``) and a table.

A heat map is drawn for one methodology version (the scales differ between versions), and each
cell links to the register filtered to exactly the risks it counts: the same filters plus the
cell's likelihood and impact, so the cell's number is the register's row count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db.models import Count, QuerySet

from openisms.risks.filters import RiskFilters
from openisms.risks.methodology import MethodologySpec, RiskLevel
from openisms.risks.models import Methodology, Risk

KINDS = ("inherent", "residual")
TITLES = {"inherent": "Inherent risk", "residual": "Residual risk (target)"}
CELL_W, CELL_H = 104, 60
LEFT, TOP, BOTTOM = 150, 8, 56

Counts = dict[str, dict[tuple[int, int], int]]


def count_cells(risks: QuerySet[Risk], spec: MethodologySpec) -> Counts:
    """How many of ``risks`` fall in each cell of both maps: one GROUP BY query per map."""
    sizes = range(1, len(spec.likelihood) + 1), range(1, len(spec.impact) + 1)
    cells = [(li, im) for li in sizes[0] for im in sizes[1]]
    counts: Counts = {}
    for kind in KINDS:
        columns = (f"{kind}_likelihood", f"{kind}_impact")
        grouped = risks.order_by().values_list(*columns).annotate(n=Count("*"))
        found = {(li, im): n for li, im, n in grouped if li is not None and im is not None}
        counts[kind] = {cell: found.get(cell, 0) for cell in cells}
    return counts


def text_colour(fill: str) -> str:
    """Black or white, whichever reads better on ``fill`` (WCAG relative luminance)."""
    channels = [int(fill[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#1d273b" if luminance > 0.3 else "#ffffff"


@dataclass(frozen=True)
class Cell:
    """One cell: its values, count, level, link and place in the SVG."""

    likelihood: int
    impact: int
    count: int
    level: RiskLevel
    url: str
    x: int
    y: int

    @property
    def fill(self) -> str:
        return self.level.colour

    @property
    def ink(self) -> str:
        return text_colour(self.level.colour)

    @property
    def cx(self) -> int:
        return self.x + CELL_W // 2

    @property
    def count_y(self) -> int:
        return self.y + 30

    @property
    def label_y(self) -> int:
        return self.y + 47

    @property
    def rect_w(self) -> int:
        return CELL_W - 3

    @property
    def rect_h(self) -> int:
        return CELL_H - 3

    @property
    def label(self) -> str:
        """What a screen reader says for the cell."""
        noun = "risk" if self.count == 1 else "risks"
        return (
            f"{self.count} {noun} with likelihood {self.likelihood} and impact {self.impact}, "
            f"level {self.level.label}"
        )


@dataclass(frozen=True)
class Axis:
    """One scale step's label and its place."""

    value: int
    label: str
    x: int
    y: int


@dataclass(frozen=True)
class HeatMap:
    """A heat map ready to draw: rows from the highest likelihood down."""

    kind: str
    title: str
    methodology: Methodology
    rows: list[list[Cell]]
    likelihood_axis: list[Axis]
    impact_axis: list[Axis]
    total: int
    width: int
    height: int

    @property
    def grid_bottom(self) -> int:
        return TOP + len(self.rows) * CELL_H

    @property
    def grid_middle_x(self) -> int:
        return LEFT + len(self.impact_axis) * CELL_W // 2

    @property
    def grid_middle_y(self) -> int:
        return TOP + len(self.rows) * CELL_H // 2

    @property
    def slug(self) -> str:
        return f"heatmap-{self.kind}"

    @property
    def impact_label_y(self) -> int:
        return self.grid_bottom + 18

    @property
    def axis_title_y(self) -> int:
        return self.grid_bottom + 44

    @property
    def table_rows(self) -> list[tuple[Axis, list[Cell]]]:
        """The rows with their likelihood step, for the table fallback."""
        by_value = {axis.value: axis for axis in self.likelihood_axis}
        return [(by_value[row[0].likelihood], row) for row in self.rows]


def build(
    kind: str,
    methodology: Methodology,
    counts: Counts,
    url_for: Callable[[RiskFilters], str],
    base: RiskFilters,
) -> HeatMap:
    """Lay out ``kind``'s map for ``methodology``; cell links keep ``base``'s filters."""
    spec = methodology.parsed
    size_l, size_i = len(spec.likelihood), len(spec.impact)
    rows = []
    for row, likelihood in enumerate(range(size_l, 0, -1)):
        cells = []
        for impact in range(1, size_i + 1):
            cell_filters = {f"{kind}_likelihood": likelihood, f"{kind}_impact": impact}
            url = url_for(replace(base, **cell_filters))  # type: ignore[arg-type]
            count = counts[kind][(likelihood, impact)]
            level = spec.level_for(likelihood, impact)
            x, y = LEFT + (impact - 1) * CELL_W, TOP + row * CELL_H
            cells.append(Cell(likelihood, impact, count, level, url, x, y))
        rows.append(cells)
    likelihood_axis = [
        Axis(p.value, p.label, LEFT - 8, TOP + (size_l - p.value) * CELL_H + CELL_H // 2 + 4)
        for p in spec.likelihood
    ]
    impact_axis = [
        Axis(p.value, p.label, LEFT + (p.value - 1) * CELL_W + CELL_W // 2, TOP + size_l * CELL_H)
        for p in spec.impact
    ]
    total = sum(counts[kind].values())
    width, height = LEFT + size_i * CELL_W + 8, TOP + size_l * CELL_H + BOTTOM
    return HeatMap(
        kind, TITLES[kind], methodology, rows, likelihood_axis, impact_axis, total, width, height
    )


def build_both(
    methodology: Methodology,
    risks: QuerySet[Risk],
    url_for: Callable[[RiskFilters], str],
    base: RiskFilters,
) -> list[HeatMap]:
    """Both maps for ``methodology`` from ``risks`` (already filtered to ``base``)."""
    counts = count_cells(risks, methodology.parsed)
    return [build(kind, methodology, counts, url_for, base) for kind in KINDS]
