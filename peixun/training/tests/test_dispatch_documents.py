"""The 调训通知 and the roster exports open, and say what they should: parsed back with
python-docx and openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import docx
import openpyxl
from django.urls import reverse
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.testing import ledger_rows, make_member
from peixun.training.models import Enrolment, TrainingClass

from .test_dispatch_fixtures import DispatchTestCase


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


class DispatchDocumentTests(DispatchTestCase):
    def url(self, name: str, *args: object) -> str:
        return reverse(f"training:{name}", args=[self.d.training_class.pk, *args])

    def test_notice_docx(self) -> None:
        response = self.client_for("member").get(self.url("notice"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        text = docx_text(response.content)
        tc = self.d.training_class
        self.assertIn(f"关于参加{tc.title}的调训通知", text)
        self.assertIn("第一党支部、李明同志：", text)
        self.assertIn("县委党校", text)
        self.assertIn("学习贯彻党的创新理论（张教授）", text)
        self.assertIn("共计4学时", text)
        self.assertIn("请假累计超过总学时1/7的，按退训处理", text)  # a full-time class
        self.assertIn(f"{tc.starts_on.year}年{tc.starts_on.month}月{tc.starts_on.day}日", text)
        lines = text.splitlines()
        self.assertEqual(lines[0], "测试县直机关工委")  # the issuing organisation heads it
        self.assertIn("测试县直机关工委", lines[-2])  # and signs it
        self.assertTrue(
            AuditEvent.objects.filter(
                verb="training.notice_download", object_id=str(self.d.enrolled.pk)
            ).exists()
        )

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


class PastClassNoticeTests(DispatchTestCase):
    def test_a_notice_for_a_class_long_over_is_dated_by_its_first_day(self) -> None:
        tc = self.d.training_class
        first = dt.date(timezone.localdate().year - 1, 3, 10)
        TrainingClass.objects.filter(pk=tc.pk).update(
            starts_on=first, ends_on=first + dt.timedelta(days=2)
        )
        response = self.client_for("member").get(reverse("training:notice", args=[tc.pk]))
        self.assertEqual(response.status_code, 200)
        lines = docx_text(response.content).splitlines()
        self.assertEqual(lines[-1].strip(), f"{first.year}年{first.month}月{first.day}日")
        today = timezone.localdate()
        self.assertNotIn(f"{today.year}年{today.month}月{today.day}日", "\n".join(lines))
