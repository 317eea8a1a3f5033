"""Services of classes and their curriculum: validation (all errors at once, nothing stored),
permissions, sessions within the class's dates, the theory share, publication with and without
an override reason, cancellation, and the tenant's settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.core.models import AuditEvent, Notification
from peixun.events.models import Attendance, Event
from peixun.hours.models import Kind
from peixun.testing import PersonaTestCase
from peixun.training.models import Enrolment, Session, TrainingClass, TrainingSettings
from peixun.training.services.classes import (
    class_cancel,
    class_create,
    class_publish,
    class_update,
    session_add,
    session_remove,
    session_update,
    theory_share,
    training_settings_update,
)

START = timezone.localdate() + dt.timedelta(days=30)
END = START + dt.timedelta(days=3)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def class_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "2026年党支部书记专题培训班",
        "kind": "special",
        "topic": "innovation_theory",
        "starts_on": START,
        "ends_on": END,
        "capacity": 40,
        "venue": "县委党校",
    }
    fields.update(overrides)
    return fields


def session_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": "学习贯彻党的创新理论",
        "starts_at": at(START, 9),
        "ends_at": at(START, 11, 30),
        "hours": Decimal(3),
        "topic": "innovation_theory",
        "type": "lecture",
        "teacher": "张教授",
    }
    fields.update(overrides)
    return fields


class ClassServiceTests(PersonaTestCase):
    def admin(self) -> Any:
        return self.user("org_admin")

    def new_class(self, org: Any = None, **overrides: Any) -> TrainingClass:
        return class_create(
            actor=self.admin(), org=org or self.world.root, **class_fields(**overrides)
        )

    def counts(self) -> tuple[int, int, int, int]:
        return (
            TrainingClass.objects.count(),
            Session.objects.count(),
            Event.objects.count(),
            AuditEvent.objects.count(),
        )

    # -- create and update ---------------------------------------------------------------------

    def test_create_stores_the_class_defaults_the_audience_and_audits(self) -> None:
        tc = self.new_class(audience_statuses=["probationary", "full", "full"])
        tc.refresh_from_db()
        self.assertEqual(tc.state, TrainingClass.State.DRAFT)
        self.assertEqual(tc.audience_org, self.world.root)
        self.assertEqual(tc.audience_statuses, ["full", "probationary"])
        self.assertEqual(tc.created_by, self.admin())
        audit = AuditEvent.objects.get(verb="training_class.create", object_id=str(tc.pk))
        self.assertEqual((audit.after or {})["title"], "2026年党支部书记专题培训班")

    def test_bad_input_reports_every_field_and_stores_nothing(self) -> None:
        before = self.counts()
        with self.assertRaises(ValidationError) as ctx:
            self.new_class(
                title="  ",
                kind="lecture",
                topic="nonsense",
                starts_on=END,
                ends_on=START,
                capacity=0,
                audience_statuses=["full", "boss"],
                audience_positions=["king"],
                audience_cadre_ranks=["general"],
            )
        self.assertEqual(
            set(ctx.exception.message_dict),
            {
                "title",
                "kind",
                "topic",
                "ends_on",
                "capacity",
                "audience_statuses",
                "audience_positions",
                "audience_cadre_ranks",
            },
        )
        self.assertIn("不能早于", ctx.exception.message_dict["ends_on"][0])
        self.assertEqual(self.counts(), before)

    def test_audience_outside_the_organiser_is_refused(self) -> None:
        before = self.counts()
        with self.assertRaises(ValidationError) as ctx:
            class_create(
                actor=self.user("secretary"),
                org=self.world.branch,
                **class_fields(audience_org=self.world.other_branch),
            )
        self.assertEqual(list(ctx.exception.message_dict), ["audience_org"])
        self.assertEqual(self.counts(), before)

    def test_only_a_manager_of_the_organiser_creates(self) -> None:
        for persona, org in (
            ("secretary", self.world.root),
            ("viewer", self.world.root),
            ("member", self.world.branch),
            ("other_secretary", self.world.branch),
        ):
            with self.subTest(persona), self.assertRaises(PermissionDenied):
                class_create(actor=self.user(persona), org=org, **class_fields())
        tc = class_create(actor=self.user("secretary"), org=self.world.branch, **class_fields())
        self.assertEqual(tc.org, self.world.branch)

    def test_update_keeps_sessions_inside_the_dates_and_places_above_those_taken(self) -> None:
        tc = self.new_class()
        session_add(actor=self.admin(), training_class=tc, **session_fields())
        Enrolment.objects.create(
            training_class=tc, member=self.world.member, route="named", state="accepted"
        )
        Enrolment.objects.create(
            training_class=tc, member=self.world.other_member, route="named", state="nominated"
        )
        with self.assertRaises(ValidationError) as ctx:
            class_update(
                actor=self.admin(),
                training_class=tc,
                starts_on=START + dt.timedelta(days=1),
                capacity=1,
            )
        self.assertEqual(set(ctx.exception.message_dict), {"starts_on", "capacity"})
        tc.refresh_from_db()
        self.assertEqual((tc.starts_on, tc.capacity), (START, 40))
        class_update(actor=self.admin(), training_class=tc, capacity=2, title="新标题")
        tc.refresh_from_db()
        self.assertEqual((tc.capacity, tc.title), (2, "新标题"))
        audit = AuditEvent.objects.get(verb="training_class.update", object_id=str(tc.pk))
        self.assertEqual(
            ((audit.before or {})["capacity"], (audit.after or {})["capacity"]), (40, 2)
        )

    def test_going_online_recredits_the_sessions_as_online_training(self) -> None:
        tc = self.new_class()
        session = session_add(actor=self.admin(), training_class=tc, **session_fields())
        self.assertEqual(
            (session.event.credit_kind, session.event.online), (Kind.CONCENTRATED_TRAINING, False)
        )
        class_update(actor=self.admin(), training_class=tc, online=True)
        session.event.refresh_from_db()
        self.assertEqual(
            (session.event.credit_kind, session.event.online), (Kind.ONLINE_TRAINING, True)
        )
        self.assertTrue(session.event.concentrated)

    def test_closed_and_cancelled_classes_are_read_only(self) -> None:
        for state in (TrainingClass.State.CLOSED, TrainingClass.State.CANCELLED):
            tc = self.new_class()
            TrainingClass.objects.filter(pk=tc.pk).update(state=state)
            with self.subTest(state):
                with self.assertRaises(ValidationError) as ctx:
                    class_update(actor=self.admin(), training_class=tc, title="改")
                self.assertIn("state", ctx.exception.message_dict)
                with self.assertRaises(ValidationError):
                    session_add(actor=self.admin(), training_class=tc, **session_fields())
        self.assertFalse(Session.objects.exists())

    # -- sessions -------------------------------------------------------------------------------

    def test_session_creates_a_concentrated_session_event_of_the_organiser(self) -> None:
        tc = self.new_class()
        session = session_add(
            actor=self.admin(), training_class=tc, **session_fields(place="", topic="")
        )
        event = session.event
        self.assertEqual(
            (event.category, event.org, event.concentrated, event.credit_kind),
            ("session", self.world.root, True, Kind.CONCENTRATED_TRAINING),
        )
        # Empty place and topic fall back to the class's venue and main topic.
        self.assertEqual((event.place, event.topic), ("县委党校", "innovation_theory"))
        self.assertEqual((session.type, session.teacher), ("lecture", "张教授"))
        self.assertTrue(AuditEvent.objects.filter(verb="training_session.add").exists())

    def test_online_class_sessions_are_online_training(self) -> None:
        tc = self.new_class(online=True, kind="online")
        event = session_add(actor=self.admin(), training_class=tc, **session_fields()).event
        self.assertEqual((event.credit_kind, event.online), (Kind.ONLINE_TRAINING, True))

    def test_session_outside_the_class_dates_is_refused_and_nothing_stored(self) -> None:
        tc = self.new_class()
        before = self.counts()
        for starts, ends in (
            (at(START - dt.timedelta(days=1), 9), at(START - dt.timedelta(days=1), 11)),
            (at(END, 20), at(END + dt.timedelta(days=1), 1)),
        ):
            with self.subTest(starts=starts), self.assertRaises(ValidationError) as ctx:
                session_add(
                    actor=self.admin(),
                    training_class=tc,
                    **session_fields(starts_at=starts, ends_at=ends, hours=Decimal(2)),
                )
            self.assertEqual(list(ctx.exception.message_dict), ["starts_at"])
            self.assertIn(str(START), ctx.exception.message_dict["starts_at"][0])
        self.assertEqual(self.counts(), before)

    def test_session_bad_fields_are_reported_together(self) -> None:
        tc = self.new_class()
        before = self.counts()
        with self.assertRaises(ValidationError) as ctx:
            session_add(
                actor=self.admin(),
                training_class=tc,
                **session_fields(
                    title="", hours="1.3", type="party", ends_at=at(START, 8), topic="x"
                ),
            )
        self.assertEqual(
            set(ctx.exception.message_dict), {"title", "hours", "type", "ends_at", "topic"}
        )
        self.assertEqual(self.counts(), before)

    def test_viewer_and_other_secretary_cannot_touch_the_curriculum(self) -> None:
        tc = class_create(actor=self.user("secretary"), org=self.world.branch, **class_fields())
        session = session_add(actor=self.user("secretary"), training_class=tc, **session_fields())
        for persona in ("viewer", "other_secretary", "member"):
            with self.subTest(persona):
                with self.assertRaises(PermissionDenied):
                    session_add(actor=self.user(persona), training_class=tc, **session_fields())
                with self.assertRaises(PermissionDenied):
                    session_remove(actor=self.user(persona), session=session)
        self.assertEqual(Session.objects.count(), 1)

    def test_session_update_moves_it_within_the_dates(self) -> None:
        tc = self.new_class()
        session = session_add(actor=self.admin(), training_class=tc, **session_fields())
        with self.assertRaises(ValidationError):
            session_update(
                actor=self.admin(),
                session=session,
                starts_at=at(END + dt.timedelta(days=1), 9),
                ends_at=at(END + dt.timedelta(days=1), 10),
            )
        session_update(
            actor=self.admin(),
            session=session,
            starts_at=at(END, 14),
            ends_at=at(END, 17),
            hours="4",
            teacher="李老师",
        )
        session.refresh_from_db()
        session.event.refresh_from_db()
        self.assertEqual(
            (session.event.starts_at, session.event.hours, session.teacher),
            (at(END, 14), Decimal(4), "李老师"),
        )
        audit = AuditEvent.objects.get(verb="training_session.update")
        self.assertEqual(
            ((audit.before or {})["teacher"], (audit.after or {})["teacher"]), ("张教授", "李老师")
        )

    def test_a_changed_curriculum_needs_its_timetable_confirmed_again(self) -> None:
        tc = self.new_class()
        session = session_add(actor=self.admin(), training_class=tc, **session_fields())
        for change in (
            lambda: session_update(actor=self.admin(), session=session, teacher="李老师"),
            lambda: session_add(
                actor=self.admin(),
                training_class=tc,
                **session_fields(starts_at=at(START, 14), ends_at=at(START, 16, 30)),
            ),
            lambda: session_remove(actor=self.admin(), session=session),
        ):
            TrainingClass.objects.filter(pk=tc.pk).update(timetable_confirmed_at=timezone.now())
            change()
            tc.refresh_from_db()
            self.assertIsNone(tc.timetable_confirmed_at)

    def test_overlapping_sessions_and_more_hours_than_minutes_are_refused(self) -> None:
        tc = self.new_class()
        first = session_add(actor=self.admin(), training_class=tc, **session_fields())
        before = self.counts()
        with self.assertRaises(ValidationError) as clash:
            session_add(
                actor=self.admin(),
                training_class=tc,
                **session_fields(starts_at=at(START, 10), ends_at=at(START, 11), hours=Decimal(1)),
            )
        self.assertIn("学习贯彻党的创新理论", clash.exception.message_dict["starts_at"][0])
        with self.assertRaises(ValidationError) as too_many:
            session_add(
                actor=self.admin(),
                training_class=tc,
                **session_fields(starts_at=at(START, 14), ends_at=at(START, 15), hours=Decimal(8)),
            )
        self.assertEqual(list(too_many.exception.message_dict), ["hours"])
        self.assertEqual(self.counts(), before)
        # Back to back is fine, and a session may be moved within its own time.
        session_add(
            actor=self.admin(),
            training_class=tc,
            **session_fields(starts_at=at(START, 11, 30), ends_at=at(START, 12), hours="0.5"),
        )
        session_update(
            actor=self.admin(), session=first, starts_at=at(START, 9), ends_at=at(START, 11, 15)
        )
        with self.assertRaises(ValidationError):
            session_update(actor=self.admin(), session=first, hours=Decimal(4))

    def test_session_with_attendance_stays_and_one_without_goes_with_its_event(self) -> None:
        tc = self.new_class()
        kept = session_add(actor=self.admin(), training_class=tc, **session_fields())
        gone = session_add(
            actor=self.admin(),
            training_class=tc,
            **session_fields(starts_at=at(START, 14), ends_at=at(START, 16), hours=Decimal(2)),
        )
        Attendance.objects.create(
            event=kept.event, member=self.world.member, status="present", method="manual"
        )
        with self.assertRaises(ValidationError) as ctx:
            session_remove(actor=self.admin(), session=kept)
        self.assertIn("session", ctx.exception.message_dict)
        event_pk = gone.event_id
        session_remove(actor=self.admin(), session=gone)
        self.assertEqual(list(Session.objects.values_list("pk", flat=True)), [kept.pk])
        self.assertFalse(Event.objects.filter(pk=event_pk).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="training_session.remove").exists())

    # -- theory share and publication -------------------------------------------------------------

    def build_curriculum(self, tc: TrainingClass) -> None:
        """4 hours of theory (innovation theory 3, Party history 1) of 10."""
        for i, (topic, hours) in enumerate(
            [("innovation_theory", 3), ("professional", 6), ("party_history", 1)]
        ):
            session_add(
                actor=self.admin(),
                training_class=tc,
                **session_fields(
                    title=f"课次{i}",
                    topic=topic,
                    hours=Decimal(hours),
                    starts_at=at(START + dt.timedelta(days=i), 9),
                    ends_at=at(START + dt.timedelta(days=i), 17),
                ),
            )

    def test_theory_share_counts_the_tenants_theory_topics(self) -> None:
        tc = self.new_class()
        empty = theory_share(tc)
        self.assertEqual((empty.total_hours, empty.share, empty.ok), (0, None, False))
        self.build_curriculum(tc)
        figures = theory_share(tc)
        self.assertEqual(
            figures,
            (Decimal(4), Decimal(10), Decimal("0.4000"), Decimal("0.50"), False),
        )
        # Reading the settings no longer stores the defaults: the tenant's row is made here.
        TrainingSettings.objects.get_or_create(tenant=self.world.root)
        TrainingSettings.objects.filter(tenant=self.world.root).update(
            theory_share_min=Decimal("0.33")
        )
        self.assertTrue(theory_share(tc).ok)
        TrainingSettings.objects.filter(tenant=self.world.root).update(
            theory_topics=["professional"]
        )
        self.assertEqual(theory_share(tc)[:3], (Decimal(6), Decimal(10), Decimal("0.6000")))

    def test_a_class_without_sessions_cannot_be_published(self) -> None:
        tc = self.new_class()
        with self.assertRaises(ValidationError) as ctx:
            class_publish(actor=self.admin(), training_class=tc)
        self.assertIn("sessions", ctx.exception.message_dict)
        tc.refresh_from_db()
        self.assertEqual(tc.state, "draft")

    def test_special_class_below_the_minimum_needs_a_reason(self) -> None:
        tc = self.new_class()
        self.build_curriculum(tc)
        with self.assertRaises(ValidationError) as ctx:
            class_publish(actor=self.admin(), training_class=tc, override_reason="  ")
        message = ctx.exception.message_dict["override_reason"][0]
        self.assertIn("40%", message)
        self.assertIn("50%", message)
        tc.refresh_from_db()
        self.assertEqual((tc.state, tc.published_at), ("draft", None))
        self.assertFalse(AuditEvent.objects.filter(verb="training_class.publish").exists())

        class_publish(actor=self.admin(), training_class=tc, override_reason="本期以业务实操为主")
        tc.refresh_from_db()
        self.assertEqual(tc.state, "published")
        self.assertIsNotNone(tc.published_at)
        self.assertEqual(tc.theory_override_reason, "本期以业务实操为主")
        audit = AuditEvent.objects.get(verb="training_class.publish", object_id=str(tc.pk))
        self.assertEqual((audit.after or {})["theory_override_reason"], "本期以业务实操为主")
        self.assertEqual((audit.after or {})["theory_share"], "0.4000")
        with self.assertRaises(ValidationError):
            class_publish(actor=self.admin(), training_class=tc, override_reason="再次")

    def test_rotation_and_party_spirit_are_held_to_the_minimum_in_service_is_not(self) -> None:
        for kind, blocked in (("rotation", True), ("party_spirit", True), ("in_service", False)):
            tc = self.new_class(kind=kind)
            self.build_curriculum(tc)
            with self.subTest(kind):
                if blocked:
                    with self.assertRaises(ValidationError):
                        class_publish(actor=self.admin(), training_class=tc)
                else:
                    class_publish(actor=self.admin(), training_class=tc, override_reason="无须")
                    tc.refresh_from_db()
                    # A reason nobody needed is not kept.
                    self.assertEqual((tc.state, tc.theory_override_reason), ("published", ""))

    def test_special_class_at_the_minimum_publishes_without_reason(self) -> None:
        TrainingSettings.objects.create(tenant=self.world.root, theory_share_min=Decimal("0.40"))
        tc = self.new_class()
        self.build_curriculum(tc)
        class_publish(actor=self.admin(), training_class=tc)
        tc.refresh_from_db()
        self.assertEqual((tc.state, tc.theory_override_reason), ("published", ""))

    def test_only_a_manager_publishes(self) -> None:
        tc = self.new_class()
        self.build_curriculum(tc)
        with self.assertRaises(PermissionDenied):
            class_publish(actor=self.user("viewer"), training_class=tc, override_reason="x")

    # -- cancel ------------------------------------------------------------------------------------

    def test_cancel_needs_a_reason_and_tells_enrolled_members(self) -> None:
        from peixun.accounts.models import User

        tc = self.new_class()
        self.build_curriculum(tc)
        class_publish(actor=self.admin(), training_class=tc, override_reason="理由")
        Enrolment.objects.create(
            training_class=tc, member=self.world.member, route="named", state="accepted"
        )
        with self.assertRaises(ValidationError) as ctx:
            class_cancel(actor=self.admin(), training_class=tc, reason=" ")
        self.assertIn("reason", ctx.exception.message_dict)
        with self.assertRaises(PermissionDenied):
            class_cancel(actor=self.user("viewer"), training_class=tc, reason="停办")
        class_cancel(actor=self.admin(), training_class=tc, reason="疫情停办")
        tc.refresh_from_db()
        self.assertEqual(tc.state, "cancelled")
        audit = AuditEvent.objects.get(verb="training_class.cancel")
        self.assertEqual((audit.after or {})["reason"], "疫情停办")
        member_user = User.objects.get(member=self.world.member)
        notice = Notification.objects.get(recipient=member_user)
        self.assertIn(tc.title, notice.title)
        self.assertEqual(notice.body, "疫情停办")
        with self.assertRaises(ValidationError):
            class_cancel(actor=self.admin(), training_class=tc, reason="再次")

    def test_a_class_with_credited_sessions_cannot_be_cancelled(self) -> None:
        tc = self.new_class()
        session = session_add(actor=self.admin(), training_class=tc, **session_fields())
        Event.objects.filter(pk=session.event_id).update(state=Event.State.CLOSED)
        with self.assertRaises(ValidationError) as ctx:
            class_cancel(actor=self.admin(), training_class=tc, reason="停办")
        self.assertIn("state", ctx.exception.message_dict)
        tc.refresh_from_db()
        self.assertEqual(tc.state, "draft")

    # -- settings ----------------------------------------------------------------------------------

    def test_settings_are_the_tenant_admins(self) -> None:
        changed = training_settings_update(
            actor=self.admin(),
            tenant=self.world.unit,  # any org of the tenant names the tenant
            theory_share_min=Decimal("0.33"),
            theory_topics=["party_history", "innovation_theory"],
            leave_limit_denominator=7,
            close_due_days=10,
        )
        self.assertEqual(changed.tenant, self.world.root)
        self.assertEqual(changed.theory_topics, ["innovation_theory", "party_history"])
        self.assertEqual(AuditEvent.objects.filter(verb="training_settings.update").count(), 1)
        for persona in ("secretary", "viewer", "member"):
            with self.subTest(persona), self.assertRaises(PermissionDenied):
                training_settings_update(
                    actor=self.user(persona), tenant=self.world.root, close_due_days=3
                )

    def test_bad_settings_are_refused_together(self) -> None:
        with self.assertRaises(ValidationError) as ctx:
            training_settings_update(
                actor=self.admin(),
                tenant=self.world.root,
                theory_share_min="1.5",
                theory_topics=[],
                leave_limit_denominator=1,
                close_due_days="soon",
            )
        self.assertEqual(
            set(ctx.exception.message_dict),
            {"theory_share_min", "theory_topics", "leave_limit_denominator", "close_due_days"},
        )
        self.assertFalse(AuditEvent.objects.filter(verb="training_settings.update").exists())
