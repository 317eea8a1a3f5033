"""The demo's spending on record for the current year, written through the spending services.

- the root pays for the closed demo class (teachers, materials, the venue) from training funds,
  for the secretaries' rotation (a plan item) and the Party papers from Party dues on the
  working committee's decisions, and for an on-site teaching trip from other funds; one
  duplicate entry is voided with its reason;
- the first units spend Party dues on the 七一 visits to members in difficulty (their
  committee's decision) and training funds on study materials for their plan's first item;
- the demo branch spends Party dues on a theme Party day at a red education site (支委会
  decision, booked against one of its meetings) and other funds on study supplies.

Every date lies in the current year on or before today. Idempotent: nothing is written when
the tenant already has expenses.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.orglife.models import Meeting
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem
from peixun.spending.models import Expense, Fund
from peixun.spending.services import expense_record, expense_void
from peixun.training.models import TrainingClass


def _day(year: int, month: int, day: int, today: dt.date) -> dt.date:
    """The date asked for, or today when it has not come yet this year."""
    return min(dt.date(year, month, day), today)


def load_demo_spending(root: Organization) -> dict[str, int]:
    if Expense.objects.filter(org__path__startswith=root.path).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    if admin is None:
        return {}
    today = timezone.localdate()
    year = today.year

    def on(month: int, day: int) -> dt.date:
        return _day(year, month, day, today)

    closed = (
        TrainingClass.objects.filter(
            org__path__startswith=root.path, state=TrainingClass.State.CLOSED
        )
        .order_by("starts_on")
        .first()
    )
    root_items = list(
        PlanItem.objects.filter(plan__org=root, plan__year=year).order_by("position", "id")
    )
    units = list(
        Organization.objects.get_children(root).filter(closed_on__isnull=True).order_by("path")
    )
    committee = {
        "decision_body": "县直机关工委委员会议",
        "decision_on": on(3, 6),
        "decision_ref": f"县直机关工委会议纪要〔{year}〕3号",
    }
    with transaction.atomic():
        made: list[Expense] = []

        def spend(actor: Any, **fields: Any) -> Expense:
            made.append(expense_record(actor=actor, **fields))
            return made[-1]

        if closed is not None:
            when = min(closed.ends_on, today)
            for purpose, payee, amount in (
                ("专题辅导授课费（4讲）", "县委党校", "12000"),
                ("培训教材和学习资料", "新华书店县分店", "6800"),
                ("培训场地及设备租用", "县会议中心", "3500"),
            ):
                spend(
                    admin,
                    org=root,
                    spent_on=when,
                    amount=amount,
                    fund=Fund.TRAINING_FUNDS,
                    purpose=purpose,
                    payee=payee,
                    training_class=closed,
                )
        spend(
            admin,
            org=root,
            spent_on=on(3, 20),
            amount="9240",
            fund=Fund.PARTY_DUES,
            purpose="为各党支部订阅《求是》《党建》等党报党刊",
            payee="县邮政分公司",
            **committee,
        )
        if len(root_items) > 1:
            spend(
                admin,
                org=root,
                spent_on=on(9, 18),
                amount="18600",
                fund=Fund.PARTY_DUES,
                purpose="基层党组织书记集中轮训食宿费",
                payee="县委党校",
                plan_item=root_items[1],
                **committee,
            )
        spend(
            admin,
            org=root,
            spent_on=on(5, 22),
            amount="4200",
            fund=Fund.OTHER,
            purpose="赴红色教育基地现场教学包车费用",
            payee="县公交客运公司",
        )
        duplicate = spend(
            admin,
            org=root,
            spent_on=on(5, 22),
            amount="4200",
            fund=Fund.OTHER,
            purpose="赴红色教育基地现场教学包车费用",
            payee="县公交客运公司",
        )
        expense_void(actor=admin, expense=duplicate, reason="重复录入，同一张发票已登记")
        for index, unit in enumerate(units[:4]):
            spend(
                admin,
                org=unit,
                spent_on=on(6, 28),
                amount=str(2000 + 800 * index),
                fund=Fund.PARTY_DUES,
                purpose="“七一”走访慰问困难党员和老党员",
                decision_body="机关党委会",
                decision_on=on(6, 20),
                decision_ref=f"{unit.name}党委会会议记录〔{year}〕第6次",
            )
            item = (
                PlanItem.objects.filter(plan__org=unit, plan__year=year)
                .order_by("position", "id")
                .first()
            )
            spend(
                admin,
                org=unit,
                spent_on=on(4, 15),
                amount=str(1200 + 150 * index),
                fund=Fund.TRAINING_FUNDS,
                purpose="党员集中学习培训资料印制",
                payee="县机关印刷厂",
                plan_item=item,
            )
        branch = _demo_branch()
        if branch is not None:
            secretary, org = branch
            meeting = (
                Meeting.objects.filter(event__org=org, event__starts_at__date__lte=today)
                .order_by("-event__starts_at")
                .first()
            )
            when = timezone.localtime(meeting.event.starts_at).date() if meeting else on(7, 1)
            spend(
                secretary,
                org=org,
                spent_on=when,
                amount="860",
                fund=Fund.PARTY_DUES,
                purpose="主题党日赴革命纪念馆参观学习门票及讲解费",
                payee="县革命纪念馆",
                meeting=meeting,
                decision_body="支委会",
                decision_on=when - dt.timedelta(days=7),
                decision_ref="支委会会议记录",
            )
            spend(
                secretary,
                org=org,
                spent_on=on(2, 26),
                amount="326.50",
                fund=Fund.OTHER,
                purpose="学习笔记本和党员学习用品",
                payee="县文化用品商店",
            )
    return {"expenses": len(made), "voided": 1}


def _demo_branch() -> tuple[User, Organization] | None:
    grant = (
        Grant.objects.filter(user__username="secretary", role=Grant.Role.SECRETARY)
        .select_related("user", "org")
        .first()
    )
    if grant is None or grant.org is None:
        return None
    return grant.user, grant.org
