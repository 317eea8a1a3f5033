"""Creating a plan and changing its title and summary."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id
from peixun.orgs.models import Organization

from ..models import TrainingPlan
from .common import PLAN_AUDIT, locked, require_editable


def clean_year(year: Any) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give the year as four digits.")}) from None
    if not 2000 <= value <= 2100:
        raise ValidationError({"year": _("Give the year as four digits.")})
    return value


def _clean_title(title: Any) -> str:
    text = str(title or "").strip()
    if not text:
        raise ValidationError({"title": _("Give the plan a title.")})
    if len(text) > 200:
        raise ValidationError({"title": _("At most 200 characters.")})
    return text


@transaction.atomic
def plan_create(
    *, actor: Actor, org: Organization, year: Any, title: Any, summary: str = ""
) -> TrainingPlan:
    """A draft plan of `org` for `year` (one per org and year)."""
    require_manage(actor, org)
    if not org.is_open:
        raise ValidationError({"org": _("This organization is closed.")})
    year = clean_year(year)
    title = _clean_title(title)
    if TrainingPlan.objects.filter(org=org, year=year).exists():
        raise ValidationError(
            {
                "year": _("%(org)s already has a plan for %(year)s.")
                % {"org": org.name, "year": year}
            }
        )
    plan = TrainingPlan.objects.create(
        org=org,
        year=year,
        title=title,
        summary=(summary or "").strip(),
        created_by_id=actor_id(actor),
    )
    audit_record(
        actor=actor, verb="plan.create", obj=plan, org=org, after=snapshot(plan, PLAN_AUDIT)
    )
    return plan


@transaction.atomic
def plan_update(
    *, actor: Actor, plan: TrainingPlan, title: Any = None, summary: str | None = None
) -> TrainingPlan:
    plan = locked(plan)
    require_manage(actor, plan.org)
    require_editable(plan)
    before = snapshot(plan, PLAN_AUDIT)
    if title is not None:
        plan.title = _clean_title(title)
    if summary is not None:
        plan.summary = summary.strip()
    plan.save(update_fields=["title", "summary", "updated_at"])
    audit_record(
        actor=actor,
        verb="plan.update",
        obj=plan,
        org=plan.org,
        before=before,
        after=snapshot(plan, PLAN_AUDIT),
    )
    return plan
