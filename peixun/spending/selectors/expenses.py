"""The expense list (server-side filters), one expense and its attachments, and the candidates
the pickers of the expense form offer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from peixun.core.scoping import Actor, can_manage_org, get_visible_or_404, scope_of
from peixun.orglife.models import Meeting
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem
from peixun.training.models import TrainingClass

from ..models import Expense, ExpenseAttachment

AGAINST_CHOICES = ("class", "meeting", "plan_item", "none")


@dataclass(frozen=True)
class ExpenseFilter:
    """What the list is narrowed to; every part optional."""

    year: int | None = None
    fund: str = ""
    org: Organization | None = None  # the org and everything below it
    against: str = ""  # one of AGAINST_CHOICES, or "" for any
    q: str = ""  # in the purpose, the payee or the decision reference
    voided: bool = True  # voided rows listed (struck through) or left out

    @property
    def period(self) -> tuple[dt.date, dt.date] | None:
        if self.year is None:
            return None
        return dt.date(self.year, 1, 1), dt.date(self.year, 12, 31)


def expenses_visible(actor: Actor) -> QuerySet[Expense]:
    expenses: QuerySet[Expense] = Expense.objects.visible_to(actor)
    return expenses


def expense_list(actor: Actor, filters: ExpenseFilter) -> QuerySet[Expense]:
    """The expenses the actor sees that match `filters`, newest first, with what the list
    shows loaded."""
    expenses = expenses_visible(actor).select_related(
        "org", "training_class", "meeting__event", "plan_item"
    )
    if filters.period is not None:
        start, end = filters.period
        expenses = expenses.filter(spent_on__gte=start, spent_on__lte=end)
    if filters.fund:
        expenses = expenses.filter(fund=filters.fund)
    if filters.org is not None:
        expenses = expenses.filter(org__path__startswith=filters.org.path)
    if filters.against == "class":
        expenses = expenses.filter(training_class__isnull=False)
    elif filters.against == "meeting":
        expenses = expenses.filter(meeting__isnull=False)
    elif filters.against == "plan_item":
        expenses = expenses.filter(plan_item__isnull=False)
    elif filters.against == "none":
        expenses = expenses.filter(
            training_class__isnull=True, meeting__isnull=True, plan_item__isnull=True
        )
    if filters.q:
        expenses = expenses.filter(
            Q(purpose__icontains=filters.q)
            | Q(payee__icontains=filters.q)
            | Q(decision_ref__icontains=filters.q)
        )
    if not filters.voided:
        expenses = expenses.filter(voided_at__isnull=True)
    return expenses.order_by("-spent_on", "-id")


def expense_get(actor: Actor, pk: Any) -> Expense:
    expense = get_visible_or_404(actor, Expense, pk)
    found: Expense = Expense.objects.select_related(
        "org",
        "training_class",
        "meeting__event",
        "plan_item__plan",
        "decision_meeting__event",
        "recorded_by",
        "voided_by",
    ).get(pk=expense.pk)
    return found


def expense_attachments(expense: Expense) -> QuerySet[ExpenseAttachment]:
    return expense.attachments.select_related("uploaded_by").order_by("id")


def attachment_of_expense_or_404(expense: Expense, pk: Any) -> ExpenseAttachment:
    return get_object_or_404(ExpenseAttachment, pk=pk, expense=expense)


def expense_permissions(actor: Actor, expense: Expense) -> dict[str, bool]:
    manage = can_manage_org(actor, expense.org)
    return {"can_manage": manage, "can_change": manage and expense.voided_at is None}


def can_record(actor: Actor) -> bool:
    """Whether the actor may record expenses anywhere (secretaries, org admins)."""
    scope = scope_of(actor)
    return scope.platform or bool(scope.manage_paths)


def can_read(actor: Actor) -> bool:
    """Whether the actor reads spending at all (staff: secretaries, org admins, viewers)."""
    return scope_of(actor).is_staff_like


def recording_orgs(actor: Actor) -> QuerySet[Organization]:
    """Orgs whose expenses the actor may record: open ones they manage, shallowest first."""
    orgs: QuerySet[Organization] = (
        Organization.objects.manageable_by(actor).open().order_by("depth", "path")
    )
    return orgs


def reading_orgs(actor: Actor) -> QuerySet[Organization]:
    """Orgs whose spending the actor may read (the list's org filter), shallowest first."""
    scope = scope_of(actor)
    orgs: QuerySet[Organization] = Organization.objects.order_by("depth", "path")
    if scope.platform:
        return orgs
    cond = Q()
    for path in scope.read_paths:
        cond |= Q(path__startswith=path)
    return orgs.filter(cond) if cond else orgs.none()


def first_reading_org(actor: Actor) -> Organization | None:
    return reading_orgs(actor).first()


def sole_reading_org(actor: Actor) -> Organization | None:
    """The one org whose subtree is all the actor reads (their grant's), or None when they read
    several subtrees or everything (a platform admin)."""
    scope = scope_of(actor)
    if scope.platform or len(scope.read_paths) != 1:
        return None
    found: Organization | None = Organization.objects.filter(path=scope.read_paths[0]).first()
    return found


def class_candidates(actor: Actor) -> QuerySet[TrainingClass]:
    """Classes an expense may be booked against: those the actor sees, not cancelled."""
    visible: QuerySet[TrainingClass] = TrainingClass.objects.visible_to(actor)  # type: ignore[no-untyped-call]
    return visible.exclude(state=TrainingClass.State.CANCELLED).order_by("-starts_on", "-id")


def meeting_candidates(actor: Actor) -> QuerySet[Meeting]:
    return (
        Meeting.objects.visible_to(actor)
        .select_related("event")
        .order_by("-event__starts_at", "-id")
    )


def plan_item_candidates(actor: Actor) -> QuerySet[PlanItem]:
    return (
        PlanItem.objects.visible_to(actor)
        .select_related("plan__org")
        .order_by("-plan__year", "plan__org__path", "position", "id")
    )
