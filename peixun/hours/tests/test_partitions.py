"""The ledger and its rollups partitioned by year on PostgreSQL (hours 0010, `partitions_ensure`).

On SQLite the tables stay plain, and the same calls do nothing."""

from __future__ import annotations

import datetime as dt
import importlib
import unittest
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import TestCase
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, MemberYearTotal
from peixun.hours.selectors import rollup_differences
from peixun.hours.services import entry_record, entry_reverse, partitions_ensure
from peixun.hours.services.partitions import PARTITIONED_TABLES, is_partitioned
from peixun.testing import PersonaTestCase

MIGRATION = importlib.import_module("peixun.hours.migrations.0010_partition_ledger_by_year")
POSTGRES = connection.vendor == "postgresql"


def partition_of(model: Any, pk: int) -> str:
    """The partition (table) a row is stored in."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


class SqliteTests(TestCase):
    @unittest.skipIf(POSTGRES, "SQLite only")
    def test_nothing_is_partitioned_and_ensure_does_nothing(self) -> None:
        self.assertFalse(any(is_partitioned(t) for t in PARTITIONED_TABLES))
        self.assertEqual(partitions_ensure(actor=None, years=[2030]), [])


@unittest.skipUnless(POSTGRES, "partitioning is PostgreSQL's")
class PartitionTests(PersonaTestCase):
    def record(self, on: dt.date, members: list[Any] | None = None) -> list[CreditEntry]:
        return entry_record(
            actor=self.user("secretary"),
            members=members or [self.world.member],
            on=on,
            hours="2",
            kind="concentrated_training",
            title="专题培训",
            topic="innovation_theory",
            concentrated=True,
        )

    def test_each_table_has_a_partition_per_year_and_a_default(self) -> None:
        this_year = timezone.localdate().year
        for table in PARTITIONED_TABLES:
            self.assertTrue(is_partitioned(table), table)
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                    "WHERE i.inhparent = %s::regclass",
                    [table],
                )
                names = {row[0] for row in cursor.fetchall()}
            for year in (this_year - 1, this_year, this_year + 1):
                self.assertIn(f"{table}_y{year}", names)
            self.assertIn(f"{table}_default", names)

    def test_a_line_and_its_rollup_land_in_the_partition_of_their_year(self) -> None:
        year = timezone.localdate().year - 1
        (entry,) = self.record(dt.date(year, 3, 12))
        self.assertEqual(partition_of(CreditEntry, entry.pk), f"hours_creditentry_y{year}")
        total = MemberYearTotal.objects.get(member=self.world.member, year=year)
        self.assertEqual(partition_of(MemberYearTotal, total.pk), f"hours_memberyeartotal_y{year}")
        self.assertEqual(rollup_differences(), [])

    def test_a_year_without_a_partition_goes_to_default_until_ensure_moves_it(self) -> None:
        (entry,) = self.record(dt.date(2023, 5, 6))  # older than the partitions made at migrate
        self.assertEqual(partition_of(CreditEntry, entry.pk), "hours_creditentry_default")
        made = partitions_ensure(actor=None)
        self.assertIn("hours_creditentry_y2023", made)
        self.assertIn("hours_memberyeartotal_y2023", made)
        self.assertEqual(partition_of(CreditEntry, entry.pk), "hours_creditentry_y2023")
        self.assertEqual(CreditEntry.objects.get(pk=entry.pk).title, "专题培训")
        self.assertEqual(rollup_differences(), [])
        self.assertTrue(AuditEvent.objects.filter(verb="hours.partitions_made").exists())
        self.assertEqual(partitions_ensure(actor=None), [])  # a second run finds all there

    def test_ensure_makes_future_years_ahead(self) -> None:
        made = partitions_ensure(actor=None, years=[2031])
        self.assertEqual(made, [f"{t}_y2031" for t in PARTITIONED_TABLES])

    def test_a_line_is_reversed_once_by_the_service_and_by_the_database(self) -> None:
        (entry,) = self.record(dt.date(timezone.localdate().year, 1, 5))
        reversal = entry_reverse(actor=self.user("secretary"), entry=entry, reason="录错")
        self.assertEqual(reversal.year, entry.year)
        with self.assertRaises(ValidationError):
            entry_reverse(actor=self.user("secretary"), entry=entry, reason="again")
        # Past the service, the unique (reverses, year) still refuses a second reversal.
        with self.assertRaises(IntegrityError), transaction.atomic():
            CreditEntry.objects.create(
                member=entry.member,
                org=entry.org,
                on=entry.on,
                year=entry.year,
                hours=-entry.hours,
                kind=entry.kind,
                title=entry.title,
                reverses=entry,
            )

    def test_the_migration_runs_both_ways_keeping_every_row(self) -> None:
        entries = self.record(
            dt.date(2025, 3, 12), [self.world.member, self.world.secretary_member]
        )
        before = sorted(CreditEntry.objects.values_list("id", "year", "hours", "member_id"))
        editor = SimpleNamespace(connection=connection)
        with connection.cursor() as cursor:
            # DDL on a table with deferred key checks pending in this transaction is refused.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        MIGRATION.unpartition(None, editor)
        self.assertFalse(any(is_partitioned(t) for t in PARTITIONED_TABLES))
        self.assertEqual(
            sorted(CreditEntry.objects.values_list("id", "year", "hours", "member_id")), before
        )
        MIGRATION.partition(None, editor)
        self.assertTrue(all(is_partitioned(t) for t in PARTITIONED_TABLES))
        self.assertEqual(
            sorted(CreditEntry.objects.values_list("id", "year", "hours", "member_id")), before
        )
        self.assertEqual(partition_of(CreditEntry, entries[0].pk), "hours_creditentry_y2025")
        # The identity carries on after the copied ids.
        (later,) = self.record(dt.date(2025, 4, 1))
        self.assertGreater(later.pk, max(e.pk for e in entries))
        self.assertEqual(rollup_differences(), [])
