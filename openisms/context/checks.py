"""Input checks the context services share: each collects errors by field, then raises them.

A service cleans a whole record at once so that every problem is reported together, each
beside its field (``ValidationError.errors``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import models

from openisms.core.cleaning import too_long, unwritable
from openisms.core.errors import ValidationError
from openisms.core.models import Membership, Organization, User

MAX_EXCLUSIONS = 100
_URL = URLValidator(schemes=["http", "https"])


def known(fields: Mapping[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
    """``fields`` when every key is one of ``allowed``; else a ValidationError naming it."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError(errors={name: ["Not a field of this record."] for name in unknown})
    return dict(fields)


class Checker:
    """Cleans values of one record for ``org`` and remembers what is wrong with which field."""

    def __init__(self, org: Organization) -> None:
        self.org = org
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        """Note one problem with ``field``."""
        self.errors.setdefault(field, []).append(message)

    def done(self) -> None:
        """Raise every problem noted, if any."""
        if self.errors:
            raise ValidationError(errors=self.errors)

    def text(
        self, data: Mapping[str, Any], name: str, *, required: str = "", max_length: int = 0
    ) -> str:
        """Stripped text; ``required`` is the message when it is empty. Too long, or holding
        what no text can (``cleaning.unwritable``), is noted too."""
        value = str(data.get(name) or "").strip()
        problem = (too_long(value, max_length) if max_length else None) or unwritable(value)
        if required and not value:
            self.add(name, required)
        elif problem:
            self.add(name, problem)
        return value

    def choice(self, data: Mapping[str, Any], name: str, choices: type[models.TextChoices]) -> str:
        """One of ``choices``' values."""
        value = str(data.get(name) or "")
        if value not in choices.values:
            self.add(name, f"Choose one of: {', '.join(choices.values)}.")
        return value

    def flag(self, data: Mapping[str, Any], name: str) -> bool:
        """A yes or no."""
        value = data.get(name)
        if not isinstance(value, bool):
            self.add(name, "Answer yes or no.")
            return False
        return value

    def date(self, data: Mapping[str, Any], name: str) -> dt.date | None:
        """A date, an ISO date string, or nothing."""
        value = data.get(name)
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.add(name, f"{value!r} is not a date; use YYYY-MM-DD.")
            return None

    def url(self, data: Mapping[str, Any], name: str) -> str:
        """An http(s) address, or nothing."""
        value = self.text(data, name, max_length=500)
        if value:
            try:
                _URL(value)
            except DjangoValidationError:
                self.add(name, "Give a full http:// or https:// address.")
        return value

    def member(self, data: Mapping[str, Any], name: str) -> User | None:
        """The member of the organisation with this e-mail address, or nobody."""
        email = str(data.get(name) or "").strip().lower()
        if not email:
            return None
        membership = (
            Membership.objects.select_related("user")
            .filter(organization=self.org, user__email=email)
            .first()
        )
        if membership is None:
            self.add(name, f"{email} is not a member of {self.org.name}.")
            return None
        return membership.user

    def exclusions(self, data: Mapping[str, Any], name: str) -> list[dict[str, str]]:
        """What is out of scope and why: ``[{"item", "justification"}]``; empty rows dropped.

        A problem with one row is reported as ``<name>.<index>.<field>``.
        """
        rows = data.get(name) or []
        if not isinstance(rows, list | tuple) or len(rows) > MAX_EXCLUSIONS:
            self.add(name, f"Give a list of at most {MAX_EXCLUSIONS} exclusions.")
            return []
        clean = []
        for index, row in enumerate(rows):
            item, why = _parts(row)
            if item is None or why is None:
                self.add(f"{name}.{index}", "Give an item and its justification.")
            elif item or why:
                if not item:
                    self.add(f"{name}.{index}.item", "Say what is out of scope.")
                if not why:
                    self.add(f"{name}.{index}.justification", "Say why it is out of scope.")
                clean.append({"item": item, "justification": why})
        return clean


def _parts(row: Any) -> tuple[str | None, str | None]:
    if not isinstance(row, Mapping):
        return None, None
    return str(row.get("item") or "").strip(), str(row.get("justification") or "").strip()
