"""`entries_record_bulk`: the same ledger and rollups as `entry_record` one by one, one audit
event for the batch with the chain intact, and nothing stored when any line is wrong."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from peixun.core.audit import audit_verify
from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry, MemberMonthTotal, MemberYearTotal, YearlyRollup
from peixun.hours.selectors import rollup_differences
from peixun.hours.services import entries_record_bulk, entry_record, entry_reverse
from peixun.testing import PersonaTestCase

DAY = dt.date(2025, 3, 12)
ACTIVITY: dict[str, Any] = {
    "on": DAY,
    "kind": "online_training",
    "title": "学习强国（2025）",
    "online": True,
    "source": "import",
    "reference": "learning.ext:1:2025",
}


class Rollback(Exception):
    pass


def state() -> dict[str, list[tuple[Any, ...]]]:
    """The ledger (without ids and times) and the three rollup tables, comparable."""
    amounts = ("hours", "concentrated_hours", "online_hours", "entries", "concentrated_entries")
    return {
        "ledger": sorted(
            CreditEntry.objects.values_list(
                "member_id",
                "org_id",
                "on",
                "year",
                "hours",
                "kind",
                "topic",
                "online",
                "concentrated",
                "title",
                "source",
                "reference",
                "state",
                "recorded_by_id",
            )
        ),  # fmt: skip
        "cells": sorted(
            YearlyRollup.objects.values_list("member_id", "year", "kind", "topic", *amounts)
        ),
        "years": sorted(MemberYearTotal.objects.values_list("member_id", "year", *amounts)),
        "months": sorted(
            MemberMonthTotal.objects.values_list("member_id", "year", "month", *amounts)
        ),
    }


class BulkRecordTests(PersonaTestCase):
    def setUp(self) -> None:
        w = self.world
        # An earlier line in the same cell and month, so the upserts add to stored rows.
        entry_record(actor=self.user("org_admin"), members=[w.member], hours="2", **ACTIVITY)
        self.pairs = [(w.member, Decimal("25")), (w.secretary_member, Decimal("1.25")),
                      (w.other_member, Decimal("3"))]  # fmt: skip

    def test_the_same_ledger_and_rollups_as_one_by_one(self) -> None:
        actor = self.user("org_admin")
        try:
            with transaction.atomic():
                for member, hours in self.pairs:
                    entry_record(actor=actor, members=[member], hours=hours, **ACTIVITY)
                one_by_one = state()
                raise Rollback
        except Rollback:
            pass
        lines = entries_record_bulk(
            actor=actor, entries=self.pairs, org=self.world.unit, **ACTIVITY
        )
        self.assertEqual(state(), one_by_one)
        self.assertEqual([e.member_id for e in lines], [m.pk for m, _h in self.pairs])
        self.assertTrue(all(e.pk for e in lines))
        self.assertEqual(rollup_differences(), [])
        cell = YearlyRollup.objects.get(member=self.world.member, year=2025)
        self.assertEqual(
            (cell.hours, cell.online_hours, cell.entries), (Decimal(27), Decimal(27), 2)
        )
        # A reversal of a bulk line comes off the rollups as any other.
        entry_reverse(actor=actor, entry=lines[0], reason="录错")
        self.assertEqual(rollup_differences(), [])

    def test_one_audit_event_sums_the_batch_and_the_chain_verifies(self) -> None:
        before = AuditEvent.objects.count()
        lines = entries_record_bulk(
            actor=self.user("org_admin"), entries=self.pairs, org=self.world.unit, **ACTIVITY
        )
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        event = AuditEvent.objects.get(verb="hours.record_bulk")
        assert event.after is not None
        self.assertEqual(event.after["entries"], 3)
        self.assertEqual(Decimal(event.after["hours"]), Decimal("29.25"))
        self.assertEqual(event.after["reference"], "learning.ext:1:2025")
        self.assertEqual((event.after["first_entry"], event.after["last_entry"]),
                         (lines[0].pk, lines[-1].pk))  # fmt: skip
        self.assertEqual(event.org_id, self.world.unit.pk)
        self.assertTrue(audit_verify().ok)

    def test_bad_input_stores_nothing(self) -> None:
        w = self.world
        before = state()
        bad: list[tuple[str, dict[str, Any]]] = [
            ("org_admin", {"entries": []}),
            ("org_admin", {"entries": [(w.member, "1"), (w.member, "2")]}),
            ("org_admin", {"entries": [(w.member, "1"), (w.other_member, "1.1")]}),
            ("org_admin", {"entries": [(w.member, "-1")]}),
            ("org_admin", {"entries": [(w.member, "abc")]}),
            ("org_admin", {"entries": [(w.member, "9999")]}),
            ("org_admin", {"entries": [(w.member, "1")], "kind": "nonsense"}),
            ("org_admin", {"entries": [(w.member, "1")], "title": " "}),
            ("org_admin", {"entries": [(w.member, "1")], "on": dt.date(2999, 1, 1)}),
            ("org_admin", {"entries": [(w.member, "1")], "on": dt.date(2005, 1, 1)}),
            ("org_admin", {"entries": [(w.member, "1")], "year": 2024}),
            # The branch's secretary may not credit another branch's member.
            ("secretary", {"entries": [(w.member, "1"), (w.other_member, "1")]}),
            ("other_secretary", {"entries": [(w.member, "1")]}),
        ]
        for persona, kw in bad:
            with self.subTest(persona=persona, kw=kw), self.assertRaises(ValidationError):
                entries_record_bulk(actor=self.user(persona), **{**ACTIVITY, **kw})
        self.assertEqual(state(), before)
        self.assertFalse(AuditEvent.objects.filter(verb="hours.record_bulk").exists())

    def test_the_branch_secretary_credits_their_own_members(self) -> None:
        w = self.world
        lines = entries_record_bulk(
            actor=self.user("secretary"),
            entries=[(w.member, "0.5"), (w.secretary_member, "0.75")],
            **ACTIVITY,
        )
        self.assertEqual({e.org_id for e in lines}, {w.branch.pk})
        self.assertEqual(rollup_differences(), [])
