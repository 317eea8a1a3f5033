"""The 三会一课记录本: a cover (branch, where it sits, year), a contents page listing every
meeting, then the year's meetings in date order running on without a page each, each under one
heading (day, kind and topic once) with its recorder, host, attendance by name, observers and
minutes as plain text; a PDF twin; every branch's book of a unit in one .zip or one PDF; every
download scoped, audited and named in Chinese."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from docx import Document
from pypdf import PdfReader

from peixun.core.models import AuditEvent
from peixun.events.models import Attendance, Event
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_org

from ..documents import meeting_topic, minutes_text
from ..models import Meeting, MeetingKind, Observer
from .test_regularity import meeting

YEAR = 2026
READERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
READERS_API = {**READERS, "anonymous": 401}


def book_text(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def pdf_text(content: bytes) -> str:
    """The PDF's text without the spaces and NULs pypdf puts between CJK characters."""
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pages))


def page_breaks(content: bytes) -> int:
    """Hard page breaks in the .docx body (a `w:br w:type="page"`)."""
    body = Document(io.BytesIO(content)).element.body
    return len(body.xpath('.//w:br[@w:type="page"]'))


class RecordBookTests(PersonaTestCase):
    def two_meetings(self) -> tuple[Meeting, Meeting]:
        w = self.world
        later = meeting(w.branch, MeetingKind.LECTURE, dt.date(YEAR, 6, 1))
        earlier = meeting(w.branch, MeetingKind.THEME_DAY, dt.date(YEAR, 2, 1))
        Event.objects.filter(pk=earlier.event_id).update(title="主题党日：重温入党誓词")
        Event.objects.filter(pk=later.event_id).update(title="书记讲党课")
        Meeting.objects.filter(pk=earlier.pk).update(
            minutes="<p>重温入党誓词</p><p>交流体会&amp;心得</p>",
            recorded_by=w.users["secretary"],
        )
        Attendance.objects.create(
            event=earlier.event, member=w.member, status="present", method="manual"
        )
        Attendance.objects.create(
            event=earlier.event, member=w.secretary_member, status="leave", method="manual"
        )
        Attendance.objects.create(
            event=later.event, member=w.member, status="absent", method="manual"
        )
        meeting(w.other_branch, MeetingKind.THEME_DAY, dt.date(YEAR, 3, 1))  # another branch's
        earlier.refresh_from_db()
        later.refresh_from_db()
        return earlier, later

    def test_meetings_in_order_with_their_facts(self) -> None:
        w = self.world
        earlier, later = self.two_meetings()
        url = f"/orglife/regularity/record-book/?org={w.branch.pk}&year={YEAR}"
        self.expect_personas(url, READERS)
        self.expect_personas(f"/api/v1/orglife/record-book/{w.branch.pk}?year={YEAR}", READERS_API)
        response = self.client_for("secretary").get(url)
        text = book_text(response.content)
        joined = "\n".join(text)
        # The cover: the book, the branch, where it sits, the year.
        self.assertEqual(text[0], "三会一课记录本")
        self.assertIn("第一党支部", text)
        self.assertIn("测试局机关党委", text)  # the cover names the org above the branch
        self.assertIn(f"{YEAR}年度", text)
        # One heading per meeting, day, kind and topic once: listed on the contents page, then
        # again over the meeting itself.
        first, second = "1. 2月1日　主题党日：重温入党誓词", "2. 6月1日　党课：书记讲党课"
        # The contents lines end in a tab and the page number (filled in from the PDF's layout).
        listed = [t for t in text if re.match(r"^\d+\. ", t)]
        self.assertEqual([t.split("\t")[0] for t in listed], [first, second] * 2)
        self.assertTrue(all(re.fullmatch(r".+\t\d+", t) for t in listed[:2]), listed[:2])
        self.assertNotIn("主题党日：主题党日", joined)
        self.assertLess(text.index("目　录"), text.index(first))
        # Who: the recorder, the host, attendance counted and named.
        self.assertIn("主 持 人：王芳　　记 录 人：王芳", text)  # the secretary records
        self.assertIn("出席情况：应到2人，实到1人，缺席0人，请假1人。", text)
        self.assertIn("实到人员：李明", text)
        self.assertIn("请假人员：王芳", text)
        self.assertIn("缺席人员：李明", text)  # at the lecture
        self.assertIn("未登记出席情况：王芳", text)  # expected at the lecture, never marked
        self.assertIn("交流体会&心得", text)
        self.assertNotIn("<p>", joined)
        # The meetings run on: one page break after the cover, one after the contents.
        self.assertEqual(page_breaks(response.content), 2)
        self.assertIn("filename*=UTF-8''", response["Content-Disposition"])
        self.assertIn(
            f'filename="record-book-T010101-{YEAR}.docx"', response["Content-Disposition"]
        )
        # Every download, page or API, is in the audit trail with the meetings it held.
        events = AuditEvent.objects.filter(verb="meeting.record_book_export").order_by("id")
        self.assertEqual(events.count(), 7)  # 3 + 3 persona downloads, then the one above
        last = events.last()
        assert last is not None
        self.assertEqual(
            (last.actor_id, last.object_id, last.org_id),
            (self.user("secretary").pk, str(w.branch.pk), w.branch.pk),
        )
        self.assertEqual(
            last.after, {"year": YEAR, "meetings": [earlier.pk, later.pk], "format": "docx"}
        )
        self.assertEqual(
            {e.actor_id for e in events},
            {self.user(p).pk for p in ("secretary", "org_admin", "viewer")},
        )

    def test_pdf_twin(self) -> None:
        w = self.world
        self.two_meetings()
        url = f"/orglife/regularity/record-book/?org={w.branch.pk}&year={YEAR}&format=pdf"
        self.expect_personas(url, READERS)
        self.expect_personas(
            f"/api/v1/orglife/record-book/{w.branch.pk}?year={YEAR}&format=pdf", READERS_API
        )
        response = self.client_for("org_admin").get(url)
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        for said in ("三会一课记录本", "目录", "1.2月1日主题党日：重温入党誓词",
                     "2.6月1日党课：书记讲党课", "实到人员：李明", "交流体会&心得"):  # fmt: skip
            self.assertIn(said, text)
        self.assertEqual(text.count("主题党日：重温入党誓词"), 2)  # contents and heading
        self.assertIn(f'filename="record-book-T010101-{YEAR}.pdf"', response["Content-Disposition"])

    def test_bad_formats(self) -> None:
        w = self.world
        secretary = self.client_for("secretary")
        for fmt in ("xlsx", "zip", "PDF"):
            page = secretary.get(
                f"/orglife/regularity/record-book/?org={w.branch.pk}&year={YEAR}&format={fmt}"
            )
            self.assertEqual(page.status_code, 404)
            api = secretary.get(f"/api/v1/orglife/record-book/{w.branch.pk}?format={fmt}")
            self.assertEqual(api.status_code, 422)
        self.assertFalse(AuditEvent.objects.filter(verb="meeting.record_book_export").exists())

    def test_topic_loses_the_kind_it_repeats(self) -> None:
        m = meeting(self.world.branch, MeetingKind.THEME_DAY, dt.date(YEAR, 4, 1))
        for title, topic in (("主题党日：12月集中学习", "12月集中学习"),
                             ("主题党日 - 重温誓词", "重温誓词"), ("主题党日", ""),
                             ("集中学习主题党日", "集中学习主题党日")):  # fmt: skip
            m.event.title = title
            self.assertEqual(meeting_topic(m), topic)

    def test_an_empty_year(self) -> None:
        url = f"/orglife/regularity/record-book/?org={self.world.branch.pk}&year={YEAR}"
        text = book_text(self.client_for("secretary").get(url).content)
        self.assertIn("本年度没有记录会议。", text)
        self.assertNotIn("目　录", text)

    def test_minutes_text_and_observers(self) -> None:
        self.assertEqual(
            minutes_text("<p>一</p><ul><li>二</li></ul>三<br>四"), ["一", "二", "三", "四"]
        )
        w = self.world
        central = meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(YEAR, 4, 1))
        Observer.objects.create(meeting=central, name="张三", org=w.root, title="督导组")
        text = book_text(
            self.client_for("org_admin")
            .get(f"/orglife/regularity/record-book/?org={w.unit.pk}&year={YEAR}")
            .content
        )
        self.assertIn("列席旁听：张三（督导组）", text)


class RecordBooksBatchTests(PersonaTestCase):
    def test_every_branch_of_a_unit_in_one_zip_or_one_pdf(self) -> None:
        w = self.world
        meeting(w.branch, MeetingKind.THEME_DAY, dt.date(YEAR, 2, 1))
        meeting(w.other_branch, MeetingKind.LECTURE, dt.date(YEAR, 3, 1))
        meeting(w.far_branch, MeetingKind.LECTURE, dt.date(YEAR, 3, 1))  # another unit's
        url = f"/orglife/regularity/record-books/?org={w.unit.pk}&year={YEAR}"
        api = f"/api/v1/orglife/record-books/{w.unit.pk}?year={YEAR}"
        # The unit's readers: its admin and viewer above; a branch secretary sees no unit.
        unit_readers = {**READERS, "secretary": 404}
        self.expect_personas(url, unit_readers)
        self.expect_personas(f"{url}&format=pdf", unit_readers)
        self.expect_personas(api, {**unit_readers, "anonymous": 401})
        self.expect_personas(f"{api}&format=pdf", {**unit_readers, "anonymous": 401})
        response = self.client_for("org_admin").get(url)
        self.assertEqual(response["Content-Type"], "application/zip")
        self.assertIn(f'filename="record-books-T0101-{YEAR}.zip"', response["Content-Disposition"])
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            names = archive.namelist()
            self.assertEqual(
                names,
                [
                    f"三会一课记录本-第一党支部-{YEAR}年.docx",
                    f"三会一课记录本-第二党支部-{YEAR}年.docx",
                ],
            )
            second = book_text(archive.read(names[1]))
        self.assertIn("第二党支部", second)
        self.assertIn("1. 3月1日　党课：lecture", second)
        merged = self.client_for("viewer").get(f"{url}&format=pdf")
        self.assertEqual(merged["Content-Type"], "application/pdf")
        text = pdf_text(merged.content)
        self.assertLess(text.index("第一党支部"), text.index("第二党支部"))
        self.assertNotIn("第三党支部", text)
        # Each book is in the audit trail as its single download is, naming the batch's unit.
        last = AuditEvent.objects.filter(verb="meeting.record_book_export").order_by("-id")[:2]
        self.assertEqual(
            [(e.org_id, e.after["format"], e.after["batch"]) for e in reversed(last)],
            [(w.branch.pk, "pdf", w.unit.pk), (w.other_branch.pk, "pdf", w.unit.pk)],
        )

    def test_nothing_to_download_and_bad_input(self) -> None:
        w = self.world
        empty = make_org(w.root, "T0109", "无支部的党委", Organization.Kind.COMMITTEE)
        admin = self.client_for("org_admin")
        page = admin.get(
            f"/orglife/regularity/record-books/?org={empty.pk}&year={YEAR}", follow=True
        )
        self.assertRedirects(page, f"/orglife/regularity/overview/?org={empty.pk}&year={YEAR}")
        self.assertContains(page, "没有可下载的三会一课记录本")
        api = admin.get(f"/api/v1/orglife/record-books/{empty.pk}?year={YEAR}")
        self.assertEqual(api.status_code, 422)
        self.assertIn("没有可下载", api.json()["detail"][0]["msg"])
        bad = admin.get(f"/orglife/regularity/record-books/?org={w.unit.pk}&format=docx")
        self.assertEqual(bad.status_code, 404)
        self.assertEqual(
            admin.get(f"/api/v1/orglife/record-books/{w.unit.pk}?format=docx").status_code, 422
        )
        self.assertEqual(admin.get("/orglife/regularity/record-books/?org=abc").status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(verb="meeting.record_book_export").exists())

    def test_an_org_with_more_branches_than_a_download_holds_is_refused(self) -> None:
        w = self.world
        admin = self.client_for("org_admin")
        with self.settings(RECORD_BOOKS_PER_DOWNLOAD=1):
            page = admin.get(
                f"/orglife/regularity/record-books/?org={w.unit.pk}&year={YEAR}", follow=True
            )
            self.assertRedirects(page, f"/orglife/regularity/overview/?org={w.unit.pk}&year={YEAR}")
            self.assertContains(page, "最多")
            api = admin.get(f"/api/v1/orglife/record-books/{w.unit.pk}?year={YEAR}")
            self.assertEqual(api.status_code, 422)
        self.assertFalse(AuditEvent.objects.filter(verb="meeting.record_book_export").exists())
        # One branch is within the limit.
        with self.settings(RECORD_BOOKS_PER_DOWNLOAD=1):
            one = admin.get(f"/orglife/regularity/record-books/?org={w.branch.pk}&year={YEAR}")
        self.assertEqual(one["Content-Type"], "application/zip")

    def test_overview_offers_the_batch(self) -> None:
        w = self.world
        page = self.client_for("org_admin").get(
            f"/orglife/regularity/overview/?org={w.unit.pk}&year={YEAR}"
        )
        self.assertContains(
            page,
            f"/orglife/regularity/record-books/?org={w.unit.pk}&year={YEAR}&format=pdf",
        )
