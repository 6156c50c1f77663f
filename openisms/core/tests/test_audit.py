"""The audit trail is append-only, hash-chained per organisation, and verifiable."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from openisms.core import audit, services
from openisms.core.actors import SYSTEM
from openisms.core.models import AuditEvent, Organization, User


def _tamper(event: AuditEvent, column: str, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE core_auditevent SET {column} = %s WHERE id = %s",  # noqa: S608 - test column
            [value, event.pk],
        )


def test_each_organisation_has_its_own_chain_starting_at_one(
    org_a: Organization, org_b: Organization
) -> None:
    seqs_a = list(
        AuditEvent.objects.filter(organization=org_a).order_by("seq").values_list("seq", flat=True)
    )
    seqs_b = list(
        AuditEvent.objects.filter(organization=org_b).order_by("seq").values_list("seq", flat=True)
    )
    assert seqs_a[0] == 1 and seqs_b[0] == 1
    assert seqs_a == list(range(1, len(seqs_a) + 1))


def test_each_event_links_to_the_hash_of_the_one_before(org_a: Organization) -> None:
    services.organization_update(actor=SYSTEM, org=org_a, name="Alpha Group")
    events = list(AuditEvent.objects.filter(organization=org_a).order_by("seq"))
    assert events[0].prev_hash == audit.GENESIS_HASH
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
        assert after.hash == audit.compute_hash(after)


def test_an_event_records_actor_verb_target_and_the_change(
    org_a: Organization, owner_a: User
) -> None:
    services.organization_update(actor=owner_a, org=org_a, name="Alpha Group")
    event = AuditEvent.objects.filter(organization=org_a).order_by("-seq").first()
    assert event is not None
    assert (event.actor, event.verb) == ("owner@alpha.test", "organization.updated")
    assert (event.target_type, event.target_id) == ("core.organization", str(org_a.pk))
    assert event.data == {"name": ["Alpha Ltd", "Alpha Group"]}
    assert event.actor_user == owner_a


def test_verify_passes_on_an_untouched_chain(org_a: Organization) -> None:
    report = audit.verify(org_a)
    assert report.ok
    assert report.checked == AuditEvent.objects.filter(organization=org_a).count()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("verb", "organization.deleted"),
        ("actor", "someone-else"),
        ("data", '{"name": "x"}'),
        ("target_id", "999"),
    ],
)
def test_verify_names_the_first_event_whose_stored_field_was_altered(
    org_a: Organization, column: str, value: str
) -> None:
    services.organization_update(actor=SYSTEM, org=org_a, name="Alpha Group")
    services.organization_update(actor=SYSTEM, org=org_a, name="Alpha Holding")
    victim = AuditEvent.objects.filter(organization=org_a).order_by("seq")[1]
    _tamper(victim, column, value)
    report = audit.verify(org_a)
    assert not report.ok
    assert report.broken_seq == victim.seq
    assert "hash" in report.problem


def test_a_removed_event_breaks_the_sequence(org_a: Organization) -> None:
    services.organization_update(actor=SYSTEM, org=org_a, name="Alpha Group")
    victim = AuditEvent.objects.filter(organization=org_a).order_by("seq")[1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [victim.pk])
    report = audit.verify(org_a)
    assert report.broken_seq == victim.seq + 1
    assert "sequence jumps" in report.problem


def test_events_cannot_be_changed_or_deleted_through_the_orm(org_a: Organization) -> None:
    event = AuditEvent.objects.filter(organization=org_a).first()
    assert event is not None
    event.verb = "changed"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(organization=org_a).update(verb="x")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(organization=org_a).delete()


def test_account_events_form_their_own_chain(db: None) -> None:
    services.user_create(actor=SYSTEM, email="someone@example.com", password="long enough pw 1")
    event = AuditEvent.objects.get(organization=None, verb="user.created")
    assert event.seq == 1 and event.actor == "system"
    assert audit.verify(None).ok


def test_audit_verify_command_passes_and_then_fails_naming_the_event(
    org_a: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "verify", "--org", "alpha")
    assert "alpha:" in capsys.readouterr().out
    victim = AuditEvent.objects.filter(organization=org_a).order_by("seq")[0]
    _tamper(victim, "verb", "tampered")
    with pytest.raises(CommandError, match=r"alpha is broken at event #1"):
        call_command("audit", "verify", "--org", "alpha")


def test_audit_verify_walks_every_chain_by_default(
    org_a: Organization, org_b: Organization, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("audit", "verify", "--json")
    out = capsys.readouterr().out
    assert '"chain": "alpha"' in out and '"chain": "beta"' in out
    assert '"chain": "(accounts)"' in out


def test_the_verb_filter_offers_new_verbs_at_once_and_forgets_a_history_it_no_longer_sees(
    org_a: Organization,
) -> None:
    from openisms.core.selectors import audit_verbs

    audit.record(actor=SYSTEM, verb="first.kind", target=("thing", "1"), org=org_a)
    assert "first.kind" in audit_verbs(org=org_a)
    audit.record(actor=SYSTEM, verb="second.kind", target=("thing", "2"), org=org_a)
    assert {"first.kind", "second.kind"} <= set(audit_verbs(org=org_a))
    # Another history behind the same cache (the same numbers, other hashes): read again.
    cache.set(f"openisms:audit-verbs:{org_a.pk}", (1, "0" * 64, frozenset({"ghost.kind"})))
    audit.record(actor=SYSTEM, verb="third.kind", target=("thing", "3"), org=org_a)
    verbs = audit_verbs(org=org_a)
    assert "ghost.kind" not in verbs and {"first.kind", "third.kind"} <= set(verbs)


def test_many_events_appended_at_once_follow_the_chain_in_order(
    org_a: Organization, owner_a: User
) -> None:
    before = AuditEvent.objects.filter(organization=org_a).count()
    entries: list[audit.Entry] = [
        ("note.added", ("notes.note", str(n), f"Note {n}"), {"n": n}) for n in range(1, 2500)
    ]
    # What a bulk load must carry byte for byte: quotes, a backslash, a tab, a line end, Cyrillic.
    awkward = {"text": 'Say "hi"\\ to C:\\temp\tnow\nЖёлдшщ', "none": None}
    entries.append(("note.added", ("notes.note", "2500", "Note\t2500"), awkward))
    assert audit.record_many(actor=owner_a, org=org_a, entries=entries) == 2500
    stored = list(AuditEvent.objects.filter(organization=org_a, seq__gt=before).order_by("seq"))
    assert [e.target_id for e in stored] == [str(n) for n in range(1, 2501)]
    assert {(e.actor, e.actor_user_id) for e in stored} == {(owner_a.email, owner_a.pk)}
    assert stored[0].data == {"n": 1} and stored[-1].target_repr == "Note\t2500"
    assert stored[-1].data == awkward
    report = audit.verify(org_a)
    assert report.ok and report.checked == before + 2500


def test_nothing_to_record_appends_nothing(org_a: Organization) -> None:
    before = audit.head(org_a)
    assert audit.record_many(actor=SYSTEM, org=org_a, entries=[]) == 0
    assert audit.head(org_a) == before


@pytest.fixture
def no_chain_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A database that cannot keep a chain's other writers out (``audit._chain_lock``)."""
    monkeypatch.setattr(audit, "_chain_lock", lambda: None)


@pytest.mark.usefixtures("no_chain_lock")
def test_a_writer_that_read_a_stale_head_retries_and_keeps_the_chain_whole(
    org_a: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another writer appended after this one read the head: its first insert collides.
    stale = audit.head(org_a)
    assert stale is not None
    services.organization_update(actor=SYSTEM, org=org_a, name="Alpha Group")
    real_head, reads = audit.head, []

    def head_once_stale(org: Organization | None) -> tuple[int, str] | None:
        reads.append(org)
        return stale if len(reads) == 1 else real_head(org)

    monkeypatch.setattr(audit, "head", head_once_stale)
    entries: list[audit.Entry] = [("note.added", ("notes.note", "1"), {"day": dt.date(2027, 1, 4)})]
    audit.record_many(actor=SYSTEM, org=org_a, entries=entries * 2)
    assert len(reads) == 2
    added = AuditEvent.objects.filter(organization=org_a, seq__gt=stale[0] + 1).order_by("seq")
    assert [(e.seq, e.data) for e in added] == [
        (stale[0] + n, {"day": "2027-01-04"}) for n in (2, 3)
    ]
    assert audit.verify(org_a).ok


@pytest.mark.usefixtures("no_chain_lock")
def test_one_event_whose_writer_read_a_stale_head_is_written_after_the_new_head(
    org_a: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = audit.head(org_a)
    services.organization_update(actor=SYSTEM, org=org_a, name="Alpha Group")
    fresh, real_head = audit.head(org_a), audit.head
    answers = iter([stale])
    monkeypatch.setattr(audit, "head", lambda org: next(answers, None) or real_head(org))
    event = audit.record(actor=SYSTEM, verb="note.added", target=("notes.note", "1"), org=org_a)
    assert fresh is not None and (event.seq, event.prev_hash) == (fresh[0] + 1, fresh[1])
    assert audit.verify(org_a).ok


def test_an_event_appended_in_a_transaction_needs_no_savepoint(org_a: Organization) -> None:
    with transaction.atomic(), CaptureQueriesContext(connection) as done:
        audit.record(actor=SYSTEM, verb="note.added", target=("notes.note", "1"), org=org_a)
    statements = [query["sql"].split()[0].upper() for query in done.captured_queries]
    assert "SAVEPOINT" not in statements
    assert audit.verify(org_a).ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
def test_a_second_writer_waits_for_the_first_and_appends_after_it(
    org_a: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[tuple[int, str] | None] = []
    real_head, holding = audit.head, threading.Event()

    def head(org: Organization | None) -> tuple[int, str] | None:
        found = real_head(org)
        reads.append(found)
        return found

    failed: list[BaseException] = []

    def write(verb: str, hold: float) -> None:
        try:
            with transaction.atomic():
                audit.record(actor=SYSTEM, verb=verb, target=("notes.note", "1"), org=org_a)
                holding.set()
                time.sleep(hold)  # the other writer waits for this transaction meanwhile
        except BaseException as exc:  # reported by the test below
            failed.append(exc)
        finally:
            connection.close()

    def someone_waits_on_a_lock() -> bool:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            )
            return bool(cursor.fetchone()[0])

    start = real_head(org_a)
    assert start is not None
    monkeypatch.setattr(audit, "head", head)
    first = threading.Thread(target=write, args=("note.first", 0.3))
    first.start()
    holding.wait(5)
    second = threading.Thread(target=write, args=("note.second", 0))
    second.start()
    deadline, waited = time.monotonic() + 2, False
    while first.is_alive() and not waited and time.monotonic() < deadline:
        waited = someone_waits_on_a_lock()
    first.join(10)
    second.join(10)
    assert not failed
    assert waited  # the second writer queued behind the first's lock
    added = AuditEvent.objects.filter(organization=org_a, seq__gt=start[0]).order_by("seq")
    assert [(e.seq, e.verb) for e in added] == [
        (start[0] + 1, "note.first"),
        (start[0] + 2, "note.second"),
    ]
    assert len(reads) == 2  # each read the head once: no collision, no second attempt
    assert audit.verify(org_a).ok


def _holding_a_chain() -> int:
    """How many advisory locks this connection holds (the chains it has locked)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks "
            "WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writer at a time")
def test_a_write_locks_its_chain_once_and_a_rolled_back_one_locks_it_again(
    org_a: Organization, owner_a: User
) -> None:
    locks: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "pg_advisory_xact_lock" in sql:
            locks.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        with transaction.atomic():
            services.organization_update(actor=owner_a, org=org_a, name="Alpha Group")
        assert len(locks) == 1  # at the permission check; appending the event reuses it
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.hold_chain(org_a)
            raise RuntimeError("rolled back")
        with transaction.atomic():
            with pytest.raises(RuntimeError), transaction.atomic():  # a savepoint
                audit.hold_chain(org_a)
                raise RuntimeError("rolled back to the savepoint")
            audit.hold_chain(org_a)
            assert _holding_a_chain() == 1
        assert _holding_a_chain() == 0
    assert len(locks) == 4  # after each rollback the lock was taken again
