"""Builders for plan tests: a plan with items, written through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peixun.testing import World

from ..models import PlanItem, TrainingPlan
from ..services import item_add, plan_create

YEAR = 2026


def item_fields(world: World, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "content": "学习贯彻党的二十届四中全会精神专题轮训",
        "audience": "全体党员",
        "standard": "党员参训率达到95%以上",
        "responsible_org": world.branch,
        "deadline": dt.date(YEAR, 6, 30),
        "planned_classes": 1,
        "planned_meetings": 2,
        "planned_hours": "8",
        "planned_people": 2,
        "budget": "3000",
    }
    fields.update(overrides)
    return fields


def branch_plan(world: World, *, items: int = 1) -> tuple[TrainingPlan, list[PlanItem]]:
    secretary = world.users["secretary"]
    plan = plan_create(
        actor=secretary, org=world.branch, year=YEAR, title="第一党支部2026年党员教育培训计划"
    )
    made = [item_add(actor=secretary, plan=plan, **item_fields(world)) for _ in range(items)]
    return plan, made
