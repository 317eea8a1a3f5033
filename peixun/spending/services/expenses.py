"""Recording, correcting and voiding expenses: every field checked at once, all problems
reported together; permission first (the managers of the expense's org: the branch secretary
for their branch, the org admin for the subtree); audited. Nothing is ever deleted."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, scope_of
from peixun.orglife.models import Meeting
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem
from peixun.training.models import TrainingClass

from ..models import Expense, Fund

EXPENSE_AUDIT = [
    "org",
    "spent_on",
    "amount",
    "fund",
    "purpose",
    "payee",
    "training_class",
    "meeting",
    "plan_item",
    "decision_body",
    "decision_on",
    "decision_ref",
    "decision_meeting",
]
AGAINST = ("training_class", "meeting", "plan_item")
MAX_AMOUNT = Decimal(10) ** 10  # 12 digits, 2 of them after the point
EARLIEST = dt.date(2000, 1, 1)


def _text(data: dict[str, Any], name: str, limit: int, errors: dict[str, str]) -> str:
    text = str(data.get(name) or "").strip()
    if len(text) > limit:
        errors[name] = _("At most %(n)s characters.") % {"n": limit}
    return text


def _amount(value: Any, errors: dict[str, str]) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        errors["amount"] = _("Give the amount in yuan, such as 1200 or 1200.50.")
        return None
    if number <= 0:
        errors["amount"] = _("The amount must be more than 0.")
        return None
    if number >= MAX_AMOUNT or number != number.quantize(Decimal("0.01")):
        errors["amount"] = _("Give the amount in yuan with at most 2 decimal places.")
        return None
    return number.quantize(Decimal("0.01"))


def _date(value: Any, name: str, errors: dict[str, str], today: dt.date) -> dt.date | None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[name] = _("Give a date.")
        return None
    if value < EARLIEST or value > today:
        errors[name] = _("Give a date from 2000 to today.")
        return None
    return value


def _resolve(actor: Actor, model: type[Any], value: Any) -> tuple[Any, bool]:
    """(the row, False) when `value` (a row or its id) is one the actor sees; (None, False) for
    no value; (None, True) for anything else: a row out of scope is as good as unknown."""
    if value in (None, ""):
        return None, False
    pk = value.pk if isinstance(value, model) else value
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
        return None, True
    found = model.objects.visible_to(actor).filter(pk=pk).first()
    return found, found is None


def clean_expense_fields(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Every field of an expense checked at once; raises one ValidationError naming each
    field at fault. The org must be one the actor manages (PermissionDenied otherwise)."""
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    today = timezone.localdate()
    org, bad = _resolve(actor, Organization, data.get("org"))
    if org is None:
        errors["org"] = _("Choose the organization that spent the money.")
    else:
        require_manage(actor, org)
    clean["org"] = org
    clean["spent_on"] = _date(data.get("spent_on"), "spent_on", errors, today)
    clean["amount"] = _amount(data.get("amount"), errors)
    fund = data.get("fund")
    if fund not in Fund.values:
        errors["fund"] = _("Choose the fund: Party dues, training funds or other funds.")
    clean["fund"] = fund
    purpose = _text(data, "purpose", 300, errors)
    if not purpose and "purpose" not in errors:
        errors["purpose"] = _("Say what the money was spent on.")
    clean["purpose"] = purpose
    clean["payee"] = _text(data, "payee", 200, errors)

    models = {"training_class": TrainingClass, "meeting": Meeting, "plan_item": PlanItem}
    given = [name for name in AGAINST if data.get(name) not in (None, "")]
    if len(given) > 1:
        errors[given[-1]] = _(
            "An expense is booked against one class, one meeting or one plan item at most."
        )
    for name in AGAINST:
        clean[name], bad = _resolve(actor, models[name], data.get(name))
        if bad:
            errors[name] = _("Pick one from the list: that one is not offered here.")

    clean["decision_body"] = _text(data, "decision_body", 100, errors)
    clean["decision_ref"] = _text(data, "decision_ref", 200, errors)
    decided = data.get("decision_on")
    clean["decision_on"] = (
        None if decided in (None, "") else _date(decided, "decision_on", errors, today)
    )
    clean["decision_meeting"], bad = _resolve(actor, Meeting, data.get("decision_meeting"))
    if bad:
        errors["decision_meeting"] = _("Pick one from the list: that one is not offered here.")
    if fund == Fund.PARTY_DUES:
        if not clean["decision_body"] and "decision_body" not in errors:
            errors["decision_body"] = _(
                "Party dues are spent on a decision: say which body approved it (支委会, 党委会…)."
            )
        if data.get("decision_on") in (None, "") and "decision_on" not in errors:
            errors["decision_on"] = _("Give the date of the decision that approved it.")
    spent_on, decision_on = clean["spent_on"], clean["decision_on"]
    if spent_on and decision_on and decision_on > spent_on and "decision_on" not in errors:
        errors["decision_on"] = _("The decision must come on or before the day the money is spent.")
    if errors:
        raise ValidationError(errors)
    return clean


def locked(expense: Expense) -> Expense:
    row: Expense = Expense.objects.select_for_update().select_related("org").get(pk=expense.pk)
    return row


def require_standing(expense: Expense) -> None:
    if expense.voided_at is not None:
        raise ValidationError({"expense": _("The expense was voided; it can no longer change.")})


def require_some_manage(actor: Actor) -> None:
    """Only those who manage some org record expenses (secretaries, org admins)."""
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise PermissionDenied(_("You may not change records of this organization."))


@transaction.atomic
def expense_record(*, actor: Actor, **fields: Any) -> Expense:
    """Record an expense of an org the actor manages."""
    require_some_manage(actor)
    clean = clean_expense_fields(actor, fields)
    expense = Expense.objects.create(recorded_by_id=actor_id(actor), **clean)
    audit_record(
        actor=actor,
        verb="expense.record",
        obj=expense,
        org=expense.org,
        after=snapshot(expense, EXPENSE_AUDIT),
    )
    return expense


@transaction.atomic
def expense_update(*, actor: Actor, expense: Expense, **fields: Any) -> Expense:
    """Correct an expense: the fields given replace the stored ones; moving it to another org
    needs the right to manage both."""
    expense = locked(expense)
    require_manage(actor, expense.org)
    require_standing(expense)
    before = snapshot(expense, EXPENSE_AUDIT)
    current = {name: getattr(expense, name) for name in EXPENSE_AUDIT}
    clean = clean_expense_fields(actor, {**current, **fields})
    for name, value in clean.items():
        setattr(expense, name, value)
    expense.save()
    after = snapshot(expense, EXPENSE_AUDIT)
    audit_record(
        actor=actor,
        verb="expense.update",
        obj=expense,
        org=expense.org,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
    )
    return expense


@transaction.atomic
def expense_void(*, actor: Actor, expense: Expense, reason: str) -> Expense:
    """Void an expense recorded in error: it stays on record, struck through, out of every
    total. The reason is required."""
    expense = locked(expense)
    require_manage(actor, expense.org)
    require_standing(expense)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the expense is voided.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": 300}})
    expense.voided_at = timezone.now()
    expense.voided_by_id = actor_id(actor)
    expense.void_reason = reason
    expense.save(update_fields=["voided_at", "voided_by", "void_reason", "updated_at"])
    audit_record(
        actor=actor,
        verb="expense.void",
        obj=expense,
        org=expense.org,
        before={"amount": str(expense.amount)},
        after={"reason": reason},
    )
    return expense
