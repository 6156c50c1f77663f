"""The shape of a risk methodology (ISO/IEC 27001:2022 6.1.2 a and b), as typed values.

A methodology version stores its scales, levels and matrix as JSON; this module turns that
JSON into typed objects, checks it, and computes a level from likelihood and impact. Presets
give 3x3, 4x4 and 5x5 starting points that an organisation then adapts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import Any

from openisms.core.errors import ValidationError

MIN_LEVELS, MAX_LEVELS = 3, 5
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class ScalePoint:
    """One step of a likelihood or impact scale."""

    value: int
    label: str
    description: str = ""
    range: str = ""  # optional quantitative range, e.g. "once a year or more", "> EUR 1m"


@dataclass(frozen=True)
class RiskLevel:
    """One level of the matrix, ordered from lowest to highest."""

    key: str
    label: str
    colour: str
    owner_may_accept: bool
    review_months: int


@dataclass(frozen=True)
class MethodologySpec:
    """Everything a methodology version defines."""

    likelihood: tuple[ScalePoint, ...]
    impact: tuple[ScalePoint, ...]
    levels: tuple[RiskLevel, ...]
    matrix: tuple[tuple[str, ...], ...]  # matrix[likelihood - 1][impact - 1] = level key

    def level_for(self, likelihood: int, impact: int) -> RiskLevel:
        """The level the matrix gives for a likelihood and an impact value."""
        if not 1 <= likelihood <= len(self.likelihood):
            raise ValidationError.field("likelihood", f"Choose 1 to {len(self.likelihood)}.")
        if not 1 <= impact <= len(self.impact):
            raise ValidationError.field("impact", f"Choose 1 to {len(self.impact)}.")
        return self.level(self.matrix[likelihood - 1][impact - 1])

    def level(self, key: str) -> RiskLevel:
        """The level with ``key``."""
        for level in self.levels:
            if level.key == key:
                return level
        raise ValidationError.field("level", f"Unknown risk level {key!r}.")

    def rank(self, key: str) -> int:
        """0 for the lowest level, rising."""
        return [level.key for level in self.levels].index(key)

    def to_json(self) -> dict[str, Any]:
        """The JSON stored on a methodology version."""
        return {
            "likelihood": [asdict(p) for p in self.likelihood],
            "impact": [asdict(p) for p in self.impact],
            "levels": [asdict(level) for level in self.levels],
            "matrix": [list(row) for row in self.matrix],
        }


def _points(name: str, raw: Any, errors: dict[str, list[str]]) -> tuple[ScalePoint, ...]:
    if not isinstance(raw, list) or not MIN_LEVELS <= len(raw) <= MAX_LEVELS:
        errors[name] = [f"A scale has {MIN_LEVELS} to {MAX_LEVELS} steps."]
        return ()
    points = []
    for index, item in enumerate(raw, start=1):
        label = str(item.get("label", "")).strip() if isinstance(item, dict) else ""
        if not label:
            errors.setdefault(name, []).append(f"Step {index} needs a label.")
            continue
        points.append(
            ScalePoint(
                index,
                label[:60],
                str(item.get("description", ""))[:500],
                str(item.get("range", ""))[:120],
            )
        )
    return tuple(points)


def _level(index: int, item: Any, errors: dict[str, list[str]]) -> RiskLevel | None:
    problems = []
    if not isinstance(item, dict):
        item = {}
    key, label = str(item.get("key", "")).strip(), str(item.get("label", "")).strip()
    colour, months = str(item.get("colour", "")), item.get("review_months")
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,19}", key):
        problems.append("a key of lower-case letters, digits and _")
    if not label:
        problems.append("a label")
    if not _COLOUR.match(colour):
        problems.append("a colour like #d63939")
    if not isinstance(months, int) or not 1 <= months <= 60:
        problems.append("a review interval of 1 to 60 months")
    if problems:
        errors.setdefault("levels", []).append(f"Level {index} needs {', '.join(problems)}.")
        return None
    return RiskLevel(key, label[:40], colour, bool(item.get("owner_may_accept")), int(months))


def _levels(raw: Any, errors: dict[str, list[str]]) -> tuple[RiskLevel, ...]:
    if not isinstance(raw, list) or not 2 <= len(raw) <= 6:
        errors["levels"] = ["Define 2 to 6 risk levels, lowest first."]
        return ()
    levels = [lv for i, item in enumerate(raw, 1) if (lv := _level(i, item, errors)) is not None]
    if len({lv.key for lv in levels}) != len(levels):
        errors.setdefault("levels", []).append("Each level needs its own key.")
    if levels and not levels[0].owner_may_accept:
        errors.setdefault("levels", []).append("The owner must be able to accept the lowest level.")
    return tuple(levels)


def _matrix(
    raw: Any, spec_sizes: tuple[int, int], keys: set[str], errors: dict[str, list[str]]
) -> tuple[tuple[str, ...], ...]:
    rows, cols = spec_sizes
    shaped = (
        isinstance(raw, list)
        and len(raw) == rows
        and all(isinstance(r, list) and len(r) == cols for r in raw)
    )
    if not shaped:
        errors["matrix"] = [f"The matrix needs {rows} rows (likelihood) of {cols} cells (impact)."]
        return ()
    unknown = sorted({str(c) for row in raw for c in row} - keys)
    if unknown:
        errors["matrix"] = [f"Unknown level in the matrix: {', '.join(unknown)}."]
    return tuple(tuple(str(c) for c in row) for row in raw)


def parse(raw: dict[str, Any]) -> MethodologySpec:
    """Check a methodology's JSON and return it typed; every problem is named by field."""
    errors: dict[str, list[str]] = {}
    likelihood = _points("likelihood", raw.get("likelihood"), errors)
    impact = _points("impact", raw.get("impact"), errors)
    levels = _levels(raw.get("levels"), errors)
    matrix: tuple[tuple[str, ...], ...] = ()
    if likelihood and impact and levels:
        matrix = _matrix(
            raw.get("matrix"), (len(likelihood), len(impact)), {lv.key for lv in levels}, errors
        )
    if errors:
        raise ValidationError(errors=errors)
    return MethodologySpec(likelihood, impact, levels, matrix)


_LIKELIHOOD = {
    3: ["Unlikely", "Possible", "Likely"],
    4: ["Rare", "Unlikely", "Likely", "Almost certain"],
    5: ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
}
_IMPACT = {
    3: ["Minor", "Moderate", "Major"],
    4: ["Minor", "Moderate", "Major", "Severe"],
    5: ["Negligible", "Minor", "Moderate", "Major", "Severe"],
}
#: What a preset's scale steps mean: label -> (description, range); organisations adapt them.
_MEANINGS = {
    "Rare": ("Not expected in the next five years.", "less than once in 5 years"),
    "Unlikely": ("Could happen, but has not been seen here.", "once in 2 to 5 years"),
    "Possible": ("Has happened here or to peers now and then.", "about once in 1 to 2 years"),
    "Likely": ("Expected to happen within the year.", "once a year or more"),
    "Almost certain": ("Happens regularly.", "several times a year"),
    "Negligible": ("No noticeable effect on customers, staff or the business.", ""),
    "Minor": ("Limited harm, handled within normal operations.", ""),
    "Moderate": (
        "Noticeable harm to customers or the business; a contract or SLA may be breached.",
        "",
    ),
    "Major": (
        "Serious harm: a reportable personal-data breach, lost customers or large costs.",
        "",
    ),
    "Severe": ("Threatens the business, or causes lasting harm to people.", ""),
}


def _scale(labels: list[str]) -> list[dict[str, str]]:
    return [
        {"label": label, "description": _MEANINGS[label][0], "range": _MEANINGS[label][1]}
        for label in labels
    ]


_LEVELS = [
    {
        "key": "low",
        "label": "Low",
        "colour": "#2fb344",
        "owner_may_accept": True,
        "review_months": 12,
    },
    {
        "key": "medium",
        "label": "Medium",
        "colour": "#f59f00",
        "owner_may_accept": True,
        "review_months": 6,
    },
    {
        "key": "high",
        "label": "High",
        "colour": "#f76707",
        "owner_may_accept": False,
        "review_months": 3,
    },
    {
        "key": "critical",
        "label": "Critical",
        "colour": "#d63939",
        "owner_may_accept": False,
        "review_months": 1,
    },
]


def _preset_cell(likelihood: int, impact: int, size: int) -> str:
    # The product scaled to 0..1 spreads levels evenly whatever the size of the matrix.
    share = (likelihood * impact) / (size * size)
    if size == 3:
        return "low" if share <= 2 / 9 else "medium" if share <= 4 / 9 else "high"
    return (
        "low"
        if share < 0.2
        else "medium"
        if share < 0.4
        else "high"
        if share < 0.64
        else "critical"
    )


PRESETS = ("3x3", "4x4", "5x5")


def preset(name: str) -> MethodologySpec:
    """A starting methodology: ``3x3`` (low/medium/high), ``4x4`` or ``5x5`` (up to critical)."""
    if name not in PRESETS:
        raise ValidationError.field("preset", f"Choose one of: {', '.join(PRESETS)}.")
    size = int(name[0])
    levels = _LEVELS[:3] if size == 3 else _LEVELS
    return parse(
        {
            "likelihood": _scale(_LIKELIHOOD[size]),
            "impact": _scale(_IMPACT[size]),
            "levels": levels,
            "matrix": [
                [_preset_cell(li, im, size) for im in range(1, size + 1)]
                for li in range(1, size + 1)
            ],
        }
    )


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved ``months`` ahead, on the same day or the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)
