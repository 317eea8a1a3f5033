"""The 调训情况通报's class, shared by its selector, page and API tests (no tests here).

A class of the world's root, 2025-05-10 to 05-11, two sessions of 4 hours (both ended), closed
on 2025-05-12. Places: 第一党支部 3, 第二党支部 2. Enrolments:

    unit        member   route      state       attendance          credited   counted as
    第一党支部  李明     nominated  accepted    present, present    8          attended, completed
    第一党支部  王芳     nominated  accepted    present, absent     4          attended, completed
    第一党支部  陈静     nominated  nominated   —                   —          nominated only
    第一党支部  钱七     nominated  returned    —                   —          not counted
    第二党支部  赵强     nominated  accepted    leave, leave        —          did not come (on leave)
    第二党支部  周八     nominated  withdrawn   —                   —          did not come (withdrawn: 出差)
    测试委党委  孙丽     named      accepted    —                   —          did not come (absent)

孙丽 of 第三党支部 has no places: she counts under 测试委党委, the org below the organiser that
holds her branch. Expected per unit (places, nominated, named, attended, completed, absent):
    第一党支部 3, 3, 0, 2, 2, 0;  第二党支部 2, 2, 0, 0, 0, 2;  测试委党委 0, 1, 1, 0, 0, 1;
    total 5, 6, 1, 2, 2, 3.
For the year 2025 of the root, a second class of 第一党支部 (no sessions yet, 李明 named without
places) adds one nominated and one named to 第一党支部; a cancelled class adds nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from peixun.events.models import Attendance, Event
from peixun.hours.models import CreditEntry
from peixun.hours.services import entry_record
from peixun.testing import World, make_member
from peixun.training.models import Enrolment, Quota, Session, TrainingClass

YEAR = 2025
E = Enrolment.State
R = Enrolment.Route


@dataclass
class CircularFixture:
    training_class: TrainingClass
    second: TrainingClass
    cancelled: TrainingClass


def _class(world: World, org, title: str, state: str, **fields) -> TrainingClass:  # type: ignore[no-untyped-def]
    return TrainingClass.objects.create(
        org=org,
        title=title,
        kind="rotation",
        full_time=True,
        starts_on=fields.pop("starts_on", dt.date(YEAR, 5, 10)),
        ends_on=fields.pop("ends_on", dt.date(YEAR, 5, 11)),
        venue="县委党校",
        topic="innovation_theory",
        audience_org=org,
        capacity=20,
        state=state,
        **fields,
    )


def build_circular(world: World) -> CircularFixture:
    tc = _class(
        world,
        world.root,
        "2025年党员集中轮训班",
        TrainingClass.State.CLOSED,
        closed_on=dt.date(YEAR, 5, 12),
    )
    events = []
    for day in (10, 11):
        start = timezone.make_aware(dt.datetime(YEAR, 5, day, 9))  # noqa: DTZ001 (made aware)
        event = Event.objects.create(
            category=Event.Category.SESSION,
            org=world.root,
            title=f"第{day - 9}讲",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
            hours=Decimal(4),
            state=Event.State.CLOSED,
        )
        Session.objects.create(training_class=tc, event=event, type="lecture")
        events.append(event)
    branch = Quota.objects.create(training_class=tc, org=world.branch, places=3)
    other = Quota.objects.create(training_class=tc, org=world.other_branch, places=2)
    chen = make_member(world.branch, "陈静", mobile="13800000031")
    qian = make_member(world.branch, "钱七", mobile="13800000032")
    zhou = make_member(world.other_branch, "周八", mobile="13800000033")
    rows = [
        (world.member, branch, R.NOMINATED, E.ACCEPTED, ""),
        (world.secretary_member, branch, R.NOMINATED, E.ACCEPTED, ""),
        (chen, branch, R.NOMINATED, E.NOMINATED, ""),
        (qian, branch, R.NOMINATED, E.RETURNED, "不符合条件"),
        (world.other_member, other, R.NOMINATED, E.ACCEPTED, ""),
        (zhou, other, R.NOMINATED, E.WITHDRAWN, "出差"),
        (world.far_member, None, R.NAMED, E.ACCEPTED, ""),
    ]
    for member, quota, route, state, reason in rows:
        Enrolment.objects.create(
            training_class=tc, member=member, quota=quota, route=route, state=state, reason=reason
        )
    S = Attendance.Status
    marks = [
        (world.member, [S.PRESENT, S.PRESENT]),
        (world.secretary_member, [S.PRESENT, S.ABSENT]),
        (world.other_member, [S.LEAVE, S.LEAVE]),
    ]
    for member, statuses in marks:
        for event, status in zip(events, statuses, strict=True):
            Attendance.objects.create(event=event, member=member, status=status, method="manual")
    admin = world.users["org_admin"]
    for member, event in [
        (world.member, events[0]),
        (world.member, events[1]),
        (world.secretary_member, events[0]),
    ]:
        entry_record(
            actor=admin,
            members=[member],
            on=dt.date(YEAR, 5, 10),
            hours="4",
            kind="concentrated_training",
            title=event.title,
            concentrated=True,
            source=CreditEntry.Source.EVENT,
            reference=event.ledger_reference,
        )
    second = _class(
        world,
        world.branch,
        "支部专题学习班",
        TrainingClass.State.PUBLISHED,
        starts_on=dt.date(YEAR, 9, 1),
        ends_on=dt.date(YEAR, 9, 1),
    )
    Enrolment.objects.create(
        training_class=second, member=world.member, route=R.NAMED, state=E.ACCEPTED
    )
    cancelled = _class(world, world.root, "已取消的班", TrainingClass.State.CANCELLED)
    Quota.objects.create(training_class=cancelled, org=world.branch, places=9)
    return CircularFixture(tc, second, cancelled)
