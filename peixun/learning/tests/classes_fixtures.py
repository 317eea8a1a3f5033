"""Fixtures of the staff side: courses written straight to the tables (the course services are
tested beside them), an online class through its services, and members' progress rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from peixun.accounts.models import User
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.testing import World, make_member, make_user

from ..models import Completion, Course, CourseItem, ItemKind, ItemProgress, OnlineClass
from ..services.classes import online_class_create, online_class_publish, online_class_set_courses


def make_course(org: Organization, title: str, *, published: bool = True) -> Course:
    course = Course.objects.create(
        org=org,
        title=title,
        state=Course.State.PUBLISHED if published else Course.State.DRAFT,
    )
    CourseItem.objects.create(
        course=course, kind=ItemKind.VIDEO, title=f"{title}（视频）", duration_seconds=600
    )
    return course


def complete(member: Member, course: Course) -> Completion:
    return Completion.objects.create(
        member=member,
        course=course,
        org=member.org,
        completed_at=timezone.now(),
        unique_seconds=600,
        video_seconds=600,
        hours=Decimal("0.25"),
    )


def start(member: Member, course: Course, seconds: int = 120) -> ItemProgress:
    item = course.items.first()
    assert item is not None
    return ItemProgress.objects.create(
        member=member,
        item=item,
        org=member.org,
        intervals=[[0, seconds]],
        unique_seconds=seconds,
        position=seconds,
    )


@dataclass
class ClassStory:
    """The unit's 网络专题班 for its subtree: required A and B, electives C and D (one needed).

    - 李明 (第一党支部) completed A, B and C: completed;
    - 王芳 (第一党支部, the secretary) watched part of A: in progress;
    - 周涛 (第一党支部, has a login) and 赵强 (第二党支部): not started;
    - 吴敏 (第一党支部) is exempt (Art. 23) and 陈新 (第一党支部) an activist: outside the audience;
    - 孙丽 (第三党支部, another unit) is outside the audience org.
    """

    online_class: OnlineClass
    courses: dict[str, Course]
    zhou: Member
    zhou_user: User


def class_story(world: World, *, publish: bool = True) -> ClassStory:
    admin = world.users["org_admin"]
    courses = {name: make_course(world.root, f"课程{name}") for name in "ABCD"}
    today = timezone.localdate()
    online_class = online_class_create(
        actor=admin,
        org=world.unit,
        data={
            "title": "学习贯彻党的二十届三中全会精神网络专题班",
            "year": today.year,
            "starts_on": today - dt.timedelta(days=10),
            "ends_on": today + dt.timedelta(days=20),
            "audience_statuses": [Member.Status.FULL, Member.Status.PROBATIONARY],
            "elective_minimum": 1,
        },
    )
    online_class_set_courses(
        actor=admin,
        online_class=online_class,
        required=[courses["A"], courses["B"]],
        electives=[courses["C"], courses["D"]],
    )
    if publish:
        online_class = online_class_publish(actor=admin, online_class=online_class)
    zhou = make_member(world.branch, "周涛", mobile="13800000011")
    zhou_user = make_user("zhou", member=zhou)
    make_member(world.branch, "吴敏", exempt_reason=Member.ExemptReason.ELDERLY)
    make_member(world.branch, "陈新", status=Member.Status.ACTIVIST)
    for name in "ABC":
        complete(world.member, courses[name])
    start(world.secretary_member, courses["A"])
    # 孙丽 studies too, but her unit is not the class's audience: she never counts.
    complete(world.far_member, courses["A"])
    return ClassStory(online_class, courses, zhou, zhou_user)
