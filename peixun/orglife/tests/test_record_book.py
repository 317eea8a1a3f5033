"""The 三会一课记录本 opens in Word's format and holds the year's meetings in date order, with
attendance, observers and minutes as plain text (no markup, no script)."""

from __future__ import annotations

import datetime as dt
import io

from docx import Document

from peixun.core.models import AuditEvent
from peixun.events.models import Attendance
from peixun.testing import PersonaTestCase

from ..documents import minutes_text
from ..models import Meeting, MeetingKind, Observer
from .test_regularity import meeting

YEAR = 2026


class RecordBookTests(PersonaTestCase):
    def test_meetings_in_order_with_their_facts(self) -> None:
        w = self.world
        later = meeting(w.branch, MeetingKind.LECTURE, dt.date(YEAR, 6, 1))
        earlier = meeting(w.branch, MeetingKind.THEME_DAY, dt.date(YEAR, 2, 1))
        Meeting.objects.filter(pk=earlier.pk).update(
            minutes="<p>重温入党誓词</p><p>交流体会&amp;心得</p>"
        )
        Attendance.objects.create(
            event=earlier.event, member=w.member, status="present", method="manual"
        )
        Attendance.objects.create(
            event=earlier.event, member=w.secretary_member, status="leave", method="manual"
        )
        meeting(w.other_branch, MeetingKind.THEME_DAY, dt.date(YEAR, 3, 1))  # another branch's
        url = f"/orglife/regularity/record-book/?org={w.branch.pk}&year={YEAR}"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(
            f"/api/v1/orglife/record-book/{w.branch.pk}?year={YEAR}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        document = Document(io.BytesIO(self.client_for("secretary").get(url).content))
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("第一党支部", text)
        first, second = text.index(earlier.event.title), text.index(later.event.title)
        self.assertLess(first, second)
        self.assertIn("应到2人，实到1人，缺席0人，请假1人", text)
        self.assertIn("交流体会&心得", text)
        self.assertNotIn("<p>", text)
        self.assertEqual(text.count("1. ") + text.count("2. "), 2)
        self.assertNotIn("3. ", text)
        self.assertIn("测试局机关党委", text)  # the cover names the org above the branch
        # Every download, page or API, is in the audit trail with the meetings it held.
        events = AuditEvent.objects.filter(verb="meeting.record_book_export").order_by("id")
        self.assertEqual(events.count(), 7)  # 3 + 3 persona downloads, then the one above
        last = events.last()
        assert last is not None
        self.assertEqual(
            (last.actor_id, last.object_id, last.org_id),
            (self.user("secretary").pk, str(w.branch.pk), w.branch.pk),
        )
        self.assertEqual(last.after, {"year": YEAR, "meetings": [earlier.pk, later.pk]})
        self.assertEqual(
            {e.actor_id for e in events},
            {self.user(p).pk for p in ("secretary", "org_admin", "viewer")},
        )

    def test_minutes_text_and_observers(self) -> None:
        self.assertEqual(
            minutes_text("<p>一</p><ul><li>二</li></ul>三<br>四"), ["一", "二", "三", "四"]
        )
        w = self.world
        central = meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(YEAR, 4, 1))
        Observer.objects.create(meeting=central, name="张三", org=w.root, title="督导组")
        document = Document(
            io.BytesIO(
                self.client_for("org_admin")
                .get(f"/orglife/regularity/record-book/?org={w.unit.pk}&year={YEAR}")
                .content
            )
        )
        self.assertIn("张三（督导组）", "\n".join(p.text for p in document.paragraphs))
