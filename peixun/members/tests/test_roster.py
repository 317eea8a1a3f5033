"""Roster services: the template's headers, the import's checks and writes, the export.

Every bad-input test also proves nothing was written (members, memberships and audit events
counted before and after).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from peixun.core.crypto import keyed_hash
from peixun.core.idcard import mask_id_number
from peixun.core.models import AuditEvent
from peixun.members.documents import (
    CHINESE_HEADERS,
    ROSTER_FIELDS,
    header_for,
    roster_headers,
    roster_template,
)
from peixun.members.models import Member, Membership
from peixun.members.selectors import MemberFilters
from peixun.members.services import RosterImportResult, roster_export, roster_import
from peixun.testing import PersonaTestCase, make_member, new_id_number

HEADERS = list(CHINESE_HEADERS)  # the 15 columns, in template order
COLUMN = dict(zip(ROSTER_FIELDS, HEADERS, strict=True))


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def person(id_number: Any, org: str = "T010101", **fields: Any) -> list[Any]:
    """One data row in HEADERS order; unnamed columns blank."""
    values: dict[str, Any] = {
        "name": "陈新",
        "id_number": id_number,
        "status": "full",
        "joined_on": "2015-07-01",
        "org": org,
    }
    values.update(fields)
    return [values.get(field, "") for field in ROSTER_FIELDS]


def label(field: str) -> str:
    model_field = Member._meta.get_field(field)
    assert isinstance(model_field, models.Field)
    return str(model_field.verbose_name)


def after(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.after, dict)
    return event.after


def before_of(event: AuditEvent) -> dict[str, Any]:
    assert isinstance(event.before, dict)
    return event.before


def read_rows(data: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


class RosterTestCase(PersonaTestCase):
    def counts(self) -> tuple[int, int, int]:
        return Member.objects.count(), Membership.objects.count(), AuditEvent.objects.count()

    def run_import(
        self, persona: str, rows: list[list[Any]], *, dry_run: bool = False, headers: bool = True
    ) -> RosterImportResult:
        data = xlsx([HEADERS, *rows] if headers else rows)
        return roster_import(
            actor=self.user(persona), data=data, filename="t.xlsx", dry_run=dry_run
        )

    def assert_refused(self, result: RosterImportResult, before: tuple[int, int, int]) -> None:
        self.assertFalse(result.ok)
        self.assertTrue(result.errors)
        self.assertEqual(self.counts(), before, "nothing may be written when any row fails")
        # ... and the answer says so: a rejected file created and updated nobody.
        counted = (result.created, result.updated, result.unchanged, result.transferred)
        self.assertEqual(counted, (0, 0, 0, 0))

    def only_error(self, result: RosterImportResult) -> Any:
        self.assertEqual(len(result.errors), 1, result.errors)
        return result.errors[0]


class TemplateTests(RosterTestCase):
    def test_headers_equal_the_translated_verbose_names(self) -> None:
        rows = read_rows(roster_template())
        with translation.override("zh-hans"):
            expected = [
                label(name)
                for name in (
                    "name",
                    "gender",
                    "ethnicity",
                    "birth_date",
                    "id_number_masked",
                    "mobile",
                    "education",
                    "candidate_since",  # 成为发展对象日期, before 入党日期 (issue 14)
                    "joined_on",
                    "confirmed_on",
                    "status",
                    "cadre_rank",
                    "employment",
                    "exempt_reason",
                    "org",
                )
            ]
        self.assertEqual(list(rows[0]), expected)
        self.assertEqual(roster_headers(), expected)
        self.assertEqual(len(rows), 1, "no sample row in the data sheet")

    def test_instructions_sheet_lists_choices_and_date_forms(self) -> None:
        workbook = load_workbook(io.BytesIO(roster_template()))
        self.assertEqual(len(workbook.worksheets), 2)
        text = " ".join(
            str(cell) for row in workbook.worksheets[1].iter_rows(values_only=True) for cell in row
        )
        with translation.override("zh-hans"):
            for label in (Member.Status.PROBATIONARY.label, Member.CadreRank.TOWNSHIP.label):
                self.assertIn(str(label), text)
        self.assertIn("2020年1月5日", text)
        self.assertIn(header_for("id_number"), text)

    def test_the_template_as_it_is_imports_to_a_clear_error(self) -> None:
        before = self.counts()
        result = roster_import(actor=self.user("secretary"), data=roster_template(), dry_run=False)
        self.assert_refused(result, before)
        self.assertIsNone(self.only_error(result).row)

    def test_english_and_chinese_headers_both_read(self) -> None:
        english = [header_for(f) for f in ROSTER_FIELDS]
        with translation.override("en"):
            msgids = [label(f) for f in ("name", "mobile")]
        rows = [
            ["某某支部党员名册"],  # a title line above the headers is common
            [*english[:1], *english[1:]],
            person(new_id_number(dt.date(1990, 1, 1))),
        ]
        result = roster_import(actor=self.user("secretary"), data=xlsx(rows), dry_run=True)
        self.assertTrue(result.ok, result.errors)
        spaced = ["姓  名", "公民身份号码", "党员状态", "所在党组织", "入党日期", *msgids[1:]]
        result = roster_import(
            actor=self.user("secretary"),
            data=xlsx(
                [
                    spaced,
                    ["陈新", new_id_number(dt.date(1990, 1, 1)), "full", "T010101", "2015-1-1", ""],
                ]
            ),
            dry_run=True,
        )
        self.assertTrue(result.ok, result.errors)


class ImportTests(RosterTestCase):
    def test_creates_members_memberships_and_audit_events(self) -> None:
        first, second = (
            new_id_number(dt.date(1990, 2, 3)),
            new_id_number(dt.date(1992, 5, 6), male=False),
        )
        rows = [
            person(first, name="陈新", mobile="13900001111", cadre_rank="staff"),
            person(
                second, org="第一党小组", name="周丽", status="probationary", joined_on="2025-1-5"
            ),
        ]
        members_before = Member.objects.count()
        dry = self.run_import("secretary", rows, dry_run=True)
        self.assertEqual((dry.ok, dry.created, dry.updated), (True, 2, 0))
        self.assertEqual(Member.objects.count(), members_before, "a dry run writes nothing")

        result = self.run_import("secretary", rows)
        self.assertEqual((result.ok, result.created, result.updated), (True, 2, 0))
        chen = Member.objects.get(id_number_hash=keyed_hash(first))
        self.assertEqual(chen.org, self.world.branch)
        self.assertEqual((chen.gender, chen.birth_date), ("M", dt.date(1990, 2, 3)))
        self.assertEqual((chen.mobile, chen.cadre_rank), ("13900001111", "staff"))
        self.assertEqual(chen.id_number_masked, mask_id_number(first))
        self.assertEqual(chen.reveal_id_number(), first)
        zhou = Member.objects.get(id_number_hash=keyed_hash(second))
        self.assertEqual((zhou.org, zhou.gender), (self.world.group, "F"))
        membership = Membership.objects.get(member=zhou)
        self.assertEqual(
            (membership.org, membership.since), (self.world.group, dt.date(2025, 1, 5))
        )
        summary = AuditEvent.objects.get(verb="roster.import")
        self.assertEqual(after(summary)["created"], 2)
        self.assertEqual(after(summary)["updated"], 0)
        self.assertEqual(summary.org, self.world.branch)
        created = AuditEvent.objects.filter(verb="member.create", object_id__in=[chen.pk, zhou.pk])
        self.assertEqual(created.count(), 2)

    def test_reimport_updates_instead_of_duplicating(self) -> None:
        number = new_id_number(dt.date(1988, 8, 8))
        self.run_import("secretary", [person(number, mobile="13900002222")])
        count = Member.objects.count()
        again = self.run_import("secretary", [person(number, mobile="13900002222")])
        self.assertEqual((again.ok, again.created, again.updated, again.unchanged), (True, 0, 0, 1))
        changed = self.run_import(
            "secretary", [person(number, mobile="13900003333", education="bachelor")]
        )
        self.assertEqual((changed.created, changed.updated), (0, 1))
        self.assertEqual(Member.objects.count(), count)
        member = Member.objects.get(id_number_hash=keyed_hash(number))
        self.assertEqual((member.mobile, member.education), ("13900003333", "bachelor"))
        event = AuditEvent.objects.get(verb="member.update", object_id=str(member.pk))
        self.assertEqual(before_of(event)["mobile"], "13900002222")
        self.assertEqual(after(event)["mobile"], "13900003333")
        self.assertEqual(AuditEvent.objects.filter(verb="roster.import").count(), 3)

    def test_columns_left_out_keep_their_stored_values(self) -> None:
        member = make_member(self.world.branch, "钱多", mobile="13911112222", cadre_rank="township")
        number = member.reveal_id_number()
        rows = [
            ["姓名", "公民身份号码", "党员状态", "所在党组织"],
            ["钱多多", number, "full", "T010101"],
        ]
        result = roster_import(actor=self.user("secretary"), data=xlsx(rows), dry_run=False)
        self.assertEqual((result.ok, result.updated), (True, 1), result.errors)
        member.refresh_from_db()
        self.assertEqual(member.name, "钱多多")
        self.assertEqual((member.mobile, member.cadre_rank), ("13911112222", "township"))
        self.assertEqual(member.joined_on, dt.date(2010, 7, 1))

    def test_org_change_is_a_transfer_with_history(self) -> None:
        member = make_member(self.world.branch, "吴刚")
        number = member.reveal_id_number()
        today = timezone.localdate()
        result = self.run_import(
            "org_admin",
            [
                person(
                    number,
                    org="T010201",
                    name="吴刚",
                    confirmed_on="2011-7-1",
                    joined_on="2010-7-1",
                )
            ],
        )
        self.assertEqual(
            (result.ok, result.updated, result.transferred), (True, 1, 1), result.errors
        )
        member.refresh_from_db()
        self.assertEqual(member.org, self.world.far_branch)
        history = list(Membership.objects.filter(member=member).order_by("since"))
        self.assertEqual(
            [(m.org, m.until) for m in history],
            [(self.world.branch, today), (self.world.far_branch, None)],
        )
        self.assertEqual(history[1].since, today)
        event = AuditEvent.objects.get(verb="member.transfer", object_id=str(member.pk))
        self.assertEqual(before_of(event)["org"], self.world.branch.pk)
        self.assertFalse(
            AuditEvent.objects.filter(verb="member.update", object_id=str(member.pk)).exists()
        )

    def test_transfer_needs_manage_rights_on_both_ends(self) -> None:
        before = self.counts()
        number = self.world.member.reveal_id_number()
        # The secretary of the first branch cannot move a member into the second branch.
        result = self.run_import("secretary", [person(number, org="T010102", name="李明")])
        self.assert_refused(result, before)
        error = self.only_error(result)
        self.assertEqual((error.row, error.column), (2, COLUMN["org"]))
        # Nor can the second branch's secretary take a member of the first.
        result = self.run_import("other_secretary", [person(number, org="T010102", name="李明")])
        self.assert_refused(result, before)
        error = self.only_error(result)
        self.assertEqual(error.column, COLUMN["id_number"])
        self.assertIn("您不管理的党组织", error.message)
        self.assertEqual(self.world.member.org, Member.objects.get(pk=self.world.member.pk).org)

    def test_dates_in_every_accepted_form(self) -> None:
        forms = [
            "2015-7-1",
            "2015/07/01",
            "2015.7.1",
            "2015年7月1日",
            dt.date(2015, 7, 1),
            dt.datetime(2015, 7, 1),  # noqa: DTZ001  (openpyxl reads dates as naive)
            20150701,
            " 2015-07-01 ",
            "２０１５-０７-０１",
        ]
        rows = [
            person(new_id_number(dt.date(1980, 1, 1 + i)), joined_on=form, name=f"日期{i}")
            for i, form in enumerate(forms)
        ]
        result = self.run_import("secretary", rows)
        self.assertTrue(result.ok, result.errors)
        joined = set(
            Member.objects.filter(name__startswith="日期").values_list("joined_on", flat=True)
        )
        self.assertEqual(joined, {dt.date(2015, 7, 1)})

    def test_full_width_digits_in_id_and_mobile(self) -> None:
        number = new_id_number(dt.date(1979, 9, 9))
        wide = "".join(chr(ord(c) + 0xFEE0) for c in number)
        result = self.run_import("secretary", [person(wide, mobile="１３９ ０００４ ４４４４")])
        self.assertTrue(result.ok, result.errors)
        member = Member.objects.get(id_number_hash=keyed_hash(number))
        self.assertEqual(member.mobile, "13900044444")

    def test_choice_labels_in_chinese_are_accepted(self) -> None:
        with translation.override("zh-hans"):
            status = str(Member.Status.PROBATIONARY.label)
            rank = str(Member.CadreRank.TOWNSHIP.label)
        number = new_id_number(dt.date(1993, 3, 3))
        result = self.run_import(
            "secretary", [person(number, status=status, cadre_rank=rank, joined_on="2025-3-1")]
        )
        self.assertTrue(result.ok, result.errors)
        member = Member.objects.get(id_number_hash=keyed_hash(number))
        self.assertEqual((member.status, member.cadre_rank), ("probationary", "township"))

    def test_query_count_does_not_grow_with_rows(self) -> None:
        def queries_for(count: int, *, dry_run: bool) -> int:
            rows = [
                person(new_id_number(dt.date(1970, 1, 1) + dt.timedelta(days=i)))
                for i in range(count)
            ]
            data = xlsx([HEADERS, *rows])
            with CaptureQueriesContext(connection) as captured:
                result = roster_import(actor=self.user("org_admin"), data=data, dry_run=dry_run)
            self.assertTrue(result.ok, result.errors)
            return len(captured)

        queries_for(1, dry_run=True)  # warm the actor's cached scope
        self.assertEqual(queries_for(3, dry_run=True), queries_for(30, dry_run=True))
        self.assertEqual(queries_for(3, dry_run=False), queries_for(30, dry_run=False))

    def test_platform_admin_imports_anywhere(self) -> None:
        result = roster_import(
            actor=self.world.platform_admin,
            data=xlsx([HEADERS, person(new_id_number(), org="第三党支部")]),
            dry_run=False,
        )
        self.assertEqual((result.ok, result.created), (True, 1), result.errors)

    def test_actor_who_manages_nothing_is_refused(self) -> None:
        for persona in ("viewer", "member"):
            with self.assertRaises(PermissionDenied):
                roster_import(actor=self.user(persona), data=roster_template(), dry_run=True)


class BadInputTests(RosterTestCase):
    def test_wrong_headers(self) -> None:
        before = self.counts()
        rows = [["姓名", "身份证", "所在党组织", "备注"], ["陈新", new_id_number(), "T010101", ""]]
        result = roster_import(actor=self.user("secretary"), data=xlsx(rows), dry_run=False)
        self.assert_refused(result, before)
        unknown = {e.column for e in result.errors if e.row == 1}
        self.assertEqual(unknown, {"身份证", "备注"})
        missing = {e.column for e in result.errors if e.row is None}
        # A missing column is named by its label (the file has no header to quote).
        self.assertEqual(missing, {header_for("id_number"), header_for("status")})

    def test_repeated_header(self) -> None:
        result = self.run_import("secretary", [], headers=False)
        self.assertFalse(result.ok)
        rows = [[*HEADERS, "姓名"], person(new_id_number())]
        result = roster_import(actor=self.user("secretary"), data=xlsx(rows), dry_run=True)
        self.assertEqual(self.only_error(result).column, "姓名")

    def test_bad_checksum_names_row_column_and_value(self) -> None:
        before = self.counts()
        good = new_id_number(dt.date(1990, 1, 1))
        bad = good[:17] + ("0" if good[17] != "0" else "1")
        result = self.run_import("secretary", [person(good), person(bad, name="错号")])
        self.assert_refused(result, before)
        error = self.only_error(result)
        self.assertEqual((error.row, error.column, error.value), (3, COLUMN["id_number"], bad))
        self.assertIn("GB 11643", error.message)

    def test_id_typed_as_a_number_gets_a_hint(self) -> None:
        number = new_id_number(dt.date(1990, 1, 1))
        result = self.run_import("secretary", [person(int(number[:17]))])  # a number cell
        self.assertFalse(result.ok)
        self.assertIn("文本格式", self.only_error(result).message)

    def test_unknown_and_out_of_scope_orgs_read_the_same(self) -> None:
        before = self.counts()
        rows = [
            person(new_id_number(), org="NO-SUCH"),
            person(new_id_number(), org="T010102"),  # the other branch: exists, not ours
            person(new_id_number(), org="第二党支部"),
            person(new_id_number(), org="第三党支部"),
        ]
        result = self.run_import("secretary", rows)
        self.assert_refused(result, before)
        self.assertEqual([e.row for e in result.errors], [2, 3, 4, 5])
        self.assertEqual({e.column for e in result.errors}, {COLUMN["org"]})
        self.assertEqual(len({e.message for e in result.errors}), 1)

    def test_org_that_does_not_take_members(self) -> None:
        result = self.run_import("org_admin", [person(new_id_number(), org="T0101")])
        error = self.only_error(result)
        self.assertIn(self.world.unit.name, error.message)

    def test_closed_org_reads_as_unknown(self) -> None:
        self.world.far_branch.closed_on = dt.date(2024, 1, 1)
        self.world.far_branch.save()
        result = self.run_import("org_admin", [person(new_id_number(), org="T010201")])
        self.assertIn("未找到该党组织", self.only_error(result).message)

    def test_same_id_twice_is_an_error_on_the_later_row(self) -> None:
        before = self.counts()
        number = new_id_number()
        result = self.run_import(
            "secretary", [person(number), person(new_id_number()), person(number, name="重复")]
        )
        self.assert_refused(result, before)
        error = self.only_error(result)
        self.assertEqual((error.row, error.column), (4, COLUMN["id_number"]))
        self.assertIn("2", error.message)

    def test_nothing_written_when_one_row_of_many_fails(self) -> None:
        existing = make_member(self.world.branch, "郑重")
        before = self.counts()
        rows = [person(new_id_number(), name=f"好{i}") for i in range(5)]
        rows.append(person(existing.reveal_id_number(), name="郑重改", mobile="13900005555"))
        rows.append(person(new_id_number(), joined_on="2099-1-1"))
        result = self.run_import("secretary", rows)
        self.assert_refused(result, before)
        self.assertEqual([(e.row, e.column) for e in result.errors], [(8, COLUMN["joined_on"])])
        existing.refresh_from_db()
        self.assertEqual(existing.name, "郑重")

    def test_every_problem_is_listed(self) -> None:
        rows = [
            person("123", mobile="12345"),
            person(new_id_number(), status="chairman", birth_date="yesterday"),
        ]
        result = self.run_import("secretary", rows, dry_run=True)
        found = [(e.row, e.column) for e in result.errors]
        self.assertEqual(
            found,
            [
                (2, COLUMN["id_number"]),
                (2, COLUMN["mobile"]),
                (3, COLUMN["birth_date"]),
                (3, COLUMN["status"]),
            ],
        )

    def test_empty_inputs(self) -> None:
        before = self.counts()
        for data in (b"", xlsx([]), xlsx([HEADERS]), xlsx([HEADERS, [], ["", "  "]])):
            result = roster_import(actor=self.user("secretary"), data=data, dry_run=False)
            self.assert_refused(result, before)
            self.assertIsNone(self.only_error(result).row)

    def test_files_that_are_not_workbooks(self) -> None:
        csv = ",".join(HEADERS).encode() + b"\n" + ",".join(person(new_id_number())).encode()
        other_zip = io.BytesIO()
        with zipfile.ZipFile(other_zip, "w") as package:
            package.writestr("word/document.xml", "<w/>")
        broken = xlsx([HEADERS])[:2000]
        samples = {
            "csv renamed": csv,
            "junk": os.urandom(1024 * 1024),
            "zip, not xlsx": other_zip.getvalue(),
            "old xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000),
            "truncated": broken,
        }
        before = self.counts()
        for label, data in samples.items():
            with self.subTest(label):
                result = roster_import(actor=self.user("secretary"), data=data, dry_run=False)
                self.assert_refused(result, before)
                self.assertIsNone(self.only_error(result).row)

    def test_ten_megabytes_of_junk_is_refused_before_parsing(self) -> None:
        junk = b"PK\x03\x04" + os.urandom(10 * 1024 * 1024)
        result = roster_import(actor=self.user("secretary"), data=junk, dry_run=True)
        self.assertIn("MB", self.only_error(result).message)

    @override_settings(ROSTER_MAX_UPLOAD_BYTES=1000)
    def test_a_zip_that_inflates_too_far_is_refused(self) -> None:
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr("xl/workbook.xml", b" " * 100_000)
        self.assertLess(len(bomb.getvalue()), 1000)
        result = roster_import(actor=self.user("secretary"), data=bomb.getvalue(), dry_run=True)
        self.assertIn("解压后过大", self.only_error(result).message)


class ExportTests(RosterTestCase):
    formula: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.formula = make_member(cls.world.branch, '=HYPERLINK("http://x")', mobile="13900009999")

    def export_rows(self, persona: str, **filters: Any) -> list[tuple[Any, ...]]:
        data = roster_export(actor=self.user(persona), filters=MemberFilters(**filters))
        return read_rows(data)

    def test_headers_and_formula_neutralised(self) -> None:
        rows = self.export_rows("secretary")
        self.assertEqual(list(rows[0]), [*roster_headers(), "上级党组织"])
        names = [row[0] for row in rows[1:]]
        self.assertIn('\'=HYPERLINK("http://x")', names)
        self.assertNotIn('=HYPERLINK("http://x")', names)

    def test_ids_masked_for_a_secretary_plain_for_an_org_admin(self) -> None:
        number = self.world.member.reveal_id_number()
        index = ROSTER_FIELDS.index("id_number")
        secretary_ids = {row[index] for row in self.export_rows("secretary")[1:]}
        self.assertIn(mask_id_number(number), secretary_ids)
        self.assertNotIn(number, secretary_ids)
        admin_ids = {row[index] for row in self.export_rows("org_admin")[1:]}
        self.assertIn(number, admin_ids)

    def test_visible_rows_only_and_filters_honoured(self) -> None:
        names = {row[0] for row in self.export_rows("secretary")[1:]}
        self.assertIn("李明", names)
        self.assertNotIn("赵强", names)  # the other branch
        self.assertEqual(len(self.export_rows("viewer")), 1 + Member.objects.count())
        only = self.export_rows("org_admin", org=self.world.far_branch)
        self.assertEqual([row[0] for row in only[1:]], ["孙丽"])
        self.assertEqual(len(self.export_rows("org_admin", q="李明")), 2)

    def test_export_is_audited(self) -> None:
        roster_export(actor=self.user("org_admin"))
        event = AuditEvent.objects.get(verb="roster.export")
        self.assertEqual(after(event)["rows"], Member.objects.count())
        self.assertEqual(after(event)["revealed_id_numbers"], Member.objects.count())
        # Whose plain ID numbers the file holds, member by member.
        self.assertEqual(
            sorted(after(event)["revealed_members"]),
            sorted(Member.objects.values_list("pk", flat=True)),
        )
        self.assertEqual(event.org, self.world.root)

    def test_a_masked_export_names_nobody_revealed(self) -> None:
        roster_export(actor=self.user("secretary"))
        event = AuditEvent.objects.get(verb="roster.export")
        self.assertEqual(after(event)["revealed_members"], [])
        self.assertEqual(after(event)["rows"], len(self.export_rows("secretary")) - 1)

    def test_plain_member_cannot_export(self) -> None:
        with self.assertRaises(PermissionDenied):
            roster_export(actor=self.user("member"))

    def test_an_export_reimports_unchanged(self) -> None:
        data = roster_export(actor=self.user("org_admin"))
        result = roster_import(actor=self.user("org_admin"), data=data, dry_run=True)
        self.assertEqual((result.ok, result.created, result.updated), (True, 0, 0), result.errors)
        self.assertEqual(result.unchanged, Member.objects.count())
