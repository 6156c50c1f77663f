"""Checking one value as a person typed it (a form, a JSON body, a spreadsheet cell).

Each cleaner takes the raw value and the lookups of the batch (the organisation and its
members by e-mail, plus what the app reads) and returns the model value, or raises
``FieldError`` with a sentence that says how to put it right. The apps build their own field
tables from these pieces, so a form, the API, the console and an import all say the same.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from django.db.models import Model, QuerySet, TextChoices
from django.db.models.functions import Lower

from openisms.core.lookups import Texts
from openisms.core.models import Membership, Organization, User
from openisms.core.prepared import Prepared, columns, instance

ListInput = Iterable[str] | str
_SPLIT = re.compile(r"[;,\n]")


class FieldError(Exception):
    """One value is wrong; the message says how to put it right."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MemberLookups(Protocol):
    """What the member cleaner needs from an app's lookups."""

    organization: Organization
    members: dict[str, User]


#: The input fields that name a member by e-mail.
PEOPLE_FIELDS = ("owner", "custodian")


def _members(org: int, emails: Texts) -> QuerySet[Membership, Any]:
    memberships = Membership.objects.filter(organization=org).alias(email=Lower("user__email"))
    return memberships.filter(email__in_texts=emails).values(*columns(User, "user__")).order_by()


#: The members named by e-mail, in one prepared query (``core.prepared``).
_MEMBERS = Prepared(_members, org=int, emails=Texts)


def members_by_email(org: Organization, inputs: Iterable[Any] | None = None) -> dict[str, User]:
    """The members of ``org`` by lower-case e-mail: those the ``inputs`` name in their people
    fields (one small query for a single create), or every member when ``inputs`` is None (an
    import of many rows)."""
    if inputs is not None:
        emails = {
            str(value).strip().lower()
            for item in inputs
            for name in PEOPLE_FIELDS
            if (value := getattr(item, name, None))
        }
        if not emails:
            return {}
        rows = _MEMBERS.rows(org=org.pk, emails=sorted(emails))
        users = [instance(User, row, "user__") for row in rows]
        return {user.email.lower(): user for user in users}
    memberships = Membership.objects.filter(organization=org).select_related("user")
    return {m.user.email.lower(): m.user for m in memberships}


def split_list(value: ListInput) -> list[str]:
    """A list as given, or one string split at ``;``, ``,`` and line ends; blanks and repeats
    dropped, order kept."""
    items = _SPLIT.split(value) if isinstance(value, str) else list(value)
    return list(dict.fromkeys(str(item).strip() for item in items if item and str(item).strip()))


def ref_number(ref: str) -> int:
    """The numeric part of a reference (``R-0042`` -> 42)."""
    return int(ref.rpartition("-")[2])


def word(value: str) -> str:
    """``In_Use`` and ``in-use`` -> ``in use``: how choices are matched."""
    return re.sub(r"[\s_-]+", " ", value.strip().lower())


#: What no text may hold: the control characters but tab, line feed and carriage return, the
#: halves of surrogate pairs, U+FFFE and U+FFFF. XML cannot carry them, so the XLSX, DOCX and
#: PDF exports would fail on them, and PostgreSQL cannot store U+0000. Pasted text sometimes
#: brings one (a word processor's line break is a vertical tab, U+000B).
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def unwritable(value: str) -> str | None:
    """Why ``value`` cannot be kept as a text (a sentence naming the first character that
    cannot be, and where it is), or None when it can."""
    found = _UNWRITABLE.search(value)
    if found is None:
        return None
    code = ord(found.group())
    what = "control characters" if code < 0x20 else "this character"
    where = found.start() + 1
    return f"Remove the character U+{code:04X} (character {where}): a text cannot hold {what}."


def too_long(value: str, limit: int) -> str | None:
    """The sentence for a text longer than ``limit`` characters, or None."""
    if len(value) <= limit:
        return None
    return f"Use at most {limit} characters (this has {len(value)})."


def misfits(model: type[Model], values: Mapping[str, str]) -> dict[str, list[str]]:
    """What is wrong with each text of ``values`` as the column of ``model`` it is named for:
    longer than the column holds, or holding what no text can (``unwritable``); by field,
    empty when every text fits. For services that take texts one by one."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        problem = (too_long(value, limit) if limit else None) or unwritable(value)
        if problem:
            errors[name] = [problem]
    return errors


def text(limit: int, what: str, required: bool = False) -> Callable[[Any, Any], str]:
    """A text of at most ``limit`` characters; ``required``: "Give ``what``." when empty."""

    def clean(value: Any, lookups: Any) -> str:
        result = str(value).strip()
        if required and not result:
            raise FieldError(f"Give {what}.")
        problem = unwritable(result)
        if problem:
            raise FieldError(problem)
        problem = too_long(result, limit)
        if problem:
            raise FieldError(problem)
        return result

    return clean


def choice(choices: type[TextChoices], what: str) -> Callable[[Any, Any], str]:
    """One of ``choices`` by value or label (any case, spaces, hyphens or underscores)."""
    by_word = {word(str(key)): value for value, label in choices.choices for key in (value, label)}
    labels = ", ".join(str(label).lower() for label in choices.labels)

    def clean(value: Any, lookups: Any) -> str:
        found = by_word.get(word(str(value)))
        if found is None:
            raise FieldError(f"{str(value).strip()!r} is not a {what}; use one of: {labels}.")
        return str(found)

    return clean


def member(required: bool) -> Callable[[Any, MemberLookups], User | None]:
    """A member of the organisation, by e-mail."""

    def clean(value: Any, lookups: MemberLookups) -> User | None:
        email = str(value).strip().lower()
        if not email:
            if required:
                raise FieldError("Name the owner: the e-mail of a member of the organisation.")
            return None
        user = lookups.members.get(email)
        if user is None:
            raise FieldError(f"{email} is not a member of {lookups.organization.name}.")
        return user

    return clean


def date(value: Any, lookups: Any) -> dt.date | None:
    """A date (``YYYY-MM-DD``, or a spreadsheet's date), or None for an empty value."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise FieldError(f"Use a date as YYYY-MM-DD, not {raw!r}.") from None


def whole(low: int, high: int) -> Callable[[Any, Any], int]:
    """A whole number from ``low`` to ``high`` (a spreadsheet's ``3.0`` included)."""

    def clean(value: Any, lookups: Any) -> int:
        raw = str(value).strip().removesuffix(".0")
        if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
            raise FieldError(f"Use a whole number from {low} to {high}, not {raw!r}.")
        return int(raw)

    return clean
