"""peixun.core.prepared: a query compiled once gives, for every later value, what the queryset
itself gives (instances with their select_related objects and annotations, converted values,
rows, existence), and a builder that breaks the rules is refused on its first call."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.db import connection, transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peixun.core.models import AuditChain, AuditEvent
from peixun.core.prepared import PreparedInsert, PreparedQuery, PreparedUpdate
from peixun.orgs.models import Organization
from peixun.testing import World


def events_of(verb: str, since: dt.datetime):  # type: ignore[no-untyped-def]
    return AuditEvent.objects.select_related("org").filter(verb=verb, at__gte=since).order_by("pk")


class PreparedQueryTests(TestCase):
    world: ClassVar[World]
    start: ClassVar[dt.datetime]
    orgs: ClassVar[list[Organization]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.start = timezone.now() - dt.timedelta(days=3)
        cls.orgs = [cls.world.root, cls.world.branch, cls.world.other_branch]
        for days, (verb, org) in enumerate(
            [("a.one", cls.orgs[0]), ("a.two", cls.orgs[1]), ("a.one", cls.orgs[2])]
        ):
            AuditEvent.objects.create(
                at=cls.start + dt.timedelta(days=days),
                verb=verb,
                org=org,
                object_repr=f"{verb} {days}",
                after={"n": days},
                prev_hash="0" * 64,
                hash=str(days) * 64,
            )

    def test_first_is_what_the_queryset_gives_for_every_value(self) -> None:
        prepared = PreparedQuery(events_of, kinds=(str, dt.datetime))
        for verb in ("a.one", "a.two", "a.none"):
            for since in (self.start, self.start + dt.timedelta(days=1, hours=1)):
                expected = events_of(verb, since).first()
                got = prepared.first(verb, since)
                if expected is None:
                    self.assertIsNone(got)
                    continue
                assert got is not None
                self.assertEqual(got.pk, expected.pk)
                self.assertEqual(got.at, expected.at)  # converted back to an aware datetime
                self.assertEqual(got.after, expected.after)  # JSON decoded
                self.assertEqual(got.org, expected.org)
                # The related org came in the same query, as select_related gives it.
                with self.assertNumQueries(0):
                    self.assertEqual(got.org.path, expected.org.path)
                self.assertFalse(got._state.adding)

    def test_one_query_and_no_compiling_after_the_first_call(self) -> None:
        prepared = PreparedQuery(events_of, kinds=(str, dt.datetime))
        prepared.first("a.one", self.start)
        with CaptureQueriesContext(connection) as queries:
            prepared.first("a.two", self.start)
        self.assertEqual(len(queries), 1)
        self.assertEqual(len(prepared._compiled), 1)

    def test_annotations_rows_and_exists(self) -> None:
        per_org = (
            AuditEvent.objects.filter(org_id=OuterRef("pk"))
            .values("org_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        counted = PreparedQuery(
            lambda code: Organization.objects.filter(code=code).annotate(
                audit_count=Coalesce(Subquery(per_org), 0)
            ),
            kinds=(str,),
        )
        for org in self.orgs:
            got = counted.first(org.code)
            assert got is not None
            self.assertEqual(got.audit_count, AuditEvent.objects.filter(org=org).count())
        paths = PreparedQuery(
            lambda day: (
                Organization.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))
                .order_by("path")
                .values_list("path", "closed_on")
            ),
            kinds=(dt.date,),
        )
        today = timezone.localdate()
        self.assertEqual(
            paths.rows(today),
            list(
                Organization.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=today))
                .order_by("path")
                .values_list("path", "closed_on")
            ),
        )
        there = PreparedQuery(lambda pk: Organization.objects.filter(pk=pk), kinds=(int,))
        self.assertTrue(there.exists(self.world.branch.pk))
        self.assertFalse(there.exists(10**9))

    def test_a_locking_read_inside_a_transaction(self) -> None:
        head = PreparedQuery(
            lambda pk: AuditChain.objects.select_for_update().filter(pk=pk),
            kinds=(int,),
            for_write=True,
        )
        with transaction.atomic():
            found = head.first(1)
        assert found is not None
        self.assertEqual(found.last_hash, AuditChain.objects.get(pk=1).last_hash)

    def test_values_of_the_wrong_kind_are_refused(self) -> None:
        prepared = PreparedQuery(events_of, kinds=(str, dt.datetime))
        with self.assertRaises(TypeError):
            prepared.first(1, self.start)
        with self.assertRaises(TypeError):
            prepared.first("a.one", self.start.replace(tzinfo=None))  # naive: ambiguous
        with self.assertRaises(TypeError):
            prepared.first("a.one")
        by_pk = PreparedQuery(lambda pk: Organization.objects.filter(pk=pk), kinds=(int,))
        with self.assertRaises(TypeError):
            by_pk.first(True)
        with self.assertRaises(TypeError):
            PreparedQuery(events_of, kinds=(float,))

    def test_a_builder_whose_value_does_not_reach_the_sql_is_refused(self) -> None:
        # The value is ignored: every call would answer for the placeholder.
        ignored = PreparedQuery(lambda code: Organization.objects.all(), kinds=(str,))
        with self.assertRaises(ValueError):
            ignored.first("x")
        # Changed on its way (a lookup that rewrites the value): refused too.
        rewritten = PreparedQuery(
            lambda code: Organization.objects.filter(code__contains=code), kinds=(str,)
        )
        with self.assertRaises(ValueError):
            rewritten.first("0001")


class PreparedWriteTests(TestCase):
    """PreparedInsert / PreparedUpdate store what `save()` stores."""

    world: ClassVar[World]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()

    def stored(self, pk: int) -> dict[str, object]:
        found = AuditEvent.objects.filter(pk=pk).values().get()
        found.pop("id")
        return found

    def test_an_insert_stores_what_save_stores(self) -> None:
        inserter: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
        moment = timezone.now() - dt.timedelta(hours=5)
        for n, org in enumerate([self.world.root, None, self.world.branch]):
            fields = {
                "at": moment + dt.timedelta(minutes=n),
                "verb": f"x.{n}",
                "org": org,
                "object_repr": "李明 · 第一党支部",
                "before": None if n else {"status": "absent", "list": [1, "二"]},
                "after": {"hours": "4.50", "n": n},
                "address": "2001:db8::1" if n == 1 else None,
                "prev_hash": "a" * 64,
                "hash": str(n) * 64,
            }
            saved = AuditEvent(**fields)
            saved.save()
            with CaptureQueriesContext(connection) as queries:
                inserted = inserter.insert(AuditEvent(**fields))
            self.assertEqual(len(queries), 1)
            self.assertFalse(inserted._state.adding)
            self.assertNotEqual(inserted.pk, saved.pk)
            self.assertEqual(self.stored(inserted.pk), self.stored(saved.pk))

    def test_auto_now_fields_are_filled_as_save_fills_them(self) -> None:
        from peixun.events.models import Attendance, Event

        w = self.world
        now = timezone.now()
        event = Event.objects.create(
            category=Event.Category.MEETING,
            org=w.branch,
            title="主题党日",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=2),
            hours=Decimal(1),
        )
        row = PreparedInsert(Attendance).insert(
            Attendance(event=event, member=w.member, status="present", signed_in_at=now)
        )
        found = Attendance.objects.get(pk=row.pk)
        self.assertEqual((found.status, found.signed_in_at), ("present", now))
        self.assertIsNotNone(found.updated_at)
        self.assertEqual(found.updated_at, row.updated_at)
        # The unique constraint still holds, as Django's IntegrityError.
        from django.db import IntegrityError

        with self.assertRaises(IntegrityError), transaction.atomic():
            PreparedInsert(Attendance).insert(
                Attendance(event=event, member=w.member, status="late", signed_in_at=now)
            )

    def test_only_new_instances_of_its_model(self) -> None:
        inserter: PreparedInsert[AuditEvent] = PreparedInsert(AuditEvent)
        saved = AuditEvent.objects.create(verb="x", prev_hash="0" * 64, hash="1" * 64)
        with self.assertRaises(ValueError):
            inserter.insert(saved)
        with self.assertRaises(TypeError):
            inserter.insert(AuditChain())  # type: ignore[arg-type]

    def test_an_update_changes_the_named_fields_only(self) -> None:
        head, _ = AuditChain.objects.get_or_create(pk=1)
        start = head.start_hash
        head.last_hash, head.last_event_id, head.start_hash = "f" * 64, 42, "e" * 64
        updater = PreparedUpdate(AuditChain, ("last_hash", "last_event_id"))
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(updater.update(head), 1)
        self.assertEqual(len(queries), 1)
        found = AuditChain.objects.get(pk=1)
        self.assertEqual((found.last_hash, found.last_event_id), ("f" * 64, 42))
        self.assertEqual(found.start_hash, start)  # not named: unchanged
        self.assertEqual(updater.update(AuditChain(pk=99)), 0)  # no such row
        with self.assertRaises(ValueError):
            PreparedUpdate(AuditChain, ("id",))
        with self.assertRaises(ValueError):
            updater.update(AuditChain())
