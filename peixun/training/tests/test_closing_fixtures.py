"""Fixture builders shared by the closing, make-up and 我的培训 tests (no tests here).

A full-time class of the world's root for members of 第一党支部, with four sessions that have
ended (4 + 4 + 4 + 2 = 14 hours) and three accepted trainees; `mark_all` records the attendance
below, `complete` confirms the roster and timetable and attaches the plan:

            第一讲 4h   第二讲 4h   第三讲 4h     第四讲 2h   credits (late full, early half)
    李明    present     late        left early    present     4 + 4 + 2 + 2 = 12
    陈静    present     absent      on leave      present     4 + 0 + 0 + 2 = 6
    周强    present     present     present       on leave    4 + 4 + 4 + 0 = 12

Persona consequences: org_admin manages the class, viewer reads it; secretary (第一党支部) and
member (李明) see it but do not read the organiser (403); other_secretary does not see it (404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.events.models import Attendance
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.members.models import Member
from peixun.testing import World, make_member
from peixun.training.models import Session, TrainingClass
from peixun.training.services.closing import (
    class_plan_attach,
    class_roster_confirm,
    class_timetable_confirm,
)

DAY = 24 * 60
PDF = b"%PDF-1.4\n% a tiny class plan\n"
S = Attendance.Status
PLAN = {
    "李明": [S.PRESENT, S.LATE, S.LEFT_EARLY, S.PRESENT],
    "陈静": [S.PRESENT, S.ABSENT, S.LEAVE, S.PRESENT],
    "周强": [S.PRESENT, S.PRESENT, S.PRESENT, S.LEAVE],
}


@dataclass
class Closable:
    training_class: TrainingClass
    sessions: list[Session]
    li: Member
    chen: Member
    zhou: Member
    members: list[Member] = field(default_factory=list)

    @property
    def year(self) -> int:
        return timezone.localtime(self.sessions[0].event.starts_at).year

    def by_name(self, name: str) -> Member:
        return {m.name: m for m in self.members}[name]


def plan_file(name: str = "培训方案.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def closable_class(
    world: World,
    *,
    title: str = "党员集中轮训班",
    full_time: bool = True,
    ended_days_ago: int = 1,
    chen: Member | None = None,
    zhou: Member | None = None,
) -> Closable:
    today = timezone.localdate()
    training_class = make_class(
        world.root,
        title=title,
        full_time=full_time,
        starts_on=today - dt.timedelta(days=ended_days_ago + 3),
        ends_on=today - dt.timedelta(days=ended_days_ago),
        audience_org=world.unit,
        venue="县委党校",
    )
    sessions = [
        add_session(
            training_class,
            starts_in=-(ended_days_ago + 3 - i) * DAY,
            minutes=180,
            hours=hours,
            title=name,
        )
        for i, (name, hours) in enumerate(
            [("第一讲", "4"), ("第二讲", "4"), ("第三讲", "4"), ("第四讲", "2")]
        )
    ]
    chen = chen or make_member(world.branch, "陈静", mobile="13800000019")
    zhou = zhou or make_member(world.branch, "周强", mobile="13800000029")
    members = [world.member, chen, zhou]
    enrol(training_class, *members)
    return Closable(training_class, sessions, world.member, chen, zhou, members)


def mark_all(c: Closable, *, skip: tuple[str, int] | None = None) -> None:
    """Record the attendance of the table above (straight to the table), leaving out `skip`
    (a name and a session index)."""
    for member in c.members:
        for index, status in enumerate(PLAN[member.name]):
            if skip == (member.name, index):
                continue
            Attendance.objects.create(
                event=c.sessions[index].event,
                member=member,
                status=status,
                method=Attendance.Method.MANUAL,
            )


def complete(c: Closable, actor: Actor, *, upload: bool = False) -> None:
    """Confirm the roster and timetable and attach a plan. Without `upload` the plan is only
    named (no file is written: class-level fixtures run outside the tests' media directory)."""
    class_roster_confirm(actor=actor, training_class=c.training_class)
    class_timetable_confirm(actor=actor, training_class=c.training_class)
    if upload:
        class_plan_attach(actor=actor, training_class=c.training_class, file=plan_file())
    else:
        TrainingClass.objects.filter(pk=c.training_class.pk).update(
            plan_document="training/plans/培训方案.pdf"
        )
    c.training_class.refresh_from_db()


def hours(value: str) -> Decimal:
    return Decimal(value)
