"""The widgets drawn in Python give the HTML that Django's widget templates give."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django import forms
from django.forms.widgets import Input
from django.utils.html import escape

from openisms.core.forms import (
    PlainEmailInput,
    PlainHiddenInput,
    PlainNumberInput,
    PlainSelect,
    PlainTextInput,
    StyledForm,
)


def _same(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


CHOICES: list[Any] = [
    ("", "Anyone"),
    ("a@example.com", 'Ann "the owner" <b>'),
    ("Team", [("t&1", "Team & one"), ("t2", "Team two")]),
]


@pytest.mark.parametrize("value", [None, "", "a@example.com", "t&1"])
def test_a_plain_select_draws_what_the_template_draws(value: str | None) -> None:
    attrs = {"class": "form-select", "required": True, "disabled": False, "data-x": 'say "hi"'}
    django_html = forms.Select(attrs=attrs, choices=CHOICES).render("owner", value)
    ours = PlainSelect(attrs=attrs, choices=CHOICES).render("owner", value)
    assert _same(ours) == _same(django_html)
    assert "&lt;b&gt;" in ours
    assert ours.count(" selected") == 1
    assert f'value="{escape(value or "")}" selected' in ours


@pytest.mark.parametrize(
    ("kind", "plain"),
    [
        (forms.TextInput, PlainTextInput),
        (forms.HiddenInput, PlainHiddenInput),
        (forms.NumberInput, PlainNumberInput),
        (forms.EmailInput, PlainEmailInput),
    ],
)
@pytest.mark.parametrize("value", [None, "", 'x" onfocus="alert(1)', 7])
def test_a_plain_input_draws_what_the_template_draws(
    kind: type[Input], plain: type[Input], value: Any
) -> None:
    attrs = {"class": "form-control", "autofocus": True, "readonly": False, "placeholder": "<x>"}
    ours = plain(attrs=attrs).render("q", value)
    assert _same(ours) == _same(kind(attrs=attrs).render("q", value))
    assert 'onfocus="' not in ours


def test_a_styled_form_draws_its_fields_without_losing_choices_or_values() -> None:
    class Filters(StyledForm):
        q = forms.CharField(required=False)
        owner = forms.ChoiceField(required=False, choices=())

    form = Filters({"q": "backup", "owner": "b@example.com"})
    form.fields["owner"].choices = [("", "Anyone"), ("b@example.com", "Bea")]  # type: ignore[attr-defined]
    assert isinstance(form.fields["owner"].widget, PlainSelect)
    assert 'value="backup"' in str(form["q"])
    assert '<option value="b@example.com" selected>Bea</option>' in str(form["owner"])
    assert 'class="form-select"' in str(form["owner"])
