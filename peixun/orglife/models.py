"""Organisational life (组织生活): 三会一课, 主题党日, 中心组学习, 组织生活会, 民主评议党员, and
送学上门 visits.

A meeting is an event of category "meeting" (`events.Event`): attendance, QR sign-in, leave and
the credits its attendance earns on closing are the events layer's. This app owns what a meeting
is (its kind, host, minutes, observers, appraisal results), the tenant's credit rule per kind,
and the regularity every branch is held to (DESIGN.md §3).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import ScopedQuerySet
from peixun.hours.models import Kind


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("Branch general meeting")  # 支部党员大会
    COMMITTEE = "committee", _("Branch committee meeting")  # 支委会
    GROUP = "group", _("Party group meeting")  # 党小组会
    LECTURE = "lecture", _("Party lecture")  # 党课
    THEME_DAY = "theme_day", _("Theme Party day")  # 主题党日
    CENTRAL_GROUP = "central_group", _("Central group study")  # 中心组学习
    LIFE_MEETING = "life_meeting", _("Organisational life meeting")  # 组织生活会
    APPRAISAL = "appraisal", _("Democratic appraisal of members")  # 民主评议党员
    # Activities a branch holds when it chooses (no required frequency), counted by the reports.
    EXPERT_LECTURE = "expert_lecture", _("Expert lecture")  # 专家讲座
    REPORT_MEETING = "report_meeting", _("Report meeting")  # 报告会 (e.g. 先进事迹报告会)
    READING_CLASS = "reading_class", _("Reading class")  # 读书班
    ONSITE_TEACHING = "onsite_teaching", _("On-site teaching")  # 现场教学


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    NONE = "none", _("No fixed frequency")


# How often a branch must hold each kind (DESIGN.md §3: 支部工作条例, 党员教育管理工作条例
# Art. 16–18), and the ledger kind its credits are written as.
REQUIRED_FREQUENCY: dict[str, str] = {
    MeetingKind.BRANCH_ASSEMBLY: Frequency.QUARTERLY,
    MeetingKind.COMMITTEE: Frequency.MONTHLY,
    MeetingKind.GROUP: Frequency.MONTHLY,
    MeetingKind.LECTURE: Frequency.QUARTERLY,
    MeetingKind.THEME_DAY: Frequency.MONTHLY,
    MeetingKind.CENTRAL_GROUP: Frequency.NONE,
    MeetingKind.LIFE_MEETING: Frequency.YEARLY,
    MeetingKind.APPRAISAL: Frequency.YEARLY,
    MeetingKind.EXPERT_LECTURE: Frequency.NONE,
    MeetingKind.REPORT_MEETING: Frequency.NONE,
    MeetingKind.READING_CLASS: Frequency.NONE,
    MeetingKind.ONSITE_TEACHING: Frequency.NONE,
}
LEDGER_KIND: dict[str, str] = {
    MeetingKind.BRANCH_ASSEMBLY: Kind.THREE_MEETINGS,
    MeetingKind.COMMITTEE: Kind.THREE_MEETINGS,
    MeetingKind.GROUP: Kind.THREE_MEETINGS,
    MeetingKind.LECTURE: Kind.PARTY_LECTURE,
    MeetingKind.THEME_DAY: Kind.THEME_DAY,
    MeetingKind.CENTRAL_GROUP: Kind.CENTRAL_GROUP,
    MeetingKind.LIFE_MEETING: Kind.THREE_MEETINGS,
    MeetingKind.APPRAISAL: Kind.THREE_MEETINGS,
    # None of the ledger's kinds (the national categories of 学时) names these; "other" keeps
    # them out of the three-meetings and Party-lecture figures they are not.
    MeetingKind.EXPERT_LECTURE: Kind.OTHER,
    MeetingKind.REPORT_MEETING: Kind.OTHER,
    MeetingKind.READING_CLASS: Kind.OTHER,
    MeetingKind.ONSITE_TEACHING: Kind.OTHER,
}


class MeetingQuerySet(ScopedQuerySet):
    scope_path_field = "event__org__path"


class Meeting(models.Model):
    event = models.OneToOneField(
        "events.Event", verbose_name=_("event"), on_delete=models.CASCADE, related_name="meeting"
    )
    kind = models.CharField(_("kind of meeting"), max_length=24, choices=MeetingKind.choices)
    host = models.CharField(_("host"), max_length=100)
    # HTML sanitised with nh3 (an allow-list) on every write: formatting kept, never a script.
    minutes = models.TextField(_("minutes"), blank=True)
    plan_item = models.ForeignKey(
        "plans.PlanItem",
        verbose_name=_("plan item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-event__starts_at", "-id"]
        indexes = [models.Index(fields=["kind"], name="meeting_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.event_id}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="orglife/%Y/")
    name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting attachment")
        verbose_name_plural = _("meeting attachments")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name


class Observer(models.Model):
    """列席旁听: someone from the superior committee sitting in on a 中心组学习."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="observers"
    )
    name = models.CharField(_("name"), max_length=100)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("position"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("observer")
        verbose_name_plural = _("observers")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.name


class AppraisalResult(models.Model):
    class Result(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")  # 优秀
        QUALIFIED = "qualified", _("Qualified")  # 合格
        BASIC = "basic", _("Basically qualified")  # 基本合格
        UNQUALIFIED = "unqualified", _("Unqualified")  # 不合格

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="appraisals"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("appraisal result")
        verbose_name_plural = _("appraisal results")
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="appraisal_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.result}"


class VisitQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class HomeVisit(models.Model):
    """送学上门: study brought to a member who cannot come (exempt, elderly, ill, far away)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="home_visits",
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField(_("date"))
    visitors = models.CharField(_("visited by"), max_length=200)
    content = models.CharField(_("what was studied"), max_length=300)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, default=Decimal(0))
    note = models.TextField(_("note"), blank=True)
    # The ledger entry written for the visit's hours (when any).
    credit_reference = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("home study visit")
        verbose_name_plural = _("home study visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gte=0), name="visit_hours_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.visited_on}"


class MeetingCreditRule(models.Model):
    """The tenant's rule: how many 学时 attending a meeting of a kind earns, and whether it
    counts as concentrated study. Without a row the defaults in `services` apply."""

    tenant = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("tenant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind of meeting"), max_length=24, choices=MeetingKind.choices)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    concentrated = models.BooleanField(_("counts as concentrated study"), default=False)

    class Meta:
        verbose_name = _("meeting credit rule")
        verbose_name_plural = _("meeting credit rules")
        ordering = ["tenant", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind"], name="meeting_rule_per_kind"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="meeting_rule_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.hours}"
