"""Forms of the core pages; they validate shape only, the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest

from openisms.core.choices import Role, TokenScope

THROTTLE_WINDOW_SECONDS = 15 * 60


class StyledForm(forms.Form):
    """Adds the toolkit's classes to every widget, so templates render fields as they are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def style_widgets(form: forms.BaseForm) -> None:
    """Give each widget the CSS class of its kind (form-select, form-check-input...)."""
    for field in form.fields.values():
        widget = field.widget
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
