"""Every write of annual training plans: the plan and its items, filing (报备) upward, the
superior's approval or return, resubmission, attachments and reminders to those not yet filed.

Who does what: a manager of the plan's org (its org admin, or the secretary of a branch) drafts,
edits and submits; a manager of the PARENT org approves or returns (the plan's own org never
approves itself); a plan of a tenant's root has no superior in the system and is approved by a
platform admin. Each submission freezes a `PlanVersion`, so every version stays readable.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage, require_platform
from peixun.core.scoping import can_manage_org
from peixun.orgs.models import Organization

from .models import PlanAttachment, PlanItem, PlanVersion, TrainingPlan

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


def can_decide(actor: Any, plan: TrainingPlan) -> bool:
    """A manager of the plan's superior org (a platform admin for a tenant root's plan)."""
    superior = superior_of(plan.org)
    if superior is None:
        from peixun.core.scoping import scope_of

        return scope_of(actor).platform
    return can_manage_org(actor, superior)


def _locked(plan: TrainingPlan) -> TrainingPlan:
    return TrainingPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)


def _require_editable(plan: TrainingPlan) -> None:
    if plan.state not in EDITABLE_STATES:
        raise ValidationError(
            {
                "plan": _(
                    "The plan has been submitted; it can be changed again only if the "
                    "superior returns it."
                )
            }
        )


def _clean_year(year: Any) -> int:
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
    *, actor: Any, org: Organization, year: Any, title: Any, summary: str = ""
) -> TrainingPlan:
    """A draft plan of `org` for `year` (one per org and year)."""
    require_manage(actor, org)
    if not org.is_open:
        raise ValidationError({"org": _("This organization is closed.")})
    year = _clean_year(year)
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
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor, verb="plan.create", obj=plan, org=org, after=snapshot(plan, PLAN_AUDIT)
    )
    return plan


@transaction.atomic
def plan_update(
    *, actor: Any, plan: TrainingPlan, title: Any = None, summary: str | None = None
) -> TrainingPlan:
    plan = _locked(plan)
    require_manage(actor, plan.org)
    _require_editable(plan)
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
def item_add(*, actor: Any, plan: TrainingPlan, **fields: Any) -> PlanItem:
    plan = _locked(plan)
    require_manage(actor, plan.org)
    _require_editable(plan)
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
def item_update(*, actor: Any, item: PlanItem, **fields: Any) -> PlanItem:
    plan = _locked(item.plan)
    require_manage(actor, plan.org)
    _require_editable(plan)
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
def item_remove(*, actor: Any, item: PlanItem) -> None:
    plan = _locked(item.plan)
    require_manage(actor, plan.org)
    _require_editable(plan)
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


def plan_snapshot(plan: TrainingPlan) -> dict[str, Any]:
    """The plan and its items as plain data: what a version freezes."""
    items = plan.items.select_related("responsible_org").order_by("position", "id")
    return {
        "org": plan.org.name,
        "year": plan.year,
        "title": plan.title,
        "summary": plan.summary,
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


def _managers_of(org: Organization) -> list[Any]:
    from peixun.accounts.models import Grant

    grants = Grant.objects.filter(
        org=org,
        role__in=[Grant.Role.ORG_ADMIN, Grant.Role.SECRETARY],
        user__is_active=True,
    ).select_related("user")
    return [g.user for g in grants]


@transaction.atomic
def plan_submit(*, actor: Any, plan: TrainingPlan) -> TrainingPlan:
    """File the plan upward (报备): a new frozen version, waiting for the superior."""
    plan = _locked(plan)
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
    plan.submitted_by = actor if getattr(actor, "pk", None) else None
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
            recipients=_managers_of(superior),
            title=_("%(org)s filed its %(year)s training plan")
            % {"org": plan.org.name, "year": plan.year},
            body=plan.title,
            url=reverse("plans:detail", args=[plan.pk]),
            dedupe_key=f"plan-submitted:{plan.pk}:{plan.version}",
        )
    return plan


def _require_decider(actor: Any, plan: TrainingPlan) -> None:
    superior = superior_of(plan.org)
    if superior is None:
        require_platform(actor)
    elif not can_manage_org(actor, superior):
        raise PermissionDenied(
            _("Only the superior organization (%(org)s) may approve or return this plan.")
            % {"org": superior.name}
        )


def _decide(actor: Any, plan: TrainingPlan, *, approve: bool, reason: str) -> TrainingPlan:
    plan = _locked(plan)
    _require_decider(actor, plan)
    if plan.state != TrainingPlan.State.SUBMITTED:
        raise ValidationError({"plan": _("Only a submitted plan can be approved or returned.")})
    now = timezone.now()
    before = snapshot(plan, PLAN_AUDIT)
    plan.state = TrainingPlan.State.APPROVED if approve else TrainingPlan.State.RETURNED
    plan.return_reason = "" if approve else reason
    plan.decided_at = now
    plan.decided_by = actor if getattr(actor, "pk", None) else None
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
        recipients=_managers_of(plan.org),
        title=title,
        body=reason,
        url=reverse("plans:detail", args=[plan.pk]),
        dedupe_key=f"plan-decided:{plan.pk}:{plan.version}",
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: Any, plan: TrainingPlan) -> TrainingPlan:
    return _decide(actor, plan, approve=True, reason="")


@transaction.atomic
def plan_return(*, actor: Any, plan: TrainingPlan, reason: str) -> TrainingPlan:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for returning the plan.")})
    if len(reason) > 500:
        raise ValidationError({"reason": _("At most 500 characters.")})
    return _decide(actor, plan, approve=False, reason=reason)


@transaction.atomic
def attachment_add(*, actor: Any, plan: TrainingPlan, file: UploadedFile | None) -> PlanAttachment:
    plan = _locked(plan)
    require_manage(actor, plan.org)
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = Path(file.name or "").name
    if Path(name).suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError(
            {
                "file": _(
                    "Upload a PDF, Word, WPS or Excel file (.pdf, .doc, .docx, .wps, .xls, .xlsx)."
                )
            }
        )
    if (file.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if not file.size:
        raise ValidationError({"file": _("The file is empty.")})
    attachment = PlanAttachment.objects.create(
        plan=plan,
        file=file,
        name=name[:200],
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        verb="plan.attach",
        obj=plan,
        org=plan.org,
        after={"attachment": attachment.name},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, actor: Any, attachment: PlanAttachment) -> None:
    plan = _locked(attachment.plan)
    require_manage(actor, plan.org)
    _require_editable(plan)
    name = attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(
        actor=actor, verb="plan.detach", obj=plan, org=plan.org, before={"attachment": name}
    )


@transaction.atomic
def plan_remind(*, actor: Any, org: Organization, year: Any) -> int:
    """Remind the child orgs of `org` that have not filed their `year` plan (none, or a draft).
    Only their own managers are told; returns how many orgs were reminded."""
    require_manage(actor, org)
    year = _clean_year(year)
    filed = set(
        TrainingPlan.objects.filter(org__in=Organization.objects.get_children(org), year=year)
        .exclude(state=TrainingPlan.State.DRAFT)
        .values_list("org_id", flat=True)
    )
    reminded = 0
    for child in Organization.objects.get_children(org).filter(closed_on__isnull=True):
        if child.pk in filed:
            continue
        recipients = _managers_of(child)
        if not recipients:
            continue
        notification_send(
            recipients=recipients,
            title=_("Please file your %(year)s training plan") % {"year": year},
            body=_("%(org)s asks for your organization's %(year)s training plan.")
            % {"org": org.name, "year": year},
            url=reverse("plans:list") + f"?year={year}",
            dedupe_key=f"plan-remind:{child.pk}:{year}:{timezone.localdate().isoformat()}",
        )
        reminded += 1
    audit_record(
        actor=actor, verb="plan.remind", obj=org, org=org, after={"year": year, "orgs": reminded}
    )
    return reminded
