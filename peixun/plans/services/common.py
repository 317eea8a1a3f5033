"""What every plan write shares: who may decide, the editable states, the locked row, and whom
to tell."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_manage_org, scope_of
from peixun.orgs.models import Organization

from ..models import TrainingPlan

PLAN_AUDIT = ["org", "year", "title", "summary", "state", "version", "return_reason"]
ITEM_AUDIT = [
    "content",
    "audience",
    "standard",
    "responsible_org",
    "deadline",
    "planned_classes",
    "planned_meetings",
    "planned_hours",
    "planned_people",
    "budget",
]
EDITABLE_STATES = (TrainingPlan.State.DRAFT, TrainingPlan.State.RETURNED)
ATTACHMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps"}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_ITEMS = 200


def superior_of(org: Organization) -> Organization | None:
    parent = Organization.objects.get_parent(org) if org.depth > 1 else None
    return parent if isinstance(parent, Organization) else None


def can_decide(actor: Actor, plan: TrainingPlan) -> bool:
    """A manager of the plan's superior org (a platform admin for a tenant root's plan)."""
    superior = superior_of(plan.org)
    if superior is None:
        return scope_of(actor).platform
    return can_manage_org(actor, superior)


def locked(plan: TrainingPlan) -> TrainingPlan:
    return TrainingPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)


def require_editable(plan: TrainingPlan) -> None:
    if plan.state not in EDITABLE_STATES:
        raise ValidationError(
            {
                "plan": _(
                    "The plan has been submitted; it can be changed again only if the "
                    "superior returns it."
                )
            }
        )
