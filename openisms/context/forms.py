"""Forms of the context pages; they check shape only, the services hold the rules."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from django import forms

from openisms.context import filters as f
from openisms.context.choices import (
    EXTERNAL_CATEGORIES,
    INTERNAL_CATEGORIES,
    IssueEffect,
    IssueKind,
    IssueStatus,
    ObligationKind,
    ObligationStatus,
    PartyKind,
    Relevance,
)
from openisms.core.forms import StyledForm

Choices = Sequence[tuple[str, str]]


def _any(label: str, choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", label), *choices]


def _text_area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


_CATEGORY_CHOICES = [
    ("", "Choose a category"),
    ("External", [(c.value, c.label) for c in EXTERNAL_CATEGORIES]),
    ("Internal", [(c.value, c.label) for c in INTERNAL_CATEGORIES]),
]


class RecordForm(StyledForm):
    """A register record: its fields, plus the ``version`` the editor loaded (hidden)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def split(self) -> tuple[dict[str, Any], int | None]:
        """The record's fields, and the version the edit was based on."""
        data = dict(self.cleaned_data)
        return data, data.pop("version", None)


class OwnedForm(RecordForm):
    """A record with an owner, chosen among the organisation's members (by e-mail)."""

    owner = forms.ChoiceField(required=False, help_text="A member of the organisation.")

    def __init__(self, *args: Any, members: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["owner"]  # type: ignore[assignment]
        field.choices = _any("Nobody yet", members)


class IssueForm(OwnedForm):
    """An internal or external issue."""

    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=IssueKind.choices, label="Internal or external")
    category = forms.ChoiceField(
        choices=_CATEGORY_CHOICES,
        help_text="External: PESTLE, climate change, market. Internal: the organisation itself.",
    )
    description = forms.CharField(required=False, widget=_text_area(4))
    effect = forms.ChoiceField(
        choices=IssueEffect.choices, initial=IssueEffect.NEUTRAL, label="Effect on the ISMS"
    )
    effect_description = forms.CharField(
        required=False,
        widget=_text_area(),
        label="How it affects the ISMS",
        help_text="What it means for the outcomes the ISMS should achieve.",
    )
    review_date = forms.DateField(required=False, widget=_date())
    status = forms.ChoiceField(choices=IssueStatus.choices, initial=IssueStatus.OPEN)
    field_order = ("title", "kind", "category", "description", "effect", "effect_description")


class PartyForm(RecordForm):
    """An interested party."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PartyKind.choices)
    relevance = forms.ChoiceField(
        choices=Relevance.choices,
        initial=Relevance.MEDIUM,
        help_text="How much its requirements weigh on the ISMS.",
    )
    description = forms.CharField(
        required=False, widget=_text_area(4), help_text="Who they are and why they matter."
    )


class RequirementForm(RecordForm):
    """One requirement of an interested party."""

    text = forms.CharField(widget=_text_area(), label="Requirement")
    addressed = forms.BooleanField(required=False, label="Addressed through the ISMS")
    how = forms.CharField(
        required=False,
        widget=_text_area(),
        label="How",
        help_text="The controls, policies or processes that address it.",
    )
    obligation = forms.ChoiceField(
        required=False,
        label="Became obligation",
        help_text="When the requirement is recorded in the obligations register.",
    )

    def __init__(self, *args: Any, obligations: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["obligation"]  # type: ignore[assignment]
        field.choices = _any("None", obligations)


class ObligationForm(OwnedForm):
    """A legal, regulatory or contractual obligation."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=ObligationKind.choices)
    jurisdiction = forms.CharField(
        required=False, max_length=200, help_text="Where a law or regulation applies."
    )
    counterparty = forms.CharField(
        required=False, max_length=200, help_text="The other party to a contract."
    )
    source = forms.CharField(
        required=False, max_length=300, help_text="The law and article, or contract and clause."
    )
    source_url = forms.CharField(required=False, max_length=500, label="Source address (URL)")
    description = forms.CharField(required=False, widget=_text_area(4))
    status = forms.ChoiceField(choices=ObligationStatus.choices, initial=ObligationStatus.ACTIVE)
    review_date = forms.DateField(required=False, widget=_date())
    field_order = ("name", "kind", "jurisdiction", "counterparty", "source", "source_url")


class ScopeForm(RecordForm):
    """The scope statement's fields; its exclusions come in ``ExclusionFormSet``."""

    summary = forms.CharField(
        max_length=300, required=False, help_text="One or two sentences, for lists and reports."
    )
    text = forms.CharField(
        required=False,
        widget=_text_area(8),
        label="Scope statement",
        help_text="What the ISMS covers, in the words you would show an auditor.",
    )
    organisational_boundaries = forms.CharField(
        required=False, widget=_text_area(6), help_text="Units, teams, functions, legal entities."
    )
    physical_boundaries = forms.CharField(
        required=False,
        widget=_text_area(6),
        help_text="Sites, offices, data centres, home working.",
    )
    technological_boundaries = forms.CharField(
        required=False, widget=_text_area(6), help_text="Systems, networks, cloud accounts."
    )
    locations = forms.CharField(required=False, widget=_text_area(6), help_text="One per line.")
    interfaces = forms.CharField(
        required=False,
        widget=_text_area(6),
        label="Interfaces and dependencies",
        help_text="With other organisations and activities: suppliers, group functions, clients.",
    )


class ExclusionForm(StyledForm):
    """One thing that is out of scope, and why."""

    item = forms.CharField(required=False, max_length=300, label="Out of scope")
    justification = forms.CharField(
        required=False, max_length=1000, label="Why", widget=_text_area(2)
    )


ExclusionFormSet = forms.formset_factory(ExclusionForm, extra=2, max_num=100)


def exclusion_rows(formset: forms.BaseFormSet[ExclusionForm]) -> list[dict[str, str]]:
    """Every row, empty ones included, so that an error's index is the row's."""
    return [
        {
            "item": form.cleaned_data.get("item", ""),
            "justification": form.cleaned_data.get("justification", ""),
        }
        for form in formset
    ]


class DecisionForm(StyledForm):
    """Approve, or return to draft, with a comment."""

    comment = forms.CharField(required=False, widget=_text_area(), max_length=2000)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CompareForm(StyledForm):
    """Two versions of the scope to compare."""

    a = forms.TypedChoiceField(coerce=int, label="Older version")
    b = forms.TypedChoiceField(coerce=int, label="Newer version")

    def __init__(self, *args: Any, numbers: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("a", "b"):
            field: forms.TypedChoiceField = self.fields[name]  # type: ignore[assignment]
            field.choices = [(str(n), f"Version {n}") for n in numbers]


# --- filters (GET, so every filter lives in the URL) ---------------------------------------


class FilterForm(StyledForm):
    """The text search and the sort order every register has."""

    sorts: ClassVar[dict[str, tuple[str, ...]]] = {}
    q = forms.CharField(required=False, max_length=100, label="Search")
    sort = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["sort"]  # type: ignore[assignment]
        field.choices = [("", "Reference"), *((s, s) for s in f.sort_choices(self.sorts))]
        self.fields["q"].widget.attrs.update(type="search")

    def values(self) -> dict[str, Any]:
        """The valid filters chosen (none when the form is not valid)."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        data["q"] = data["q"].strip()
        return data


class IssueFilterForm(FilterForm):
    """Filters of the issues register."""

    sorts = f.ISSUE_SORTS
    kind = forms.ChoiceField(
        required=False, choices=_any("Internal and external", IssueKind.choices)
    )
    category = forms.ChoiceField(
        required=False, choices=[("", "Any category"), *_CATEGORY_CHOICES[1:]]
    )
    effect = forms.ChoiceField(required=False, choices=_any("Any effect", IssueEffect.choices))
    status = forms.ChoiceField(required=False, choices=_any("Any status", IssueStatus.choices))
    owner = forms.ChoiceField(required=False)
    review_due = forms.BooleanField(required=False, label="Review due")

    def __init__(self, *args: Any, members: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["owner"]  # type: ignore[assignment]
        field.choices = _any("Any owner", members)

    def to_filters(self) -> f.IssueFilters:
        """The filters chosen."""
        return f.IssueFilters(**self.values())


class PartyFilterForm(FilterForm):
    """Filters of the interested parties."""

    sorts = f.PARTY_SORTS
    kind = forms.ChoiceField(required=False, choices=_any("Any kind", PartyKind.choices))
    relevance = forms.ChoiceField(required=False, choices=_any("Any relevance", Relevance.choices))
    unaddressed = forms.BooleanField(required=False, label="With unaddressed requirements")

    def to_filters(self) -> f.PartyFilters:
        """The filters chosen."""
        return f.PartyFilters(**self.values())


class ObligationFilterForm(FilterForm):
    """Filters of the obligations register."""

    sorts = f.OBLIGATION_SORTS
    kind = forms.ChoiceField(required=False, choices=_any("Any kind", ObligationKind.choices))
    status = forms.ChoiceField(required=False, choices=_any("Any status", ObligationStatus.choices))
    owner = forms.ChoiceField(required=False)
    review_due = forms.BooleanField(required=False, label="Review due")

    def __init__(self, *args: Any, members: Choices = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ChoiceField = self.fields["owner"]  # type: ignore[assignment]
        field.choices = _any("Any owner", members)

    def to_filters(self) -> f.ObligationFilters:
        """The filters chosen."""
        return f.ObligationFilters(**self.values())
