"""Teachers and sessions for the 师资库's tests.

`branch_teacher` is kept by the first branch (open to it): its secretary manages it, the org
admin above reads and manages it, the viewer reads it, the other branch's secretary and a
member get 404. `county_teacher` is kept by the unit (局机关党委) and open to the whole tenant:
every staff persona reads it, the secretaries may not change it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.resources.models import Teacher
from peixun.resources.services.teachers import teacher_create
from peixun.testing import World
from peixun.training.models import Session, TrainingClass
from peixun.training.services.classes import class_create, session_add


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def add_teacher(actor: Actor, org: Any, name: str, **data: Any) -> Teacher:
    fields: dict[str, Any] = {
        "name": name,
        "unit": "县委党校",
        "position": "讲师",
        "title": "associate",
        "phone": "13900001111",
        "subjects": ["party_history"],
    }
    fields.update(data)
    return teacher_create(actor=actor, org=org, data=fields)


def make_class(actor: Actor, org: Any, title: str, starts_on: dt.date) -> TrainingClass:
    return class_create(
        actor=actor,
        org=org,
        title=title,
        kind="special",
        topic="innovation_theory",
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=2),
        capacity=30,
        venue="党校",
    )


def teach(
    actor: Actor,
    tc: TrainingClass,
    teacher: Teacher | None,
    *,
    day: int = 0,
    hours: int = 3,
    title: str = "党史专题",
) -> Session:
    when = tc.starts_on + dt.timedelta(days=day)
    return session_add(
        actor=actor,
        training_class=tc,
        title=title,
        starts_at=at(when, 9 if hours <= 3 else 8),
        ends_at=at(when, 12),
        hours=Decimal(hours),
        topic="party_history",
        type="lecture",
        pool_teacher_id=teacher.pk if teacher else None,
        teacher="" if teacher else "外请专家",
    )


def build(world: World) -> dict[str, Any]:
    admin = world.users["org_admin"]
    branch_teacher = add_teacher(
        world.users["secretary"], world.branch, "周老师", subjects=["party_history", "exemplars"]
    )
    county_teacher = add_teacher(
        admin, world.unit, "吴教授", open_to=world.root, title="senior", subjects=["economy"]
    )
    return {"branch_teacher": branch_teacher, "county_teacher": county_teacher}
