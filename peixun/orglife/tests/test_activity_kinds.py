"""The activity kinds a report counts (专家讲座, 报告会, 读书班, 现场教学): no required frequency,
credited as "other", offered by the form; and `activity_counts` against figures counted by hand."""

from __future__ import annotations

import datetime as dt

from peixun.events.models import Attendance
from peixun.hours.models import Kind
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_member

from ..forms import MeetingForm
from ..logic import REQUIRED_KINDS
from ..models import LEDGER_KIND, REQUIRED_FREQUENCY, Frequency, MeetingKind
from ..selectors import ActivityCount, activity_counts, branch_calendars
from .test_regularity import meeting

NEW_KINDS = (
    MeetingKind.EXPERT_LECTURE,
    MeetingKind.REPORT_MEETING,
    MeetingKind.READING_CLASS,
    MeetingKind.ONSITE_TEACHING,
)


class ActivityKindTests(PersonaTestCase):
    def test_kinds_have_no_frequency_and_are_credited_as_other(self) -> None:
        for kind in NEW_KINDS:
            self.assertEqual(REQUIRED_FREQUENCY[kind], Frequency.NONE)
            self.assertEqual(LEDGER_KIND[kind], Kind.OTHER)
            self.assertNotIn(kind, REQUIRED_KINDS)
        page = MeetingForm(orgs=Organization.objects.none())
        labels = {value: str(label) for value, label in page["kind"].field.widget.choices}
        self.assertEqual(labels[MeetingKind.REPORT_MEETING], "报告会")
        self.assertEqual(labels[MeetingKind.ONSITE_TEACHING], "现场教学")

    def test_regularity_ignores_them(self) -> None:
        year = 2025
        meeting(self.world.branch, MeetingKind.EXPERT_LECTURE, dt.date(year, 3, 1))
        (calendar,) = branch_calendars([self.world.branch], year, dt.date(year, 12, 31))
        self.assertFalse(set(calendar.kinds) & set(NEW_KINDS))
        self.assertIn(MeetingKind.THEME_DAY, calendar.kinds)


class ActivityCountTests(PersonaTestCase):
    def test_counts_by_kind_for_a_subtree_and_a_year(self) -> None:
        w = self.world
        extra = make_member(w.branch, "周杰")
        lecture = meeting(w.branch, MeetingKind.EXPERT_LECTURE, dt.date(2024, 3, 5))
        lecture2 = meeting(w.other_branch, MeetingKind.EXPERT_LECTURE, dt.date(2024, 11, 5))
        report = meeting(w.unit, MeetingKind.REPORT_MEETING, dt.date(2024, 6, 1))
        # Outside the count: another year, another subtree.
        meeting(w.branch, MeetingKind.EXPERT_LECTURE, dt.date(2023, 12, 31))
        meeting(w.far_branch, MeetingKind.REPORT_MEETING, dt.date(2024, 6, 1))
        S = Attendance.Status
        rows = [
            (lecture, w.member, S.PRESENT),
            (lecture, w.secretary_member, S.LATE),
            (lecture, extra, S.ABSENT),  # not a person-time
            (lecture2, w.other_member, S.PRESENT),
            (report, w.member, S.LEFT_EARLY),  # came: counts
            (report, w.secretary_member, S.LEAVE),  # on leave: does not
            (report, extra, S.PRESENT),
        ]
        for m, member, status in rows:
            Attendance.objects.create(event=m.event, member=member, status=status)
        with self.assertNumQueries(2):
            got = activity_counts(w.unit, 2024)
        # By hand: expert lectures 2 sessions, 2 + 1 people came; the report meeting 1 session,
        # 2 came; the far branch's and 2023's meetings are not counted.
        self.assertEqual(got[MeetingKind.EXPERT_LECTURE], ActivityCount(2, 3))
        self.assertEqual(got[MeetingKind.REPORT_MEETING], ActivityCount(1, 2))
        self.assertEqual(got[MeetingKind.READING_CLASS], ActivityCount(0, 0))
        self.assertEqual(set(got), set(MeetingKind.values))
        self.assertEqual(
            activity_counts(w.branch, 2024)[MeetingKind.EXPERT_LECTURE], ActivityCount(1, 2)
        )
        self.assertEqual(
            activity_counts(w.root, 2024)[MeetingKind.REPORT_MEETING], ActivityCount(2, 2)
        )
        self.assertEqual(
            activity_counts(w.root, 2023)[MeetingKind.EXPERT_LECTURE], ActivityCount(1, 0)
        )
