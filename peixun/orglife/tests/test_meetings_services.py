"""Services of meetings: recording (future dates, hours from the tenant's rule), minutes
sanitised, observers only for 中心组学习 and only from above, appraisal results only for 民主评议
and only for members below, closing credits the members present, reopening reverses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.events.models import Event
from peixun.events.registry import expected_member_ids
from peixun.events.services import attendance_mark, attendance_mark_bulk
from peixun.hours.models import CreditEntry, Kind
from peixun.members.models import Membership
from peixun.orglife.models import AppraisalResult, Meeting, MeetingCreditRule, Observer
from peixun.orglife.selectors import DEFAULT_CREDIT
from peixun.orglife.services import appraisals, observers
from peixun.orglife.services import meetings as services
from peixun.orglife.services.appraisals import Appraisal
from peixun.orglife.services.minutes import minutes_html
from peixun.orgs.models import Position
from peixun.testing import PersonaTestCase, make_member

from .test_meetings_fixtures import past, record, soon


class RecordTests(PersonaTestCase):
    def test_hours_and_ledger_kind_come_from_the_default_rule(self) -> None:
        w = self.world
        meeting = record(self.user("secretary"), w.branch, "lecture")
        event = meeting.event
        self.assertEqual(event.category, Event.Category.MEETING)
        self.assertEqual(event.hours, DEFAULT_CREDIT["lecture"][0])
        self.assertEqual(event.credit_kind, Kind.PARTY_LECTURE)
        self.assertFalse(event.concentrated)
        central = record(self.user("org_admin"), w.unit, "central_group")
        self.assertTrue(central.event.concentrated)
        self.assertEqual(central.event.credit_kind, Kind.CENTRAL_GROUP)

    def test_tenant_rule_overrides_the_default_and_given_hours_override_both(self) -> None:
        w = self.world
        MeetingCreditRule.objects.create(
            tenant=w.root, kind="theme_day", hours=Decimal("3.5"), concentrated=True
        )
        meeting = record(self.user("secretary"), w.branch, "theme_day")
        self.assertEqual(meeting.event.hours, Decimal("3.5"))
        self.assertTrue(meeting.event.concentrated)
        given = record(self.user("secretary"), w.branch, "theme_day", hours="0.5")
        self.assertEqual(given.event.hours, Decimal("0.5"))

    def test_a_held_meeting_dated_in_the_future_is_refused_and_nothing_stored(self) -> None:
        w = self.world
        starts, ends = soon()
        with self.assertRaises(ValidationError) as caught:
            record(self.user("secretary"), w.branch, "theme_day", starts_at=starts, ends_at=ends)
        self.assertIn("starts_at", caught.exception.message_dict)
        self.assertFalse(Meeting.objects.exists())
        self.assertFalse(Event.objects.exists())

    def test_a_planned_meeting_may_be_in_the_future_but_not_closed_before_its_end(self) -> None:
        w = self.world
        starts, ends = soon()
        meeting = record(
            self.user("secretary"),
            w.branch,
            "theme_day",
            starts_at=starts,
            ends_at=ends,
            scheduled=True,
        )
        with self.assertRaises(ValidationError):
            services.meeting_close(actor=self.user("secretary"), meeting=meeting)
        meeting.event.refresh_from_db()
        self.assertEqual(meeting.event.state, Event.State.OPEN)

    def test_bad_input_is_reported_at_once_and_nothing_stored(self) -> None:
        w = self.world
        starts, _ends = past()
        with self.assertRaises(ValidationError) as caught:
            record(
                self.user("secretary"),
                w.branch,
                "party_fun",
                title=" ",
                host="",
                ends_at=starts,
                hours="0.3",
            )
        self.assertEqual(
            {"kind", "title", "host", "ends_at", "hours"}, set(caught.exception.message_dict)
        )
        self.assertFalse(Meeting.objects.exists())

    def test_only_managers_of_the_org_may_record(self) -> None:
        w = self.world
        for persona in ("other_secretary", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                record(self.user(persona), w.branch, "theme_day")
        self.assertFalse(Meeting.objects.exists())

    def test_minutes_with_script_are_stored_without_it_and_rendered_harmless(self) -> None:
        w = self.world
        raw = (
            '<p onclick="steal()">讨论<b>要点</b></p><script>alert("x")</script>'
            '<img src=x onerror=alert(1)><a href="javascript:alert(1)">链接</a>'
        )
        meeting = record(self.user("secretary"), w.branch, "theme_day", minutes=raw)
        meeting.refresh_from_db()
        self.assertNotIn("<script", meeting.minutes)
        self.assertNotIn("onclick", meeting.minutes)
        self.assertNotIn("onerror", meeting.minutes)
        self.assertNotIn("javascript:", meeting.minutes)
        self.assertIn("<b>要点</b>", meeting.minutes)
        # A row written around the services is cleaned again when shown.
        Meeting.objects.filter(pk=meeting.pk).update(minutes="<script>alert(1)</script>ok")
        self.assertEqual(str(minutes_html("<script>alert(1)</script>ok")), "ok")

    def test_plain_text_minutes_keep_their_paragraphs_and_escape_angle_brackets(self) -> None:
        meeting = record(
            self.user("secretary"), self.world.branch, "committee", minutes="一、学习\n\n二、a < b"
        )
        self.assertEqual(meeting.minutes, "<p>一、学习</p>\n\n<p>二、a &lt; b</p>")

    def test_update_refuses_a_future_start_unless_planned(self) -> None:
        meeting = record(self.user("secretary"), self.world.branch, "committee")
        starts, ends = soon()
        with self.assertRaises(ValidationError):
            services.meeting_update(
                actor=self.user("secretary"), meeting=meeting, starts_at=starts, ends_at=ends
            )
        meeting.event.refresh_from_db()
        self.assertLess(meeting.event.starts_at, starts)
        services.meeting_update(
            actor=self.user("secretary"),
            meeting=meeting,
            scheduled=True,
            starts_at=starts,
            ends_at=ends,
            minutes="<i>改</i><script>x</script>",
        )
        meeting.refresh_from_db()
        self.assertEqual(meeting.minutes, "<i>改</i>")


class ExpectedMembersTests(PersonaTestCase):
    def test_a_branch_meeting_expects_its_party_members_not_the_exempt(self) -> None:
        w = self.world
        exempt = make_member(w.branch, "周老", exempt_reason="elderly")
        meeting = record(self.user("secretary"), w.branch, "theme_day")
        expected = set(expected_member_ids(meeting.event))
        self.assertEqual(expected, {w.member.pk, w.secretary_member.pk})
        self.assertNotIn(exempt.pk, expected)

    def test_a_meeting_expects_the_members_registered_on_its_day(self) -> None:
        import datetime as dt

        from django.utils import timezone

        from peixun.members.models import Membership

        w = self.world
        meeting = record(self.user("secretary"), w.branch, "theme_day")
        day = timezone.localdate(meeting.event.starts_at)
        # 钱新 moved into the branch the day after the meeting; 李明 leaves it the day after.
        newcomer = make_member(w.other_branch, "钱新")
        Membership.objects.filter(member=newcomer).update(until=day + dt.timedelta(days=1))
        Membership.objects.create(member=newcomer, org=w.branch, since=day + dt.timedelta(days=1))
        newcomer.org = w.branch
        newcomer.save(update_fields=["org"])
        Membership.objects.filter(member=w.member).update(until=day + dt.timedelta(days=1))
        expected = set(expected_member_ids(meeting.event))
        self.assertEqual(expected, {w.member.pk, w.secretary_member.pk})

    def test_a_past_meeting_does_not_expect_those_who_joined_the_party_later(self) -> None:
        """A meeting entered after the fact: a member who joined the Party (入党) after its day
        was a 积极分子 then, so is neither expected nor markable; one who joined that day is."""
        w = self.world
        meeting = record(self.user("secretary"), w.branch, "theme_day")
        day = timezone.localdate(meeting.event.starts_at)
        later = make_member(
            w.branch,
            "吴新",
            status="probationary",
            joined_on=day + dt.timedelta(days=1),
            confirmed_on=None,
        )
        same_day = make_member(
            w.branch, "郑同", status="probationary", joined_on=day, confirmed_on=None
        )
        Membership.objects.filter(member__in=[later, same_day]).update(since=day)
        expected = set(expected_member_ids(meeting.event))
        self.assertEqual(expected, {w.member.pk, w.secretary_member.pk, same_day.pk})
        with self.assertRaises(ValidationError) as refused:
            attendance_mark_bulk(
                actor=self.user("secretary"),
                event=meeting.event,
                member_ids=[later.pk],
                status="present",
            )
        self.assertIn("member", refused.exception.message_dict)

    def test_a_committee_meeting_expects_those_holding_a_position(self) -> None:
        w = self.world
        meeting = record(self.user("secretary"), w.branch, "committee")
        self.assertEqual(set(expected_member_ids(meeting.event)), {w.secretary_member.pk})
        Position.objects.all().delete()
        self.assertEqual(
            set(expected_member_ids(meeting.event)), {w.member.pk, w.secretary_member.pk}
        )


class ObserverTests(PersonaTestCase):
    def test_observers_come_from_a_superior_committee_of_a_central_group_study(self) -> None:
        w = self.world
        meeting = record(self.user("org_admin"), w.unit, "central_group")
        observer = observers.observer_add(
            actor=self.user("org_admin"), meeting=meeting, name="陈督导", org=w.root, title="副书记"
        )
        self.assertEqual(observer.org, w.root)
        for org in (w.unit, w.branch, w.far_unit):
            with self.assertRaises(ValidationError) as caught:
                observers.observer_add(
                    actor=self.user("org_admin"), meeting=meeting, name="某人", org=org
                )
            self.assertIn("org", caught.exception.message_dict)
        self.assertEqual(Observer.objects.count(), 1)
        observers.observer_remove(actor=self.user("org_admin"), observer=observer)
        self.assertFalse(Observer.objects.exists())

    def test_no_observers_for_other_kinds(self) -> None:
        w = self.world
        meeting = record(self.user("org_admin"), w.unit, "lecture")
        with self.assertRaises(ValidationError):
            observers.observer_add(
                actor=self.user("org_admin"), meeting=meeting, name="陈督导", org=w.root
            )
        self.assertFalse(Observer.objects.exists())

    def test_a_viewer_may_not_add_observers(self) -> None:
        meeting = record(self.user("org_admin"), self.world.unit, "central_group")
        with self.assertRaises(PermissionDenied):
            observers.observer_add(
                actor=self.user("viewer"), meeting=meeting, name="x", org=self.world.root
            )


class AppraisalTests(PersonaTestCase):
    def test_results_for_members_below_set_in_bulk_one_per_member(self) -> None:
        w = self.world
        meeting = record(self.user("secretary"), w.branch, "appraisal")
        appraisals.appraisals_set(
            actor=self.user("secretary"),
            meeting=meeting,
            results=[
                Appraisal(w.member, "excellent"),
                Appraisal(w.secretary_member, "qualified", "按时参加"),
            ],
        )
        appraisals.appraisals_set(
            actor=self.user("secretary"),
            meeting=meeting,
            results=[Appraisal(w.member, "basic")],
        )
        stored = dict(
            AppraisalResult.objects.filter(meeting=meeting).values_list("member_id", "result")
        )
        self.assertEqual(stored, {w.member.pk: "basic", w.secretary_member.pk: "qualified"})
        appraisals.appraisals_set(
            actor=self.user("secretary"), meeting=meeting, results=[Appraisal(w.member, "")]
        )
        self.assertEqual(AppraisalResult.objects.filter(meeting=meeting).count(), 1)

    def test_a_member_elsewhere_or_a_bad_result_stores_nothing(self) -> None:
        w = self.world
        meeting = record(self.user("secretary"), w.branch, "appraisal")
        for rows in (
            [Appraisal(w.member, "excellent"), Appraisal(w.other_member, "qualified")],
            [Appraisal(w.member, "superb")],
            [Appraisal(w.member, "excellent"), Appraisal(w.member, "qualified")],
        ):
            with self.assertRaises(ValidationError):
                appraisals.appraisals_set(
                    actor=self.user("secretary"), meeting=meeting, results=rows
                )
        self.assertFalse(AppraisalResult.objects.exists())

    def test_only_for_a_democratic_appraisal(self) -> None:
        w = self.world
        meeting = record(self.user("secretary"), w.branch, "life_meeting")
        with self.assertRaises(ValidationError):
            appraisals.appraisals_set(
                actor=self.user("secretary"),
                meeting=meeting,
                results=[Appraisal(w.member, "excellent")],
            )
        self.assertFalse(AppraisalResult.objects.exists())


class CloseTests(PersonaTestCase):
    def test_close_credits_the_members_present_per_the_rule_and_reopen_reverses(self) -> None:
        w = self.world
        secretary = self.user("secretary")
        MeetingCreditRule.objects.create(tenant=w.root, kind="theme_day", hours=Decimal("1.5"))
        meeting = record(secretary, w.branch, "theme_day")
        attendance_mark(actor=secretary, event=meeting.event, member=w.member, status="present")
        attendance_mark(
            actor=secretary, event=meeting.event, member=w.secretary_member, status="absent"
        )
        services.meeting_close(actor=secretary, meeting=meeting)
        entries = CreditEntry.objects.filter(reference=f"event:{meeting.event_id}")
        self.assertEqual(
            list(entries.values_list("member_id", "hours", "kind")),
            [(w.member.pk, Decimal("1.50"), Kind.THEME_DAY)],
        )
        self.assertEqual(meeting.event.state, Event.State.CLOSED)
        with self.assertRaises(ValidationError):
            services.meeting_close(actor=secretary, meeting=meeting)
        with self.assertRaises(ValidationError):
            services.meeting_reopen(actor=secretary, meeting=meeting, reason=" ")
        services.meeting_reopen(actor=secretary, meeting=meeting, reason="考勤记错")
        total = sum(
            CreditEntry.objects.filter(member=w.member).values_list("hours", flat=True),
            Decimal(0),
        )
        self.assertEqual(total, Decimal(0))
        self.assertEqual(meeting.event.state, Event.State.OPEN)
        self.assertTrue(AuditEvent.objects.filter(verb="event.reopen").exists())

    def test_a_closed_meeting_keeps_its_times_but_its_minutes_can_be_completed(self) -> None:
        w = self.world
        secretary = self.user("secretary")
        meeting = record(secretary, w.branch, "group")
        services.meeting_close(actor=secretary, meeting=meeting)
        with self.assertRaises(ValidationError):
            services.meeting_update(actor=secretary, meeting=meeting, place="别处")
        services.meeting_update(actor=secretary, meeting=meeting, minutes="补记")
        meeting.refresh_from_db()
        self.assertEqual(meeting.minutes, "<p>补记</p>")

    def test_another_secretary_may_not_close(self) -> None:
        meeting = record(self.user("secretary"), self.world.branch, "group")
        with self.assertRaises(PermissionDenied):
            services.meeting_close(actor=self.user("other_secretary"), meeting=meeting)


class SigninTests(PersonaTestCase):
    def test_members_of_the_branch_sign_in_to_a_planned_meeting_by_qr(self) -> None:
        import datetime as dt

        from django.utils import timezone

        from peixun.events.logic import signin_token
        from peixun.events.services import SigninError, attendance_signin, event_settings_for

        w = self.world
        starts = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=5)
        meeting = record(
            self.user("secretary"),
            w.branch,
            "theme_day",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            scheduled=True,
        )
        token = signin_token(meeting.event, event_settings_for(w.branch))
        row, created = attendance_signin(
            actor=self.user("member"), event=meeting.event, token=token
        )
        self.assertTrue(created)
        self.assertEqual(row.member, w.member)
        with self.assertRaises(SigninError):
            attendance_signin(actor=self.user("other_secretary"), event=meeting.event, token=token)


class PlanItemAndMoveTests(PersonaTestCase):
    def test_a_meeting_links_to_its_branch_plan_item_not_another_branch_s(self) -> None:
        from peixun.plans.tests.fixtures import branch_plan

        w = self.world
        _plan, (item,) = branch_plan(w)
        meeting = record(self.user("secretary"), w.branch, "lecture", plan_item=item)
        self.assertEqual(meeting.plan_item, item)
        with self.assertRaises(ValidationError) as caught:
            record(self.user("other_secretary"), w.other_branch, "lecture", plan_item=item)
        self.assertIn("plan_item", caught.exception.message_dict)
        self.assertEqual(Meeting.objects.count(), 1)

    def test_a_planned_meeting_moves_within_the_future_without_saying_so_again(self) -> None:
        import datetime as dt

        starts, ends = soon()
        meeting = record(
            self.user("secretary"),
            self.world.branch,
            "group",
            starts_at=starts,
            ends_at=ends,
            scheduled=True,
        )
        later = starts + dt.timedelta(days=1)
        services.meeting_update(
            actor=self.user("secretary"),
            meeting=meeting,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=1),
        )
        meeting.event.refresh_from_db()
        self.assertEqual(meeting.event.starts_at, later)
