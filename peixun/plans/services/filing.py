"""Filing upward (报备): submit, the superior's approval or return, and reminders to the child
orgs that have not filed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import Grant
from peixun.accounts.selectors import nearest_managers, org_managers
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage, require_platform
from peixun.core.scoping import Actor, actor_id, can_manage_org
from peixun.orgs.models import Organization

from ..models import PlanVersion, TrainingPlan
from .common import PLAN_AUDIT, locked, superior_of
from .plans import clean_year


def plan_snapshot(plan: TrainingPlan) -> dict[str, Any]:
    """The plan, its items and the names of its attachments as plain data: what a version
    freezes, so the version page shows what the superior saw even after the plan changes."""
    items = plan.items.select_related("responsible_org").order_by("position", "id")
    attachments = plan.attachments.order_by("id").values_list("name", flat=True)
    return {
        "org": plan.org.name,
        "year": plan.year,
        "title": plan.title,
        "summary": plan.summary,
        "attachments": list(attachments),
        "items": [
            {
                "content": i.content,
                "audience": i.audience,
                "standard": i.standard,
                "responsible_org": i.responsible_org.name,
                "deadline": i.deadline.isoformat(),
                "planned_classes": i.planned_classes,
                "planned_meetings": i.planned_meetings,
                "planned_hours": str(i.planned_hours),
                "planned_people": i.planned_people,
                "budget": str(i.budget),
            }
            for i in items
        ],
    }


@transaction.atomic
def plan_submit(*, actor: Actor, plan: TrainingPlan) -> TrainingPlan:
    """File the plan upward (报备): a new frozen version, waiting for the superior."""
    plan = locked(plan)
    require_manage(actor, plan.org)
    if plan.state == TrainingPlan.State.SUBMITTED:
        raise ValidationError(
            {"plan": _("The plan has already been submitted and is waiting for the superior.")}
        )
    if plan.state == TrainingPlan.State.APPROVED:
        raise ValidationError({"plan": _("The plan has already been approved.")})
    if not plan.items.exists():
        raise ValidationError({"plan": _("Add at least one plan item before submitting.")})
    now = timezone.now()
    before = snapshot(plan, PLAN_AUDIT)
    plan.version += 1
    plan.state = TrainingPlan.State.SUBMITTED
    plan.submitted_at = now
    plan.submitted_by_id = actor_id(actor)
    plan.decided_at = None
    plan.decided_by = None
    plan.save()
    PlanVersion.objects.create(
        plan=plan,
        number=plan.version,
        snapshot=plan_snapshot(plan),
        submitted_at=now,
        submitted_by=plan.submitted_by,
    )
    audit_record(
        actor=actor,
        verb="plan.submit",
        obj=plan,
        org=plan.org,
        before=before,
        after=snapshot(plan, PLAN_AUDIT),
    )
    superior = superior_of(plan.org)
    if superior is not None:
        notification_send(
            actor=actor,
            recipients=nearest_managers(superior),
            title=_("%(org)s filed its %(year)s training plan")
            % {"org": plan.org.name, "year": plan.year},
            body=plan.title,
            url=reverse("plans:detail", args=[plan.pk]),
            dedupe_key=f"plan-submitted:{plan.pk}:{plan.version}",
        )
    return plan


def _require_decider(actor: Actor, plan: TrainingPlan) -> None:
    superior = superior_of(plan.org)
    if superior is None:
        require_platform(actor)
    elif not can_manage_org(actor, superior):
        raise PermissionDenied(
            _("Only the superior organization (%(org)s) may approve or return this plan.")
            % {"org": superior.name}
        )


def _decide(actor: Actor, plan: TrainingPlan, *, approve: bool, reason: str) -> TrainingPlan:
    plan = locked(plan)
    _require_decider(actor, plan)
    if plan.state != TrainingPlan.State.SUBMITTED:
        raise ValidationError({"plan": _("Only a submitted plan can be approved or returned.")})
    now = timezone.now()
    before = snapshot(plan, PLAN_AUDIT)
    plan.state = TrainingPlan.State.APPROVED if approve else TrainingPlan.State.RETURNED
    plan.return_reason = "" if approve else reason
    plan.decided_at = now
    plan.decided_by_id = actor_id(actor)
    plan.save()
    PlanVersion.objects.filter(plan=plan, number=plan.version).update(
        decision=PlanVersion.Decision.APPROVED if approve else PlanVersion.Decision.RETURNED,
        decided_at=now,
        decided_by=plan.decided_by,
        reason=reason,
    )
    audit_record(
        actor=actor,
        verb="plan.approve" if approve else "plan.return",
        obj=plan,
        org=plan.org,
        before=before,
        after=snapshot(plan, PLAN_AUDIT),
    )
    if approve:
        title = _("Your %(year)s training plan was approved") % {"year": plan.year}
    else:
        title = _("Your %(year)s training plan was returned") % {"year": plan.year}
    notification_send(
        actor=actor,
        recipients=[*org_managers(plan.org), plan.submitted_by],
        title=title,
        body=reason,
        url=reverse("plans:detail", args=[plan.pk]),
        dedupe_key=f"plan-decided:{plan.pk}:{plan.version}",
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: Actor, plan: TrainingPlan) -> TrainingPlan:
    return _decide(actor, plan, approve=True, reason="")


@transaction.atomic
def plan_return(*, actor: Actor, plan: TrainingPlan, reason: str) -> TrainingPlan:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the plan.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most 500 characters.")})
    return _decide(actor, plan, approve=False, reason=reason)


@transaction.atomic
def plan_remind(*, actor: Actor, parent_org: Organization, year: Any) -> int:
    """Remind the open child orgs of `parent_org` that have not filed their `year` plan (no plan,
    or still a draft). Only their own secretaries and org admins are told, each in a private
    message that names no other org; nothing is published. Returns how many orgs were reminded
    (a child with nobody granted on it cannot be reminded and is not counted). A constant number
    of queries whatever the number of children; a second reminder on the same day is not sent."""
    require_manage(actor, parent_org)
    year = clean_year(year)
    children = list(Organization.objects.get_children(parent_org).filter(closed_on__isnull=True))
    filed = set(
        TrainingPlan.objects.filter(org__in=children, year=year)
        .exclude(state=TrainingPlan.State.DRAFT)
        .values_list("org_id", flat=True)
    )
    waiting = [child.pk for child in children if child.pk not in filed]
    grants = Grant.objects.filter(
        org_id__in=waiting,
        role__in=[Grant.Role.ORG_ADMIN, Grant.Role.SECRETARY],
        user__is_active=True,
    ).select_related("user")
    recipients = {g.user_id: g.user for g in grants}
    reminded_orgs = sorted({g.org_id for g in grants if g.org_id is not None})
    notification_send(
        actor=actor,
        recipients=recipients.values(),
        title=_("Please file your %(year)s training plan") % {"year": year},
        body=_("%(org)s asks for your organization's %(year)s training plan.")
        % {"org": parent_org.name, "year": year},
        url=reverse("plans:list") + f"?year={year}",
        dedupe_key=f"plan-remind:{year}:{timezone.localdate().isoformat()}",
    )
    audit_record(
        actor=actor,
        verb="plan.remind",
        obj=parent_org,
        org=parent_org,
        after={"year": year, "orgs": reminded_orgs},
    )
    return len(reminded_orgs)
