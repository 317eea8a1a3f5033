"""The dispatch tests' shared class: a published class organised by `world.root` with places for
`world.branch` only, so that the other branch's secretary cannot see it (404), the branch's
secretary nominates, the org admin (at the root) is the organiser and the viewer reads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from peixun.events.models import Event
from peixun.testing import PersonaTestCase, World, make_member, make_user
from peixun.training.models import Enrolment, Quota, Session, TrainingClass


def make_class(world: World, **fields: Any) -> TrainingClass:
    today = timezone.localdate()
    defaults: dict[str, Any] = {
        "org": world.root,
        "title": "全县党员集中轮训班",
        "kind": "rotation",
        "full_time": True,
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=3),
        "venue": "县委党校",
        "topic": "innovation_theory",
        "audience_org": world.root,
        "audience_statuses": ["full", "probationary"],
        "capacity": 6,
        "state": TrainingClass.State.PUBLISHED,
        "published_at": timezone.now(),
    }
    defaults.update(fields)
    training_class = TrainingClass.objects.create(**defaults)
    start = timezone.make_aware(dt.datetime.combine(training_class.starts_on, dt.time(9)))
    event = Event.objects.create(
        category=Event.Category.SESSION,
        org=training_class.org,
        title="学习贯彻党的创新理论",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        hours=Decimal(4),
        topic=training_class.topic,
        place=training_class.venue,
    )
    Session.objects.create(
        training_class=training_class, event=event, type="lecture", teacher="张教授"
    )
    return training_class


def build(world: World) -> SimpleNamespace:
    training_class = make_class(world)
    quota = Quota.objects.create(training_class=training_class, org=world.branch, places=3)
    wang = make_member(world.branch, "王五", mobile="13800000011")
    chen = make_member(world.branch, "陈六", mobile="13800000012")
    qian = make_member(world.branch, "钱七", status="candidate")
    zhou = make_member(world.branch, "周八", exempt_reason="elderly")
    enrolled = Enrolment.objects.create(
        training_class=training_class,
        member=world.member,
        quota=quota,
        route=Enrolment.Route.NOMINATED,
        state=Enrolment.State.ACCEPTED,
        decided_at=timezone.now(),
    )
    return SimpleNamespace(
        training_class=training_class,
        quota=quota,
        wang=wang,
        chen=chen,
        qian=qian,
        zhou=zhou,
        enrolled=enrolled,
        wang_user=make_user("wang", member=wang),
        chen_user=make_user("chen", member=chen),
    )


class DispatchTestCase(PersonaTestCase):
    d: SimpleNamespace

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.d = build(cls.world)
