"""The demo's training classes: written once, through the services, with a ledger that equals the
closed class's attendance, and something to see for each demo login."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from collections import Counter
from decimal import Decimal
from typing import ClassVar

from django.core.management import call_command
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from peixun.accounts.models import User
from peixun.core.models import AuditEvent
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.demo.training import (
    CLOSED_TITLE,
    DRAFT_TITLE,
    LECTURE_TITLE,
    RETURN_REASON,
    UPCOMING_TITLE,
)
from peixun.events.logic import signin_token
from peixun.events.models import Attendance, Event, LeaveRequest
from peixun.events.services import event_settings_for, signin_preflight
from peixun.hours.models import CreditEntry, Kind
from peixun.hours.selectors import rollup_differences
from peixun.orgs.models import Organization
from peixun.training.models import Enrolment, MakeUp, Quota, Session, TrainingClass
from peixun.training.selectors import makeup_rows, my_training

MEDIA = tempfile.mkdtemp(prefix="peixun-test-demo-training-")


def load_small() -> str:
    out = io.StringIO()
    call_command("load_demo", members=200, branches=15, stdout=out)
    return out.getvalue()


def training_counts() -> dict[str, int]:
    return {
        "classes": TrainingClass.objects.count(),
        "sessions": Session.objects.count(),
        "events": Event.objects.count(),
        "quotas": Quota.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "attendance": Attendance.objects.count(),
        "leave": LeaveRequest.objects.count(),
        "makeups": MakeUp.objects.count(),
        "ledger": CreditEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@override_settings(MEDIA_ROOT=MEDIA)
class DemoTrainingTests(TestCase):
    output: ClassVar[str]
    root: ClassVar[Organization]
    classes: ClassVar[dict[str, TrainingClass]]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.output = load_small()
        cls.root = Organization.objects.get(code=DEMO_CODE)
        cls.classes = {tc.title: tc for tc in TrainingClass.objects.all()}

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_four_classes_in_their_states(self) -> None:
        self.assertIn("Training classes: classes 4", self.output)
        states = {title: tc.state for title, tc in self.classes.items()}
        self.assertEqual(
            states,
            {
                CLOSED_TITLE: TrainingClass.State.CLOSED,
                UPCOMING_TITLE: TrainingClass.State.PUBLISHED,
                LECTURE_TITLE: TrainingClass.State.PUBLISHED,
                DRAFT_TITLE: TrainingClass.State.DRAFT,
            },
        )
        today = timezone.localdate()
        closed = self.classes[CLOSED_TITLE]
        self.assertLess(closed.ends_on, today)
        self.assertEqual((closed.ends_on - closed.starts_on).days, 3)
        self.assertTrue(closed.full_time and closed.plan_document)
        self.assertIsNotNone(closed.roster_confirmed_at)
        self.assertGreater(self.classes[UPCOMING_TITLE].starts_on, today)
        self.assertGreater(self.classes[DRAFT_TITLE].starts_on, today)

    def test_second_run_adds_nothing(self) -> None:
        before = training_counts()
        output = load_small()
        self.assertIn("already loaded", output)
        self.assertEqual(training_counts(), before)

    def test_closed_class_ledger_equals_its_attendance(self) -> None:
        closed = self.classes[CLOSED_TITLE]
        rules = event_settings_for(closed.org)
        sessions = list(Session.objects.filter(training_class=closed).select_related("event"))
        self.assertEqual(len(sessions), 8)
        statuses: Counter[str] = Counter()
        for session in sessions:
            event = session.event
            self.assertEqual(event.state, Event.State.CLOSED)
            expected = {}
            for member_id, status in event.attendances.values_list("member_id", "status"):
                statuses[status] += 1
                hours = rules.credit_for(status, event.hours)
                if hours > 0:
                    expected[member_id] = hours
            entries = CreditEntry.objects.filter(reference=event.ledger_reference)
            self.assertEqual({e.member_id: e.hours for e in entries}, expected, event.title)
            self.assertEqual(len(entries), len(expected))
            for entry in entries:
                self.assertEqual(entry.state, CreditEntry.State.CONFIRMED)
                self.assertTrue(entry.concentrated)
                self.assertEqual(entry.kind, Kind.CONCENTRATED_TRAINING)
                self.assertEqual(entry.on, timezone.localdate(event.starts_at))
        # Every trainee has a row at every session (the checklist demanded it), with variety.
        trainees = Enrolment.objects.accepted().filter(training_class=closed).count()
        self.assertEqual(sum(statuses.values()), trainees * len(sessions))
        for status in (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEAVE):
            self.assertGreater(statuses[status], 0, status)
        self.assertTrue(Enrolment.objects.filter(flagged_for_withdrawal=True).exists())
        self.assertEqual(rollup_differences(), [])

    def test_dispatch_of_the_upcoming_class(self) -> None:
        upcoming = self.classes[UPCOMING_TITLE]
        self.assertGreaterEqual(Quota.objects.filter(training_class=upcoming).count(), 2)
        states = Counter(
            Enrolment.objects.filter(training_class=upcoming).values_list("state", flat=True)
        )
        self.assertGreater(states[Enrolment.State.ACCEPTED], 0)
        self.assertGreater(states[Enrolment.State.NOMINATED], 0)
        returned = Enrolment.objects.get(training_class=upcoming, state=Enrolment.State.RETURNED)
        self.assertEqual(returned.reason, RETURN_REASON)
        secretary = User.objects.get(username="secretary")
        self.assertEqual(returned.nominated_by, secretary)

    def test_makeups_open_and_assigned(self) -> None:
        closed = self.classes[CLOSED_TITLE]
        rows = makeup_rows(closed)
        states = Counter(row.state for row in rows)
        self.assertGreater(states[MakeUp.State.OPEN], 0)
        self.assertEqual(states[MakeUp.State.ASSIGNED], 1)
        assigned = MakeUp.objects.get(state=MakeUp.State.ASSIGNED)
        assert assigned.assigned_event is not None
        self.assertEqual(
            assigned.assigned_event.session.training_class, self.classes[UPCOMING_TITLE]
        )

    def test_member_finds_past_hours_upcoming_sessions_and_leave(self) -> None:
        user = User.objects.select_related("member").get(username="member")
        assert user.member is not None
        mine = my_training(user.member)
        self.assertEqual([p.training_class.title for p in mine.past], [CLOSED_TITLE])
        self.assertEqual(mine.past[0].hours, Decimal(23))  # every session, one of them late
        titles = {u.session.training_class.title for u in mine.upcoming}
        self.assertEqual(titles, {UPCOMING_TITLE, LECTURE_TITLE})
        pending = LeaveRequest.objects.get(member=user.member)
        self.assertEqual(pending.state, LeaveRequest.State.PENDING)
        qr_rows = Attendance.objects.filter(member=user.member, method=Attendance.Method.QR)
        self.assertEqual(qr_rows.count(), 8)
        self.assertEqual(qr_rows.filter(status=Attendance.Status.LATE).count(), 1)
        client = Client()
        client.force_login(user)
        page = client.get(reverse("training:mine"))
        self.assertContains(page, UPCOMING_TITLE)
        self.assertContains(page, CLOSED_TITLE)

    def test_branch_lecture_is_open_for_signin_now(self) -> None:
        lecture = self.classes[LECTURE_TITLE]
        event = Session.objects.get(training_class=lecture).event
        now = timezone.now()
        self.assertTrue(now < event.starts_at <= now + dt.timedelta(minutes=30))
        member = User.objects.get(username="member")
        token = signin_token(event, event_settings_for(event.org))
        self.assertIsNone(signin_preflight(actor=member, event=event, token=token))
        secretary = User.objects.get(username="secretary")
        client = Client()
        client.force_login(secretary)
        projector = client.get(reverse("events:projector", args=[event.pk]))
        self.assertEqual(projector.status_code, 200)
        listing = client.get(reverse("training:list"))
        for title in (LECTURE_TITLE, UPCOMING_TITLE, CLOSED_TITLE):
            self.assertContains(listing, title)

    def test_org_admin_sees_every_class_and_the_projector(self) -> None:
        admin = User.objects.get(username="org_admin")
        client = Client()
        client.force_login(admin)
        listing = client.get(reverse("training:list"))
        for title in (CLOSED_TITLE, UPCOMING_TITLE, DRAFT_TITLE):
            self.assertContains(listing, title)
        first = (
            Session.objects.filter(training_class=self.classes[UPCOMING_TITLE])
            .order_by("event__starts_at")
            .first()
        )
        assert first is not None
        self.assertEqual(
            client.get(reverse("events:projector", args=[first.event_id])).status_code, 200
        )
        detail = client.get(reverse("training:detail", args=[self.classes[CLOSED_TITLE].pk]))
        self.assertEqual(detail.status_code, 200)

    def test_plans_in_every_filing_state(self) -> None:
        from peixun.plans.models import TrainingPlan
        from peixun.plans.selectors import item_progress

        year = timezone.localdate().year
        plans = TrainingPlan.objects.filter(org__path__startswith=self.root.path, year=year)
        states = set(plans.values_list("state", flat=True))
        # 2 units in this small demo: one approved, one returned; the branch's plan waits.
        self.assertEqual(states, {"approved", "returned", "submitted"})
        root_plan = plans.get(org=self.root)
        self.assertEqual(root_plan.state, "approved")
        self.assertIn("Training plans: plans", self.output)
        returned = plans.get(state="returned")
        self.assertTrue(returned.return_reason)
        # The closed class delivers the root plan's first item.
        first = item_progress(root_plan)[0]
        self.assertEqual(first.classes, 1)
        self.assertGreater(first.hours, 0)

    def test_a_year_of_meetings_with_some_branches_irregular(self) -> None:
        from peixun.accounts.models import Grant
        from peixun.orglife.models import Meeting, Observer

        self.assertIn("Organisational life: meetings", self.output)
        branch = Grant.objects.get(user__username="secretary", role="secretary").org
        assert branch is not None
        mine = Meeting.objects.filter(event__org=branch)
        months_so_far = timezone.localdate().month
        # 3 monthly kinds in every past month (the current month only before today).
        self.assertGreaterEqual(mine.filter(kind="theme_day").count(), months_so_far - 1)
        self.assertEqual(set(mine.values_list("event__state", flat=True)), {Event.State.CLOSED})
        credited = CreditEntry.objects.filter(
            reference__in=[m.event.ledger_reference for m in mine]
        )
        self.assertGreater(credited.count(), 0)
        self.assertIn("irregular_branches", self.output)
        self.assertTrue(Observer.objects.exists())
