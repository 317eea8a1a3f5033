"""The per-member month totals (`MemberMonthTotal`): kept with the ledger like the other rollups,
checked and rebuilt by `rebuild_rollups`, and read by every figure "as of" a day inside a year,
which must then equal the confirmed lines dated up to that day, on either side of a month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

from peixun.hours.models import CreditEntry, MemberMonthTotal
from peixun.hours.selectors import member_table, rollup_differences
from peixun.hours.services import (
    entry_record,
    entry_reverse,
    requirements_seed_defaults,
    rollup_rebuild,
)
from peixun.members.models import Member
from peixun.testing import PersonaTestCase, make_member

YEAR = 2025
DAYS = [
    dt.date(YEAR, 1, 3),
    dt.date(YEAR, 1, 20),
    dt.date(YEAR, 2, 28),
    dt.date(YEAR, 5, 10),
    dt.date(YEAR, 6, 30),
    dt.date(YEAR, 7, 1),
    dt.date(YEAR, 9, 25),
    dt.date(YEAR, 11, 14),
    dt.date(YEAR, 12, 15),
    dt.date(YEAR, 12, 20),
]


class MonthTotalsTests(PersonaTestCase):
    people: ClassVar[list[Member]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root)
        cls.people = [w.member, make_member(w.other_branch, "周全")]
        for i, member in enumerate(cls.people):
            for month in range(1, 13):
                for day in (5, 20):
                    entry_record(
                        actor=w.platform_admin,
                        members=[member],
                        on=dt.date(YEAR, month, day),
                        hours=str(1 + (month + day + i) % 4),
                        kind="concentrated_training" if day == 5 else "online_training",
                        title="学习",
                        concentrated=day == 5,
                        online=day == 20,
                    )
        # A line of the previous year (the 5-year cadre cycle reads it) and a reversal.
        entry_record(
            actor=w.platform_admin,
            members=[w.member],
            on=dt.date(YEAR - 1, 8, 8),
            hours="7",
            kind="concentrated_training",
            title="往年",
            concentrated=True,
        )
        wrong = CreditEntry.objects.filter(member=w.member, on=dt.date(YEAR, 6, 20)).get()
        entry_reverse(actor=w.platform_admin, entry=wrong, reason="重复")

    def by_hand(self, member: Member, as_of: dt.date) -> tuple[Decimal, Decimal, Decimal, int]:
        lines = CreditEntry.objects.filter(
            member=member, year=YEAR, on__lte=as_of, state="confirmed"
        )
        total = sum((e.hours for e in lines), Decimal(0))
        conc = sum((e.hours for e in lines if e.concentrated), Decimal(0))
        online = sum((e.hours for e in lines if e.online), Decimal(0))
        count = sum((1 if e.hours > 0 else -1) for e in lines if e.concentrated)
        return total, conc, online, count

    def read(self, as_of: dt.date) -> dict[int, Any]:
        rows = member_table(
            actor=self.user("org_admin"), org=self.world.root, year=YEAR, as_of=as_of
        )
        return {mc.member_id: mc.totals for mc in rows}

    def test_as_of_any_day_equals_the_ledger(self) -> None:
        for by_path in (False, True):
            limit = 0 if by_path else 2000
            with mock.patch("peixun.hours.selectors.compliance.loading.BY_ID_LIMIT", limit):
                for day in DAYS:
                    got = self.read(day)
                    for member in self.people:
                        t = got[member.pk]
                        with self.subTest(day=day, member=member.name, by_path=by_path):
                            self.assertEqual(
                                (t.total, t.concentrated, t.online, t.concentrated_count),
                                self.by_hand(member, day),
                            )

    def test_kept_with_the_ledger_and_rebuilt(self) -> None:
        self.assertEqual(rollup_differences(), [])
        row = MemberMonthTotal.objects.get(member=self.world.member, year=YEAR, month=6)
        # June: 5 June (1 + (6 + 5) % 4 = 4) and 20 June (1 + 26 % 4 = 3), reversed: 4.
        self.assertEqual((row.hours, row.entries), (Decimal(4), 1))
        MemberMonthTotal.objects.filter(month=6).update(hours=Decimal(99))
        self.assertTrue(any("month 06" in cell[2] for cell, *_ in rollup_differences(YEAR)))
        rollup_rebuild()
        self.assertEqual(rollup_differences(), [])
        row = MemberMonthTotal.objects.get(member=self.world.member, year=YEAR, month=6)
        self.assertEqual(row.hours, Decimal(4))
