"""The 调训通知 and the roster exports open, and say what they should: parsed back with
python-docx and openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import docx
import openpyxl
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from peixun.core.docxstyle import chinese_date
from peixun.core.models import AuditEvent
from peixun.events.models import Event
from peixun.testing import ledger_rows, make_member
from peixun.training.models import Enrolment, TrainingClass

from .files import docx_text, pdf_text
from .test_dispatch_fixtures import DispatchTestCase


class DispatchDocumentTests(DispatchTestCase):
    def url(self, name: str, *args: object) -> str:
        return reverse(f"training:{name}", args=[self.d.training_class.pk, *args])

    def test_notice_docx(self) -> None:
        response = self.client_for("member").get(self.url("notice"))
        self.assertEqual(response.status_code, 200)
        disposition = response["Content-Disposition"]
        tc = self.d.training_class
        self.assertIn(f'filename="notice-{tc.pk}-{self.world.member.pk}.docx"', disposition)
        self.assertIn(quote(f"调训通知-李明-{tc.title}.docx"), disposition)
        document = docx.Document(io.BytesIO(response.content))
        text = docx_text(response.content)
        self.assertIn(f"关于参加{tc.title}的调训通知", text)
        self.assertIn("\n第一党支部：\n", text)  # 主送机关: the unit that sent the member
        self.assertIn("调训第一党支部李明同志参加学习", text)
        self.assertIn("县委党校", text)
        self.assertIn("共计4学时", text)
        self.assertIn("报到时间：", text)
        self.assertIn("请假累计超过总学时1/7的，按退训处理", text)  # a full-time class
        self.assertNotIn("近期", text)
        lines = [p.text for p in document.paragraphs if p.text.strip()]
        self.assertEqual(lines[0], "测试县直机关工委文件")  # the 发文机关标志 heads it
        issued = timezone.localdate(self.d.enrolled.decided_at)
        self.assertEqual(lines[-2:], ["测试县直机关工委", chinese_date(issued)])  # 落款, 成文日期
        # The curriculum is a table: one row a session, the hours from the data.
        (table,) = document.tables
        self.assertEqual(
            [c.text for c in table.rows[0].cells], ["序号", "时间", "课程", "授课人", "学时"]
        )
        row = [c.text for c in table.rows[1].cells]
        self.assertEqual(row[2], "专题讲座：学习贯彻党的创新理论")
        self.assertEqual((row[3], row[4]), ("张教授", "4"))
        body = next(p for p in document.paragraphs if p.text.startswith("测试县直机关工委于"))
        self.assertEqual(body.runs[0].font.name, "仿宋_GB2312")
        event = AuditEvent.objects.get(
            verb="training.notice_download", object_id=str(self.d.enrolled.pk)
        )
        self.assertEqual((event.after or {})["format"], "docx")

    def test_notice_pdf(self) -> None:
        tc = self.d.training_class
        response = self.client_for("secretary").get(
            self.url("notice_file", "pdf") + f"?member={self.world.member.pk}"
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn(quote(f"调训通知-李明-{tc.title}.pdf"), response["Content-Disposition"])
        text = pdf_text(response.content)
        for expected in ("测试县直机关工委文件", "调训通知", "学习贯彻党的创新理论", "报到地点"):
            self.assertIn(expected, text)
        event = AuditEvent.objects.get(verb="training.notice_download")
        self.assertEqual((event.after or {})["format"], "pdf")
        self.assertEqual(
            self.client_for("member").get(self.url("notice_file", "odt")).status_code, 404
        )
        self.assertEqual(AuditEvent.objects.filter(verb="training.notice_download").count(), 1)

    def test_roster_xlsx_masks_ids_and_neutralises_formulas(self) -> None:
        tricky = make_member(self.world.branch, "=HYPERLINK(1)")
        Enrolment.objects.create(
            training_class=self.d.training_class,
            member=tricky,
            route="named",
            state="accepted",
        )
        Enrolment.objects.create(
            training_class=self.d.training_class,
            member=self.d.wang,
            quota=self.d.quota,
            route="nominated",
            state="returned",
            reason="不符合",
        )
        response = self.client_for("org_admin").get(self.url("roster_export", "xlsx"))
        self.assertEqual(response.status_code, 200)
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        tc = self.d.training_class
        self.assertEqual(sheet["A1"].value, f"{tc.org.name}{tc.title}学员名单")
        self.assertIn("期间：", sheet["A2"].value)
        self.assertEqual(str(sheet.page_setup.paperSize), "9")
        self.assertEqual(sheet.print_title_rows, "$3:$3")
        rows = [list(row) for row in ledger_rows(sheet)]
        self.assertEqual(rows[0][:4], ["序号", "姓名", "性别", "公民身份号码"])
        names = [r[1] for r in rows[1:]]
        self.assertIn("李明", names)
        self.assertIn("=HYPERLINK(1)", names)  # as typed, a text cell
        self.assertEqual(rows[1][0], 1)  # numbers are numbers
        self.assertNotIn("王五", names, "a returned nomination is not on the roster")
        li = next(r for r in rows if r[1] == "李明")
        self.assertIn("********", li[3])
        self.assertNotEqual(li[3], self.world.member.reveal_id_number())
        self.assertIn("第一党支部", li)
        self.assertEqual(li[5], "测试局机关党委")  # the organization above the branch
        event = AuditEvent.objects.get(verb="training.roster_export")
        after = event.after or {}
        self.assertEqual(after["format"], "xlsx")
        self.assertEqual(after["rows"], len(rows) - 1)
        listed = set(after["members"])
        self.assertIn(self.world.member.pk, listed)
        self.assertIn(tricky.pk, listed)
        self.assertNotIn(self.d.wang.pk, listed)

    def test_roster_docx(self) -> None:
        response = self.client_for("viewer").get(self.url("roster_export", "docx"))
        self.assertEqual(response.status_code, 200)
        text = docx_text(response.content)
        self.assertIn(f"{self.d.training_class.title}学员名单", text)
        self.assertIn("李明", text)
        self.assertIn("已录取", text)
        self.assertNotIn(self.world.member.reveal_id_number(), text)

    def test_secretary_export_holds_only_the_units_members(self) -> None:
        Enrolment.objects.create(
            training_class=self.d.training_class,
            member=self.world.far_member,
            route="named",
            state="accepted",
        )
        response = self.client_for("secretary").get(self.url("roster_export", "xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        names = [row[1] for row in ledger_rows(sheet)[1:]]
        self.assertEqual(names, ["李明"])


class NoticeTenseTests(DispatchTestCase):
    """The notice is dated the day the member was dispatched (the enrolment accepted), and its
    first paragraph speaks of the class as it stood that day."""

    def notice(self, starts: dt.date, decided: dt.date) -> tuple[str, list[str]]:
        tc = self.d.training_class
        shift = starts - tc.starts_on
        TrainingClass.objects.filter(pk=tc.pk).update(
            starts_on=starts, ends_on=starts + dt.timedelta(days=2)
        )
        Event.objects.filter(session__training_class=tc).update(
            starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift
        )
        moment = timezone.make_aware(dt.datetime.combine(decided, dt.time(10)))
        Enrolment.objects.filter(pk=self.d.enrolled.pk).update(decided_at=moment)
        response = self.client_for("member").get(reverse("training:notice", args=[tc.pk]))
        self.assertEqual(response.status_code, 200)
        document = docx.Document(io.BytesIO(response.content))
        lines = [p.text for p in document.paragraphs if p.text.strip()]
        opening = next(line for line in lines if "举办" in line)
        return opening, lines

    def test_a_class_not_yet_begun_is_to_be_held(self) -> None:
        today = timezone.localdate()
        opening, lines = self.notice(today + dt.timedelta(days=20), today - dt.timedelta(days=3))
        self.assertIn("测试县直机关工委定于", opening)
        self.assertEqual(lines[-1], chinese_date(today - dt.timedelta(days=3)))

    def test_a_class_under_way_is_held(self) -> None:
        today = timezone.localdate()
        opening, lines = self.notice(today - dt.timedelta(days=1), today)
        self.assertIn("测试县直机关工委于", opening)
        self.assertNotIn("定于", opening)
        self.assertEqual(lines[-1], chinese_date(today))

    def test_a_class_over_when_the_member_was_dispatched_was_held(self) -> None:
        # Entered afterwards, for the record: dated the day it was entered, in the past tense.
        first = dt.date(timezone.localdate().year - 1, 3, 10)
        opening, lines = self.notice(first, first + dt.timedelta(days=30))
        self.assertIn(f"测试县直机关工委已于{first.year}年3月10日至3月12日举办", opening)
        self.assertNotIn("定于", "\n".join(lines))
        self.assertEqual(lines[-1], chinese_date(first + dt.timedelta(days=30)))

    def test_a_notice_issued_before_a_class_now_over_keeps_its_words_and_date(self) -> None:
        # The notice as it was issued: printed again for the 台账, it says what it said then.
        first = dt.date(timezone.localdate().year - 1, 3, 10)
        opening, lines = self.notice(first, first - dt.timedelta(days=10))
        self.assertIn(f"定于{first.year}年3月10日至3月12日举办", opening)
        self.assertNotIn("近期", opening)
        self.assertEqual(lines[-1], chinese_date(first - dt.timedelta(days=10)))
        today = timezone.localdate()
        self.assertNotIn(chinese_date(today), "\n".join(lines))
