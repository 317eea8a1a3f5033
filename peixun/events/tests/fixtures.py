"""Fixture builders for tests that need a class session with expected members.

Written straight to the tables (fixtures, not a substitute for services): a published
TrainingClass organised by the world's root, a Session whose Event is open for sign-in now, and
accepted Enrolments. The "session" resolver (registered in training's AppConfig.ready) then makes
the enrolled members expected at the event.

    fx = class_session(world)                      # 李明 (world.member) and 陈静 expected
    fx = class_session(world, starts_in=-180, minutes=120)   # ended an hour ago: closable
    late = add_session(fx.training_class, starts_in=60)       # a second session of the class

Persona consequences of the default (organiser = root, expected members in 第一党支部):
org_admin manages it; viewer sees it (403 on managing); secretary and other_secretary do not see
the event (404) — the secretary of 第一党支部 still decides 李明's leave; the member sees it
because they are expected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peixun.events.models import Event
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.testing import World, make_member
from peixun.training.models import ClassKind, Enrolment, Session, SessionType, TrainingClass


@dataclass
class SessionFixture:
    training_class: TrainingClass
    session: Session
    event: Event
    members: list[Member] = field(default_factory=list)


def make_class(
    org: Organization,
    *,
    title: str = "测试专题培训班",
    audience_org: Organization | None = None,
    full_time: bool = False,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    state: str = TrainingClass.State.PUBLISHED,
    **fields: Any,
) -> TrainingClass:
    today = timezone.localdate()
    return TrainingClass.objects.create(
        org=org,
        title=title,
        kind=fields.pop("kind", ClassKind.SPECIAL),
        full_time=full_time,
        starts_on=starts_on or today - dt.timedelta(days=1),
        ends_on=ends_on or today + dt.timedelta(days=1),
        topic=fields.pop("topic", Topic.INNOVATION_THEORY),
        audience_org=audience_org or org,
        capacity=fields.pop("capacity", 50),
        state=state,
        **fields,
    )


def add_session(
    training_class: TrainingClass,
    *,
    starts_in: int = -30,
    minutes: int = 120,
    hours: Decimal | str = "3",
    title: str = "",
    topic: str = Topic.INNOVATION_THEORY,
    signout_required: bool = False,
    type: str = SessionType.LECTURE,
    teacher: str = "张教授",
) -> Session:
    """A session starting `starts_in` minutes from now (negative: already started) and lasting
    `minutes`, organised by the class's organiser."""
    starts = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=starts_in)
    event = Event.objects.create(
        category=Event.Category.SESSION,
        org=training_class.org,
        title=title or f"{training_class.title}：专题讲座",
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=minutes),
        place="党校报告厅",
        hours=Decimal(str(hours)),
        topic=topic,
        concentrated=True,
        signout_required=signout_required,
    )
    return Session.objects.create(
        training_class=training_class, event=event, type=type, teacher=teacher
    )


def enrol(training_class: TrainingClass, *members: Member) -> list[Enrolment]:
    """Accepted enrolments (named by the organiser) for `members`."""
    return [
        Enrolment.objects.create(
            training_class=training_class,
            member=member,
            route=Enrolment.Route.NAMED,
            state=Enrolment.State.ACCEPTED,
        )
        for member in members
    ]


def class_session(
    world: World,
    *,
    org: Organization | None = None,
    members: list[Member] | None = None,
    starts_in: int = -30,
    minutes: int = 120,
    hours: Decimal | str = "3",
    signout_required: bool = False,
    full_time: bool = False,
) -> SessionFixture:
    """A class of `org` (default: the world's root) with one session and enrolled `members`
    (default: 李明 and a new member 陈静 of 第一党支部, who has no login)."""
    if members is None:
        members = [world.member, make_member(world.branch, "陈静", mobile="13800000009")]
    training_class = make_class(org or world.root, full_time=full_time)
    session = add_session(
        training_class,
        starts_in=starts_in,
        minutes=minutes,
        hours=hours,
        signout_required=signout_required,
    )
    enrol(training_class, *members)
    return SessionFixture(training_class, session, session.event, list(members))
