"""The widgets drawn in Python give the HTML that Django's widget templates give."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.forms.widgets import Input
from django.utils.html import escape

from openisms.core.forms import (
    CheckedForm,
    LoginForm,
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


def _project_forms() -> list[type[forms.BaseForm]]:
    for app in apps.get_app_configs():
        if app.name.startswith("openisms."):
            try:
                importlib.import_module(f"{app.name}.forms")
            except ModuleNotFoundError as missing:
                assert missing.name == f"{app.name}.forms"
    found, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("openisms.") and ".tests." not in cls.__module__:
            found.append(cls)
    return found


def test_every_form_of_the_project_refuses_what_a_text_cannot_hold() -> None:
    project = _project_forms()
    assert len(project) > 30  # the apps' forms were found
    # The login form is Django's: an e-mail address and a password, neither kept as typed.
    unchecked = [f.__name__ for f in project if not issubclass(f, (CheckedForm, LoginForm))]
    assert unchecked == []


class _Note(StyledForm):
    title = forms.CharField()
    body = forms.CharField(required=False, widget=forms.Textarea)


@pytest.mark.parametrize(
    ("typed", "code", "where"), [("a\x0bb", "000B", 2), ("\x00", "0000", 1), ("ab\x1b", "001B", 3)]
)
def test_a_control_character_is_named_beside_its_field_once(
    typed: str, code: str, where: int
) -> None:
    form = _Note({"title": "Fine", "body": typed})
    assert not form.is_valid()
    assert form.errors == {
        "body": [
            f"Remove the character U+{code} (character {where}): a text cannot hold control "
            "characters."
        ]
    }


def test_tabs_line_ends_and_any_other_character_are_kept() -> None:
    typed = "Übersicht\t🙂\r\nzweite\u00a0Zeile\u2028Ende"
    form = _Note({"title": "Fine", "body": typed})
    assert form.is_valid()
    assert form.cleaned_data["body"] == typed


class _Levels(CheckedForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level_1"] = forms.CharField()  # added after the form was made


def test_a_field_added_after_the_form_was_made_is_checked_too() -> None:
    form = _Levels({"level_1": "Lo\x0bw"})
    assert not form.is_valid()
    assert "U+000B" in form.errors["level_1"][0]
