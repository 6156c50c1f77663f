"""Forms of the core pages; they validate shape only, the services hold the rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator as ProhibitNullCharacters
from django.forms.widgets import Input
from django.http import HttpRequest
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from openisms.core.choices import Role, TokenScope
from openisms.core.cleaning import unwritable

THROTTLE_WINDOW_SECONDS = 15 * 60


def writable(value: object) -> None:
    """A form field's validator: the text can be kept (``cleaning.unwritable``)."""
    problem = unwritable(value) if isinstance(value, str) else None
    if problem:
        raise DjangoValidationError(problem, code="unwritable")


class CheckedForm(forms.Form):
    """Every text field refuses, beside the field, what a text cannot hold: control characters
    among them (``cleaning.unwritable``; Django's own check covers U+0000 alone). Every form of
    the project derives from it."""

    def full_clean(self) -> None:
        # Here rather than in __init__: some forms add fields after it (one per scale step).
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and writable not in field.validators:
                kept = [v for v in field.validators if not isinstance(v, ProhibitNullCharacters)]
                field.validators = [*kept, writable]
        super().full_clean()


class StyledForm(CheckedForm):
    """Adds the toolkit's classes to every widget, so templates render fields as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def _attrs_html(attrs: Mapping[str, Any]) -> str:
    """Django's ``attrs.html``: ``True`` as a bare name, ``False`` left out, values escaped."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainInput(Input):
    """Django's ``input.html``, written in Python: the same HTML in a fifth of the time (the
    template engine costs about 0.2 ms a widget, and a list page has a dozen filters)."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        html = f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{shown}'
        return mark_safe(f"{html}{_attrs_html(widget['attrs'])}>\n")  # noqa: S308 - escaped


class PlainSelect(forms.Select):
    """Django's ``select.html``, written in Python: a select of 30 members took 3 ms through
    the template engine (one template include per option), and takes 0.2 ms here."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escape(group_name)}">')
            parts += [
                f'\n  <option value="{escape(option["value"])}"{_attrs_html(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
                for option in options
            ]
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>\n")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


class PlainTextInput(PlainInput, forms.TextInput):
    """A text input drawn in Python."""


class PlainHiddenInput(PlainInput, forms.HiddenInput):
    """A hidden input drawn in Python."""


class PlainNumberInput(PlainInput, forms.NumberInput):
    """A number input drawn in Python."""


class PlainEmailInput(PlainInput, forms.EmailInput):
    """An e-mail input drawn in Python."""


#: The widgets drawn by the template engine that have a Python twin with the same HTML.
_PLAIN: dict[type[forms.Widget], type[forms.Widget]] = {
    forms.Select: PlainSelect,
    forms.TextInput: PlainTextInput,
    forms.HiddenInput: PlainHiddenInput,
    forms.NumberInput: PlainNumberInput,
    forms.EmailInput: PlainEmailInput,
}


def style_widgets(form: forms.BaseForm) -> None:
    """Give each widget the CSS class of its kind (form-select, form-check-input...), and
    the common widgets their Python twin (the same HTML, drawn without templates)."""
    for field in form.fields.values():
        widget = field.widget
        plain = _PLAIN.get(type(widget))
        if plain is not None:
            widget.__class__ = plain  # the same widget, its attributes and choices kept
        if isinstance(
            widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
        ):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class LoginForm(AuthenticationForm):
    """E-mail and password, with throttling per address and client after repeated failures."""

    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        style_widgets(self)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"

    def _throttle_key(self) -> str:
        email = str(self.data.get("username", "")).strip().lower()
        client = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        return f"login-fail:{email}:{client}"

    def clean(self) -> dict[str, Any]:
        key = self._throttle_key()
        if cache.get(key, 0) >= settings.LOGIN_THROTTLE_ATTEMPTS:
            raise forms.ValidationError(
                "Too many failed attempts. Wait 15 minutes and try again.", code="throttled"
            )
        try:
            return super().clean()
        except forms.ValidationError:
            cache.set(key, cache.get(key, 0) + 1, THROTTLE_WINDOW_SECONDS)
            raise


class OrganizationForm(StyledForm):
    """Rename the organisation."""

    name = forms.CharField(max_length=200)


class MemberAddForm(StyledForm):
    """Give an existing account a role."""

    email = forms.EmailField(label="E-mail of an existing account")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class MemberRoleForm(StyledForm):
    """Change one member's role."""

    role = forms.ChoiceField(choices=Role.choices)


class ApiTokenForm(StyledForm):
    """Create a personal API token."""

    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'CI evidence upload'.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    expires_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=3650,
        initial=90,
        required=False,
        help_text="Leave empty for a token that does not expire.",
    )


class AuditFilterForm(StyledForm):
    """Filters of the audit trail; all optional, kept in the URL."""

    verb = forms.CharField(required=False)
    actor = forms.CharField(required=False)
    target = forms.CharField(required=False, help_text="type:id, an id, or a type")
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
