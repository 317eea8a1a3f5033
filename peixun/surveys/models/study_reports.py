"""述学评学: at year end a member writes a short 述学 (what they studied that year); their branch
reviews it together with 民主评议党员 at an appraisal meeting, or returns it with a reason.

One report per member and year (a database constraint). The report keeps the branch the member
belonged to when it was written, so the branch that reviews it still sees it after a transfer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import MemberOwnedQuerySet

# A 述学 is short: enough to say what was studied, not an essay.
STUDY_REPORT_MIN_CHARS = 50
STUDY_REPORT_MAX_CHARS = 2000


class StudyReportQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"


class StudyReport(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Handed in")
        REVIEWED = "reviewed", _("Reviewed at the appraisal")
        RETURNED = "returned", _("Returned for rewriting")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    # The member's branch when the report was started: who reviews it.
    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    text = models.TextField(_("study report"), max_length=STUDY_REPORT_MAX_CHARS)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("handed in at"), null=True, blank=True)
    # The branch's review: the democratic appraisal meeting it was read at, and a comment.
    meeting = models.ForeignKey(
        "orglife.Meeting",
        verbose_name=_("appraisal meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    comment = models.CharField(_("review comment"), max_length=500, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StudyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("study report")
        verbose_name_plural = _("study reports")
        ordering = ["-year", "member__name", "id"]
        indexes = [models.Index(fields=["org", "year"], name="study_report_org_year_idx")]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="study_report_once_a_year"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "reviewed", "returned"]),
                name="study_report_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="reviewed")
                | (Q(meeting__isnull=False) & Q(reviewed_at__isnull=False)),
                name="study_report_reviewed_at_meeting",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reason=""),
                name="study_report_returned_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.member_id}"
