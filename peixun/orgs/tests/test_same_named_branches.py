"""Two branches called 办公室党支部 under different parents are told apart everywhere a branch is
named beside a member: the exports (roster, hours ledger, meetings, class roster, exam results)
put the orgs above in a column of their own, and the pages (member list, attendance, class
roster) show them before the name. The test spans the apps that show branch names (tests may
import from any app)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from peixun.events.models import Attendance
from peixun.exams.tests.fixtures import add_questions, make_exam, rules_paper
from peixun.members.services import roster_import
from peixun.orglife.models import MeetingKind
from peixun.orglife.tests.test_regularity import meeting
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, ledger_rows
from peixun.training.models import Enrolment
from peixun.training.tests.test_dispatch_fixtures import make_class

NAME = "办公室党支部"
NEAR, FAR = "测试局机关党委", "测试委党委"  # the parents of world.branch and world.far_branch


def rows_of(content: bytes, sheet: int = 0) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content))
    return ledger_rows(book.worksheets[sheet])  # from the header row, below the title rows


class SameNamedBranchesTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        Organization.objects.filter(pk__in=[w.branch.pk, w.far_branch.pk]).update(name=NAME)
        w.branch.refresh_from_db()
        w.far_branch.refresh_from_db()

    def get(self, url: str, persona: str = "org_admin") -> bytes:
        response = self.client_for(persona).get(url)
        self.assertEqual(response.status_code, 200, url)
        return response.content

    def assert_column_beside(self, rows: list[tuple[Any, ...]], name: str, parent: str) -> None:
        """Some row holds the branch's name with its parent's name in the next cell over, or
        the cell before (the exports put 上级党组织 on one side or the other)."""
        pairs = {(row[i], row[i + 1]) for row in rows for i in range(len(row) - 1)}
        self.assertTrue(
            (name, parent) in pairs or (parent, name) in pairs,
            f"{name} beside {parent} in {rows[:3]}…",
        )

    def assert_both(self, rows: list[tuple[Any, ...]]) -> None:
        self.assert_column_beside(rows, NAME, NEAR)
        self.assert_column_beside(rows, NAME, FAR)

    # -- exports -----------------------------------------------------------------------------

    def test_member_roster_export(self) -> None:
        content = self.get(reverse("roster:export"))
        rows = rows_of(content)
        self.assertEqual(rows[0][-2:], ("所在党组织", "上级党组织"))
        self.assert_both(rows)
        # The same file imports back: 上级党组织 chooses between the two 办公室党支部.
        result = roster_import(actor=self.user("org_admin"), data=content, dry_run=True)
        self.assertEqual((result.ok, result.created, result.updated), (True, 0, 0), result.errors)
        self.assertEqual(result.unchanged, len(rows) - 1)

    def test_roster_import_without_the_column_asks_for_a_code(self) -> None:
        content = self.get(reverse("roster:export"))
        book = load_workbook(io.BytesIO(content))
        book.active.delete_cols(book.active.max_column)
        buffer = io.BytesIO()
        book.save(buffer)
        result = roster_import(actor=self.user("org_admin"), data=buffer.getvalue(), dry_run=True)
        self.assertFalse(result.ok)
        self.assertEqual(result.created, 0)
        messages = {str(e.message) for e in result.errors}
        self.assertEqual(len(messages), 1)
        self.assertIn("组织代码", messages.pop())

    def test_hours_ledger_xlsx(self) -> None:
        year = timezone.localdate().year
        url = reverse("compliance:ledger", args=[self.world.root.pk]) + f"?year={year}"
        self.assert_both(rows_of(self.get(url)))

    def test_meeting_export(self) -> None:
        day = timezone.localdate()
        meeting(self.world.branch, MeetingKind.THEME_DAY, day)
        meeting(self.world.far_branch, MeetingKind.THEME_DAY, day)
        self.assert_both(rows_of(self.get("/orglife/export.xlsx")))

    def test_class_roster_export_and_page(self) -> None:
        w = self.world
        training_class = make_class(w)
        for member in (w.member, w.far_member):
            Enrolment.objects.create(
                training_class=training_class, member=member, route="named", state="accepted"
            )
        url = reverse("training:roster_export", args=[training_class.pk, "xlsx"])
        self.assert_both(rows_of(self.get(url)))
        page = self.get(reverse("training:roster", args=[training_class.pk]) + "?state=accepted")
        self.assertIn(f"{NEAR} › </span>{NAME}", page.decode())
        self.assertIn(f"{FAR} › </span>{NAME}", page.decode())

    def test_exam_results_xlsx(self) -> None:
        add_questions(self.world)
        exam = make_exam(self.world, rules_paper(self.world))
        rows = rows_of(self.get(f"/exams/{exam.pk}/results.xlsx"), sheet=1)
        self.assert_both(rows)

    # -- pages -------------------------------------------------------------------------------

    def test_member_list_page(self) -> None:
        page = self.get("/members/").decode()
        self.assertIn(f"{NEAR} › </span>{NAME}", page)
        self.assertIn(f"{FAR} › </span>{NAME}", page)
        # The member's own record names where their branch sits, too.
        record = self.get(f"/members/{self.world.far_member.pk}/").decode()
        self.assertIn(f"{FAR} › </span>{NAME}", record)

    def test_attendance_page(self) -> None:
        w = self.world
        held = meeting(
            w.root, MeetingKind.CENTRAL_GROUP, timezone.localdate() - dt.timedelta(days=1)
        )
        for member in (w.member, w.far_member):
            Attendance.objects.create(
                event=held.event, member=member, status="present", method="manual"
            )
        page = self.get(reverse("events:attendance", args=[held.event.pk])).decode()
        self.assertIn(f"{NEAR} › </span>{NAME}", page)
        self.assertIn(f"{FAR} › </span>{NAME}", page)
