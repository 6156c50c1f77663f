"""Percentiles of timings, and the budget table of DESIGN.md section 4 with its verdicts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.95 for p95); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Timings:
    """Durations in seconds."""

    values: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return percentile(self.values, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.values, 0.95)

    @property
    def p99(self) -> float:
        return percentile(self.values, 0.99)

    def summary_ms(self) -> dict[str, float]:
        """p50, p95, p99 and the maximum in milliseconds."""
        top = max(self.values) if self.values else 0.0
        return {
            "p50_ms": round(self.p50 * 1000, 1),
            "p95_ms": round(self.p95 * 1000, 1),
            "p99_ms": round(self.p99 * 1000, 1),
            "max_ms": round(top * 1000, 1),
            "n": len(self.values),
        }


@dataclass(frozen=True)
class Row:
    """One line of the table: what, the budget in words, the value measured, the verdict.

    ``limit`` None means "report only" (no budget in DESIGN.md); ``at_least`` flips the
    comparison for throughput.
    """

    what: str
    budget: str
    measured: str
    value: float | None = None
    limit: float | None = None
    at_least: bool = False
    failed: bool = False

    @property
    def verdict(self) -> str:
        if self.failed:
            return "ERROR"
        if self.limit is None or self.value is None:
            return "report"
        holds = self.value >= self.limit if self.at_least else self.value <= self.limit
        return "holds" if holds else "MISSES"

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "budget": self.budget,
            "measured": self.measured,
            "value": self.value,
            "limit": self.limit,
            "verdict": self.verdict,
        }


def ms(seconds: float) -> str:
    """A duration in milliseconds, for the table."""
    return f"{seconds * 1000:.1f} ms"


def time_row(what: str, budget_ms: float | None, timings: Timings, label: str = "p95") -> Row:
    """A row judged on the p95 (or ``label`` p50) of ``timings`` against ``budget_ms``."""
    value = timings.p95 if label == "p95" else timings.p50
    measured = f"p50 {ms(timings.p50)}, p95 {ms(timings.p95)}"
    budget = "report" if budget_ms is None else f"{label} <= {budget_ms:g} ms"
    limit = None if budget_ms is None else budget_ms / 1000
    return Row(what, budget, measured, value, limit)


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (readable on a console too)."""
    header = ("what", "budget", "measured", "verdict")
    cells = [header, *((r.what, r.budget, r.measured, r.verdict) for r in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    lines = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(4)) + " |" for c in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)
