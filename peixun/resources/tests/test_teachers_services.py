"""The 师资库's services and visibility: who sees a teacher kept by one org and open to a
subtree, who changes them, bad input that stores nothing, leaving and rejoining, logins, and the
training session that names a teacher of the pool."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.accounts.models import User
from peixun.core.models import AuditEvent
from peixun.resources.models import Teacher, TeacherSubject
from peixun.resources.selectors.teachers import (
    teacher_keepers,
    teachers_for_org,
    teachers_search,
    teaching_history,
    teaching_summary,
)
from peixun.resources.services.teachers import (
    teacher_leave,
    teacher_login_grant,
    teacher_rejoin,
    teacher_update,
)
from peixun.testing import PersonaTestCase, make_member, make_user
from peixun.training.services.classes import session_update

from .teacher_fixtures import add_teacher, build, make_class, teach


class TeacherServiceTests(PersonaTestCase):
    branch_teacher: ClassVar[Teacher]
    county_teacher: ClassVar[Teacher]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        made = build(cls.world)
        cls.branch_teacher = made["branch_teacher"]
        cls.county_teacher = made["county_teacher"]

    def seen_by(self, persona: str) -> set[str]:
        return set(teachers_search(self.actor(persona)).values_list("name", flat=True))

    def test_visibility_follows_the_keeper_and_the_subtree_it_is_open_to(self) -> None:
        self.assertEqual(self.seen_by("secretary"), {"周老师", "吴教授"})
        self.assertEqual(self.seen_by("other_secretary"), {"吴教授"})
        self.assertEqual(self.seen_by("org_admin"), {"周老师", "吴教授"})
        self.assertEqual(self.seen_by("viewer"), {"周老师", "吴教授"})
        self.assertEqual(self.seen_by("member"), set())
        self.assertEqual(self.seen_by("anonymous"), set())
        # A teacher open only to the unit is not seen by a branch of another committee.
        far = make_user("far_sec", role="secretary", org=self.world.far_branch)
        self.assertEqual(set(teachers_search(far).values_list("name", flat=True)), {"吴教授"})
        self.assertEqual(list(teacher_keepers(self.user("other_secretary"))), [self.world.unit])

    def test_create_stores_subjects_and_audits(self) -> None:
        teacher = add_teacher(
            self.user("secretary"), self.world.branch, "  钱老师 ", subjects=["science", "culture"]
        )
        self.assertEqual(teacher.name, "钱老师")
        self.assertEqual(teacher.open_to, self.world.branch)
        self.assertEqual(
            sorted(teacher.subjects.values_list("subject", flat=True)), ["culture", "science"]
        )
        event = AuditEvent.objects.get(verb="resources.teacher.create", object_id=str(teacher.pk))
        assert event.after is not None
        self.assertEqual(event.after["subjects"], ["culture", "science"])

    def test_member_teacher_takes_the_members_name(self) -> None:
        teacher = add_teacher(
            self.user("secretary"), self.world.branch, "", member=self.world.member
        )
        self.assertEqual(teacher.name, "李明")
        with self.assertRaises(ValidationError) as caught:
            add_teacher(self.user("secretary"), self.world.branch, "", member=self.world.member)
        self.assertIn("member", caught.exception.message_dict)

    def test_bad_input_names_every_field_and_stores_nothing(self) -> None:
        before = Teacher.objects.count()
        with self.assertRaises(ValidationError) as caught:
            add_teacher(
                self.user("org_admin"),
                self.world.root,
                "",
                title="professor",
                subjects=["astrology"],
                unit="单" * 201,
            )
        self.assertEqual(set(caught.exception.message_dict), {"name", "title", "subjects", "unit"})
        with self.assertRaises(ValidationError) as caught:
            add_teacher(self.user("org_admin"), self.world.root, "甲", subjects=[])
        self.assertIn("subjects", caught.exception.message_dict)
        self.assertEqual(Teacher.objects.count(), before)
        self.assertFalse(TeacherSubject.objects.filter(teacher__name="甲").exists())

    def test_open_to_must_be_in_the_keepers_tree(self) -> None:
        from peixun.testing import make_org

        other_root = make_org(None, "Z01", "别处工委", "working_committee")
        with self.assertRaises(ValidationError) as caught:
            add_teacher(self.user("org_admin"), self.world.root, "甲", open_to=other_root)
        self.assertIn("open_to", caught.exception.message_dict)

    def test_only_the_keepers_managers_change_a_teacher(self) -> None:
        for persona in ("other_secretary", "viewer", "member"):
            with self.assertRaises(PermissionDenied):
                add_teacher(self.user(persona), self.world.branch, "甲")
        with self.assertRaises(PermissionDenied):
            teacher_update(
                actor=self.user("secretary"),
                teacher=self.county_teacher,
                data={"name": "改名", "subjects": ["economy"]},
            )
        updated = teacher_update(
            actor=self.user("org_admin"),
            teacher=self.county_teacher,
            data={"name": "吴教授", "title": "senior", "subjects": ["economy", "science"]},
        )
        self.assertEqual(
            sorted(updated.subjects.values_list("subject", flat=True)), ["economy", "science"]
        )
        # A whole record again: the open_to left out falls back to the keeper.
        self.assertEqual(updated.open_to, self.world.unit)

    def test_leave_keeps_history_and_leaves_the_picker_then_rejoin(self) -> None:
        tc = make_class(self.user("secretary"), self.world.branch, "支部轮训", timezone.localdate())
        session = teach(self.user("secretary"), tc, self.branch_teacher)
        with self.assertRaises(ValidationError) as caught:
            teacher_leave(actor=self.user("secretary"), teacher=self.branch_teacher, reason="")
        self.assertIn("left_reason", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            teacher_leave(
                actor=self.user("secretary"),
                teacher=self.branch_teacher,
                reason="调离",
                left_on=timezone.localdate() + dt.timedelta(days=1),
            )
        self.assertIn("left_on", caught.exception.message_dict)
        self.assertTrue(Teacher.objects.get(pk=self.branch_teacher.pk).active)
        teacher = teacher_leave(
            actor=self.user("secretary"), teacher=self.branch_teacher, reason="调离本县"
        )
        self.assertFalse(teacher.active)
        self.assertEqual(teacher.left_on, timezone.localdate())
        self.assertEqual([s.event_id for s in teaching_history(teacher)], [session.event_id])
        self.assertNotIn(teacher, teachers_for_org(self.world.branch))
        self.assertIn(teacher, teachers_for_org(self.world.branch, include=teacher.pk))
        # A session keeps its teacher after they left; a new one may not name them.
        session_update(actor=self.user("secretary"), session=session, title="党史专题（二）")
        with self.assertRaises(ValidationError) as caught:
            teach(self.user("secretary"), tc, teacher, day=1)
        self.assertIn("pool_teacher_id", caught.exception.message_dict)
        with self.assertRaises(ValidationError):
            teacher_leave(actor=self.user("secretary"), teacher=teacher, reason="again")
        teacher = teacher_rejoin(actor=self.user("secretary"), teacher=teacher)
        self.assertTrue(teacher.active)
        self.assertIsNone(teacher.left_on)
        self.assertEqual(teacher.left_reason, "")
        verbs = set(
            AuditEvent.objects.filter(
                object_id=str(teacher.pk), verb__startswith="resources."
            ).values_list("verb", flat=True)
        )
        self.assertLessEqual({"resources.teacher.leave", "resources.teacher.rejoin"}, verbs)

    def test_a_session_names_a_pool_teacher_open_to_its_organiser(self) -> None:
        start = timezone.localdate() - dt.timedelta(days=5)
        tc = make_class(self.user("secretary"), self.world.branch, "支部轮训", start)
        session = teach(self.user("secretary"), tc, self.county_teacher)
        self.assertEqual(session.pool_teacher_id, self.county_teacher.pk)
        self.assertEqual(session.teacher, "吴教授")  # the name is filled in
        # The other branch's pool is not open to the first branch.
        other = add_teacher(self.user("other_secretary"), self.world.other_branch, "郑老师")
        with self.assertRaises(ValidationError) as caught:
            teach(self.user("secretary"), tc, other, day=1)
        self.assertIn("pool_teacher_id", caught.exception.message_dict)
        # A one-off speaker stays free text.
        free = teach(self.user("secretary"), tc, None, day=1)
        self.assertIsNone(free.pool_teacher_id)
        self.assertEqual(free.teacher, "外请专家")
        # Changing the link, and unlinking (the name as shown stays).
        session = session_update(
            actor=self.user("secretary"), session=session, pool_teacher_id=self.branch_teacher.pk
        )
        self.assertEqual(
            (session.pool_teacher_id, session.teacher), (self.branch_teacher.pk, "周老师")
        )
        session = session_update(
            actor=self.user("secretary"), session=session, pool_teacher_id=None
        )
        self.assertEqual((session.pool_teacher_id, session.teacher), (None, "周老师"))
        audit = AuditEvent.objects.filter(verb="training_session.update").latest("id")
        assert audit.before is not None and audit.after is not None
        self.assertEqual(audit.before["pool_teacher"], self.branch_teacher.pk)
        self.assertIsNone(audit.after["pool_teacher"])

    def test_teaching_summary_counts_held_sessions_and_their_hours(self) -> None:
        start = timezone.localdate() - dt.timedelta(days=1)
        tc = make_class(self.user("org_admin"), self.world.unit, "处级轮训", start)
        teach(self.user("org_admin"), tc, self.county_teacher, day=0, hours=3)
        teach(self.user("org_admin"), tc, self.county_teacher, day=2, hours=2, title="经济形势")
        summary = teaching_summary(teaching_history(self.county_teacher))
        # By hand: two sessions named, the one yesterday held with its 3 hours; the other is ahead.
        self.assertEqual((summary.sessions, summary.held, summary.hours), (2, 1, 3))

    def test_login_for_a_member_with_a_login_links_it(self) -> None:
        teacher = add_teacher(
            self.user("secretary"), self.world.branch, "", member=self.world.member
        )
        self.assertIsNone(teacher_login_grant(actor=self.user("secretary"), teacher=teacher))
        teacher.refresh_from_db()
        self.assertEqual(teacher.user, self.user("member"))
        with self.assertRaises(ValidationError):
            teacher_login_grant(actor=self.user("secretary"), teacher=teacher)

    def test_login_for_an_outside_expert_takes_an_account_admin(self) -> None:
        with self.assertRaises(PermissionDenied):
            teacher_login_grant(actor=self.user("secretary"), teacher=self.branch_teacher)
        self.assertFalse(User.objects.filter(username__startswith="js").exists())
        issued = teacher_login_grant(actor=self.user("org_admin"), teacher=self.branch_teacher)
        assert issued is not None
        user = issued.user
        self.assertIsNone(user.member_id)
        self.assertFalse(user.has_usable_password())
        self.assertEqual(user.mobile, "13900001111")
        self.assertEqual(Teacher.objects.get(pk=self.branch_teacher.pk).user, user)
        self.assertFalse(user.grants.exists())

    def test_login_for_a_member_without_one_creates_it(self) -> None:
        member = make_member(self.world.branch, "冯老师", mobile="13700000077")
        teacher = add_teacher(self.user("org_admin"), self.world.branch, "", member=member)
        issued = teacher_login_grant(actor=self.user("org_admin"), teacher=teacher)
        assert issued is not None
        self.assertEqual(issued.user.member, member)
