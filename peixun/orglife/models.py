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

# A group's meeting is one of the kinds a branch holds when it chooses: counted as a required
# 三会一课 kind it would make the keeping org look regular with meetings its branches never held.
GROUP_MEETING_KINDS = (
    MeetingKind.READING_CLASS,
    MeetingKind.EXPERT_LECTURE,
    MeetingKind.REPORT_MEETING,
    MeetingKind.ONSITE_TEACHING,
)


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
    # A meeting of a 青年理论学习小组 expects the group's members, not those of its org.
    study_group = models.ForeignKey(
        "StudyGroup",
        verbose_name=_("study group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
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
    # A visit of an in-service member to the retired member they are paired with.
    pair = models.ForeignKey(
        "Pair",
        verbose_name=_("support pair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
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


# -- the smaller habits of study (issue 17 part 7) -----------------------------------------------


class StudyGroupQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class StudyGroup(models.Model):
    """青年理论学习小组: members from several branches who study together on their own schedule,
    kept by an org above those branches. Its meetings expect the group's members, not a branch's."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="study_groups",
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        "members.Member",
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = StudyGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["org__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="study_group_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class StudyGroupMember(models.Model):
    """A member's time in a study group: a member who left keeps their row (until `left_on`),
    so past meetings still know who was expected."""

    group = models.ForeignKey(
        StudyGroup,
        verbose_name=_("study group"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("study group member")
        verbose_name_plural = _("study group members")
        ordering = ["group", "member__name", "id"]
        constraints = [
            # One open membership per member and group; a member may leave and come back.
            models.UniqueConstraint(
                fields=["group", "member"],
                condition=Q(left_on__isnull=True),
                name="study_group_member_once",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="study_group_member_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.member_id}"


class PairQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class Pair(models.Model):
    """在职党员联系帮扶离退休党员: an in-service member who keeps in touch with a retired one and
    brings them study; the visits are 送学上门 visits (`HomeVisit.pair`)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="pairs",
    )
    helper = models.ForeignKey(
        "members.Member",
        verbose_name=_("in-service member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    retired = models.ForeignKey(
        "members.Member",
        verbose_name=_("retired member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        verbose_name = _("support pair")
        verbose_name_plural = _("support pairs")
        ordering = ["org__path", "-since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["helper", "retired"],
                condition=Q(until__isnull=True),
                name="pair_once_while_open",
            ),
            models.CheckConstraint(
                condition=~Q(helper=models.F("retired")), name="pair_two_members"
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="pair_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} → {self.retired_id}"


class NoteCheckRoundQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class NoteCheckRound(models.Model):
    """学习笔记抽查: a round of checks of members' study notes by a branch or an org above it, on
    a sample drawn per branch with a recorded seed (as the exams' spot test draws its sample)."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="note_check_rounds",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    sample_count = models.PositiveSmallIntegerField(_("members per branch"), null=True, blank=True)
    sample_percent = models.PositiveSmallIntegerField(
        _("percent of each branch"), null=True, blank=True
    )
    seed = models.CharField(_("seed"), max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = NoteCheckRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("study note check")
        verbose_name_plural = _("study note checks")
        ordering = ["-year", "-created_at", "-id"]
        constraints = [
            # Exactly one of a number or a percent sizes the sample.
            models.CheckConstraint(
                condition=(Q(sample_count__gte=1) & Q(sample_percent__isnull=True))
                | (
                    Q(sample_count__isnull=True) & Q(sample_percent__gte=1, sample_percent__lte=100)
                ),
                name="note_round_sample_size",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NoteCheck(models.Model):
    """One sampled member of a round and, once checked, the result of the check of their notes."""

    class Result(models.TextChoices):
        EXCELLENT = "excellent", _("Excellent")  # 优秀
        GOOD = "good", _("Good")  # 良好
        PASSED = "passed", _("Satisfactory")  # 合格
        FAILED = "failed", _("Unsatisfactory")  # 不合格

    round = models.ForeignKey(
        NoteCheckRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="checks"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    # The member's branch when drawn: the sample and the summary are per branch.
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    checker = models.CharField(_("checked by"), max_length=100, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    photo = models.FileField(_("photo of the notes"), upload_to="notechecks/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("note check")
        verbose_name_plural = _("note checks")
        ordering = ["round", "branch__path", "member__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="note_check_once"),
            models.CheckConstraint(
                condition=Q(result="") | Q(checked_on__isnull=False),
                name="note_check_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}: {self.member_id}"
