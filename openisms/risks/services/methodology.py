"""Writes of the risks app."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from openisms.core import audit, authz
from openisms.core.actors import Actor, ServiceActor
from openisms.core.models import Organization
from openisms.risks import methodology as spec_module
from openisms.risks.models import Methodology


@transaction.atomic
def methodology_create(
    *,
    actor: Actor,
    org: Organization,
    spec: dict[str, Any] | None = None,
    preset: str | None = None,
    name: str = "Risk methodology",
    note: str = "",
) -> Methodology:
    """Make a new methodology version from ``spec`` (or a preset) and make it current.

    Risks assessed with the previous version keep it until they are reassessed.
    """
    authz.require(actor, "risks.methodology", org)
    parsed = spec_module.parse(spec) if spec is not None else spec_module.preset(preset or "5x5")
    # Only the methodology's row: the model's ordering joins the organisation, whose row a
    # plain FOR UPDATE would lock too, and every other writer of the organisation checks its
    # foreign key against that row when it commits (a deadlock beside the audit chain's lock).
    current = Methodology.objects.filter(organization=org, is_current=True).order_by()
    previous = current.select_for_update(of=("self",)).first()
    if previous is not None:
        Methodology.objects.filter(pk=previous.pk).update(is_current=False)
    created = Methodology.objects.create(
        organization=org,
        version=(previous.version + 1) if previous else 1,
        name=(name or "Risk methodology").strip()[:120],
        spec=parsed.to_json(),
        note=note.strip(),
        created_by=None if isinstance(actor, ServiceActor) else actor,
    )
    audit.record(
        actor=actor,
        verb="methodology.created",
        target=created,
        data={
            "version": created.version,
            "previous": previous.version if previous else None,
            "note": created.note,
            "levels": [level.key for level in parsed.levels],
            "size": f"{len(parsed.likelihood)}x{len(parsed.impact)}",
        },
    )
    return created
