"""What the writers of the risks app share: raising field errors, locking, link tables."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from openisms.core import bulk
from openisms.core.models import Organization

M = TypeVar("M", bound=models.Model)


def lock_version(obj: Any) -> None:
    """Read the stored version under a row lock, so two saves from one read cannot both pass."""
    model = type(obj)
    locked = model.objects.select_for_update().filter(pk=obj.pk).values_list("version", flat=True)
    obj.version = locked.get()


def replace_links(
    through: type[M],
    org: Organization,
    owner_field: str,
    owner: models.Model,
    target_field: str,
    targets: Iterable[models.Model],
    *,
    new: bool = False,
) -> None:
    """Make ``owner``'s links in ``through`` exactly ``targets`` (two queries at most; one
    for an owner ``new`` in this transaction, which has no links yet)."""
    wanted = {target.pk: target for target in targets}
    existing = (
        set()
        if new
        else set(
            through._default_manager.filter(**{owner_field: owner}).values_list(
                f"{target_field}_id", flat=True
            )
        )
    )
    gone = existing - set(wanted)
    if gone:
        through._default_manager.filter(
            **{owner_field: owner, f"{target_field}_id__in": gone}
        ).delete()
    new_links = [
        through(organization=org, **{owner_field: owner, target_field: wanted[pk]})
        for pk in wanted
        if pk not in existing
    ]
    if len(new_links) == 1:  # the usual create: one statement built once (``insert_one``)
        bulk.insert_one(new_links[0])
    elif new_links:
        through._default_manager.bulk_create(new_links)


def iso(value: Any) -> Any:
    """Dates as ISO text for the audit trail; other values as they are."""
    return value.isoformat() if hasattr(value, "isoformat") else value
