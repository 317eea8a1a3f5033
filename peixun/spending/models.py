"""Spending on record (经费支出台账): what an org actually spent on education and training.

An `Expense` belongs to the org that spent (scoped by its path), names the fund it came from
(党费, 培训经费, other), and may be booked against at most one of a training class, a meeting
or a plan item, so that plan versus actual and the cost of a class come from the records. A
党费 expense cites the decision that approved it (支委会 / 党委会, its date and reference).
Expenses are never deleted: a wrong one is voided with a reason, stays on the list struck
through, and leaves every total.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import ScopedQuerySet


class Fund(models.TextChoices):
    PARTY_DUES = "party_dues", _("Party dues")  # 党费
    TRAINING_FUNDS = "training_funds", _("Training funds")  # 培训经费
    OTHER = "other", _("Other funds")  # 其他经费


class ExpenseQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def standing(self) -> ExpenseQuerySet:
        """Expenses that count: not voided."""
        return self.filter(voided_at__isnull=True)


class Expense(models.Model):
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    spent_on = models.DateField(_("date spent"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    fund = models.CharField(_("fund"), max_length=16, choices=Fund.choices)
    purpose = models.CharField(_("purpose"), max_length=300)
    payee = models.CharField(_("payee"), max_length=200, blank=True)
    # What the money was spent on: at most one of these (a DB check).
    training_class = models.ForeignKey(
        "training.TrainingClass",
        verbose_name=_("training class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    meeting = models.ForeignKey(
        "orglife.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenses",
    )
    # A plan item may be removed while its plan is a draft; the expense stays, unlinked.
    plan_item = models.ForeignKey(
        "plans.PlanItem",
        verbose_name=_("plan item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expenses",
    )
    # The decision that approved a 党费 expense (required for that fund, checked by the service
    # and the database): the body, the date, its reference, and the meeting when recorded here.
    decision_body = models.CharField(_("decided by (body)"), max_length=100, blank=True)
    decision_on = models.DateField(_("date of decision"), null=True, blank=True)
    decision_ref = models.CharField(_("decision reference"), max_length=200, blank=True)
    decision_meeting = models.ForeignKey(
        "orglife.Meeting",
        verbose_name=_("meeting that decided it"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    void_reason = models.CharField(_("reason for voiding"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ExpenseQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-spent_on", "-id"]
        indexes = [models.Index(fields=["org", "spent_on"], name="expense_org_spent_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive"),
            models.CheckConstraint(condition=Q(fund__in=Fund.values), name="expense_fund_known"),
            models.CheckConstraint(
                condition=~(Q(training_class__isnull=False) & Q(meeting__isnull=False))
                & ~(Q(training_class__isnull=False) & Q(plan_item__isnull=False))
                & ~(Q(meeting__isnull=False) & Q(plan_item__isnull=False)),
                name="expense_against_at_most_one",
            ),
            models.CheckConstraint(
                condition=~Q(fund=Fund.PARTY_DUES)
                | (Q(decision_on__isnull=False) & ~Q(decision_body="")),
                name="expense_party_dues_decided",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="expense_void_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.purpose} {self.amount}"

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def against(self) -> models.Model | None:
        """The class, meeting or plan item the expense is booked against, if any."""
        return self.training_class or self.meeting or self.plan_item


class ExpenseAttachment(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice or receipt")  # 发票 / 收据
        DECISION = "decision", _("Decision")  # 决议 / 会议纪要
        OTHER = "other", _("Other")

    expense = models.ForeignKey(
        Expense, verbose_name=_("expense"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INVOICE)
    file = models.FileField(_("file"), upload_to="spending/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expense attachment")
        verbose_name_plural = _("expense attachments")
        ordering = ["expense", "id"]

    def __str__(self) -> str:
        return self.name
