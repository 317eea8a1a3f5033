"""The 培训档案 and 学时证明 figures, computed by hand.

李明's ledger (confirmed unless said):
    2024-03-12  专题培训班        concentrated_training  32   concentrated (manual)
    2024-06-01  中心组学习        central_group           2
    2024-07-01  记错的活动        theme_day               2   reversed on the same day → 0
    2024-09-09  读原著            self_study              3   filed, approved (self_study)
    2024-10-10  自学党史          self_study              2   filed, still pending → not counted
    2025-04-04  网络专题班        online_training         6   online
    2025-05-05  主题党日          theme_day               4   (event source: a meeting)
    2025-06-06  应知应会测试      other                   0.5 (exam source: a test)
2024: 32 + 2 + 2 − 2 + 3 = 37 (concentrated 32, online 0); by kind: concentrated 32,
      theme day 0 (left out), central group 2, self-study 3.
2025: 6 + 4 + 0.5 = 10.5 (concentrated 0, online 6); by kind online 6, theme day 4, other 0.5.
2024–2025: 47.5, concentrated 32, online 6; by kind concentrated 32, online 6, theme day 4,
      central group 2, self-study 3, other 0.5 (the theme day of 2024 nets to 0).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404

from peixun.hours.models import CreditEntry
from peixun.hours.selectors import (
    certificate_issuer,
    clean_year_range,
    entry_source,
    member_archive,
    member_hours_figures,
)
from peixun.hours.services import (
    entry_approve,
    entry_record,
    entry_reverse,
    requirements_seed_defaults,
    self_study_file,
)
from peixun.testing import PersonaTestCase


def d(text: str) -> Decimal:
    return Decimal(text)


def build_ledger(world) -> None:  # type: ignore[no-untyped-def]
    sec = world.users["secretary"]
    m = world.member
    requirements_seed_defaults(actor=world.platform_admin, tenant=world.root, from_year=2019)
    entry_record(
        actor=sec,
        members=[m],
        on=dt.date(2024, 3, 12),
        hours="32",
        kind="concentrated_training",
        title="专题培训班",
        concentrated=True,
    )
    entry_record(
        actor=sec,
        members=[m],
        on=dt.date(2024, 6, 1),
        hours="2",
        kind="central_group",
        title="中心组学习",
    )
    (wrong,) = entry_record(
        actor=sec,
        members=[m],
        on=dt.date(2024, 7, 1),
        hours="2",
        kind="theme_day",
        title="记错的活动",
    )
    entry_reverse(actor=sec, entry=wrong, reason="重复登记")
    filed = self_study_file(
        actor=world.users["member"], on=dt.date(2024, 9, 9), hours="3", title="读原著"
    )
    entry_approve(actor=sec, entry=filed)
    self_study_file(
        actor=world.users["member"], on=dt.date(2024, 10, 10), hours="2", title="自学党史"
    )
    entry_record(
        actor=sec,
        members=[m],
        on=dt.date(2025, 4, 4),
        hours="6",
        kind="online_training",
        title="网络专题班",
        online=True,
    )
    entry_record(
        actor=sec,
        members=[m],
        on=dt.date(2025, 5, 5),
        hours="4",
        kind="theme_day",
        title="主题党日",
        source=CreditEntry.Source.EVENT,
        reference="event:999001",
    )
    entry_record(
        actor=sec,
        members=[m],
        on=dt.date(2025, 6, 6),
        hours="0.5",
        kind="other",
        title="应知应会测试",
        source=CreditEntry.Source.EXAM,
        reference="exam:999001",
    )


class ArchiveFiguresTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        build_ledger(cls.world)

    def test_hours_figures_of_one_year_and_of_the_range(self) -> None:
        m = self.world.member.pk
        y2024 = member_hours_figures(member_id=m, first_year=2024, last_year=2024)
        self.assertEqual(
            (y2024.total, y2024.concentrated, y2024.online), (d("37"), d("32"), d("0"))
        )
        self.assertEqual(
            [(k.kind, k.hours) for k in y2024.by_kind],
            [("concentrated_training", d("32")), ("central_group", d("2")), ("self_study", d("3"))],
        )
        y2025 = member_hours_figures(member_id=m, first_year=2025, last_year=2025)
        self.assertEqual(
            (y2025.total, y2025.concentrated, y2025.online), (d("10.5"), d("0"), d("6"))
        )
        both = member_hours_figures(member_id=m, first_year=2024, last_year=2025)
        self.assertEqual((both.total, both.concentrated, both.online), (d("47.5"), d("32"), d("6")))
        self.assertEqual(
            [(k.kind, k.hours) for k in both.by_kind],
            [
                ("concentrated_training", d("32")),
                ("online_training", d("6")),
                ("theme_day", d("4")),
                ("central_group", d("2")),
                ("self_study", d("3")),
                ("other", d("0.5")),
            ],
        )
        self.assertEqual(
            member_hours_figures(member_id=m, first_year=2019, last_year=2023).total, d("0")
        )

    def test_archive_years_lines_add_up_to_the_figures(self) -> None:
        archive = member_archive(
            actor=self.user("member"), member=self.world.member, first_year=2024, last_year=2025
        )
        self.assertEqual([y.year for y in archive.years], [2024, 2025])
        y2024, y2025 = archive.years
        self.assertEqual(y2024.total, d("37"))
        self.assertEqual(sum(e.hours for e in y2024.entries), d("37"))
        # The pending filing is left out; the reversal and its entry both stand.
        self.assertEqual(
            [(e.title, e.hours, e.source) for e in y2024.entries],
            [
                ("专题培训班", d("32"), "manual"),
                ("中心组学习", d("2"), "manual"),
                ("记错的活动", d("2"), "manual"),
                ("记错的活动", d("-2"), "manual"),
                ("读原著", d("3"), "self_study"),
            ],
        )
        self.assertTrue(y2024.entries[3].is_reversal)
        self.assertEqual([e.source for e in y2025.entries], ["manual", "meeting", "test"])
        self.assertEqual(sum(e.hours for e in y2025.entries), y2025.total)
        self.assertEqual(y2025.total, d("10.5"))
        self.assertEqual(archive.figures.total, d("47.5"))
        self.assertEqual(archive.span, "2024—2025")
        # The 32-hour rule (every member, concentrated): met in 2024 (32), 0 of 32 in 2025.
        rule_2024 = {r.result.name: r.result for r in y2024.rules}
        rule_2025 = {r.result.name: r.result for r in y2025.rules}
        (name,) = [n for n, r in rule_2024.items() if r.required == d("32")]
        self.assertEqual((rule_2024[name].achieved, rule_2024[name].status), (d("32"), "met"))
        self.assertEqual((rule_2025[name].achieved, rule_2025[name].gap), (d("0"), d("32")))

    def test_entry_source_tells_classes_from_meetings(self) -> None:
        e = CreditEntry(source=CreditEntry.Source.EVENT, kind="concentrated_training")
        self.assertEqual(entry_source(e), "class")
        e.kind = "three_meetings"
        self.assertEqual(entry_source(e), "meeting")
        e.source = CreditEntry.Source.SELF_STUDY
        self.assertEqual(entry_source(e), "self_study")

    def test_archive_scope(self) -> None:
        for persona in ("member", "secretary", "org_admin", "viewer"):
            member_archive(
                actor=self.user(persona), member=self.world.member, first_year=2024, last_year=2024
            )
        with self.assertRaises(Http404):
            member_archive(
                actor=self.user("other_secretary"),
                member=self.world.member,
                first_year=2024,
                last_year=2024,
            )
        with self.assertRaises(Http404):
            member_archive(
                actor=self.actor("anonymous"),
                member=self.world.member,
                first_year=2024,
                last_year=2024,
            )

    def test_year_range_is_checked(self) -> None:
        today = dt.date(2026, 12, 6)
        self.assertEqual(clean_year_range("2019", 2023, today=today), (2019, 2023))
        for first, last, field in (
            ("x", 2023, "first_year"),
            (2024, 2023, "last_year"),
            (1999, 2003, "first_year"),
            (2026, 2027, "last_year"),
            (2010, 2020, "last_year"),  # eleven years
        ):
            with self.subTest(first=first, last=last):
                with self.assertRaises(ValidationError) as caught:
                    clean_year_range(first, last, today=today)
                self.assertIn(field, caught.exception.message_dict)

    def test_issuer_is_the_highest_org_the_actor_manages(self) -> None:
        w = self.world
        self.assertEqual(
            certificate_issuer(actor=self.user("secretary"), member=w.member), w.branch
        )
        self.assertEqual(certificate_issuer(actor=self.user("org_admin"), member=w.member), w.root)
        self.assertEqual(certificate_issuer(actor=w.platform_admin, member=w.member), w.root)
        self.assertIsNone(certificate_issuer(actor=self.user("viewer"), member=w.member))
        self.assertIsNone(certificate_issuer(actor=self.user("member"), member=w.member))
