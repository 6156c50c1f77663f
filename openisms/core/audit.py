"""The hash-chained audit trail: ``record`` appends an event, ``verify`` walks a chain.

Each organisation has its own chain (events about user accounts, which belong to no
organisation, form one more). An event's hash is SHA-256 over the previous event's hash and
the canonical JSON of the event, so altering, removing or reordering a stored event breaks
the chain from that event on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from openisms.core.actors import Actor, ServiceActor, actor_label
from openisms.core.models import AuditEvent, Organization

GENESIS_HASH = "0" * 64
_MAX_ATTEMPTS = 5


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces; dates and other objects become strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _payload(event: AuditEvent) -> dict[str, Any]:
    created = event.created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return {
        "org": event.organization_id,
        "seq": event.seq,
        "created_at": created,
        "actor": event.actor,
        "verb": event.verb,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_repr": event.target_repr,
        "data": event.data,
    }


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 over ``prev_hash`` followed by the canonical JSON of the event."""
    body = event.prev_hash + canonical_json(_payload(event))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


Target = models.Model | tuple[str, str] | tuple[str, str, str]


def _target_parts(target: Target) -> tuple[str, str, str]:
    if isinstance(target, tuple):
        kind, ident, *label = target
        return kind, ident, (label[0] if label else ident)[:200]
    ident = getattr(target, "ref", None) or target.pk
    return target._meta.label_lower, str(ident), str(target)[:200]


def _org_of(target: Target) -> Organization | None:
    if isinstance(target, Organization):
        return target
    org = getattr(target, "organization", None)
    return org if isinstance(org, Organization) else None


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value differs, as ``{field: [before, after]}``."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    *,
    actor: Actor,
    verb: str,
    target: Target,
    data: Mapping[str, Any] | None = None,
    org: Organization | None = None,
) -> AuditEvent:
    """Append one event to the chain of ``org`` (by default the target's organisation).

    ``target`` is a model instance, or ``(type, id)`` / ``(type, id, label)`` for things that
    are not one row of this organisation.

    Call it inside the service's transaction, so that the change and its event are written
    together or not at all.
    """
    org = org or _org_of(target)
    target_type, target_id, target_repr = _target_parts(target)
    event = AuditEvent(
        organization=org,
        actor=actor_label(actor),
        actor_user=None if isinstance(actor, ServiceActor) else actor,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        target_repr=target_repr,
        data=json.loads(canonical_json(dict(data or {}))),
    )
    for attempt in range(_MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                _append(event)
            return event
        except IntegrityError:
            # Another writer took this sequence number first; read the new head and retry.
            event.pk = None
            if attempt == _MAX_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _append(event: AuditEvent) -> None:
    head = (
        AuditEvent.objects.filter(organization=event.organization_id)
        .order_by("-seq")
        .values_list("seq", "hash")
        .first()
    )
    event.seq, event.prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_HASH)
    event.created_at = timezone.now()
    event.hash = compute_hash(event)
    event.save(force_insert=True)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking one chain."""

    organization: Organization | None
    checked: int
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None

    @property
    def name(self) -> str:
        return self.organization.slug if self.organization else "(accounts)"


def _walk(events: Iterator[AuditEvent]) -> tuple[int, int | None, str]:
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return checked, event.seq, f"sequence jumps from {expected_seq - 1} to {event.seq}"
        if event.prev_hash != expected_prev:
            return checked, event.seq, "prev_hash does not match the previous event's hash"
        if compute_hash(event) != event.hash:
            return checked, event.seq, "stored hash does not match the event's content"
        expected_prev, expected_seq, checked = event.hash, event.seq + 1, checked + 1
    return checked, None, ""


def verify(org: Organization | None) -> ChainReport:
    """Walk the chain of ``org`` (None: the accounts chain) from its first event."""
    events = AuditEvent.objects.filter(organization=org).order_by("seq").iterator(chunk_size=2000)
    checked, broken, problem = _walk(events)
    return ChainReport(org, checked, broken, problem)


def verify_all() -> list[ChainReport]:
    """Walk every chain: each organisation's and the accounts chain."""
    reports = [verify(org) for org in Organization.objects.order_by("slug")]
    return [*reports, verify(None)]
