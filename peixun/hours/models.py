"""The study-hour (学时) ledger, its yearly rollup, requirement rules and tenant settings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.models import KeptFigures
from peixun.core.scoping import MemberOwnedQuerySet, ScopedQuerySet, scope_of
from peixun.members.models import Member

HOURS_STEP = Decimal("0.25")
# One entry records one activity; a three-month full-time class is about 480 学时.
MAX_ENTRY_HOURS = Decimal("500")


class Kind(models.TextChoices):
    CONCENTRATED_TRAINING = "concentrated_training", _("Concentrated training")
    ONLINE_TRAINING = "online_training", _("Online training")
    THREE_MEETINGS = "three_meetings", _("Three meetings and one lecture")
    THEME_DAY = "theme_day", _("Theme Party day")
    CENTRAL_GROUP = "central_group", _("Central group study")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    SELF_STUDY = "self_study", _("Self-study")
    UPPER_DISPATCH = "upper_dispatch", _("Training dispatched by a higher level")
    EXTERNAL_PLATFORM = "external_platform", _("External platform")
    OTHER = "other", _("Other")


class Topic(models.TextChoices):
    INNOVATION_THEORY = "innovation_theory", _("The Party's innovative theory")
    PARTY_HISTORY = "party_history", _("Party history")
    CONSTITUTION_RULES = "constitution_rules", _("Party Constitution and regulations")
    INTEGRITY = "integrity", _("Integrity")
    RULE_OF_LAW = "rule_of_law", _("Rule of law")
    PROFESSIONAL = "professional", _("Professional skills")
    OTHER = "other", _("Other")


class CreditEntryQuerySet(MemberOwnedQuerySet):
    # Scoped by the member's current org, so a transferred member's history moves with them.
    scope_path_field = "member__org__path"

    def confirmed(self) -> CreditEntryQuerySet:
        return self.filter(state=CreditEntry.State.CONFIRMED)


class CreditEntry(models.Model):
    """One line of the ledger. Append-only: amounts never change; a correction is a reversing
    entry (`reverses` set, hours negated). Only a pending entry's state moves, once, to confirmed
    or rejected."""

    class Source(models.TextChoices):
        EVENT = "event", _("Event attendance")
        COURSE = "course", _("Online course")
        IMPORT = "import", _("Import")
        MANUAL = "manual", _("Recorded by hand")
        SELF_STUDY = "self_study", _("Filed by the member")
        EXAM = "exam", _("Passed a knowledge test")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="credit_entries",
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("branch on that date"),
        on_delete=models.PROTECT,
        related_name="credit_entries",
    )
    on = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("accounting year"))
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, default=Topic.OTHER)
    concentrated = models.BooleanField(_("concentrated"), default=False)
    online = models.BooleanField(_("online"), default=False)
    title = models.CharField(_("activity"), max_length=200)
    reflection = models.TextField(_("reflections"), blank=True)
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.MANUAL
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/%Y/%m/", blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.CONFIRMED
    )
    # No database foreign key: on PostgreSQL the ledger is partitioned by year (migration 0010),
    # where a key can only point at (id, year) and a unique column must include the year. There
    # the uniqueness is (reverses, year), the same thing since a reversal keeps the year of the
    # line it reverses; `entry_reverse` reads and locks that line before writing.
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_constraint=False,
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by the secretary"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = CreditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("study-hour entry")
        verbose_name_plural = _("study-hour entries")
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["member", "year"], name="credit_member_year_idx"),
            models.Index(fields=["org", "year"], name="credit_org_year_idx"),
            models.Index(fields=["state", "year"], name="credit_state_year_idx"),
            # "As of" figures subtract the lines dated after a date: usually none, found by date.
            models.Index(fields=["on"], name="credit_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(hours=0), name="credit_hours_nonzero"),
            # Only a reversal is negative, and a reversal is always negative and confirmed.
            models.CheckConstraint(
                condition=Q(reverses__isnull=True, hours__gt=0)
                | Q(reverses__isnull=False, hours__lt=0, state="confirmed"),
                name="credit_sign_matches_reversal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.title} {self.hours}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class YearlyRollup(models.Model):
    """Confirmed hours per member × year × kind × topic, kept in the same transaction as each
    entry so that pages never scan the ledger. `rebuild_rollups --check` proves it equals the ledger."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="rollups")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    topic = models.CharField(max_length=24, choices=Topic.choices)
    hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    concentrated_hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    online_hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    # Net count of activities (a reversal subtracts one), for "at least one concentrated training".
    entries = models.IntegerField(default=0)
    concentrated_entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "kind", "topic"], name="rollup_unique_cell"
            ),
        ]
        indexes = [models.Index(fields=["year", "member"], name="rollup_year_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year} {self.kind}/{self.topic}: {self.hours}"


class MemberYearTotal(models.Model):
    """The yearly rollup summed over kinds and topics: one row per member and year, so that the
    compliance summary of a 100,000-member tenant reads 100,000 rows, not millions of cells.
    Kept with `YearlyRollup` in the same transaction; `rebuild_rollups --check` checks both."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="year_totals"
    )
    year = models.PositiveSmallIntegerField()
    hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    concentrated_hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    online_hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    entries = models.IntegerField(default=0)
    concentrated_entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="member_year_total_unique")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.hours}"


class MemberMonthTotal(models.Model):
    """The per-member-year totals by the month of the line's date, so that a figure "as of" a
    day inside a year reads the months before it from here and only the lines of the nearer
    half of its month from the ledger (not half a year of lines). Kept with `YearlyRollup` in
    the same transaction; `rebuild_rollups --check` checks it too."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="month_totals"
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    concentrated_hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    online_hours = models.DecimalField(max_digits=9, decimal_places=2, default=Decimal(0))
    entries = models.IntegerField(default=0)
    concentrated_entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "month"], name="member_month_total_unique"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="member_month_total_month"
            ),
        ]
        indexes = [models.Index(fields=["year", "member"], name="month_total_year_member_idx")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}-{self.month:02d}: {self.hours}"


class Metric(models.TextChoices):
    TOTAL_HOURS = "total_hours", _("Total hours")
    CONCENTRATED_HOURS = "concentrated_hours", _("Concentrated training hours")
    ONLINE_HOURS = "online_hours", _("Online hours")
    TOPIC_HOURS = "topic_hours", _("Hours of a topic")
    TOPIC_SHARE = "topic_share", _("Share of a topic")
    KIND_COUNT = "kind_count", _("Number of activities of a kind")
    CONCENTRATED_COUNT = "concentrated_count", _("Number of concentrated trainings")


class RequirementQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"

    def visible_to(self, actor):  # type: ignore[no-untyped-def]
        # Everyone sees the rules that apply above them too: a secretary must know the county's rule.
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        paths = set(scope.read_paths)
        if scope.member_id:
            own = (
                Member.objects.filter(pk=scope.member_id)
                .values_list("org__path", flat=True)
                .first()
            )
            if own:
                paths.add(own)
        cond = Q()
        for path in paths:
            # The rule's org is an ancestor of (or equal to) the path, or inside the granted subtree.
            step = 4  # treebeard steplen of Organization
            prefixes = [path[:i] for i in range(step, len(path) + 1, step)]
            cond |= Q(org__path__in=prefixes) | Q(org__path__startswith=path)
        return self.filter(cond) if cond else self.none()


class Requirement(models.Model):
    """A study requirement as data: whom it covers, what it measures, how much, over what period."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("applies within"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    name = models.CharField(_("rule name"), max_length=120)
    source = models.CharField(_("source document"), max_length=200, blank=True)
    statuses = models.JSONField(_("member statuses"), default=list, blank=True)
    positions = models.JSONField(_("positions"), default=list, blank=True)
    cadre_ranks = models.JSONField(_("cadre ranks"), default=list, blank=True)
    metric = models.CharField(_("metric"), max_length=24, choices=Metric.choices)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, blank=True)
    threshold = models.DecimalField(_("threshold"), max_digits=8, decimal_places=2)
    period_years = models.PositiveSmallIntegerField(_("period in years"), default=1)
    cycle_start_year = models.PositiveSmallIntegerField(
        _("first year of the cycle"), null=True, blank=True
    )
    online_cap = models.DecimalField(
        _("online hours counted at most"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    # The 发展对象 rule: counted since the member became a candidate, across years, owed in full.
    before_admission = models.BooleanField(_("owed once before admission"), default=False)
    valid_from_year = models.PositiveSmallIntegerField(_("from year"))
    valid_to_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    is_default = models.BooleanField(_("national default"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["org__path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gt=0), name="requirement_threshold_positive"
            ),
            models.CheckConstraint(
                condition=Q(period_years__gte=1), name="requirement_period_positive"
            ),
            models.CheckConstraint(
                condition=Q(valid_to_year__isnull=True)
                | Q(valid_to_year__gte=models.F("valid_from_year")),
                name="requirement_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def holds_in(self, year: int) -> bool:
        return self.valid_from_year <= year and (
            self.valid_to_year is None or year <= self.valid_to_year
        )


class HoursSettings(models.Model):
    """Per-tenant settings of the ledger, keyed by the tenant's root organisation."""

    tenant = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("tenant"),
        on_delete=models.CASCADE,
        related_name="hours_settings",
    )
    two_stage_approval = models.BooleanField(
        _("self-study also approved by the org admin"), default=False
    )
    hours_per_day = models.DecimalField(
        _("hours per training day"), max_digits=4, decimal_places=2, default=Decimal(8)
    )
    # Behind pace but within this share of what is due by now reads as "at risk", not "behind".
    at_risk_ratio = models.DecimalField(
        _("at-risk band"), max_digits=3, decimal_places=2, default=Decimal("0.80")
    )

    class Meta:
        verbose_name = _("study-hour settings")
        verbose_name_plural = _("study-hour settings")

    def __str__(self) -> str:
        return f"settings of {self.tenant_id}"


class HoursCertificateQuerySet(MemberOwnedQuerySet):
    # Read with the member's record: their branch's readers, and the member themself.
    scope_path_field = "member__org__path"


class HoursCertificate(models.Model):
    """One 学时证明 as issued: who, by which org, on which date, for which years, and the figures
    it stated then (kept as issued, so that a later correction of the ledger never changes a
    certificate already handed out). The serial number is how the org looks it up."""

    serial = models.CharField(_("serial number"), max_length=40, unique=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="hours_certificates",
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="hours_certificates",
    )
    first_year = models.PositiveSmallIntegerField(_("from year"))
    last_year = models.PositiveSmallIntegerField(_("to year"))
    issued_on = models.DateField(_("date of issue"))
    total = models.DecimalField(_("hours"), max_digits=9, decimal_places=2)
    concentrated = models.DecimalField(_("concentrated"), max_digits=9, decimal_places=2)
    online = models.DecimalField(_("online"), max_digits=9, decimal_places=2)
    # {kind: "hours"} as stated on the certificate, kinds with no hours left out.
    by_kind = models.JSONField(_("hours by kind"), default=dict)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by (user)"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = HoursCertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("study-hour certificate")
        verbose_name_plural = _("study-hour certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")),
                name="hours_certificate_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.serial


class ComplianceSnapshot(KeptFigures):
    """The compliance summary of a large org (an org and each child: members, coverage, average
    hours, per-rule counts by status) for one year and as-of date, as last computed, kept so that
    a page reads it instead of judging every member below the org again (minutes at a million
    members). Kept only for orgs of at least `COMPLIANCE_KEEP_MEMBERS` members; refreshed by the
    `hours.compliance_refresh` job and whenever a reader asks for fresh figures; the page says
    when it was computed. Holds aggregate figures only, never a person's data."""

    members = models.PositiveIntegerField(_("members"))
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("compliance snapshot")
        verbose_name_plural = _("compliance snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "as_of"], name="compliance_snapshot_unique"
            )
        ]
