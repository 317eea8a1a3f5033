"""The 调训情况通报's figures, by hand (the table is in `test_circular_fixtures.py`), its scope,
its documents and the audit of their export."""

from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase, ledger_rows
from peixun.training.selectors import (
    Circular,
    circular_figures,
    class_circular,
    org_year_circular,
)
from peixun.training.services.dispatch import circular_export

from .test_circular_fixtures import YEAR, CircularFixture, build_circular


def table(circular: Circular) -> list[tuple[Any, ...]]:
    return [
        (u.name, u.places, u.nominated, u.named, u.attended, u.completed, u.absent)
        for u in [*circular.units, circular.total]
    ]


class CircularTests(PersonaTestCase):
    fx: CircularFixture

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fx = build_circular(cls.world)

    def test_class_figures_per_unit(self) -> None:
        circular = class_circular(
            actor=self.user("org_admin"), training_class=self.fx.training_class
        )
        self.assertEqual(
            table(circular),
            [
                ("第一党支部", 3, 3, 0, 2, 2, 0),
                ("第二党支部", 2, 2, 0, 0, 0, 2),
                ("测试委党委", 0, 1, 1, 0, 0, 1),
                ("合计", 5, 6, 1, 2, 2, 3),
            ],
        )
        self.assertEqual(
            [(a.name, a.unit, a.branch, a.route, a.reason) for a in circular.absentees],
            [
                ("周八", "第二党支部", "第二党支部", "nominated", "已退训：出差"),
                ("赵强", "第二党支部", "第二党支部", "nominated", "请假"),
                ("孙丽", "测试委党委", "第三党支部", "named", "缺席"),
            ],
        )
        self.assertEqual(str(circular.default_dated), f"{YEAR}-05-12")
        self.assertEqual(circular.default_addressee, "第一党支部、第二党支部、测试委党委")

    def test_year_figures_sum_the_classes_of_the_subtree(self) -> None:
        circular = org_year_circular(actor=self.user("viewer"), org=self.world.root, year=YEAR)
        self.assertEqual(
            [c.title for c in circular.classes], ["2025年党员集中轮训班", "支部专题学习班"]
        )
        self.assertEqual(
            table(circular),
            [
                ("第一党支部", 3, 4, 1, 2, 2, 0),
                ("第二党支部", 2, 2, 0, 0, 0, 2),
                ("测试委党委", 0, 1, 1, 0, 0, 1),
                ("合计", 5, 7, 2, 2, 2, 3),
            ],
        )
        empty = org_year_circular(actor=self.user("viewer"), org=self.world.root, year=YEAR - 1)
        self.assertEqual((empty.classes, empty.units, empty.absentees), ([], [], []))

    def test_query_count_does_not_grow_with_classes(self) -> None:
        one, two = [self.fx.training_class], [self.fx.training_class, self.fx.second]
        with CaptureQueriesContext(connection) as first:
            circular_figures(one)
        with CaptureQueriesContext(connection) as both:
            circular_figures(two)
        self.assertEqual(len(first), len(both))
        self.assertLessEqual(len(both), 6)

    def test_scope(self) -> None:
        tc = self.fx.training_class
        for persona in ("org_admin", "viewer"):
            class_circular(actor=self.user(persona), training_class=tc)
        # They see the class (their unit has places, or they are enrolled) but not the organiser.
        for persona in ("member", "secretary", "other_secretary"):
            with self.subTest(persona=persona), self.assertRaises(PermissionDenied):
                class_circular(actor=self.user(persona), training_class=tc)
        with self.assertRaises(Http404):
            class_circular(actor=self.actor("anonymous"), training_class=tc)
        # A secretary reads their own branch's year (the branch's own class); not another's.
        own = org_year_circular(actor=self.user("secretary"), org=self.world.branch, year=YEAR)
        self.assertEqual([c.title for c in own.classes], ["支部专题学习班"])
        with self.assertRaises(Http404):
            org_year_circular(actor=self.user("other_secretary"), org=self.world.branch, year=YEAR)
        with self.assertRaises(Http404):
            org_year_circular(actor=self.user("member"), org=self.world.branch, year=YEAR)

    def test_exports_are_audited_with_the_members_named(self) -> None:
        admin = self.user("org_admin")
        circular = class_circular(actor=admin, training_class=self.fx.training_class)
        for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF"), ("xlsx", b"PK")):
            data = circular_export(actor=admin, circular=circular, fmt=fmt)
            self.assertTrue(data.startswith(magic), fmt)
        event = AuditEvent.objects.filter(verb="training.circular_export").latest("id")
        self.assertEqual(event.after["format"], "xlsx")
        self.assertEqual(event.after["dated"], f"{YEAR}-05-12")
        self.assertEqual(
            sorted(event.after["members"]),
            sorted(a.member_id for a in circular.absentees),
        )
        book = load_workbook(io.BytesIO(data))
        sheet = book.worksheets[0]
        # A 台账: the organiser and what it lists above, the period, the header repeated on A4.
        tc = self.fx.training_class
        self.assertEqual(sheet["A1"].value, f"{tc.org.name}各单位调训情况")
        self.assertIn("期间：", sheet["A2"].value)
        self.assertEqual(sheet["A3"].value, f"关于“{tc.title}”调训情况的通报")
        self.assertEqual(str(sheet.page_setup.paperSize), "9")
        rows = ledger_rows(sheet)
        self.assertEqual(
            list(rows[0]), ["单位", "名额", "报名/点名", "其中点名", "实到", "结业", "未到"]
        )
        self.assertEqual(list(rows[-1]), ["合计", 5, 6, 1, 2, 2, 3])
        absent = ledger_rows(book.worksheets[1])
        self.assertEqual(absent[1][0], 1)  # numbers stay numbers
        self.assertEqual(len(absent) - 1, len(circular.absentees))

    def test_bad_format_and_addressee_store_nothing(self) -> None:
        admin = self.user("org_admin")
        circular = class_circular(actor=admin, training_class=self.fx.training_class)
        before = AuditEvent.objects.count()
        with self.assertRaises(ValidationError) as caught:
            circular_export(actor=admin, circular=circular, fmt="exe")
        self.assertIn("format", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            circular_export(actor=admin, circular=circular, fmt="docx", addressee="单位" * 200)
        self.assertIn("addressee", caught.exception.message_dict)
        self.assertEqual(AuditEvent.objects.count(), before)
