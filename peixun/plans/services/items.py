"""Plan items in the project-work form (项目工作法): every field checked at once, only while
the plan is a draft or returned; marking an item done is allowed at any time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ..models import PlanItem, TrainingPlan
from .common import ITEM_AUDIT, MAX_ITEMS, locked, require_editable


def _count(value: Any, field: str, errors: dict[str, str]) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Give a whole number, 0 or more.")
        return 0
    if number < 0:
        errors[field] = _("Give a whole number, 0 or more.")
    return number


def _amount(value: Any, field: str, errors: dict[str, str], places: int = 2) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors[field] = _("Give a number, 0 or more.")
        return Decimal(0)
    if not number.is_finite() or number < 0 or number >= Decimal(10) ** 9:
        errors[field] = _("Give a number, 0 or more.")
        return Decimal(0)
    return number.quantize(Decimal(1).scaleb(-places))


def clean_item_fields(plan: TrainingPlan, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of a plan item checked at once; all problems reported together."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    content = str(data.get("content") or "").strip()
    if not content:
        errors["content"] = _("Say what the item is.")
    elif len(content) > 300:
        errors["content"] = _("At most 300 characters.")
    clean["content"] = content
    for name, limit in (("audience", 200), ("standard", 300)):
        text = str(data.get(name) or "").strip()
        if len(text) > limit:
            errors[name] = _("At most %(n)s characters.") % {"n": limit}
        clean[name] = text
    responsible = data.get("responsible_org")
    if not isinstance(responsible, Organization):
        errors["responsible_org"] = _("Choose the responsible organization.")
    elif not responsible.path.startswith(plan.org.path):
        errors["responsible_org"] = _(
            "The responsible organization must be %(org)s or one below it."
        ) % {"org": plan.org.name}
    clean["responsible_org"] = responsible
    deadline = data.get("deadline")
    if not isinstance(deadline, dt.date):
        errors["deadline"] = _("Give the deadline as a date.")
    elif deadline.year != plan.year:
        errors["deadline"] = _("The deadline must fall within %(year)s.") % {"year": plan.year}
    clean["deadline"] = deadline
    for name in ("planned_classes", "planned_meetings", "planned_people"):
        clean[name] = _count(data.get(name), name, errors)
    clean["planned_hours"] = _amount(data.get("planned_hours"), "planned_hours", errors)
    clean["budget"] = _amount(data.get("budget"), "budget", errors)
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def item_add(*, actor: Actor, plan: TrainingPlan, **fields: Any) -> PlanItem:
    plan = locked(plan)
    require_manage(actor, plan.org)
    require_editable(plan)
    if plan.items.count() >= MAX_ITEMS:
        raise ValidationError({"plan": _("A plan holds at most %(n)s items.") % {"n": MAX_ITEMS}})
    clean = clean_item_fields(plan, fields)
    last = plan.items.order_by("-position").values_list("position", flat=True).first()
    item = PlanItem.objects.create(plan=plan, position=(last or 0) + 1, **clean)
    audit_record(
        actor=actor, verb="plan_item.add", obj=item, org=plan.org, after=snapshot(item, ITEM_AUDIT)
    )
    return item


@transaction.atomic
def item_update(*, actor: Actor, item: PlanItem, **fields: Any) -> PlanItem:
    plan = locked(item.plan)
    require_manage(actor, plan.org)
    require_editable(plan)
    item = PlanItem.objects.select_for_update().get(pk=item.pk, plan=plan)
    before = snapshot(item, ITEM_AUDIT)
    current = {name: getattr(item, name) for name in ITEM_AUDIT}
    clean = clean_item_fields(plan, {**current, **fields})
    for name, value in clean.items():
        setattr(item, name, value)
    item.save()
    audit_record(
        actor=actor,
        verb="plan_item.update",
        obj=item,
        org=plan.org,
        before=before,
        after=snapshot(item, ITEM_AUDIT),
    )
    return item


@transaction.atomic
def item_remove(*, actor: Actor, item: PlanItem) -> None:
    plan = locked(item.plan)
    require_manage(actor, plan.org)
    require_editable(plan)
    before = snapshot(item, ITEM_AUDIT)
    item_pk = item.pk
    if item.training_classes.exists() or item.meetings.exists():  # type: ignore[attr-defined]
        raise ValidationError(
            {"item": _("Classes or meetings are linked to this item; it cannot be removed.")}
        )
    item.delete()
    audit_record(
        actor=actor,
        verb="plan_item.remove",
        object_type="plans.planitem",
        object_id=str(item_pk),
        object_repr=before["content"],
        org=plan.org,
        before=before,
    )


@transaction.atomic
def item_mark_done(*, actor: Actor, item: PlanItem, done: bool = True) -> PlanItem:
    """Mark an item done (or not done again) by the plan's org: for work that no linked class or
    meeting records, such as a self-study assignment. A done item counts as 100% and is never
    overdue. Allowed in any state: it records delivery, not the plan's content."""
    plan = locked(item.plan)
    require_manage(actor, plan.org)
    item = PlanItem.objects.select_for_update().get(pk=item.pk, plan=plan)
    before = {"done_at": item.done_at.isoformat() if item.done_at else None}
    item.done_at = timezone.now() if done else None
    item.save(update_fields=["done_at"])
    audit_record(
        actor=actor,
        verb="plan_item.done" if done else "plan_item.undone",
        obj=item,
        org=plan.org,
        before=before,
        after={"done_at": item.done_at.isoformat() if item.done_at else None},
    )
    return item
