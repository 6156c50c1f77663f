"""Forms of the inventory pages: they check shape; the services and the import hold the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from openisms.assets.choices import LEVELS, AssetKind, CiaDimension, LifecycleStatus
from openisms.assets.filters import CRITICALITY_CHOICES, SORTS, AssetFilters
from openisms.assets.imports.columns import COLUMNS
from openisms.assets.imports.reading import MAX_BYTES
from openisms.assets.models import Asset, CiaLevel, Classification
from openisms.assets.rules import AssetInput
from openisms.core.forms import CheckedForm, StyledForm, style_widgets
from openisms.core.models import User

Choices = list[tuple[str, str]]


def _any(label: str, choices: Sequence[tuple[str, str]]) -> Choices:
    return [("", label), *choices]


def member_choices(members: Sequence[User]) -> Choices:
    """Members as ``(e-mail, "Name · e-mail")``."""
    return [(u.email, f"{u.full_name} · {u.email}" if u.full_name else u.email) for u in members]


def label_choices(labels: Sequence[Classification]) -> Choices:
    """Classification labels by name."""
    return [(c.name, c.name) for c in labels]


class AssetFilterForm(StyledForm):
    """The list's filters (GET, so they live in the URL) and its order."""

    q = forms.CharField(required=False, max_length=100, label="Search")
    kind = forms.ChoiceField(required=False, choices=_any("Any kind", AssetKind.choices))
    owner = forms.ChoiceField(required=False, choices=())
    classification = forms.ChoiceField(required=False, choices=())
    criticality = forms.ChoiceField(required=False, choices=_any("Any", CRITICALITY_CHOICES))
    status = forms.ChoiceField(required=False, choices=_any("Any", LifecycleStatus.choices))
    tag = forms.CharField(required=False, max_length=60)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Any, *, members: Sequence[User], labels: Sequence[Classification]
    ) -> None:
        super().__init__(data)
        self.fields["owner"].choices = _any("Anyone", member_choices(members))  # type: ignore[attr-defined]
        self.fields["classification"].choices = _any("Any", label_choices(labels))  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs.update(type="search", placeholder="Ref, name, description")
        self.fields["tag"].widget.attrs["list"] = "tag-names"

    def to_filters(self) -> AssetFilters:
        """The filters chosen; the invalid ones are left out."""
        if not self.is_bound:
            return AssetFilters()
        self.is_valid()
        data = {k: v for k, v in self.cleaned_data.items() if v}
        sort = str(self.data.get("sort") or "ref")
        data["sort"] = sort if sort.removeprefix("-") in SORTS else "ref"
        return AssetFilters(**data)


def level_choices(levels: Sequence[CiaLevel]) -> list[tuple[int, str]]:
    """``(2, "2 · Internal")``, from the organisation's definitions."""
    named = {level.level: level.label for level in levels}
    return [(n, f"{n} · {named[n]}" if n in named else str(n)) for n in LEVELS]


class AssetForm(StyledForm):
    """Create or edit one asset."""

    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=AssetKind.choices)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ChoiceField(choices=(), help_text="Accountable for the asset (A.5.9).")
    custodian = forms.ChoiceField(
        required=False, choices=(), help_text="Looks after it day to day."
    )
    location = forms.CharField(required=False, max_length=200)
    classification = forms.ChoiceField(choices=())
    confidentiality = forms.TypedChoiceField(coerce=int, choices=())
    integrity = forms.TypedChoiceField(coerce=int, choices=())
    availability = forms.TypedChoiceField(coerce=int, choices=())
    status = forms.ChoiceField(choices=LifecycleStatus.choices, initial=LifecycleStatus.IN_USE)
    tags = forms.CharField(required=False, help_text="Separated by commas, e.g. pii, production.")
    depends_on = forms.CharField(
        required=False,
        label="Depends on",
        help_text="References of the assets it needs, e.g. A-0002, A-0005.",
    )
    next_review = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    external_id = forms.CharField(
        required=False, max_length=100, label="External ID", help_text="Your id in a CMDB, if any."
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Any = None,
        *,
        members: Sequence[User],
        labels: Sequence[Classification],
        levels: dict[str, list[CiaLevel]],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.fields["owner"].choices = member_choices(members)  # type: ignore[attr-defined]
        self.fields["custodian"].choices = _any("Nobody", member_choices(members))  # type: ignore[attr-defined]
        self.fields["classification"].choices = label_choices(labels)  # type: ignore[attr-defined]
        for name, dim in zip(_LEVEL_FIELDS, CiaDimension.values, strict=True):
            self.fields[name].choices = level_choices(levels.get(dim, []))  # type: ignore[attr-defined]
            self.fields[name].initial = 2

    def to_input(self) -> AssetInput:
        """The values for the service."""
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["next_review"] = data["next_review"] or ""
        return AssetInput(**data)


_LEVEL_FIELDS = ("confidentiality", "integrity", "availability")


def asset_initial(asset: Asset) -> dict[str, Any]:
    """An asset's values for the edit form (needs tags and dependencies prefetched)."""
    return {
        "name": asset.name,
        "kind": asset.kind,
        "description": asset.description,
        "owner": asset.owner.email,
        "custodian": asset.custodian.email if asset.custodian else "",
        "location": asset.location,
        "classification": asset.classification.name,
        "confidentiality": asset.confidentiality,
        "integrity": asset.integrity,
        "availability": asset.availability,
        "status": asset.status,
        "tags": ", ".join(t.name for t in asset.tags.all()),
        "depends_on": ", ".join(a.ref for a in asset.depends_on.all()),
        "next_review": asset.next_review,
        "external_id": asset.external_id,
        "version": asset.version,
    }


class BulkForm(StyledForm):
    """One change for the assets ticked in the list."""

    owner = forms.ChoiceField(required=False, choices=(), label="Set owner")
    classification = forms.ChoiceField(required=False, choices=(), label="Set classification")
    add_tags = forms.CharField(required=False, max_length=300, label="Add tags")
    remove_tags = forms.CharField(required=False, max_length=300, label="Remove tags")

    def __init__(
        self, data: Any = None, *, members: Sequence[User], labels: Sequence[Classification]
    ) -> None:
        super().__init__(data, auto_id="bulk_%s")
        self.fields["owner"].choices = _any("Keep", member_choices(members))  # type: ignore[attr-defined]
        self.fields["classification"].choices = _any("Keep", label_choices(labels))  # type: ignore[attr-defined]


class UploadForm(StyledForm):
    """The file to import."""

    file = forms.FileField(
        label="CSV or XLSX file",
        help_text=f"Up to {MAX_BYTES // 1_048_576} MB; the first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


MAPPING_CHOICES: Choices = [("", "(skip this column)")] + [
    (c.field, c.header) for c in COLUMNS if c.importable
]


class MappingForm(CheckedForm):
    """Which field each column of the uploaded file fills: ``col_0`` ... ``col_n``."""

    def __init__(self, data: Any = None, *, headers: Sequence[str], mapping: Sequence[str]) -> None:
        super().__init__(data)
        for i, header in enumerate(headers):
            self.fields[f"col_{i}"] = forms.ChoiceField(
                required=False,
                choices=MAPPING_CHOICES,
                initial=mapping[i] if i < len(mapping) else "",
                label=f"Column {i + 1} ({header or 'no header'}) fills",
            )
        style_widgets(self)
        self.headers = list(headers)

    def columns(self) -> list[tuple[str, forms.BoundField]]:
        """Each header with its select, for the template."""
        return [(h, self[f"col_{i}"]) for i, h in enumerate(self.headers)]

    def mapping(self) -> list[str]:
        """The chosen fields, in column order."""
        return [self.cleaned_data.get(f"col_{i}", "") for i in range(len(self.headers))]


class ClassificationRowForm(StyledForm):
    """One label of the classification scheme."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(required=False, max_length=60, label="Label")
    description = forms.CharField(required=False, max_length=300)
    position = forms.IntegerField(
        min_value=0,
        max_value=999,
        initial=0,
        label="Order",
        widget=forms.TextInput(attrs={"size": 3, "inputmode": "numeric", "class": "w-auto"}),
    )
    remove = forms.BooleanField(required=False)


ClassificationFormSet = forms.formset_factory(ClassificationRowForm, extra=1, max_num=20)


class CiaLevelsForm(CheckedForm):
    """The label and meaning of each level of C, I and A: ``c1_label``, ``c1_description``..."""

    def __init__(self, data: Any = None, *, levels: dict[str, list[CiaLevel]]) -> None:
        super().__init__(data)
        for dim, label in CiaDimension.choices:
            stored = {level.level: level for level in levels.get(dim, [])}
            for n in LEVELS:
                found = stored.get(n)
                self.fields[f"{dim}{n}_label"] = forms.CharField(
                    max_length=60, label=f"{label} {n}", initial=found.label if found else ""
                )
                self.fields[f"{dim}{n}_description"] = forms.CharField(
                    required=False,
                    max_length=300,
                    label=f"What {label.lower()} {n} means",
                    initial=found.description if found else "",
                )
        style_widgets(self)

    def grid(self) -> list[tuple[str, list[tuple[int, forms.BoundField, forms.BoundField]]]]:
        """Per property, its levels with their two fields, for the template."""
        return [
            (label, [(n, self[f"{dim}{n}_label"], self[f"{dim}{n}_description"]) for n in LEVELS])
            for dim, label in CiaDimension.choices
        ]

    def levels(self) -> dict[tuple[str, int], tuple[str, str]]:
        """The values for the service."""
        data = self.cleaned_data
        return {
            (dim, n): (data[f"{dim}{n}_label"], data[f"{dim}{n}_description"])
            for dim in CiaDimension.values
            for n in LEVELS
        }


def disable(*forms_: forms.BaseForm) -> None:
    """Show the forms read-only, for members who may not change them."""
    for form in forms_:
        for field in form.fields.values():
            field.disabled = True
