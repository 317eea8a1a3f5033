"""Manual marking, bulk marking and the .xlsx import (dry run, all-or-nothing), and the template."""

from __future__ import annotations

import io
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from openpyxl import Workbook, load_workbook

from peixun.core.models import AuditEvent
from peixun.events.models import Attendance, Event
from peixun.events.services import (
    attendance_import,
    attendance_mark,
    attendance_mark_many,
    attendance_mark_unmarked,
    attendance_template,
)
from peixun.members.models import Member
from peixun.testing import (
    World,
    check_printable_ledger,
    ledger_header_row,
    ledger_rows,
    make_member,
)

from .fixtures import SessionFixture, class_session

S = Attendance.Status


def xlsx(rows: list[list[Any]], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers or ["姓名", "身份证号后4位", "手机号", "状态", "备注"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class MarkTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    admin: ClassVar[Any]
    chen: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.fx = class_session(cls.world)
        cls.admin = cls.world.users["org_admin"]
        cls.chen = cls.fx.members[1]

    def test_mark_creates_then_updates_with_audit(self) -> None:
        row = attendance_mark(
            actor=self.admin, event=self.fx.event, member=self.world.member, status=S.PRESENT
        )
        self.assertEqual((row.status, row.method), (S.PRESENT, Attendance.Method.MANUAL))
        self.assertEqual(row.marked_by, self.admin)
        row = attendance_mark(
            actor=self.admin,
            event=self.fx.event,
            member=self.world.member,
            status=S.ABSENT,
            note="未到场",
        )
        self.assertEqual((row.status, row.note), (S.ABSENT, "未到场"))
        self.assertEqual(Attendance.objects.count(), 1)
        audits = AuditEvent.objects.filter(verb="attendance.mark").order_by("pk")
        self.assertEqual(audits.count(), 2)
        self.assertEqual(audits.last().before["status"], S.PRESENT)  # type: ignore[union-attr,index]

    def test_mark_refuses_strangers_bad_status_closed_events_and_non_managers(self) -> None:
        stranger = make_member(self.world.other_branch, "路人")
        with self.assertRaises(ValidationError) as caught:
            attendance_mark(
                actor=self.admin, event=self.fx.event, member=stranger, status=S.PRESENT
            )
        self.assertIn("member", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            attendance_mark(
                actor=self.admin, event=self.fx.event, member=self.world.member, status="here"
            )
        self.assertIn("status", caught.exception.message_dict)
        with self.assertRaises(PermissionDenied):
            attendance_mark(
                actor=self.world.users["secretary"],
                event=self.fx.event,
                member=self.world.member,
                status=S.PRESENT,
            )
        Event.objects.filter(pk=self.fx.event.pk).update(state=Event.State.CLOSED)
        with self.assertRaises(ValidationError):
            attendance_mark(
                actor=self.admin, event=self.fx.event, member=self.world.member, status=S.PRESENT
            )
        self.assertFalse(Attendance.objects.exists())

    def test_bulk_is_all_or_nothing(self) -> None:
        stranger = make_member(self.world.other_branch, "路人")
        with self.assertRaises(ValidationError):
            attendance_mark_many(
                actor=self.admin,
                event=self.fx.event,
                marks={self.world.member.pk: S.PRESENT, stranger.pk: S.PRESENT},
            )
        self.assertFalse(Attendance.objects.exists())
        created, updated, same = attendance_mark_many(
            actor=self.admin,
            event=self.fx.event,
            marks={self.world.member.pk: S.PRESENT, self.chen.pk: S.LATE},
        )
        self.assertEqual((created, updated, same), (2, 0, 0))

    def test_mark_unmarked_absent(self) -> None:
        attendance_mark(
            actor=self.admin, event=self.fx.event, member=self.world.member, status=S.LATE
        )
        self.assertEqual(attendance_mark_unmarked(actor=self.admin, event=self.fx.event), 1)
        self.assertEqual(Attendance.objects.get(member=self.chen).status, S.ABSENT)
        self.assertEqual(Attendance.objects.get(member=self.world.member).status, S.LATE)
        self.assertEqual(attendance_mark_unmarked(actor=self.admin, event=self.fx.event), 0)

    def test_mark_unmarked_refused_before_the_start(self) -> None:
        future = class_session(self.world, members=[self.world.member], starts_in=60).event
        with self.assertRaises(ValidationError):
            attendance_mark_unmarked(actor=self.admin, event=future)


class ImportTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    admin: ClassVar[Any]
    twin_a: ClassVar[Member]
    twin_b: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        w = cls.world
        # Two namesakes: the ID digits or the mobile tell them apart.
        cls.twin_a = make_member(w.branch, "张伟", mobile="13900000001")
        cls.twin_b = make_member(w.other_branch, "张伟", mobile="13900000002")
        cls.fx = class_session(w, members=[w.member, cls.twin_a, cls.twin_b])
        cls.admin = w.users["org_admin"]

    def last4(self, member: Any) -> str:
        return member.id_number_masked[-4:]

    def test_dry_run_lists_every_bad_row_and_stores_nothing(self) -> None:
        data = xlsx(
            [
                ["李明", self.last4(self.world.member), "", "出席", ""],
                ["张伟", "", "", "迟到", ""],  # ambiguous
                ["王五", "1234", "", "出席", ""],  # not expected
                ["张伟", self.last4(self.twin_a), "", "在家", ""],  # unknown status
                ["", "1234", "", "出席", ""],  # no name
                ["李明", "0000", "", "出席", ""],  # digits do not match
                ["张伟", "", "13900000002", "", ""],  # no status
            ]
        )
        for dry_run in (True, False):
            result = attendance_import(
                actor=self.admin, event=self.fx.event, file=data, dry_run=dry_run
            )
            self.assertFalse(result.ok)
            got = [(e.row, e.column) for e in result.errors]
            self.assertEqual(
                got,
                [
                    (3, "姓名"),
                    (4, "姓名"),
                    (5, "状态"),
                    (6, "姓名"),
                    (7, "身份证号后4位"),
                    (8, "状态"),
                ],
            )
            self.assertEqual(result.errors[0].value, "张伟")
        self.assertFalse(Attendance.objects.exists())

    def test_import_writes_after_a_clean_dry_run(self) -> None:
        attendance_mark(
            actor=self.admin, event=self.fx.event, member=self.world.member, status=S.ABSENT
        )
        data = xlsx(
            [
                ["李 明", self.last4(self.world.member), "", "出席", ""],
                ["张伟", self.last4(self.twin_a), "", "请假", "病假"],
                ["张伟", "", "139 0000 0002", "早退", ""],
            ]
        )
        preview = attendance_import(actor=self.admin, event=self.fx.event, file=data, dry_run=True)
        self.assertTrue(preview.ok, preview.errors)
        self.assertEqual((preview.created, preview.updated, preview.unchanged), (2, 1, 0))
        self.assertEqual(Attendance.objects.count(), 1)
        done = attendance_import(actor=self.admin, event=self.fx.event, file=data, dry_run=False)
        self.assertTrue(done.ok)
        statuses = dict(Attendance.objects.values_list("member_id", "status"))
        self.assertEqual(
            statuses,
            {
                self.world.member.pk: S.PRESENT,
                self.twin_a.pk: S.LEAVE,
                self.twin_b.pk: S.LEFT_EARLY,
            },
        )
        self.assertEqual(
            set(Attendance.objects.values_list("method", flat=True)),
            {Attendance.Method.IMPORT},
        )
        self.assertEqual(AuditEvent.objects.filter(verb="attendance.import").count(), 3)
        again = attendance_import(actor=self.admin, event=self.fx.event, file=data, dry_run=True)
        self.assertEqual((again.created, again.updated, again.unchanged), (0, 0, 3))

    def test_file_problems(self) -> None:
        cases: list[tuple[bytes, str]] = [
            (b"", "空"),
            (b"name,status\n", ".xlsx"),
            (xlsx([["李明", "出席"]], headers=["姓名", "状态"]), "身份证号后4位"),
            (xlsx([], headers=["编号", "结果"]), "姓名"),
            (xlsx([]), "没有"),
        ]
        for data, words in cases:
            with self.subTest(words=words):
                result = attendance_import(
                    actor=self.admin, event=self.fx.event, file=data, dry_run=True
                )
                self.assertFalse(result.ok)
                self.assertEqual(len(result.errors), 1)
                self.assertIsNone(result.errors[0].row)

    def test_duplicate_rows_and_permission(self) -> None:
        last4 = self.last4(self.world.member)
        data = xlsx([["李明", last4, "", "出席", ""], ["李明", last4, "", "缺席", ""]])
        result = attendance_import(actor=self.admin, event=self.fx.event, file=data, dry_run=True)
        self.assertEqual([(e.row, e.column) for e in result.errors], [(3, "姓名")])
        with self.assertRaises(PermissionDenied):
            attendance_import(
                actor=self.world.users["viewer"], event=self.fx.event, file=data, dry_run=True
            )

    def test_template_lists_expected_members_and_reimports(self) -> None:
        attendance_mark(
            actor=self.admin, event=self.fx.event, member=self.world.member, status=S.LATE
        )
        data = attendance_template(actor=self.admin, event=self.fx.event)
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        self.assertEqual(sheet["A1"].value, f"{self.fx.event.org.name}{self.fx.event.title}考勤表")
        self.assertIn("单位：", sheet["A2"].value)
        # The counts of the rows below, from the data: 3 expected, 1 marked 迟到 so far.
        self.assertEqual(sheet["A3"].value, "应到3人；已登记：迟到 1；未登记2人")
        check_printable_ledger(
            sheet,
            title=f"{self.fx.event.org.name}{self.fx.event.title}考勤表",
            orientation="portrait",
            freeze="B5",
        )
        self.assertEqual(sheet.column_dimensions["B"].number_format, "@")  # 0123 stays 0123
        rows = ledger_rows(sheet)
        self.assertEqual(list(rows[0]), ["姓名", "身份证号后4位", "手机号", "状态", "备注"])
        self.assertEqual(len(rows), 4)
        self.assertIn(("李明", self.last4(self.world.member), None, "迟到", None), rows)
        event = AuditEvent.objects.get(verb="attendance.template")
        after = event.after or {}
        self.assertEqual(after["members"], 3)
        listed = set(after["member_ids"])
        self.assertEqual(len(listed), 3)
        self.assertIn(self.world.member.pk, listed)
        # Filled in, the template imports as it is.
        book = load_workbook(io.BytesIO(data))
        sheet = book.active
        assert sheet is not None
        for row in sheet.iter_rows(min_row=ledger_header_row(sheet) + 1):
            row[3].value = row[3].value or "出席"
        buffer = io.BytesIO()
        book.save(buffer)
        result = attendance_import(
            actor=self.admin, event=self.fx.event, file=buffer.getvalue(), dry_run=False
        )
        self.assertTrue(result.ok, result.errors)
        self.assertEqual(Attendance.objects.count(), 3)
