"""The demo's training plans for the current year, written through the plan services.

- the root's plan, approved by the platform admin (a tenant root files outside the system);
- each unit's plan: the first approved, then one returned with a reason, one not filed at all,
  one still a draft, the rest approved, so the filing overview shows every state;
- the demo branch's plan, filed by its secretary and waiting for the unit's decision;
- the closed demo class delivers the root plan's first item (plan versus actual has data).

Idempotent: nothing is written when the root already has a plan for the year.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization
from peixun.plans.models import TrainingPlan
from peixun.plans.services import item_add, plan_approve, plan_create, plan_return, plan_submit
from peixun.training.models import TrainingClass

ROOT_ITEMS = [
    # content, audience, standard, (month, day) deadline, classes, meetings, hours, people, budget
    (
        "学习贯彻党的二十届四中全会精神专题培训",
        "县直机关党员干部",
        "参训率达到95%以上",
        (6, 30),
        1,
        0,
        "32",
        60,
        "48000",
    ),
    (
        "基层党组织书记集中轮训",
        "各支部书记",
        "每名书记参训不少于56学时",
        (9, 30),
        2,
        0,
        "56",
        40,
        "36000",
    ),
    (
        "“三会一课”规范化建设",
        "各基层党组织",
        "全年主题党日12次、党课4次",
        (12, 31),
        0,
        16,
        "32",
        0,
        "0",
    ),
]
UNIT_ITEMS = [
    (
        "党员集中学习培训",
        "本单位全体党员",
        "每名党员集中学习不少于32学时",
        (11, 30),
        1,
        4,
        "32",
        0,
        "8000",
    ),
    ("支部书记讲党课", "本单位党员", "每季度一次", (12, 31), 0, 4, "8", 0, "0"),
]
BRANCH_ITEMS = [
    ("主题党日专题学习", "全体党员", "每月一次，参学率90%以上", (12, 31), 0, 12, "24", 0, "0"),
    ("书记讲党课", "全体党员", "每季度一次", (12, 31), 0, 4, "8", 0, "0"),
    ("送学上门", "年老体弱、行动不便党员", "不让一个党员掉队", (12, 31), 0, 0, "4", 0, "0"),
]


def _items(
    actor: Actor, plan: TrainingPlan, rows: list[tuple[Any, ...]], org: Organization
) -> None:
    for content, audience, standard, (month, day), classes, meetings, hours, people, budget in rows:
        item_add(
            actor=actor,
            plan=plan,
            content=content,
            audience=audience,
            standard=standard,
            responsible_org=org,
            deadline=dt.date(plan.year, month, day),
            planned_classes=classes,
            planned_meetings=meetings,
            planned_hours=hours,
            planned_people=people,
            budget=budget,
        )


def load_demo_plans(root: Organization) -> dict[str, int]:
    year = timezone.localdate().year
    if TrainingPlan.objects.filter(org=root, year=year).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    platform = User.objects.filter(grants__role=Grant.Role.PLATFORM_ADMIN).order_by("pk").first()
    if admin is None:
        return {}
    units = list(
        Organization.objects.get_children(root).filter(closed_on__isnull=True).order_by("path")
    )
    with transaction.atomic():
        plan = plan_create(
            actor=admin, org=root, year=year, title=f"{root.name}{year}年度党员教育培训工作计划"
        )
        _items(admin, plan, ROOT_ITEMS, root)
        plan_submit(actor=admin, plan=plan)
        if platform is not None:
            plan_approve(actor=platform, plan=plan)
        # The closed demo class delivers the first item (plan versus actual has something to show).
        first = plan.items.order_by("position").first()
        TrainingClass.objects.filter(
            org__path__startswith=root.path, state=TrainingClass.State.CLOSED
        ).update(plan_item=first)
        # The first unit approved, then one returned, one not filed, one still drafting; the
        # rest approved.
        roles = ["approved", "returned", "none", "draft"]
        for index, unit in enumerate(units):
            role = roles[index] if index < len(roles) else "approved"
            if role == "none":
                continue
            unit_plan = plan_create(
                actor=admin, org=unit, year=year, title=f"{unit.name}{year}年度党员教育培训计划"
            )
            _items(admin, unit_plan, UNIT_ITEMS, unit)
            if role == "draft":
                continue
            plan_submit(actor=admin, plan=unit_plan)
            if role == "returned":
                plan_return(
                    actor=admin, plan=unit_plan, reason="请按项目工作法细化达标要求和完成时限"
                )
            else:
                plan_approve(actor=admin, plan=unit_plan)
        branch_plan = _branch_plan(year)
    return {
        "plans": TrainingPlan.objects.filter(org__path__startswith=root.path, year=year).count(),
        "approved": TrainingPlan.objects.filter(
            org__path__startswith=root.path, year=year, state="approved"
        ).count(),
        "branch_plan_waiting": int(branch_plan is not None),
    }


def _branch_plan(year: int) -> TrainingPlan | None:
    grant = (
        Grant.objects.filter(user__username="secretary", role=Grant.Role.SECRETARY)
        .select_related("user", "org")
        .first()
    )
    if (
        grant is None
        or grant.org is None
        or TrainingPlan.objects.filter(org=grant.org, year=year).exists()
    ):
        return None
    plan = plan_create(
        actor=grant.user,
        org=grant.org,
        year=year,
        title=f"{grant.org.name}{year}年度党员教育培训计划",
    )
    _items(grant.user, plan, BRANCH_ITEMS, grant.org)
    return plan_submit(actor=grant.user, plan=plan)
