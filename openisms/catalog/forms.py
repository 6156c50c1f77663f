"""Filter forms of the catalogue pages (GET, so every filter lives in the URL)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from openisms.catalog.choices import (
    ANNEX_A_FRAMEWORK,
    ATTRIBUTE_VALUES,
    AttributeFamily,
    RequirementKind,
    Theme,
    attribute_label,
)
from openisms.catalog.filters import RequirementFilters
from openisms.catalog.models import Framework
from openisms.core.forms import StyledForm


def _any(label: str, choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *choices]


class SearchField(forms.CharField):
    """The free-text search box."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Search")
        kwargs.setdefault("help_text", "Ref, title or summary; every word must match.")
        super().__init__(required=False, max_length=100, **kwargs)
        self.widget.attrs.update(type="search", placeholder="e.g. backup, A.8.13, logging")


class AnnexAFilterForm(StyledForm):
    """Annex A controls: theme, each ISO/IEC 27002:2022 attribute family, new, search."""

    q = SearchField()
    theme = forms.ChoiceField(required=False, choices=_any("Any theme", Theme.choices))
    new = forms.BooleanField(required=False, label="New in 2022 only")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for family, label in AttributeFamily.choices:
            values = [(v, attribute_label(v)) for v in ATTRIBUTE_VALUES[family]]
            field = forms.ChoiceField(required=False, label=label, choices=_any("Any", values))
            field.widget.attrs["class"] = "form-select"
            self.fields[family] = field

    @property
    def families(self) -> list[forms.BoundField]:
        """The attribute fields, for the template."""
        return [self[family] for family in AttributeFamily.values]

    def to_filters(self) -> RequirementFilters:
        """The filters chosen (none when the form is not valid)."""
        base = RequirementFilters(framework=ANNEX_A_FRAMEWORK, kind=RequirementKind.CONTROL)
        if not self.is_bound or not self.is_valid():
            return base
        data = self.cleaned_data
        pairs = tuple((f, data[f]) for f in AttributeFamily.values if data.get(f))
        return RequirementFilters(
            framework=base.framework,
            kind=base.kind,
            theme=data["theme"],
            attributes=pairs,
            is_new=True if data["new"] else None,
            q=data["q"].strip(),
        )


class RequirementFilterForm(StyledForm):
    """One framework's requirements: kind and search."""

    q = SearchField()
    kind = forms.ChoiceField(required=False, choices=_any("Any kind", RequirementKind.choices))

    def to_filters(self, framework: str = "") -> RequirementFilters:
        """The filters chosen (none when the form is not valid)."""
        if not self.is_bound or not self.is_valid():
            return RequirementFilters(framework=framework)
        data = self.cleaned_data
        code = data.get("framework") or framework
        return RequirementFilters(framework=code, kind=data["kind"], q=data["q"].strip())


class SearchForm(RequirementFilterForm):
    """The whole catalogue: framework, kind and search."""

    framework = forms.ChoiceField(required=False, label="Framework")

    def __init__(self, *args: Any, frameworks: Iterable[Framework] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["framework"]  # type: ignore[assignment]
        field.choices = _any("Every framework", ((f.code, f.name) for f in frameworks))
        self.order_fields(["q", "framework", "kind"])
