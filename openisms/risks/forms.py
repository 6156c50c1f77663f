"""Forms of the risk pages: they check shape only; the services and rules hold the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.validators import RegexValidator

from openisms.catalog.models import Requirement
from openisms.core.forms import CheckedForm, StyledForm, style_widgets
from openisms.core.models import User
from openisms.risks.choices import (
    ActionStatus,
    RiskStatus,
    Severity,
    ThreatCategory,
    ThreatSource,
    TreatmentOption,
    VulnerabilityStatus,
)
from openisms.risks.filters import OPEN, SORTS, ActionFilters, RiskFilters
from openisms.risks.methodology import PRESETS, MethodologySpec
from openisms.risks.models import Risk, Threat, TreatmentAction, Vulnerability
from openisms.risks.rules import (
    ActionInput,
    AssessmentInput,
    RiskInput,
    ThreatInput,
    VulnerabilityInput,
)
from openisms.risks.selectors import ThreatFilters, VulnerabilityFilters

Choices = list[tuple[Any, str]]
MAX_MATRIX_LEVELS = 6


def _any(label: str, choices: Sequence[tuple[Any, str]]) -> Choices:
    return [("", label), *choices]


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def member_choices(members: Sequence[User]) -> Choices:
    """Members as ``(e-mail, "Name · e-mail")``."""
    return [(u.email, f"{u.full_name} · {u.email}" if u.full_name else u.email) for u in members]


def level_choices(spec: MethodologySpec) -> Choices:
    """``(key, label)`` of every level of a methodology."""
    return [(level.key, level.label) for level in spec.levels]


class RiskFilterForm(StyledForm):
    """The register's filters (GET, so they live in the URL) and its order."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    level = forms.ChoiceField(required=False, choices=())
    owner = forms.ChoiceField(required=False, choices=())
    status = forms.ChoiceField(
        required=False,
        choices=_any("Any status", [(OPEN, "Open (not closed)"), *RiskStatus.choices]),
    )
    treatment = forms.ChoiceField(
        required=False,
        choices=_any("Any treatment", [("none", "Not chosen"), *TreatmentOption.choices]),
    )
    asset = forms.CharField(required=False, max_length=20, help_text="e.g. A-0001")
    control = forms.CharField(required=False, max_length=20, help_text="e.g. A.5.15")
    threat = forms.CharField(required=False, max_length=40)
    review_due = forms.BooleanField(required=False, label="Due for review")
    stale = forms.BooleanField(required=False, label="Older methodology")
    methodology = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    inherent_likelihood = forms.IntegerField(required=False, widget=forms.HiddenInput)
    inherent_impact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    residual_likelihood = forms.IntegerField(required=False, widget=forms.HiddenInput)
    residual_impact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, members: Sequence[User], spec: MethodologySpec | None) -> None:
        super().__init__(data)
        self.fields["owner"].choices = _any("Anyone", member_choices(members))  # type: ignore[attr-defined]
        levels = level_choices(spec) if spec else []
        self.fields["level"].choices = _any("Any level", levels)  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs.update(type="search", placeholder="Ref, title, description")

    def to_filters(self) -> RiskFilters:
        """The filters chosen; the invalid ones are left out."""
        if not self.is_bound:
            return RiskFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}
        sort = str(self.data.get("sort") or "ref")
        data["sort"] = sort if sort.removeprefix("-") in SORTS else "ref"
        return RiskFilters(**data)


class RiskForm(StyledForm):
    """Create or edit a risk: what it is, whom it concerns, what is in place."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=_area(4))
    owner = forms.ChoiceField(choices=(), help_text="The risk owner, accountable for it (6.1.2 c).")
    affects_confidentiality = forms.BooleanField(required=False, label="Confidentiality")
    affects_integrity = forms.BooleanField(required=False, label="Integrity")
    affects_availability = forms.BooleanField(required=False, label="Availability")
    assets = forms.CharField(
        required=False, help_text="References of the assets concerned, e.g. A-0001, A-0007."
    )
    threats = forms.MultipleChoiceField(
        required=False, choices=(), help_text="Hold Ctrl (or Cmd) to choose several."
    )
    vulnerabilities = forms.CharField(
        required=False, help_text="References of vulnerabilities, e.g. V-0002."
    )
    existing_controls = forms.CharField(
        required=False, widget=_area(3), help_text="What already reduces the risk today."
    )
    next_review = forms.DateField(required=False, widget=_date())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        members: Sequence[User],
        threats: Sequence[Threat],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["owner"].choices = member_choices(members)  # type: ignore[attr-defined]
        self.fields["threats"].choices = [(t.ref, f"{t.ref} {t.name}") for t in threats]  # type: ignore[attr-defined]
        self.fields["threats"].widget.attrs["size"] = 10

    def to_input(self) -> RiskInput:
        """The values for the service."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["next_review"] = data.get("next_review") or ""
        return RiskInput(**data)


def risk_initial(risk: Risk) -> dict[str, Any]:
    """A risk's values for the edit form (needs its links prefetched)."""
    return {
        "title": risk.title,
        "description": risk.description,
        "owner": risk.owner.email,
        "affects_confidentiality": risk.affects_confidentiality,
        "affects_integrity": risk.affects_integrity,
        "affects_availability": risk.affects_availability,
        "assets": ", ".join(a.ref for a in risk.assets.all()),
        "threats": [t.ref for t in risk.threats.all()],
        "vulnerabilities": ", ".join(v.ref for v in risk.vulnerabilities.all()),
        "existing_controls": risk.existing_controls,
        "next_review": risk.next_review,
        "version": risk.version,
    }


class TreatmentForm(StyledForm):
    """Choose the treatment option and the Annex A controls that carry it out (6.1.3 a, b)."""

    treatment = forms.ChoiceField(choices=_any("Not chosen yet", TreatmentOption.choices))
    controls = forms.MultipleChoiceField(
        required=False,
        choices=(),
        label="Annex A controls",
        help_text="The controls chosen to treat the risk; hold Ctrl (or Cmd) to choose several.",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        controls: Sequence[Requirement],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["treatment"].required = False
        self.fields["controls"].choices = [(c.ref, f"{c.ref} {c.title}") for c in controls]  # type: ignore[attr-defined]
        self.fields["controls"].widget.attrs["size"] = 16

    def to_input(self) -> RiskInput:
        return RiskInput(
            treatment=self.cleaned_data["treatment"], controls=self.cleaned_data["controls"]
        )


def _scale_choices(points: Sequence[Any], blank: str | None = None) -> Choices:
    choices: Choices = [(p.value, f"{p.value} · {p.label}") for p in points]
    return _any(blank, choices) if blank is not None else choices


class AssessForm(StyledForm):
    """Inherent likelihood and impact, and the target residual ones, on the current scales."""

    inherent_likelihood = forms.TypedChoiceField(coerce=int, choices=())
    inherent_impact = forms.TypedChoiceField(coerce=int, choices=())
    residual_likelihood = forms.TypedChoiceField(
        coerce=int, choices=(), required=False, empty_value=None, label="Target residual likelihood"
    )
    residual_impact = forms.TypedChoiceField(
        coerce=int, choices=(), required=False, empty_value=None, label="Target residual impact"
    )
    next_review = forms.DateField(
        required=False,
        widget=_date(),
        help_text="Leave empty for the review interval of the level.",
    )
    note = forms.CharField(required=False, widget=_area(2), help_text="Why these values.")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Any = None, *, spec: MethodologySpec, initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial=initial)
        for kind, blank in (("inherent", None), ("residual", "Not set")):
            self.fields[f"{kind}_likelihood"].choices = _scale_choices(spec.likelihood, blank)  # type: ignore[attr-defined]
            self.fields[f"{kind}_impact"].choices = _scale_choices(spec.impact, blank)  # type: ignore[attr-defined]

    def to_input(self) -> AssessmentInput:
        data = self.cleaned_data
        return AssessmentInput(
            inherent_likelihood=data["inherent_likelihood"],
            inherent_impact=data["inherent_impact"],
            residual_likelihood=data["residual_likelihood"],
            residual_impact=data["residual_impact"],
            next_review=data["next_review"] or "",
            note=data["note"],
        )


class AcceptForm(StyledForm):
    """Accept the risk's level: why, and until when (6.1.3 f)."""

    rationale = forms.CharField(widget=_area(3), help_text="Why the risk is acceptable.")
    valid_until = forms.DateField(widget=_date(), label="Acceptance valid until")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CloseForm(StyledForm):
    """Close a risk that no longer applies."""

    reason = forms.CharField(widget=_area(3), help_text="Why the risk no longer applies.")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ActionForm(StyledForm):
    """One treatment action."""

    title = forms.CharField(max_length=200)
    owner = forms.ChoiceField(required=False, choices=())
    due_date = forms.DateField(required=False, widget=_date())
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    progress = forms.IntegerField(min_value=0, max_value=100, initial=0, label="Progress (%)")
    notes = forms.CharField(required=False, widget=_area(2))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Any = None, *, members: Sequence[User], initial: dict[str, Any] | None = None
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["owner"].choices = _any("Nobody yet", member_choices(members))  # type: ignore[attr-defined]

    def to_input(self) -> ActionInput:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["due_date"] = data["due_date"] or ""
        return ActionInput(**data)


def action_initial(action: TreatmentAction) -> dict[str, Any]:
    """An action's values for the edit form."""
    return {
        "title": action.title,
        "owner": action.owner.email if action.owner else "",
        "due_date": action.due_date,
        "status": action.status,
        "progress": action.progress,
        "notes": action.notes,
        "version": action.version,
    }


class ActionFilterForm(StyledForm):
    """The treatment plan's filters."""

    status = forms.ChoiceField(
        required=False, choices=_any("Any status", [(OPEN, "Open"), *ActionStatus.choices])
    )
    owner = forms.ChoiceField(required=False, choices=())
    overdue = forms.BooleanField(required=False, label="Overdue only")
    risk = forms.CharField(required=False, max_length=20, help_text="e.g. R-0001")

    def __init__(self, data: Any, *, members: Sequence[User]) -> None:
        super().__init__(data)
        self.fields["owner"].choices = _any("Anyone", member_choices(members))  # type: ignore[attr-defined]

    def to_filters(self) -> ActionFilters:
        if not self.is_bound:
            return ActionFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v not in ("", None, False)}
        return ActionFilters(**data)


class VulnerabilityForm(StyledForm):
    """Create or edit a vulnerability."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=_area(3))
    assets = forms.CharField(required=False, help_text="References, e.g. A-0001, A-0004.")
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM)
    status = forms.ChoiceField(choices=VulnerabilityStatus.choices)
    found_on = forms.DateField(required=False, widget=_date())
    fixed_on = forms.DateField(required=False, widget=_date())
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def to_input(self) -> VulnerabilityInput:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["found_on"] = data["found_on"] or ""
        data["fixed_on"] = data["fixed_on"] or ""
        return VulnerabilityInput(**data)


def vulnerability_initial(vulnerability: Vulnerability) -> dict[str, Any]:
    """A vulnerability's values for the edit form (needs its assets prefetched)."""
    return {
        "title": vulnerability.title,
        "description": vulnerability.description,
        "assets": ", ".join(a.ref for a in vulnerability.assets.all()),
        "severity": vulnerability.severity,
        "status": vulnerability.status,
        "found_on": vulnerability.found_on,
        "fixed_on": vulnerability.fixed_on,
        "version": vulnerability.version,
    }


class VulnerabilityFilterForm(StyledForm):
    """The vulnerability register's filters."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(required=False, choices=_any("Any", VulnerabilityStatus.choices))
    severity = forms.ChoiceField(required=False, choices=_any("Any", Severity.choices))
    asset = forms.CharField(required=False, max_length=20)

    def to_filters(self) -> VulnerabilityFilters:
        if not self.is_bound:
            return VulnerabilityFilters()
        self.is_valid()
        return VulnerabilityFilters(**{k: v for k, v in self.cleaned_data.items() if v})


class ThreatForm(StyledForm):
    """One of the organisation's own threats."""

    name = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=ThreatCategory.choices)
    summary = forms.CharField(required=False, max_length=500, widget=_area(2))
    affects_confidentiality = forms.BooleanField(required=False, label="Confidentiality")
    affects_integrity = forms.BooleanField(required=False, label="Integrity")
    affects_availability = forms.BooleanField(required=False, label="Availability")
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def to_input(self) -> ThreatInput:
        return ThreatInput(**{k: v for k, v in self.cleaned_data.items() if k != "version"})


class ThreatFilterForm(StyledForm):
    """The threat library's filters."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    category = forms.ChoiceField(required=False, choices=_any("Any", ThreatCategory.choices))
    source = forms.ChoiceField(required=False, choices=_any("Any", ThreatSource.choices))

    def to_filters(self) -> ThreatFilters:
        if not self.is_bound:
            return ThreatFilters()
        self.is_valid()
        return ThreatFilters(**{k: v for k, v in self.cleaned_data.items() if v})


# --- methodology ------------------------------------------------------------------------------


class PresetForm(StyledForm):
    """Start a new methodology version from a preset."""

    preset = forms.ChoiceField(choices=[(p, p) for p in PRESETS], initial="5x5")
    name = forms.CharField(max_length=120, initial="Risk methodology")
    note = forms.CharField(required=False, widget=_area(2), help_text="What changed and why.")


_KEY = RegexValidator(r"^[a-z][a-z0-9_]{0,19}$", "Use lower-case letters, digits and _.")
_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #d63939.")


class MethodologyForm(CheckedForm):
    """Edit a whole methodology: scale labels, levels and the matrix, each checked by field.

    The number of scale steps comes from the version (or preset) the form starts from; levels
    get one spare row. Matrix cells choose a level by its row number, so renaming a level's
    key does not break the matrix.
    """

    name = forms.CharField(max_length=120)
    note = forms.CharField(required=False, widget=_area(2), help_text="What changed and why.")

    def __init__(self, data: Any = None, *, base: MethodologySpec, name: str = "") -> None:
        super().__init__(data)
        self.base = base
        self.fields["name"].initial = name or "Risk methodology"
        self._scale_fields(base)
        self._level_fields(base)
        self._matrix_fields(base)
        style_widgets(self)

    def _scale_fields(self, base: MethodologySpec) -> None:
        for scale in ("likelihood", "impact"):
            for point in getattr(base, scale):
                prefix = f"{scale}_{point.value}"
                self.fields[f"{prefix}_label"] = forms.CharField(
                    max_length=60, initial=point.label, label=f"{point.value}: label"
                )
                self.fields[f"{prefix}_description"] = forms.CharField(
                    max_length=500, required=False, initial=point.description, label="Description"
                )
                self.fields[f"{prefix}_range"] = forms.CharField(
                    max_length=120, required=False, initial=point.range, label="Range"
                )

    def _level_fields(self, base: MethodologySpec) -> None:
        count = min(len(base.levels) + 1, MAX_MATRIX_LEVELS)
        for index in range(1, count + 1):
            level = base.levels[index - 1] if index <= len(base.levels) else None
            spare = level is None
            self.fields[f"level_{index}_key"] = forms.CharField(
                max_length=20,
                required=not spare,
                validators=[_KEY],
                initial=level.key if level else "",
                label="Key",
            )
            self.fields[f"level_{index}_label"] = forms.CharField(
                max_length=40, required=False, initial=level.label if level else "", label="Label"
            )
            self.fields[f"level_{index}_colour"] = forms.CharField(
                max_length=7,
                required=False,
                validators=[_COLOUR],
                initial=level.colour if level else "#626976",
                label="Colour",
                widget=forms.TextInput(attrs={"type": "color"}),
            )
            self.fields[f"level_{index}_owner_may_accept"] = forms.BooleanField(
                required=False,
                initial=level.owner_may_accept if level else False,
                label="Risk owner may accept",
            )
            self.fields[f"level_{index}_review_months"] = forms.IntegerField(
                min_value=1,
                max_value=60,
                required=not spare,
                initial=level.review_months if level else 12,
                label="Review every (months)",
            )

    @property
    def level_rows(self) -> list[list[forms.BoundField]]:
        """The level fields by row, for the template."""
        count = len([n for n in self.fields if n.startswith("level_") and n.endswith("_key")])
        names = ("key", "label", "colour", "owner_may_accept", "review_months")
        return [[self[f"level_{i}_{n}"] for n in names] for i in range(1, count + 1)]

    def scale_rows(self, scale: str) -> list[list[forms.BoundField]]:
        """The scale's fields by step, for the template."""
        steps = len(getattr(self.base, scale))
        names = ("label", "description", "range")
        return [[self[f"{scale}_{v}_{n}"] for n in names] for v in range(1, steps + 1)]

    @property
    def likelihood_rows(self) -> list[list[forms.BoundField]]:
        return self.scale_rows("likelihood")

    @property
    def impact_rows(self) -> list[list[forms.BoundField]]:
        return self.scale_rows("impact")

    def _matrix_fields(self, base: MethodologySpec) -> None:
        count = min(len(base.levels) + 1, MAX_MATRIX_LEVELS)
        positions = {level.key: i for i, level in enumerate(base.levels, 1)}
        choices = [
            (i, f"{i} · {base.levels[i - 1].label}" if i <= len(base.levels) else f"{i} · new")
            for i in range(1, count + 1)
        ]
        for li in range(1, len(base.likelihood) + 1):
            for im in range(1, len(base.impact) + 1):
                field = forms.TypedChoiceField(
                    coerce=int,
                    choices=choices,
                    initial=positions[base.matrix[li - 1][im - 1]],
                    label=f"Likelihood {li}, impact {im}",
                )
                self.fields[f"cell_{li}_{im}"] = field

    @property
    def matrix_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        """The matrix fields, highest likelihood first, as on the heat map."""
        size_i = len(self.base.impact)
        return [
            (li, [self[f"cell_{li}_{im}"] for im in range(1, size_i + 1)])
            for li in range(len(self.base.likelihood), 0, -1)
        ]

    def to_spec(self) -> dict[str, Any]:
        """The methodology JSON for ``methodology.parse`` (and the service)."""
        data = self.cleaned_data
        levels = []
        for index in range(1, MAX_MATRIX_LEVELS + 1):
            key = data.get(f"level_{index}_key")
            if key:
                levels.append(
                    {
                        "key": key,
                        "label": data.get(f"level_{index}_label") or key.title(),
                        "colour": data.get(f"level_{index}_colour") or "#626976",
                        "owner_may_accept": data.get(f"level_{index}_owner_may_accept", False),
                        "review_months": data.get(f"level_{index}_review_months"),
                    }
                )
        keys = [str(data.get(f"level_{i}_key") or "") for i in range(1, MAX_MATRIX_LEVELS + 1)]
        matrix = [
            [
                keys[int(data[f"cell_{li}_{im}"]) - 1] or f"level{data[f'cell_{li}_{im}']}"
                for im in range(1, len(self.base.impact) + 1)
            ]
            for li in range(1, len(self.base.likelihood) + 1)
        ]
        return {
            "likelihood": self._points("likelihood"),
            "impact": self._points("impact"),
            "levels": levels,
            "matrix": matrix,
        }

    def _points(self, scale: str) -> list[dict[str, str]]:
        data = self.cleaned_data
        return [
            {
                "label": data[f"{scale}_{v}_label"],
                "description": data.get(f"{scale}_{v}_description", ""),
                "range": data.get(f"{scale}_{v}_range", ""),
            }
            for v in range(1, len(getattr(self.base, scale)) + 1)
        ]
