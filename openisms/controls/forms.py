"""Forms of the SoA pages; they check shape only, the services check the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from openisms.controls.choices import THEME_LABELS, Applicability, ImplementationStatus, LinkKind
from openisms.controls.filters import APPLICABLE_CHOICES, SoaFilters
from openisms.controls.models import Control
from openisms.controls.services import OWN_REF, ControlInput
from openisms.core.forms import CheckedForm, PlainSelect, PlainTextInput
from openisms.core.models import User

_INPUT = {"class": "form-control"}
_SELECT = {"class": "form-select"}
_DATE = {"class": "form-control", "type": "date"}


class SoaFilterForm(CheckedForm):
    """The filters above the SoA table, read from the URL."""

    q = forms.CharField(required=False, label="Search", widget=PlainTextInput(attrs=_INPUT))
    theme = forms.ChoiceField(
        required=False,
        choices=[("", "Any theme"), *THEME_LABELS.items()],
        widget=PlainSelect(attrs=_SELECT),
    )
    applicable = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *APPLICABLE_CHOICES],
        widget=PlainSelect(attrs=_SELECT),
    )
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status"), *ImplementationStatus.choices],
        widget=PlainSelect(attrs=_SELECT),
    )
    owner = forms.CharField(required=False, widget=PlainTextInput(attrs=_INPUT))

    def filters(self) -> SoaFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return SoaFilters(
            **{k: data.get(k) or "" for k in ("q", "theme", "applicable", "status", "owner")}
        )


class ControlForm(CheckedForm):
    """A control's SoA values (the inline row form and the edit page)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    applicability = forms.ChoiceField(
        choices=Applicability.choices, widget=PlainSelect(attrs=_SELECT)
    )
    exclusion_justification = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={**_INPUT, "rows": 2}),
        help_text="Required when the control is not applicable.",
    )
    business_reason = forms.CharField(
        required=False,
        label="Business requirement or good practice",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 2}),
    )
    obligations = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={**_SELECT, "size": 4})
    )
    implementation_status = forms.ChoiceField(
        label="Implementation",
        choices=ImplementationStatus.choices,
        widget=PlainSelect(attrs=_SELECT),
    )
    implementation_description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={**_INPUT, "rows": 2})
    )
    owner = forms.ChoiceField(required=False, widget=PlainSelect(attrs=_SELECT))
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs=_DATE))
    last_review = forms.DateField(required=False, widget=forms.DateInput(attrs=_DATE))

    def __init__(
        self, *args: Any, members: list[User], obligations: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = cast(forms.ChoiceField, self.fields["owner"])
        owner.choices = [("", "No owner"), *((u.email, u.display_name) for u in members)]
        cast(forms.MultipleChoiceField, self.fields["obligations"]).choices = obligations

    def to_input(self) -> ControlInput:
        d = self.cleaned_data
        clear = tuple(n for n in ("owner", "due_date", "last_review") if not d.get(n))
        return ControlInput(
            applicability=d["applicability"],
            exclusion_justification=d["exclusion_justification"],
            business_reason=d["business_reason"],
            obligations=list(d["obligations"]),
            implementation_status=d["implementation_status"],
            implementation_description=d["implementation_description"],
            owner=d["owner"] or None,
            due_date=d["due_date"],
            last_review=d["last_review"],
            clear=clear,
        )


def control_initial(control: Control) -> dict[str, Any]:
    """The form's values from a control (obligations must be prefetched)."""
    return {
        "version": control.version,
        "applicability": control.applicability,
        "exclusion_justification": control.exclusion_justification,
        "business_reason": control.business_reason,
        "obligations": [o.ref for o in control.obligations.all()],
        "implementation_status": control.implementation_status,
        "implementation_description": control.implementation_description,
        "owner": control.owner.email if control.owner else "",
        "due_date": control.due_date,
        "last_review": control.last_review,
    }


class NewControlForm(CheckedForm):
    """A control from another source: its own reference, where it comes from, why it is kept."""

    ref = forms.RegexField(
        OWN_REF,
        error_messages={"invalid": "Use letters, digits, dots, hyphens and underscores only."},
        label="Reference",
        max_length=32,
        help_text="Your own, e.g. X-01 (A. is Annex A's).",
        widget=PlainTextInput(attrs=_INPUT),
    )
    title = forms.CharField(max_length=200, widget=PlainTextInput(attrs=_INPUT))
    source_note = forms.CharField(
        label="Source",
        required=False,
        max_length=300,
        help_text="Where it comes from: a customer contract, ISO/IEC 27017, a sector rule...",
        widget=PlainTextInput(attrs=_INPUT),
    )
    business_reason = forms.CharField(
        label="Business requirement",
        required=False,
        widget=forms.Textarea(attrs={**_INPUT, "rows": 2}),
    )


class LinkForm(CheckedForm):
    """Link a document, evidence item or web page to a control."""

    kind = forms.ChoiceField(choices=LinkKind.choices, widget=PlainSelect(attrs=_SELECT))
    label = forms.CharField(max_length=200, widget=PlainTextInput(attrs=_INPUT))
    url = forms.URLField(required=False, assume_scheme="https", widget=forms.URLInput(attrs=_INPUT))
    valid_until = forms.DateField(required=False, widget=forms.DateInput(attrs=_DATE))


class PublishForm(CheckedForm):
    """Publish the working copy as a new version."""

    note = forms.CharField(required=False, widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))
    override_reason = forms.CharField(
        required=False,
        label="Reason to publish despite blockers",
        widget=forms.Textarea(attrs={**_INPUT, "rows": 2}),
    )


class DecisionForm(CheckedForm):
    """Approve or reject a version in review."""

    decision = forms.ChoiceField(choices=(("approve", "Approve"), ("reject", "Reject")))
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={**_INPUT, "rows": 2}))
