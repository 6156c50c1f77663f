"""The hash-chained audit trail: ``record`` appends an event (``record_many`` several),
``verify`` walks a chain.

Each organisation has its own chain (events about user accounts, which belong to no
organisation, form one more). An event's hash is SHA-256 over the previous event's hash and
the canonical JSON of the event, so altering, removing or reordering a stored event breaks
the chain from that event on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from openisms.core import bulk
from openisms.core.actors import Actor, ServiceActor, actor_label
from openisms.core.models import AuditEvent, Organization
from openisms.core.prepared import Prepared, statement_cursor

GENESIS_HASH = "0" * 64
_MAX_ATTEMPTS = 5


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces; dates and other objects become strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _moment(created_at: dt.datetime) -> str:
    return created_at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _payload(event: AuditEvent) -> dict[str, Any]:
    return _hashed(
        event.organization_id,
        event.seq,
        _moment(event.created_at),
        event.actor,
        (event.verb, event.target_type, event.target_id, event.target_repr),
        event.data,
    )


def _hashed(
    org_id: int | None,
    seq: int,
    moment: str,
    actor: str,
    what: tuple[str, str, str, str],
    data: Any,
) -> dict[str, Any]:
    """What an event's hash covers: ``what`` is its verb, target type, target id and label."""
    verb, target_type, target_id, target_repr = what
    return {
        "org": org_id,
        "seq": seq,
        "created_at": moment,
        "actor": actor,
        "verb": verb,
        "target_type": target_type,
        "target_id": target_id,
        "target_repr": target_repr,
        "data": data,
    }


def _hash(prev_hash: str, payload: Mapping[str, Any]) -> str:
    body = prev_hash + canonical_json(payload)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def compute_hash(event: AuditEvent) -> str:
    """SHA-256 over ``prev_hash`` followed by the canonical JSON of the event."""
    return _hash(event.prev_hash, _payload(event))


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


#: One event to append: its verb, target and data (as ``record`` takes them).
Entry = tuple[str, Target, Mapping[str, Any] | None]
#: The columns ``record_many`` writes, in the order of its rows.
_COLUMNS = (
    "organization",
    "seq",
    "created_at",
    "actor",
    "actor_user",
    "verb",
    "target_type",
    "target_id",
    "target_repr",
    "data",
    "prev_hash",
    "hash",
)


def _data(data: Mapping[str, Any] | None) -> tuple[str, Any]:
    """The data as canonical JSON and as the value read back from it (dates as strings)."""
    text = canonical_json(dict(data or {}))
    return text, json.loads(text)


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
        data=_data(data)[1],
    )

    def write() -> None:
        event.pk, event.created_at = None, timezone.now()
        link([event], head(org))
        bulk.insert_one(event)

    _appending(org, write)
    return event


def record_many(*, actor: Actor, org: Organization, entries: Iterable[Entry]) -> int:
    """Append one event per entry to the chain of ``org``, in order, as ``record`` would one
    by one; returns how many. The chain's head is read once and the events inserted together
    (``core.bulk``): an import of 10,000 assets records its 10,000 events in under a
    second. Call it inside the service's transaction.
    """
    label = actor_label(actor)
    user_id = None if isinstance(actor, ServiceActor) else actor.pk
    events = [((verb, *_target_parts(target)), *_data(data)) for verb, target, data in entries]

    def write() -> None:
        now = timezone.now()
        moment, stored_at = _moment(now), connection.ops.adapt_datetimefield_value(now)
        seq, prev = head(org) or (0, GENESIS_HASH)
        rows = []
        for what, text, value in events:
            seq += 1
            digest = _hash(prev, _hashed(org.pk, seq, moment, label, what, value))
            rows.append([org.pk, seq, stored_at, label, user_id, *what, text, prev, digest])
            prev = digest
        bulk.insert_many(AuditEvent, _COLUMNS, rows)

    if events:
        _appending(org, write)
    return len(events)


def _last(org: int | None) -> QuerySet[AuditEvent, Any]:
    return AuditEvent.objects.filter(organization=org).order_by("-seq").values("seq", "hash")[:1]


_HEAD = Prepared(_last, org=int)
_ACCOUNTS_HEAD = Prepared(lambda: _last(None))


def head(org: Organization | None) -> tuple[int, str] | None:
    """The sequence number and hash of the last event of ``org``'s chain (None: the accounts
    chain); None when the chain is empty."""
    found = _HEAD.first(org=org.pk) if org is not None else _ACCOUNTS_HEAD.first()
    return (found["seq"], found["hash"]) if found else None


def link(events: Sequence[AuditEvent], after: tuple[int, str] | None) -> None:
    """Number and hash ``events`` (unsaved, of one chain, ``created_at`` set) to follow the
    event ``after`` (its sequence number and hash; None: they start the chain)."""
    seq, prev = after or (0, GENESIS_HASH)
    for event in events:
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = compute_hash(event)


#: The first key of the PostgreSQL advisory lock that queues the writers of one chain (the
#: second is the organisation's id; 0 for the accounts chain). Any constant of our own.
_CHAIN_LOCK_SPACE = 0x15A5


@dataclass(frozen=True)
class _ChainHeld:
    """Left among the transaction's commit hooks once it holds the lock of chain ``key``.
    Django drops the hooks of a transaction, or of a savepoint, that rolls back, so while it
    is there the lock is held. At commit it does nothing."""

    key: int

    def __call__(self) -> None:
        return None


def _holds(key: int) -> bool:
    return any(
        isinstance(hook, _ChainHeld) and hook.key == key for _, hook, *_ in connection.run_on_commit
    )


def _lock_postgresql(org: Organization | None) -> None:
    """Take the chain's advisory lock, once a transaction (the write's permission check took
    it first; appending the event needs it again)."""
    key = (org.pk if org else 0) & 0x7FFFFFFF
    if _holds(key):
        return
    with statement_cursor(connection) as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_CHAIN_LOCK_SPACE, key])
    transaction.on_commit(_ChainHeld(key))


def hold_chain(org: Organization | None) -> None:
    """Keep the other writers of ``org``'s chain out until this transaction ends.

    ``authz.require`` calls it for every write, before the service reads, locks or writes
    anything, so that the writers of one organisation queue here one after the other. Were the
    chain taken only when the event is appended, a writer could hold a row (an asset it
    updates, the latest SoA version it numbers after) while waiting for the chain, and the
    holder of the chain wait for that row (a foreign key checked at commit): a deadlock; and
    two writers could number after the same version. On SQLite, whose transactions begun
    ``IMMEDIATE`` already keep every other writer out, and outside a transaction it does
    nothing.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        _lock_postgresql(org)


def _already_locked(org: Organization | None) -> None:
    """SQLite in a transaction begun ``IMMEDIATE`` (``env.SQLITE_OPTIONS``): it took the
    database's write lock at its start, so no other writer can append meanwhile."""


def _chain_lock() -> Callable[[Organization | None], None] | None:
    """How this database keeps a chain's other writers out until the transaction ends, or
    None where it cannot (then a writer that loses the race writes again)."""
    if connection.vendor == "postgresql":
        return _lock_postgresql
    mode = connection.settings_dict["OPTIONS"].get("transaction_mode") or ""
    immediate = str(mode).upper() == "IMMEDIATE"  # Django takes it in any case
    return _already_locked if connection.vendor == "sqlite" and immediate else None


def _appending(org: Organization | None, write: Callable[[], None]) -> None:
    """Run ``write`` (read the head, insert after it) once no other writer of ``org``'s chain
    can append before this transaction ends: read then, the head is the last event.

    The lock lasts until the transaction ends, as a concurrent writer's unique sequence
    number made the next writer wait before. It costs one statement on PostgreSQL and none
    on SQLite, where the savepoint around a write that could be retried cost two. Without
    such a lock, the write runs in a savepoint; when another writer took those sequence
    numbers first, it reads the new head and writes again.
    """
    lock = _chain_lock()
    if lock is not None:
        with transaction.atomic(savepoint=False):
            lock(org)
            write()
        return
    for attempt in range(_MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                write()
            return
        except IntegrityError:
            if attempt == _MAX_ATTEMPTS - 1:
                raise


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
