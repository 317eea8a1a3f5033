"""青年理论学习小组: the services (members from several branches, leaving keeps the row), a
group meeting expecting the group's members and crediting those present on closing, the hours
figure computed by hand, the member's own view, the pages and the API for every persona."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.events.registry import expected_member_ids
from peixun.events.services import attendance_mark
from peixun.hours.models import CreditEntry
from peixun.orglife.models import Meeting, MeetingCreditRule, StudyGroup, StudyGroupMember
from peixun.orglife.selectors import member_meetings
from peixun.orglife.selectors.groups import (
    member_study_groups,
    study_group_hours,
    study_group_list,
)
from peixun.orglife.services import groups as services
from peixun.orglife.services.meetings import meeting_close, meeting_reopen
from peixun.testing import PersonaTestCase, make_member

from .test_meetings_fixtures import body, error_fields, record

LIST_PAGE = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}


def long_ago() -> dt.date:
    return timezone.localdate().replace(month=1, day=1) - dt.timedelta(days=30)


class GroupTestCase(PersonaTestCase):
    def group(self, **overrides: object) -> StudyGroup:
        """A group kept by the unit, with a member of each of its two branches."""
        w = self.world
        admin = self.user("org_admin")
        group = services.study_group_create(actor=admin, org=w.unit, name="青年理论学习小组")
        for member in (w.member, w.other_member):
            services.study_group_member_add(
                actor=admin, group=group, member=member, joined_on=long_ago()
            )
        return group


class GroupServiceTests(GroupTestCase):
    def test_members_come_from_several_branches_of_the_keeper(self) -> None:
        w = self.world
        group = self.group()
        self.assertEqual(
            set(group.memberships.values_list("member__org", flat=True)),
            {w.branch.pk, w.other_branch.pk},
        )
        with self.assertRaises(ValidationError) as caught:
            services.study_group_member_add(
                actor=self.user("org_admin"), group=group, member=w.far_member
            )
        self.assertIn("member", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            services.study_group_member_add(
                actor=self.user("org_admin"), group=group, member=w.member
            )
        self.assertIn("member", caught.exception.message_dict)
        self.assertEqual(group.memberships.count(), 2)

    def test_a_branch_secretary_cannot_manage_the_unit_group(self) -> None:
        group = self.group()
        with self.assertRaises(PermissionDenied):
            services.study_group_member_add(
                actor=self.user("secretary"), group=group, member=self.world.secretary_member
            )
        with self.assertRaises(PermissionDenied):
            services.study_group_create(
                actor=self.user("viewer"), org=self.world.unit, name="另一个小组"
            )

    def test_bad_input_stores_nothing(self) -> None:
        admin = self.user("org_admin")
        self.group()
        for name in ("", "  ", "青年理论学习小组"):
            with self.assertRaises(ValidationError) as caught:
                services.study_group_create(actor=admin, org=self.world.unit, name=name)
            self.assertIn("name", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            services.study_group_create(
                actor=admin, org=self.world.branch, name="支部小组", leader=self.world.other_member
            )
        self.assertIn("leader", caught.exception.message_dict)
        self.assertEqual(StudyGroup.objects.count(), 1)

    def test_leaving_keeps_the_row_and_the_past_meetings_audience(self) -> None:
        w = self.world
        group = self.group()
        meeting = record(self.user("org_admin"), w.unit, "reading_class", study_group=group)
        row = group.memberships.get(member=w.other_member)
        services.study_group_member_remove(actor=self.user("org_admin"), membership=row)
        row.refresh_from_db()
        self.assertEqual(row.left_on, timezone.localdate())
        # The meeting two days ago still expects them; one tomorrow would not.
        self.assertIn(w.other_member.pk, set(expected_member_ids(meeting.event)))
        with self.assertRaises(ValidationError):
            services.study_group_member_remove(actor=self.user("org_admin"), membership=row)
        self.assertEqual(StudyGroupMember.objects.filter(group=group).count(), 2)


class GroupMeetingTests(GroupTestCase):
    def test_the_group_meeting_expects_the_group_and_credits_those_present(self) -> None:
        w = self.world
        admin = self.user("org_admin")
        group = self.group()
        MeetingCreditRule.objects.create(tenant=w.root, kind="reading_class", hours=Decimal(2))
        meeting = record(admin, w.unit, "reading_class", study_group=group)
        # The group's members, not the unit's Party members (王芳 of the first branch is not in it).
        self.assertEqual(set(expected_member_ids(meeting.event)), {w.member.pk, w.other_member.pk})
        attendance_mark(actor=admin, event=meeting.event, member=w.member, status="present")
        attendance_mark(actor=admin, event=meeting.event, member=w.other_member, status="present")
        meeting_close(actor=admin, meeting=meeting)
        credited = CreditEntry.objects.filter(reference=f"event:{meeting.event_id}")
        self.assertEqual(
            sorted(credited.values_list("member_id", "hours")),
            sorted([(w.member.pk, Decimal("2.00")), (w.other_member.pk, Decimal("2.00"))]),
        )
        year = meeting.event.starts_at.year
        # By hand: two members present, two hours each.
        self.assertEqual(study_group_hours(group, year), Decimal(4))
        meeting_reopen(actor=admin, meeting=meeting, reason="考勤有误")
        self.assertEqual(study_group_hours(group, year), Decimal(0))

    def test_the_list_counts_by_hand(self) -> None:
        w = self.world
        admin = self.user("org_admin")
        group = self.group()
        record(admin, w.unit, "reading_class", study_group=group)
        record(admin, w.unit, "expert_lecture", study_group=group)
        row = group.memberships.get(member=w.other_member)
        services.study_group_member_remove(actor=admin, membership=row)
        listed = study_group_list(admin).get(pk=group.pk)
        # 李明 still in (赵强 left today), two meetings this year (held two days ago).
        self.assertEqual((listed.member_count, listed.meeting_count), (1, 2))  # type: ignore[attr-defined]

    def test_the_member_sees_the_group_and_its_meetings(self) -> None:
        w = self.world
        group = self.group()
        meeting = record(self.user("org_admin"), w.unit, "reading_class", study_group=group)
        self.assertEqual(list(member_study_groups(w.other_member)), [group])
        self.assertIn(meeting, list(member_meetings(w.other_member)))
        self.assertNotIn(meeting, list(member_meetings(w.secretary_member)))
        page = self.client_for("member").get("/orglife/mine/")
        self.assertContains(page, "青年理论学习小组")
        self.assertContains(page, meeting.event.title)

    def test_a_group_meets_as_its_keeper_and_not_as_a_required_kind(self) -> None:
        w = self.world
        admin = self.user("org_admin")
        group = self.group()
        with self.assertRaises(ValidationError) as caught:
            record(admin, w.unit, "theme_day", study_group=group)
        self.assertIn("kind", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            record(admin, w.root, "reading_class", study_group=group)
        self.assertIn("org", caught.exception.message_dict)
        self.assertFalse(Meeting.objects.exists())


class GroupPageTests(GroupTestCase):
    def test_pages_for_every_persona(self) -> None:
        group = self.group()
        self.expect_personas("/orglife/groups/", LIST_PAGE)
        self.expect_personas("/orglife/groups/new/", {**LIST_PAGE, "viewer": 404})
        # A group kept by the unit is the unit's: its branches' secretaries do not see it.
        detail = {**LIST_PAGE, "secretary": 404, "other_secretary": 404}
        self.expect_personas(f"/orglife/groups/{group.pk}/", detail)
        managed = {**detail, "viewer": 403}
        self.expect_personas(f"/orglife/groups/{group.pk}/edit/", managed)
        self.expect_personas(f"/orglife/groups/{group.pk}/meetings/new/", managed)
        far = services.study_group_create(
            actor=self.user("org_admin"), org=self.world.far_unit, name="远方小组"
        )
        self.expect_personas(f"/orglife/groups/{far.pk}/", detail)
        own = services.study_group_create(
            actor=self.user("secretary"), org=self.world.branch, name="支部读书小组"
        )
        self.expect_personas(f"/orglife/groups/{own.pk}/", {**LIST_PAGE, "other_secretary": 404})
        self.expect_personas(
            f"/orglife/groups/{own.pk}/edit/",
            {**LIST_PAGE, "other_secretary": 404, "viewer": 403},
        )

    def test_create_add_and_schedule_from_the_pages(self) -> None:
        w = self.world
        client = self.client_for("org_admin")
        response = client.post(
            "/orglife/groups/new/", {"org": w.unit.pk, "name": "机关青年学习小组", "note": ""}
        )
        group = StudyGroup.objects.get()
        self.assertRedirects(response, f"/orglife/groups/{group.pk}/")
        url = f"/orglife/groups/{group.pk}/members/"
        day = long_ago().isoformat()
        for member in (w.member, w.other_member):
            response = client.post(url, {"join-member": member.pk, "join-joined_on": day})
            self.assertEqual(response.status_code, 302)
        response = client.post(url, {"join-member": w.far_member.pk, "join-joined_on": day})
        self.assertEqual(response.status_code, 200)  # not below the unit: a form error
        self.assertEqual(group.memberships.count(), 2)
        names = self.picked("org_admin", f"/orglife/groups/{group.pk}/", "join-member", "孙")
        self.assertEqual(names, [])
        start = timezone.localdate() + dt.timedelta(days=3)
        response = client.post(
            f"/orglife/groups/{group.pk}/meetings/new/",
            {
                "kind": "reading_class",
                "title": "学习新思想",
                "day": start.isoformat(),
                "start": "19:00",
                "end": "21:00",
                "place": "青年之家",
                "host": "李明",
                "topic": "other",
                "scheduled": "on",
            },
        )
        meeting = Meeting.objects.get()
        self.assertRedirects(response, f"/orglife/{meeting.pk}/")
        self.assertEqual(meeting.study_group, group)
        page = self.client_for("viewer").get(f"/orglife/groups/{group.pk}/")
        self.assertContains(page, "学习新思想")
        self.assertContains(page, "赵强")
        remove = group.memberships.get(member=w.other_member)
        response = client.post(f"/orglife/groups/{group.pk}/members/{remove.pk}/remove/")
        self.assertEqual(response.status_code, 302)
        remove.refresh_from_db()
        self.assertIsNotNone(remove.left_on)


class GroupApiTests(GroupTestCase):
    def test_list_create_and_members(self) -> None:
        w = self.world
        group = self.group()
        url = "/api/v1/orglife/groups"
        self.expect_personas(url, {**LIST_PAGE, "anonymous": 401, "member": 200})
        data = {"org": w.branch.pk, "name": "支部青年小组"}
        statuses = {
            "anonymous": 401,
            "member": 403,
            "secretary": 201,
            "other_secretary": 422,  # an org out of their sight: a field error
            "org_admin": 422,  # the secretary created it first: the name is taken
            "viewer": 403,
        }
        self.expect_personas(url, statuses, method="post", **body(data))
        self.assertEqual(StudyGroup.objects.count(), 2)
        members_url = f"/api/v1/orglife/groups/{group.pk}/members"
        self.expect_personas(
            members_url,
            {
                **LIST_PAGE,
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
            },
        )
        response = self.client_for("org_admin").post(
            members_url, **body({"member": w.far_member.pk})
        )
        self.assertEqual(response.status_code, 422)
        extra = make_member(w.other_branch, "周青")
        response = self.client_for("org_admin").post(members_url, **body({"member": extra.pk}))
        self.assertEqual(response.status_code, 201, response.content)
        listed = self.client_for("viewer").get(members_url).json()
        self.assertEqual(len(listed), 3)
        response = self.client_for("org_admin").post(
            f"/api/v1/orglife/groups/{group.pk}/members/{listed[0]['id']}/leave", **body({})
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            error_fields(
                self.client_for("org_admin").post(
                    f"/api/v1/orglife/groups/{group.pk}/members/{listed[0]['id']}/leave", **body({})
                )
            ),
            {"member"},
        )
