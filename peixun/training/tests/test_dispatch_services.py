"""Dispatch services: places, nominations, decisions, named dispatch, substitution, withdrawal,
warnings and the notifications they send."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from peixun.core.models import AuditEvent, Notification
from peixun.hours.services import entry_record
from peixun.testing import make_member
from peixun.training.models import Enrolment, Quota, TrainingClass
from peixun.training.selectors import audience
from peixun.training.services import dispatch as services

from .test_dispatch_fixtures import DispatchTestCase, make_class


class DispatchServiceTests(DispatchTestCase):
    def setUp(self) -> None:
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)
        self.secretary = self.user("secretary")
        self.organiser = self.user("org_admin")

    def live(self, quota: Quota | None = None) -> int:
        qs = Enrolment.objects.active().filter(training_class=self.d.training_class)
        return qs.filter(quota=quota).count() if quota else qs.count()

    def nominate(self, *members, actor=None):  # type: ignore[no-untyped-def]
        return services.enrolment_nominate(
            actor=actor or self.secretary,
            training_class=self.d.training_class,
            quota=self.d.quota,
            members=list(members),
        )

    # -- nominating ----------------------------------------------------------------------------

    def test_secretary_nominates_within_the_quota(self) -> None:
        result = self.nominate(self.d.wang, self.d.chen)
        self.assertEqual(len(result.enrolments), 2)
        self.assertEqual(
            set(
                Enrolment.objects.filter(state="nominated", quota=self.d.quota).values_list(
                    "member__name", flat=True
                )
            ),
            {"王五", "陈六"},
        )
        self.assertEqual(
            AuditEvent.objects.filter(verb="training.nominate").count(), 2, "every write audited"
        )

    def test_nomination_over_quota_names_the_numbers_and_stores_nothing(self) -> None:
        extra = make_member(self.world.branch, "吴九")
        with self.assertRaises(ValidationError) as caught:
            self.nominate(self.d.wang, self.d.chen, extra)
        message = " ".join(caught.exception.messages)
        self.assertIn("推荐超出名额", message)
        self.assertIn("共有3个名额", message)
        self.assertIn("已占用1个", message)
        self.assertIn("本次推荐3人", message)
        self.assertIn("最多还能推荐2人", message)
        self.assertEqual(self.live(self.d.quota), 1)

    def test_over_capacity_is_refused(self) -> None:
        tc = self.d.training_class
        TrainingClass.objects.filter(pk=tc.pk).update(capacity=2)
        tc.refresh_from_db()
        with self.assertRaises(ValidationError) as caught:
            self.nominate(self.d.wang, self.d.chen)
        self.assertIn("超出培训班计划人数", " ".join(caught.exception.messages))
        # Named dispatch is held to the capacity too.
        services.enrolment_name(actor=self.organiser, training_class=tc, members=[self.d.wang])
        with self.assertRaises(ValidationError):
            services.enrolment_name(actor=self.organiser, training_class=tc, members=[self.d.chen])
        self.assertEqual(self.live(), 2)

    def test_member_outside_the_unit_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.nominate(self.world.other_member)
        self.assertIn("赵强", " ".join(caught.exception.messages))
        self.assertEqual(self.live(), 1)

    def test_other_branch_secretary_may_not_nominate_for_the_branch(self) -> None:
        with self.assertRaises(PermissionDenied):
            self.nominate(self.world.other_member, actor=self.user("other_secretary"))
        with self.assertRaises(PermissionDenied):
            self.nominate(self.d.wang, actor=self.user("viewer"))

    def test_audience_mismatch_blocks_a_nomination_but_not_named_dispatch(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.nominate(self.d.qian)
        message = " ".join(caught.exception.messages)
        self.assertIn("钱七", message)
        self.assertIn("不属于本班培训对象", message)
        self.assertFalse(Enrolment.objects.filter(member=self.d.qian).exists())
        result = services.enrolment_name(
            actor=self.organiser, training_class=self.d.training_class, members=[self.d.qian]
        )
        self.assertEqual(result.enrolments[0].state, Enrolment.State.ACCEPTED)
        self.assertEqual(result.enrolments[0].route, Enrolment.Route.NAMED)
        self.assertIsNone(result.enrolments[0].quota)
        self.assertEqual([w.code for w in result.warnings], [audience.AUDIENCE])

    def test_duplicate_nomination_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.nominate(self.world.member)
        self.assertIn("已被推荐或已录取", " ".join(caught.exception.messages))
        with self.assertRaises(ValidationError):
            self.nominate(self.d.wang, self.d.wang)
        self.assertEqual(self.live(), 1)

    def test_class_not_published_takes_no_nominations(self) -> None:
        TrainingClass.objects.filter(pk=self.d.training_class.pk).update(state="draft")
        with self.assertRaises(ValidationError):
            self.nominate(self.d.wang)

    # -- decisions -----------------------------------------------------------------------------

    def test_accept_enrols_and_notifies_the_member(self) -> None:
        enrolment = self.nominate(self.d.wang).enrolments[0]
        self.assertFalse(Notification.objects.filter(recipient=self.d.wang_user).exists())
        services.enrolment_accept(actor=self.organiser, enrolment=enrolment)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.state, Enrolment.State.ACCEPTED)
        self.assertEqual(enrolment.decided_by, self.organiser)
        note = Notification.objects.get(recipient=self.d.wang_user)
        self.assertIn(self.d.training_class.title, note.title)
        self.assertEqual(note.url, f"/training/{self.d.training_class.pk}/")
        self.assertIn(f"/training/{self.d.training_class.pk}/notice/", note.body)

    def test_only_the_organiser_decides(self) -> None:
        enrolment = self.nominate(self.d.wang).enrolments[0]
        with self.assertRaises(PermissionDenied):
            services.enrolment_accept(actor=self.secretary, enrolment=enrolment)
        with self.assertRaises(PermissionDenied):
            services.enrolment_accept(actor=self.user("viewer"), enrolment=enrolment)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.state, Enrolment.State.NOMINATED)

    def test_return_needs_a_reason_then_the_unit_resubmits(self) -> None:
        enrolment = self.nominate(self.d.wang).enrolments[0]
        with self.assertRaises(ValidationError) as caught:
            services.enrolment_return(actor=self.organiser, enrolment=enrolment, reason="  ")
        self.assertIn("reason", caught.exception.message_dict)
        enrolment.refresh_from_db()
        self.assertEqual(enrolment.state, Enrolment.State.NOMINATED)
        services.enrolment_return(actor=self.organiser, enrolment=enrolment, reason="不符合条件")
        enrolment.refresh_from_db()
        self.assertEqual((enrolment.state, enrolment.reason), ("returned", "不符合条件"))
        self.assertEqual(self.live(self.d.quota), 1, "a returned nomination frees its place")
        # The nominating secretary is told why.
        told = Notification.objects.get(recipient=self.secretary)
        self.assertEqual(told.body, "不符合条件")
        with self.assertRaises(PermissionDenied):
            services.enrolment_resubmit(actor=self.user("other_secretary"), enrolment=enrolment)
        services.enrolment_resubmit(actor=self.secretary, enrolment=enrolment)
        enrolment.refresh_from_db()
        self.assertEqual((enrolment.state, enrolment.reason), ("nominated", ""))
        self.assertEqual(self.live(self.d.quota), 2)
        with self.assertRaises(ValidationError):
            services.enrolment_resubmit(actor=self.secretary, enrolment=enrolment)

    def test_resubmit_is_refused_when_the_member_was_nominated_again(self) -> None:
        enrolment = self.nominate(self.d.wang).enrolments[0]
        services.enrolment_return(actor=self.organiser, enrolment=enrolment, reason="材料不全")
        self.nominate(self.d.wang)  # a new row: only one live row per member and class
        with self.assertRaises(ValidationError):
            services.enrolment_resubmit(actor=self.secretary, enrolment=enrolment)
        self.assertEqual(Enrolment.objects.active().filter(member=self.d.wang).count(), 1)

    def test_named_dispatch_is_the_organisers(self) -> None:
        with self.assertRaises(PermissionDenied):
            services.enrolment_name(
                actor=self.secretary, training_class=self.d.training_class, members=[self.d.wang]
            )
        far = self.world.far_member
        result = services.enrolment_name(
            actor=self.organiser, training_class=self.d.training_class, members=[far]
        )
        self.assertEqual(result.enrolments[0].member, far)
        # 孙丽 has no account: nothing to send, and nothing fails.
        self.assertFalse(
            Notification.objects.filter(
                dedupe_key=f"enrolment:{result.enrolments[0].pk}:enrolled"
            ).exists()
        )
        result = services.enrolment_name(
            actor=self.organiser, training_class=self.d.training_class, members=[self.d.chen]
        )
        self.assertTrue(Notification.objects.filter(recipient=self.d.chen_user).exists())

    def test_naming_for_a_class_that_has_ended_tells_nobody(self) -> None:
        """A class of years ago entered after the fact: its trainees are not told they are
        dispatched to it."""
        ended = timezone.localdate() - dt.timedelta(days=400)
        past = make_class(self.world, title="往年培训班", starts_on=ended, ends_on=ended)
        before = Notification.objects.count()
        result = services.enrolment_name(
            actor=self.organiser, training_class=past, members=[self.d.chen]
        )
        self.assertEqual(len(result.enrolments), 1)
        self.assertEqual(Notification.objects.count(), before)

    # -- substitution and withdrawal -----------------------------------------------------------

    def test_substitution_keeps_the_quota_count(self) -> None:
        before = self.live(self.d.quota)
        with self.assertRaises(ValidationError) as caught:
            services.enrolment_substitute(
                actor=self.organiser, enrolment=self.d.enrolled, member=self.d.wang, reason=""
            )
        self.assertIn("reason", caught.exception.message_dict)
        with self.assertRaises(ValidationError):
            services.enrolment_substitute(
                actor=self.organiser, enrolment=self.d.enrolled, member=self.d.qian, reason="出差"
            )
        with self.assertRaises(ValidationError):
            services.enrolment_substitute(
                actor=self.organiser,
                enrolment=self.d.enrolled,
                member=self.world.other_member,
                reason="出差",
            )
        with self.assertRaises(PermissionDenied):
            services.enrolment_substitute(
                actor=self.secretary, enrolment=self.d.enrolled, member=self.d.wang, reason="出差"
            )
        result = services.enrolment_substitute(
            actor=self.organiser, enrolment=self.d.enrolled, member=self.d.wang, reason="出差"
        )
        new = result.enrolments[0]
        old = Enrolment.objects.get(pk=self.d.enrolled.pk)
        self.assertEqual(old.state, Enrolment.State.REPLACED)
        self.assertEqual(
            (new.state, new.route, new.quota, new.replaces),
            ("accepted", "substitute", self.d.quota, old),
        )
        self.assertEqual(self.live(self.d.quota), before)
        self.assertTrue(Notification.objects.filter(recipient=self.d.wang_user).exists())
        self.assertTrue(Notification.objects.filter(recipient=self.user("member")).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="training.substitute").exists())

    def test_withdrawal_frees_a_place(self) -> None:
        self.nominate(self.d.wang, self.d.chen)  # 3 of 3
        extra = make_member(self.world.branch, "吴九")
        with self.assertRaises(ValidationError):
            self.nominate(extra)
        with self.assertRaises(ValidationError):
            services.enrolment_withdraw(actor=self.organiser, enrolment=self.d.enrolled, reason="")
        services.enrolment_withdraw(
            actor=self.organiser, enrolment=self.d.enrolled, reason="请假超过规定"
        )
        self.assertEqual(Enrolment.objects.get(pk=self.d.enrolled.pk).state, "withdrawn")
        self.assertTrue(Notification.objects.filter(recipient=self.user("member")).exists())
        self.nominate(extra)
        self.assertEqual(self.live(self.d.quota), 3)

    def test_the_unit_withdraws_its_own_but_not_others(self) -> None:
        services.enrolment_withdraw(actor=self.secretary, enrolment=self.d.enrolled, reason="生病")
        named = services.enrolment_name(
            actor=self.organiser, training_class=self.d.training_class, members=[self.d.chen]
        ).enrolments[0]
        with self.assertRaises(PermissionDenied):
            services.enrolment_withdraw(actor=self.secretary, enrolment=named, reason="生病")

    def test_roster_confirmation_is_cleared_when_the_roster_changes(self) -> None:
        TrainingClass.objects.filter(pk=self.d.training_class.pk).update(
            roster_confirmed_at=timezone.now()
        )
        enrolment = self.nominate(self.d.wang).enrolments[0]
        tc = TrainingClass.objects.get(pk=self.d.training_class.pk)
        self.assertIsNotNone(tc.roster_confirmed_at, "a nomination changes nobody's place yet")
        services.enrolment_accept(actor=self.organiser, enrolment=enrolment)
        tc.refresh_from_db()
        self.assertIsNone(tc.roster_confirmed_at)

    # -- places --------------------------------------------------------------------------------

    def test_quota_set_checks_capacity_subtree_and_places_taken(self) -> None:
        tc = self.d.training_class
        quota = services.quota_set(
            actor=self.organiser, training_class=tc, org=self.world.other_branch, places=3
        )
        self.assertEqual(quota.places, 3)
        with self.assertRaises(ValidationError) as caught:
            services.quota_set(
                actor=self.organiser, training_class=tc, org=self.world.far_branch, places=1
            )
        self.assertIn("places", caught.exception.message_dict)
        with self.assertRaises(ValidationError):
            services.quota_set(
                actor=self.organiser, training_class=tc, org=self.world.root, places=1
            )
        with self.assertRaises(ValidationError):
            services.quota_set(
                actor=self.organiser, training_class=tc, org=self.world.branch, places=0
            )
        self.nominate(self.d.wang)
        with self.assertRaises(ValidationError) as caught:
            services.quota_set(
                actor=self.organiser, training_class=tc, org=self.world.branch, places=1
            )
        self.assertIn("已占用2个名额", " ".join(caught.exception.messages))
        self.assertEqual(Quota.objects.get(pk=self.d.quota.pk).places, 3)
        with self.assertRaises(PermissionDenied):
            services.quota_set(
                actor=self.secretary, training_class=tc, org=self.world.branch, places=5
            )
        branch_class = make_class(self.world, org=self.world.unit, audience_org=self.world.unit)
        with self.assertRaises(ValidationError):
            services.quota_set(
                actor=self.organiser,
                training_class=branch_class,
                org=self.world.far_branch,
                places=1,
            )

    def test_quota_remove(self) -> None:
        quota = services.quota_set(
            actor=self.organiser,
            training_class=self.d.training_class,
            org=self.world.other_branch,
            places=2,
        )
        with self.assertRaises(ValidationError):
            services.quota_remove(actor=self.organiser, quota=self.d.quota)
        services.quota_remove(actor=self.organiser, quota=quota)
        self.assertFalse(Quota.objects.filter(pk=quota.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="training.quota_remove").exists())


class AudienceWarningTests(DispatchTestCase):
    def setUp(self) -> None:
        translation.activate("zh-hans")
        self.addCleanup(translation.deactivate)

    def test_member_fits_audience(self) -> None:
        tc = self.d.training_class
        self.assertTrue(audience.member_fits_audience(tc, self.d.wang))
        self.assertFalse(audience.member_fits_audience(tc, self.d.qian))
        tc.audience_positions = ["secretary"]
        self.assertTrue(audience.member_fits_audience(tc, self.world.secretary_member))
        self.assertFalse(audience.member_fits_audience(tc, self.d.wang))
        tc.audience_org = self.world.far_unit
        self.assertIn(
            "不在测试委党委及其下级组织",
            audience.audience_reasons(tc, self.world.secretary_member),
        )

    def test_repeat_training_from_another_class_and_from_the_ledger(self) -> None:
        other = make_class(self.world, title="党的创新理论专题班")
        Enrolment.objects.create(
            training_class=other,
            member=self.d.wang,
            route="named",
            state="accepted",
        )
        entry_record(
            actor=self.user("org_admin"),
            members=[self.d.chen],
            on=timezone.localdate(),
            hours=8,
            kind="concentrated_training",
            topic="innovation_theory",
            concentrated=True,
            title="理论学习班",
        )
        result = services.enrolment_nominate(
            actor=self.user("secretary"),
            training_class=self.d.training_class,
            quota=self.d.quota,
            members=[self.d.wang, self.d.chen],
        )
        by_member = {w.member_id: w for w in result.warnings}
        self.assertEqual(by_member[self.d.wang.pk].code, audience.REPEAT)
        self.assertIn("党的创新理论专题班", by_member[self.d.wang.pk].message)
        self.assertIn("重复培训", by_member[self.d.chen.pk].message)

    def test_a_branch_study_flagged_concentrated_is_no_repeat_training(self) -> None:
        entry_record(
            actor=self.user("org_admin"),
            members=[self.d.chen],
            on=timezone.localdate(),
            hours=2,
            kind="three_meetings",
            topic="innovation_theory",
            concentrated=True,
            title="支部集中学习",
        )
        self.assertEqual(audience.repeat_training(self.d.training_class, [self.d.chen.pk]), {})

    def test_members_without_concentrated_training(self) -> None:
        year = timezone.localdate().year
        entry_record(
            actor=self.user("org_admin"),
            members=[self.d.chen],
            on=timezone.localdate(),
            hours=8,
            kind="concentrated_training",
            concentrated=True,
            title="集中培训",
        )
        names = set(
            audience.members_without_concentrated_training(self.world.branch, year).values_list(
                "name", flat=True
            )
        )
        self.assertIn("王五", names)
        self.assertIn("李明", names)
        self.assertNotIn("陈六", names, "trained this year")
        self.assertNotIn("周八", names, "exempt members are left out")
        self.assertNotIn("赵强", names, "another branch")

    def test_exempt_member_is_warned(self) -> None:
        warnings = audience.nomination_warnings(self.d.training_class, [self.d.zhou])
        self.assertEqual([w.code for w in warnings[self.d.zhou.pk]], [audience.EXEMPT])
