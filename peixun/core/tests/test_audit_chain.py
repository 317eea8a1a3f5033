"""The audit trail is one hash chain: appended only, verified by `audit_verify`, purged past the
retention period without breaking (docs/audit.md)."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import threading

from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peixun.accounts.models import User
from peixun.core.audit import (
    audit_insert,
    audit_purge,
    audit_record,
    audit_record_many,
    audit_verify,
    build_event,
    event_hash,
)
from peixun.core.context import current_address
from peixun.core.describers import describe_events
from peixun.core.jobs import registered_jobs
from peixun.core.models import (
    GENESIS_HASH,
    AuditAppendOnlyError,
    AuditChain,
    AuditEvent,
    Notification,
)
from peixun.core.prepared import PreparedInsert
from peixun.testing import make_user


def raw(sql: str, params: list[str | int]) -> None:
    """What someone with the database's password might do, behind the application's back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A database owner can switch the append-only trigger off; the chain still tells.
            cursor.execute("SELECT set_config('peixun.audit_purge', 'on', true)")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('peixun.audit_purge', 'off', true)")


def record(n: int, **kwargs: object) -> list[AuditEvent]:
    return [
        audit_record(
            actor=None,
            verb="test.thing",
            object_type="test.thing",
            object_id=str(i),
            object_repr=f"thing {i}",
            after={"n": i, "hours": "1.50", "名称": "党课"},
            **kwargs,
        )
        for i in range(n)
    ]


def verify_command() -> str:
    out = io.StringIO()
    call_command("audit_verify", chunk=2, stdout=out)
    return out.getvalue()


class ChainTests(TestCase):
    def test_each_event_points_at_the_one_before(self) -> None:
        first, second, third = record(3)
        self.assertEqual(first.prev_hash, AuditChain.objects.get().start_hash)
        self.assertEqual(second.prev_hash, first.hash)
        self.assertEqual(third.prev_hash, second.hash)
        stored = AuditEvent.objects.get(pk=second.pk)
        # The hash is over what was stored, whatever the database gives back.
        self.assertEqual(event_hash(stored, stored.prev_hash), second.hash)
        head = AuditChain.objects.get()
        self.assertEqual((head.last_hash, head.last_event_id), (third.hash, third.pk))

    def test_bulk_records_chain_in_order(self) -> None:
        (single,) = record(1)
        events = [
            build_event(actor=None, verb="test.bulk", object_type="test", object_id=str(i))
            for i in range(5)
        ]
        audit_record_many(events)
        audit_record_many([])
        stored = list(AuditEvent.objects.filter(verb="test.bulk").order_by("pk"))
        self.assertEqual([e.object_id for e in stored], ["0", "1", "2", "3", "4"])
        self.assertEqual(stored[0].prev_hash, single.hash)
        for before, after in zip(stored, stored[1:], strict=False):
            self.assertEqual(after.prev_hash, before.hash)
        self.assertEqual(AuditChain.objects.get().last_hash, stored[-1].hash)
        self.assertTrue(audit_verify().ok)

    def test_verify_passes_on_an_intact_chain(self) -> None:
        record(5)
        report = audit_verify(chunk=2)
        self.assertTrue(report.ok)
        self.assertGreaterEqual(report.checked, 5)
        self.assertIn("audit chain intact", verify_command())

    def test_an_edited_row_is_caught(self) -> None:
        events = record(4)
        raw(
            "UPDATE core_auditevent SET object_repr = %s WHERE id = %s",
            ["someone else", events[2].pk],
        )
        report = audit_verify(chunk=2)
        assert report.broken is not None
        self.assertEqual(report.broken.event_id, events[2].pk)
        self.assertIn("changed", report.broken.reason)
        with self.assertRaisesMessage(CommandError, f"event {events[2].pk} was changed"):
            verify_command()

    def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link(self) -> None:
        events = record(3)
        row = AuditEvent.objects.get(pk=events[1].pk)
        row.after = {"n": 99}
        forged = event_hash(row, row.prev_hash)
        raw(
            "UPDATE core_auditevent SET after = %s, hash = %s WHERE id = %s",
            ['{"n": 99}', forged, events[1].pk],
        )
        report = audit_verify()
        assert report.broken is not None
        self.assertEqual(report.broken.event_id, events[2].pk)

    def test_a_deleted_row_is_caught(self) -> None:
        events = record(4)
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])
        report = audit_verify(chunk=2)
        assert report.broken is not None
        self.assertEqual(report.broken.event_id, events[2].pk)
        self.assertIn("deleted or inserted", report.broken.reason)
        with self.assertRaises(CommandError):
            verify_command()

    def test_deleting_the_newest_rows_is_caught(self) -> None:
        events = record(3)
        raw("DELETE FROM core_auditevent WHERE id = %s", [events[-1].pk])
        report = audit_verify()
        assert report.broken is not None
        self.assertIsNone(report.broken.event_id)
        self.assertIn("newest events were deleted", report.broken.reason)

    def test_an_inserted_row_is_caught(self) -> None:
        events = record(2)
        # A row slipped in with a made-up time and whatever hash its author could compute.
        fake = AuditEvent(
            at=timezone.now(),
            verb="member.update",
            object_type="members.member",
            object_repr="nobody",
            prev_hash=events[1].hash,
        )
        fake.hash = event_hash(fake, fake.prev_hash)
        fake.save()
        report = audit_verify()
        assert report.broken is not None
        # Chained onto the newest event, it still does not match what the head recorded.
        self.assertIsNone(report.broken.event_id)
        later = record(1)[0]
        self.assertEqual(later.prev_hash, events[1].hash)
        report = audit_verify()
        assert report.broken is not None
        self.assertEqual(report.broken.event_id, later.pk)

    def test_the_orm_refuses_to_change_or_delete_events(self) -> None:
        (event,) = record(1)
        with self.assertRaises(AuditAppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).update(verb="x")
        with self.assertRaises(AuditAppendOnlyError):
            AuditEvent.objects.filter(pk=event.pk).delete()
        with self.assertRaises(AuditAppendOnlyError):
            event.delete()
        stored = AuditEvent.objects.get(pk=event.pk)
        stored.verb = "x"
        with self.assertRaises(AuditAppendOnlyError):
            stored.save()
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).verb, "test.thing")
        self.assertTrue(audit_verify().ok)

    def test_deleting_an_org_or_user_leaves_the_events_as_recorded(self) -> None:
        user = make_user("leaver")
        audit_record(actor=user, verb="test.thing", object_type="t", object_id="1")
        user_pk = user.pk
        user.delete()
        event = AuditEvent.objects.get(verb="test.thing")
        self.assertEqual(event.actor_id, user_pk)
        self.assertTrue(audit_verify().ok)


class PostgresTriggerTests(TestCase):
    def test_the_database_refuses_update_and_delete(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("the trigger exists on PostgreSQL only")
        (event,) = record(1)
        for sql in (
            "UPDATE core_auditevent SET verb = 'x' WHERE id = %s",
            "DELETE FROM core_auditevent WHERE id = %s",
        ):
            with (
                self.assertRaisesMessage(DatabaseError, "append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, [event.pk])
        self.assertTrue(AuditEvent.objects.filter(pk=event.pk, verb="test.thing").exists())


def old_events(days_ago: int, n: int) -> list[AuditEvent]:
    at = timezone.now() - dt.timedelta(days=days_ago)
    events = [
        build_event(actor=None, verb="test.old", object_type="test", object_id=str(i))
        for i in range(n)
    ]
    for event in events:
        event.at = at
    audit_record_many(events)
    return events


class RetentionTests(TestCase):
    @override_settings(AUDIT_RETENTION_DAYS=400)
    def test_purge_drops_old_events_and_the_chain_still_verifies(self) -> None:
        old = old_events(500, 7)
        kept = record(3)
        result = audit_purge(chunk=3)  # three chunks: 3 + 3 + 1
        self.assertEqual(result.purged, 7)
        self.assertEqual(result.through_id, old[-1].pk)
        self.assertEqual(result.start_hash, old[-1].hash)
        self.assertFalse(AuditEvent.objects.filter(verb="test.old").exists())
        self.assertEqual(AuditEvent.objects.filter(verb="test.thing").count(), 3)
        head = AuditChain.objects.get()
        self.assertEqual((head.start_hash, head.purged_through_id), (old[-1].hash, old[-1].pk))
        self.assertEqual(kept[0].prev_hash, head.start_hash)
        purge_event = AuditEvent.objects.get(verb="audit.purge")
        assert purge_event.after is not None
        self.assertEqual(purge_event.after["purged"], 7)
        self.assertIn("7", describe_events([purge_event])[0])
        self.assertEqual(purge_event.prev_hash, kept[-1].hash)
        self.assertTrue(audit_verify(chunk=2).ok)
        self.assertIn("intact", verify_command())
        # Nothing more is old: a second run purges nothing and records nothing.
        self.assertEqual(audit_purge().purged, 0)
        self.assertEqual(AuditEvent.objects.filter(verb="audit.purge").count(), 1)
        # Tampering after a purge is still caught.
        raw("DELETE FROM core_auditevent WHERE id = %s", [kept[0].pk])
        report = audit_verify()
        assert report.broken is not None
        self.assertEqual(report.broken.event_id, kept[1].pk)

    @override_settings(AUDIT_RETENTION_DAYS=400)
    def test_purge_stops_at_the_first_event_inside_the_period(self) -> None:
        old_events(500, 2)
        (recent,) = record(1)
        late_old = old_events(500, 2)  # recorded after `recent`, with an old time
        self.assertEqual(audit_purge().purged, 2)
        self.assertTrue(AuditEvent.objects.filter(pk=recent.pk).exists())
        self.assertEqual(AuditEvent.objects.filter(pk__in=[e.pk for e in late_old]).count(), 2)
        self.assertTrue(audit_verify().ok)

    @override_settings(AUDIT_RETENTION_DAYS=183)
    def test_everything_old_goes_and_the_purge_event_starts_the_chain(self) -> None:
        old_events(200, 4)
        self.assertEqual(audit_purge().purged, 4)
        self.assertEqual(list(AuditEvent.objects.values_list("verb", flat=True)), ["audit.purge"])
        self.assertTrue(audit_verify().ok)

    def test_the_purge_runs_daily_as_a_job(self) -> None:
        jobs = {job.name: job for job in registered_jobs()}
        self.assertEqual(jobs["core.audit_purge"].every, dt.timedelta(days=1))

    def test_check_deploy_refuses_under_six_months(self) -> None:
        with override_settings(AUDIT_RETENTION_DAYS=90):
            ids = [m.id for m in run_checks(include_deployment_checks=True)]
        self.assertIn("peixun.E010", ids)
        with override_settings(AUDIT_RETENTION_DAYS=183):
            ids = [m.id for m in run_checks(include_deployment_checks=True)]
        self.assertNotIn("peixun.E010", ids)


class GenesisTests(TestCase):
    def test_an_empty_trail_verifies(self) -> None:
        self.assertFalse(AuditEvent.objects.exists())
        report = audit_verify()
        self.assertTrue(report.ok)
        self.assertEqual(report.last_hash, GENESIS_HASH)


class MigrationTests(TestCase):
    def test_existing_events_are_chained_in_id_order(self) -> None:
        # The models as the migration sees them (plain managers, as in a real `migrate`).
        apps = (
            MigrationLoader(connection)
            .project_state(("core", "0006_chain_existing_audit_events"))
            .apps
        )
        migration = importlib.import_module(
            "peixun.core.migrations.0006_chain_existing_audit_events"
        )
        # Events as they were before the chain: no hashes, and no head row.
        AuditEvent.objects.bulk_create(
            [AuditEvent(verb="old.thing", object_type="t", object_id=str(i)) for i in range(5)]
        )
        AuditChain.objects.all().delete()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # the trigger comes after this migration
                cursor.execute("SELECT set_config('peixun.audit_purge', 'on', true)")
            migration.chain_existing(apps, None)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('peixun.audit_purge', 'off', true)")
        stored = list(AuditEvent.objects.order_by("pk"))
        self.assertEqual(stored[0].prev_hash, GENESIS_HASH)
        for before, after in zip(stored, stored[1:], strict=False):
            self.assertEqual(after.prev_hash, before.hash)
        self.assertEqual(AuditChain.objects.get().last_event_id, stored[-1].pk)
        self.assertTrue(audit_verify().ok)
        record(1)
        self.assertTrue(audit_verify().ok)


AWKWARD = 'He said "名称\\n" \\ 😀\nline two\t{"prev":"x"}'


class AppendTests(TestCase):
    """However the head is locked and the event stored (PostgreSQL: one statement that hashes in
    the database), the stored event hashes as `event_hash` says and the head moves to it."""

    def check_appended(self, event: AuditEvent, prev: str) -> None:
        stored = AuditEvent.objects.get(pk=event.pk)
        self.assertEqual(stored.prev_hash, prev)
        self.assertEqual(stored.hash, event.hash)
        self.assertEqual(stored.hash, event_hash(stored, prev))
        head = AuditChain.objects.get()
        self.assertEqual((head.last_hash, head.last_event_id), (event.hash, event.pk))
        self.assertTrue(audit_verify().ok)

    def test_awkward_text_an_address_and_an_actor_hash_as_in_python(self) -> None:
        user = make_user("auditor")
        prev = AuditChain.objects.get().last_hash
        token = current_address.set("2001:db8:0:0::1")
        try:
            event = audit_record(
                actor=user,
                verb="test.awkward",
                object_type="test.thing",
                object_id="7",
                object_repr=AWKWARD * 20,  # cut to 200 characters
                before={"list": [1, None, "二"], "nested": {"q": AWKWARD}},
                after={"hours": dt.date(2026, 3, 1), "none": None},
            )
        finally:
            current_address.reset(token)
        self.assertEqual(len(event.object_repr), 200)
        self.check_appended(event, prev)
        stored = AuditEvent.objects.get(pk=event.pk)
        self.assertEqual(stored.after, {"hours": "2026-03-01", "none": None})
        self.assertEqual(stored.actor_id, user.pk)

    def test_events_follow_each_other_and_ids_rise_with_the_chain(self) -> None:
        events = record(5)
        for before, after in zip(events, events[1:], strict=False):
            self.assertEqual(after.prev_hash, before.hash)
            self.assertGreater(after.pk, before.pk)
        self.check_appended(events[-1], events[-2].hash)

    def test_without_a_head_row_the_first_event_makes_it(self) -> None:
        AuditChain.objects.all().delete()
        (event,) = record(1)
        self.check_appended(event, GENESIS_HASH)

    def test_postgresql_appends_in_one_statement(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only")
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            (event,) = record(1)
        # Lock, insert and advance: one round trip (the old way took three).
        self.assertEqual(len(queries.captured_queries), 1)
        self.check_appended(event, AuditEvent.objects.get(pk=event.pk).prev_hash)

    def test_a_value_too_long_for_its_column_stores_nothing(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite does not enforce a text column's length")
        head = AuditChain.objects.get().last_hash
        with self.assertRaises(DatabaseError), transaction.atomic():
            audit_record(actor=None, verb="v" * 65, object_type="test.thing")
        self.assertFalse(AuditEvent.objects.filter(verb__startswith="vvv").exists())
        self.assertEqual(AuditChain.objects.get().last_hash, head)


class ConcurrentAppendTests(TransactionTestCase):
    """Writers in several threads at once (each its own connection): one unbroken chain, ids in
    chain order, every event kept."""

    def test_many_writers_make_one_chain(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("SQLite in memory has one connection")
        AuditChain.objects.get_or_create(pk=1)
        errors: list[BaseException] = []

        def write() -> None:
            try:
                for _ in range(15):
                    record(1)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=write) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual(AuditEvent.objects.count(), 60)
        report = audit_verify()
        self.assertTrue(report.ok, report.broken)
        self.assertEqual(report.checked, 60)


_INSERT_NOTE: PreparedInsert[Notification] = PreparedInsert(Notification)


def note(user: User, key: str = "", title: str = '课程提醒 "党课"') -> Notification:
    return Notification(recipient=user, title=title, dedupe_key=key, body=AWKWARD)


class AuditInsertTests(TestCase):
    """`audit_insert`: the row and the event recording it, both or neither; the event names the
    new row's id and hashes as `event_hash` says (PostgreSQL computes it in the statement)."""

    def insert(self, row: Notification) -> AuditEvent:
        return audit_insert(
            row, _INSERT_NOTE, actor=None, verb="test.notify", after={"title": row.title}
        )

    def test_the_row_and_its_event(self) -> None:
        user = make_user("reader")
        prev = AuditChain.objects.get().last_hash
        row = note(user, key="k1")
        event = self.insert(row)
        self.assertIsNotNone(row.pk)
        self.assertFalse(row._state.adding)
        stored = Notification.objects.get(pk=row.pk)
        self.assertEqual((stored.title, stored.body, stored.dedupe_key), (row.title, AWKWARD, "k1"))
        self.assertIsNotNone(stored.created_at)  # auto_now_add, as save() sets it
        recorded = AuditEvent.objects.get(pk=event.pk)
        self.assertEqual(
            (recorded.object_type, recorded.object_id, recorded.object_repr),
            ("core.notification", str(row.pk), row.title),
        )
        self.assertEqual(event.object_id, str(row.pk))
        self.assertEqual(recorded.prev_hash, prev)
        self.assertEqual(recorded.hash, event_hash(recorded, prev))
        head = AuditChain.objects.get()
        self.assertEqual((head.last_hash, head.last_event_id), (event.hash, event.pk))
        self.assertTrue(audit_verify().ok)

    def test_a_refused_row_leaves_neither_and_the_transaction_usable(self) -> None:
        user = make_user("reader")
        self.insert(note(user, key="same"))
        head = AuditChain.objects.get().last_hash
        events = AuditEvent.objects.count()
        with self.assertRaises(IntegrityError):
            self.insert(note(user, key="same"))
        # The caller's transaction (this test's) goes on.
        self.assertEqual(Notification.objects.filter(dedupe_key="same").count(), 1)
        self.assertEqual(AuditEvent.objects.count(), events)
        self.assertEqual(AuditChain.objects.get().last_hash, head)
        self.assertTrue(audit_verify().ok)

    def test_without_a_head_row_the_ordinary_way_makes_it(self) -> None:
        AuditChain.objects.all().delete()
        row = note(make_user("reader"))
        event = self.insert(row)
        self.assertEqual(event.prev_hash, GENESIS_HASH)
        self.assertEqual(event.object_id, str(row.pk))
        self.assertTrue(audit_verify().ok)

    def test_postgresql_writes_both_in_one_statement(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only")
        user = make_user("reader")
        with CaptureQueriesContext(connection) as queries:
            self.insert(note(user))
        # Inside this test's transaction: a savepoint around the one statement.
        self.assertEqual(len(queries.captured_queries), 3)


class AuditInsertAutocommitTests(TransactionTestCase):
    def test_postgresql_outside_a_transaction_is_one_round_trip(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only")
        AuditChain.objects.get_or_create(pk=1)
        user = make_user("reader")
        with CaptureQueriesContext(connection) as queries:
            event = audit_insert(note(user), _INSERT_NOTE, actor=None, verb="test.notify")
        self.assertEqual(len(queries.captured_queries), 1)
        self.assertTrue(AuditEvent.objects.filter(pk=event.pk).exists())
        self.assertTrue(audit_verify().ok)
