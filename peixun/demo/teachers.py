"""The demo's 师资库, written through the teacher services.

- the speakers the demo classes name (县委党校 王建国教授, 县发改局 刘明远, 县纪委监委 陈立, 县司法局
  赵敏) and a few dozen more: kept by the tenant root and open to the whole county, or kept by a
  unit for its own subtree; subjects and titles drawn from a seeded generator;
- two who left the pool (调离, 退休), so the filter has something to show;
- the demo classes' sessions that name one of them linked to their record (run after the
  training demo), so their pages have a teaching history;
- 王建国 signs in as the demo login "teacher" (an outside expert with no grant) to see his
  sessions, their rosters and his evaluation results.

Deterministic for a seed and fast (a few hundred queries). Idempotent: nothing is written when
the root already keeps teachers.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.orgs.models import Organization
from peixun.resources.models import Subject, Teacher, TeacherTitle
from peixun.resources.services.teachers import teacher_create, teacher_leave
from peixun.training.models import Session

from .generator import DEMO_PASSWORD
from .names import FEMALE_CHARS, MALE_CHARS

TEACHER_LOGIN = "teacher"

# name, unit, position, title, subjects: the speakers the demo's classes name.
NAMED: list[tuple[str, str, str, str, list[str]]] = [
    ("王建国", "县委党校", "教授", TeacherTitle.SENIOR, [Subject.PARTY_HISTORY, Subject.POLITICAL_THEORY]),
    ("刘明远", "县发展和改革局", "副局长", TeacherTitle.ASSOCIATE, [Subject.ECONOMY]),
    ("陈立", "县纪委监委", "室主任", TeacherTitle.INTERMEDIATE, [Subject.INTEGRITY, Subject.RULE_OF_LAW]),
    ("赵敏", "县司法局", "科长", TeacherTitle.INTERMEDIATE, [Subject.RULE_OF_LAW]),
]  # fmt: skip
UNITS = [
    ("县委党校", "讲师"), ("县委党校", "副教授"), ("县委宣传部", "科长"), ("县委党史研究室", "主任"),
    ("县农业农村局", "高级农艺师"), ("县人民医院", "主任医师"), ("县第一高级中学", "高级教师"),
    ("县科技局", "工程师"), ("县民政局", "科长"), ("县应急管理局", "副局长"),
    ("县革命历史纪念馆", "讲解员"), ("县社科联", "研究员"), ("县融媒体中心", "主任记者"),
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭"
TITLES = [TeacherTitle.SENIOR, TeacherTitle.ASSOCIATE, TeacherTitle.ASSOCIATE,
          TeacherTitle.INTERMEDIATE, TeacherTitle.INTERMEDIATE, TeacherTitle.NONE]  # fmt: skip
EXTRA = 32


def _admin(root: Organization) -> User | None:
    admins = User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
    return admins.filter(username="org_admin").first() or admins.order_by("pk").first()


def _name(rng: random.Random, taken: set[str]) -> str:
    while True:
        chars = MALE_CHARS if rng.random() < 0.6 else FEMALE_CHARS
        given = "".join(rng.choice(chars) for _ in range(rng.choice((1, 2))))
        name = rng.choice(SURNAMES) + given
        if name not in taken:
            taken.add(name)
            return name


def _link_sessions(root: Organization, teachers: list[Teacher]) -> int:
    """The demo classes' sessions whose speaker is one of `teachers` (by name in the text)
    become theirs. Written directly: most are of closed classes, which the session service
    rightly refuses to change; the text the class printed stays as it was."""
    linked = 0
    sessions = Session.objects.filter(
        training_class__org__path__startswith=root.path, pool_teacher__isnull=True
    ).exclude(teacher="")
    for teacher in teachers:
        ids = [s.pk for s in sessions if teacher.name in s.teacher]
        linked += Session.objects.filter(pk__in=ids).update(pool_teacher=teacher)
    return linked


@transaction.atomic
def fill_teachers(tenant: Organization, *, seed: int = 2024) -> dict[str, Any]:
    """The 师资库 of the tenant whose root is `tenant` (see the module's docstring)."""
    root = tenant
    if Teacher.objects.filter(org=root).exists():
        return {"skipped": "the root already keeps teachers"}
    admin = _admin(root)
    if admin is None:
        return {"skipped": "no org admin of the root"}
    rng = random.Random(seed)
    units = list(Organization.objects.get_children(root).filter(closed_on__isnull=True))
    named: list[Teacher] = []
    for name, unit, position, title, subjects in NAMED:
        named.append(
            teacher_create(
                actor=admin,
                org=root,
                data={
                    "name": name,
                    "unit": unit,
                    "position": position,
                    "title": title,
                    "subjects": subjects,
                    "open_to": root,
                    "bio": f"{unit}{position}，长期承担全县党员教育培训授课任务。",
                },
            )  # fmt: skip
        )
    taken = {t.name for t in named}
    extra: list[Teacher] = []
    for i in range(EXTRA):
        unit, position = rng.choice(UNITS)
        # Most are the county's (open to all); some a unit keeps for its own subtree.
        keeper = root if not units or i % 4 else units[i % len(units)]
        extra.append(
            teacher_create(
                actor=admin,
                org=keeper,
                data={
                    "name": _name(rng, taken),
                    "unit": unit,
                    "position": position,
                    "title": rng.choice(TITLES),
                    "subjects": rng.sample(list(Subject.values[:-1]), rng.choice((1, 1, 2, 3))),
                    "open_to": keeper,
                    "phone": f"139{rng.randrange(10**8):08d}",
                },
            )
        )
    today = timezone.localdate()
    teacher_leave(
        actor=admin, teacher=extra[1], reason="调离本县", left_on=today - dt.timedelta(days=90)
    )
    teacher_leave(
        actor=admin, teacher=extra[2], reason="退休", left_on=today - dt.timedelta(days=30)
    )
    linked = _link_sessions(root, named)
    login = User.objects.filter(username=TEACHER_LOGIN).first()
    if login is None:
        login = User.objects.create(
            username=TEACHER_LOGIN, first_name=named[0].name, password=make_password(DEMO_PASSWORD)
        )
    if not Teacher.objects.filter(user=login).exists():
        Teacher.objects.filter(pk=named[0].pk).update(user=login)
    return {"teachers": len(named) + len(extra), "left": 2, "sessions_linked": linked}
