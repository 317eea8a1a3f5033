"""Training classes (培训班): curriculum, places for units, dispatch (调训), make-up (补训), closing.

A class's sessions are events (`events.Event`, category "session"); attendance and the credits it
earns live in the events layer. This app owns who is enrolled and the class's own workflow.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peixun.core.scoping import ScopedQuerySet, scope_of
from peixun.hours.models import Topic

# The topics that count as theory (理论教育) in the topic-share check; a tenant setting may
# narrow or widen this list.
DEFAULT_THEORY_TOPICS = [
    Topic.INNOVATION_THEORY.value,
    Topic.PARTY_HISTORY.value,
    Topic.CONSTITUTION_RULES.value,
]


class ClassKind(models.TextChoices):
    SPECIAL = "special", _("Special-topic training")  # 专题培训
    ROTATION = "rotation", _("Concentrated rotation training")  # 集中轮训
    INITIAL = "initial", _("Induction training")  # 初任培训
    APPOINTMENT = "appointment", _("Training on appointment")  # 任职培训
    IN_SERVICE = "in_service", _("In-service training")  # 在职培训
    PARTY_SPIRIT = "party_spirit", _("Party-spirit education")  # 党性教育
    ONLINE = "online", _("Online special class")  # 网络专题班
    NEW_MEMBER = "new_member", _("Training for new members")  # 新党员培训
    SECRETARY = "secretary", _("Training for branch secretaries")  # 支部书记培训
    OTHER = "other", _("Other")


class SessionType(models.TextChoices):
    LECTURE = "lecture", _("Lecture")  # 专题讲座
    CASE = "case", _("Case study")  # 案例分析
    SEMINAR = "seminar", _("Discussion")  # 交流研讨
    SIMULATION = "simulation", _("Simulation exercise")  # 模拟演练
    FIELD = "field", _("On-site teaching")  # 现场教学
    THEME_DAY = "theme_day", _("Theme Party day")  # 主题党日
    ONLINE = "online", _("Online course")
    EXAM = "exam", _("Test")


class TrainingClassQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def visible_to(self, actor):  # type: ignore[no-untyped-def]
        """The organiser's readers; readers at or above a unit given places; readers above an
        enrolled member's branch (a secretary sees classes their members are dispatched to);
        and an enrolled member."""
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        cond = Q()
        for path in scope.read_paths:
            cond |= Q(org__path__startswith=path)
            cond |= Q(
                Exists(
                    Quota.objects.filter(training_class=OuterRef("pk"), org__path__startswith=path)
                )
            )
            cond |= Q(
                Exists(
                    Enrolment.objects.active().filter(
                        training_class=OuterRef("pk"), member__org__path__startswith=path
                    )
                )
            )
        if scope.member_id:
            cond |= Q(
                Exists(
                    Enrolment.objects.active().filter(
                        training_class=OuterRef("pk"), member_id=scope.member_id
                    )
                )
            )
        return self.filter(cond) if cond else self.none()


class TrainingClass(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CLOSED = "closed", pgettext_lazy("training class state", "Closed")
        CANCELLED = "cancelled", _("Cancelled")

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="training_classes",
    )
    title = models.CharField(_("class title"), max_length=200)
    kind = models.CharField(_("kind of class"), max_length=16, choices=ClassKind.choices)
    full_time = models.BooleanField(_("full-time (脱产)"), default=False)
    online = models.BooleanField(_("online"), default=False)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    # The class's main topic: "already trained on the same topic this year" compares this.
    topic = models.CharField(_("main topic"), max_length=24, choices=Topic.choices)
    # Target audience: members of `audience_org`'s subtree with these statuses, positions and
    # ranks (an empty list means any).
    audience_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("audience within"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience_statuses = models.JSONField(_("member statuses"), default=list, blank=True)
    audience_positions = models.JSONField(_("positions"), default=list, blank=True)
    audience_cadre_ranks = models.JSONField(_("cadre ranks"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    theory_override_reason = models.CharField(
        _("reason for publishing below the theory share"), max_length=300, blank=True
    )
    plan_document = models.FileField(
        _("class plan document"), upload_to="training/plans/%Y/", blank=True
    )
    roster_confirmed_at = models.DateTimeField(
        _("final roster confirmed at"), null=True, blank=True
    )
    timetable_confirmed_at = models.DateTimeField(
        _("final timetable confirmed at"), null=True, blank=True
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The date the closing decision and the certificates carry: the class's last day when it
    # is closed afterwards (a class of last March is closed in March, whenever it is entered),
    # or the date the actor gives; `closed_at` keeps when the action was taken.
    closed_on = models.DateField(_("date of closing"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A class closed long after its last day records why (结班 is due within days of the end).
    late_close_note = models.CharField(_("note on a late close"), max_length=300, blank=True)
    # The plan item this class delivers (plan versus actual).
    plan_item = models.ForeignKey(
        "plans.PlanItem",
        verbose_name=_("plan item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_classes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TrainingClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("training class")
        verbose_name_plural = _("training classes")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["org", "starts_on"], name="class_org_start_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="class_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="class_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def year(self) -> int:
        return self.starts_on.year


class Session(models.Model):
    """One item of a class's curriculum; its time, place, hours and topic live on its event."""

    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("training class"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        related_name="session",
    )
    type = models.CharField(_("session type"), max_length=16, choices=SessionType.choices)
    # The teacher from the 师资库 when there is one; `teacher` keeps the name as shown (and is
    # all there is for a one-off speaker), so the curriculum reads the same either way.
    pool_teacher = models.ForeignKey(
        "resources.Teacher",
        verbose_name=_("teacher from the pool"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    teacher = models.CharField(_("teacher"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["event__starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.training_class_id}: {self.event_id}"


class Quota(models.Model):
    """Places (名额) of a class allocated to a unit below the organiser."""

    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("training class"),
        on_delete=models.CASCADE,
        related_name="quotas",
    )
    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    places = models.PositiveIntegerField(_("places"))

    class Meta:
        verbose_name = _("places")
        verbose_name_plural = _("places")
        ordering = ["org__path"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "org"], name="quota_once_per_unit"),
            models.CheckConstraint(condition=Q(places__gte=1), name="quota_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.org_id}: {self.places}"


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def active(self) -> EnrolmentQuerySet:
        """Nominations waiting for a decision and accepted enrolments."""
        return self.filter(state__in=[Enrolment.State.NOMINATED, Enrolment.State.ACCEPTED])

    def accepted(self) -> EnrolmentQuerySet:
        return self.filter(state=Enrolment.State.ACCEPTED)


class Enrolment(models.Model):
    """A member's place in a class: nominated by a unit or named by the organiser (点名调训)."""

    class State(models.TextChoices):
        NOMINATED = "nominated", _("Nominated")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REPLACED = "replaced", _("Replaced")

    class Route(models.TextChoices):
        NOMINATED = "nominated", _("Nominated by the unit")
        NAMED = "named", _("Named by the organiser")
        SUBSTITUTE = "substitute", _("Substitute")

    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("training class"),
        on_delete=models.CASCADE,
        related_name="enrolments",
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    # The unit whose places the member takes; null for a member named by the organiser.
    quota = models.ForeignKey(
        Quota,
        verbose_name=_("places of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    # Leave above 1/7 of a full-time class's hours (干部教育培训工作条例 Art. 15).
    flagged_for_withdrawal = models.BooleanField(_("flagged for withdrawal"), default=False)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nominated_at = models.DateTimeField(_("nominated at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["training_class_id", "member__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class", "member"],
                condition=Q(state__in=["nominated", "accepted"]),
                name="enrolment_one_live_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.training_class_id}/{self.member_id}: {self.state}"


class MakeUp(models.Model):
    """A session a member missed (absent or on leave) and, once assigned, where they make it up."""

    class State(models.TextChoices):
        OPEN = "open", _("To be assigned")
        ASSIGNED = "assigned", _("Assigned")
        DONE = "done", _("Made up")
        WAIVED = "waived", _("Waived")

    member = models.ForeignKey(
        "members.Member", verbose_name=_("member"), on_delete=models.PROTECT, related_name="makeups"
    )
    missed_event = models.ForeignKey(
        "events.Event",
        verbose_name=_("missed session"),
        on_delete=models.PROTECT,
        related_name="makeups_missed",
    )
    assigned_event = models.ForeignKey(
        "events.Event",
        verbose_name=_("make-up session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="makeups_assigned",
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    note = models.CharField(_("note"), max_length=300, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("make-up")
        verbose_name_plural = _("make-ups")
        ordering = ["missed_event__starts_at", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["member", "missed_event"], name="makeup_once_per_miss"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} missed {self.missed_event_id}"


class TrainingSettings(models.Model):
    """Per-tenant settings of classes, keyed by the tenant's root organisation."""

    tenant = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("tenant"),
        on_delete=models.CASCADE,
        related_name="training_settings",
    )
    # DESIGN.md §3: theory ≥ 50% of a special training's hours (seed 004 uses 1/3 locally).
    theory_share_min = models.DecimalField(
        _("minimum theory share"), max_digits=3, decimal_places=2, default=Decimal("0.50")
    )
    theory_topics = models.JSONField(_("topics counted as theory"), default=list)
    # 干部教育培训工作条例 Art. 15: leave above 1/7 of a full-time class's hours.
    # Kept as a denominator so that the comparison is exact: leave × 7 > class hours.
    leave_limit_denominator = models.PositiveSmallIntegerField(
        _("leave may not exceed 1/N of a full-time class's hours, N ="), default=7
    )
    # A class closed more than this many days after its last day must carry a note.
    close_due_days = models.PositiveSmallIntegerField(_("close within (days)"), default=7)

    class Meta:
        verbose_name = _("training settings")
        verbose_name_plural = _("training settings")

    def __str__(self) -> str:
        return f"training settings of {self.tenant_id}"

    @property
    def theory_topic_list(self) -> list[str]:
        return list(self.theory_topics) or list(DEFAULT_THEORY_TOPICS)
