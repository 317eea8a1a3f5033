"""Annual training plans (年度培训计划) filed upward: 报备 → 审批 or 退回 → 重新报备.

A plan belongs to one org and one year and is made of plan items in the project-work form
(项目工作法: content, audience, standard to reach, responsible org, deadline, planned classes
and hours, budget). Every submission freezes a `PlanVersion` with the items as they were, so
what the superior approved or returned can always be shown. Classes and meetings link to plan
items (their own `plan_item` field) so that plan versus actual comes from the records.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import ScopedQuerySet


class PlanQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class TrainingPlan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="training_plans",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("plan title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    # The number of the latest submission (0 while never submitted).
    version = models.PositiveIntegerField(_("version"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="plan_one_per_org_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="plan_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ItemQuerySet(ScopedQuerySet):
    scope_path_field = "plan__org__path"


class PlanItem(models.Model):
    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    content = models.CharField(_("content"), max_length=300)
    audience = models.CharField(_("target audience"), max_length=200, blank=True)
    standard = models.CharField(_("standard to reach"), max_length=300, blank=True)
    responsible_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("responsible organization"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    planned_classes = models.PositiveIntegerField(_("planned classes"), default=0)
    planned_meetings = models.PositiveIntegerField(_("planned meetings"), default=0)
    planned_hours = models.DecimalField(
        _("planned study hours"), max_digits=7, decimal_places=2, default=Decimal(0)
    )
    planned_people = models.PositiveIntegerField(_("planned trainees"), default=0)
    budget = models.DecimalField(
        _("estimated budget (yuan)"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    # Marked done by the plan's org; progress is otherwise computed from linked records.
    done_at = models.DateTimeField(_("marked done at"), null=True, blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_hours__gte=0) & Q(budget__gte=0), name="plan_item_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return self.content


class PlanVersion(models.Model):
    """A submission, frozen: the plan's fields and items as the superior saw them, and what it
    decided."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField(_("plan as submitted"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class PlanAttachment(models.Model):
    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="plans/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan attachment")
        verbose_name_plural = _("plan attachments")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.name
