"""External study records (学习强国, 干部网络学院, 灯塔-党建在线 …) imported from the platforms' exports.

A source is a platform as one org receives it, with the column mapping set once and remembered.
A batch is one uploaded file for one period: checked first (a dry run that writes only its own
report: one line per person in the file), reviewed where the file names someone ambiguously,
then applied. An external record is what the platform says of one member for one period, kept
once per (source, period, member): applying the same file again finds every record unchanged,
and a corrected file changes only what it corrects, through the ledger's reversals.
Points (积分) are kept as evidence beside the hours and are never ranked or credited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import MemberOwnedQuerySet, ScopedQuerySet

# The fields a source's mapping may name, in the order a mapping form shows them.
MAPPED_FIELDS: tuple[str, ...] = (
    "name",
    "id_number",
    "mobile",
    "unit",
    "date",
    "hours",
    "points",
    "course",
)


class ExternalSourceQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class ExternalSource(models.Model):
    class Platform(models.TextChoices):
        XUEXI = "xuexi", _("Xuexi Qiangguo (学习强国)")
        CADRE_ACADEMY = "cadre_academy", _("Cadre online academy (干部网络学院)")
        DENGTA = "dengta", _("Dengta Party building online (灯塔-党建在线)")
        OTHER = "other", _("Another platform")

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("Party organization"),
        on_delete=models.PROTECT,
        related_name="external_sources",
    )
    name = models.CharField(_("name"), max_length=60)
    platform = models.CharField(
        _("platform"), max_length=16, choices=Platform.choices, default=Platform.OTHER
    )
    # field (MAPPED_FIELDS) → the header as the platform's export spells it; "" = not in the file.
    mapping = models.JSONField(_("column mapping"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ExternalSourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("external study source")
        verbose_name_plural = _("external study sources")
        ordering = ["org_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "name"], name="external_source_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportBatchQuerySet(ScopedQuerySet):
    scope_path_field = "source__org__path"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, not applied")
        APPLYING = "applying", _("Being applied")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Could not be read")
        # Checked but never applied within LEARNING_IMPORT_KEEP_DAYS: the file was deleted.
        EXPIRED = "expired", _("Expired, not applied")

    source = models.ForeignKey(
        ExternalSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="batches"
    )
    # "2025" (a year) or "2025-03" (a month): never across an accounting year.
    period = models.CharField(_("period"), max_length=7)
    # The upload (it may hold plain ID numbers): deleted once the batch is applied or fails, or
    # by the job `learning.imports_expire` when it is left unapplied.
    file = models.FileField(_("file"), upload_to="learning-imports/%Y/%m/", blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("problem"), blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    people = models.PositiveIntegerField(_("people in the file"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    review = models.PositiveIntegerField(_("to review"), default=0)
    problem_rows = models.PositiveIntegerField(_("rows with problems"), default=0)
    new = models.PositiveIntegerField(_("new"), default=0)
    changed = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    # The first problems as {row, column, value, message}; `problem_rows` counts them all.
    problems = models.JSONField(_("problems"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("external records import")
        verbose_name_plural = _("external records imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_progress_max"),
        ]

    def __str__(self) -> str:
        return f"{self.source.name} {self.period} {self.filename}"

    @property
    def is_running(self) -> bool:
        return self.status in (
            self.Status.QUEUED,
            self.Status.CHECKING,
            self.Status.APPLYING,
        )


class ImportLineQuerySet(ScopedQuerySet):
    scope_path_field = "batch__source__org__path"


class ImportLine(models.Model):
    """One person as the file names them, their rows summed: the dry run's report line, and
    the review queue's item when the file names them ambiguously or not at all."""

    class Match(models.TextChoices):
        NONE = "", _("Not matched")
        ID_NUMBER = "id_number", _("By ID number")
        MOBILE = "mobile", _("By mobile number")
        NAME_UNIT = "name_unit", _("By name and unit")
        PICKED = "picked", _("Picked by a reviewer")
        # The same name + unit of the same source was picked (or left out) in an earlier review.
        REMEMBERED = "remembered", _("Matched by an earlier review")

    class State(models.TextChoices):
        MATCHED = "matched", _("Matched")
        REVIEW = "review", _("To review")
        SKIPPED = "skipped", _("Left out by a reviewer")
        PROBLEM = "problem", _("Problem")

    class Outcome(models.TextChoices):
        NONE = "", _("—")
        NEW = "new", _("New")
        CHANGED = "changed", _("Changed")
        UNCHANGED = "unchanged", _("Unchanged")

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="lines")
    row = models.PositiveIntegerField(_("row"))  # the first row (as Excel numbers it)
    rows = models.PositiveIntegerField(_("rows"), default=1)
    name = models.CharField(_("name"), max_length=60, blank=True)
    id_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=120, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=2, default=Decimal(0))
    points = models.DecimalField(
        _("points"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    match = models.CharField(
        _("matched how"), max_length=16, choices=Match.choices, blank=True, default=""
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, blank=True, default=""
    )
    candidates = models.JSONField(_("candidates"), default=list)  # member ids the file may mean
    problem = models.CharField(_("problem"), max_length=300, blank=True)
    # The first row as read, header → text, the ID number masked; plus the course titles seen.
    raw = models.JSONField(_("row as read"), default=dict)

    objects = ImportLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("import line")
        verbose_name_plural = _("import lines")
        ordering = ["batch_id", "row", "id"]
        indexes = [models.Index(fields=["batch", "state"], name="import_line_batch_state_idx")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row} {self.name}"


class ExternalRecordQuerySet(MemberOwnedQuerySet):
    scope_path_field = "member__org__path"


class ExternalRecord(models.Model):
    """What a platform reports of one member for one period; at most one per source and period."""

    source = models.ForeignKey(
        ExternalSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="records"
    )
    period = models.CharField(_("period"), max_length=7)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="external_records",
    )
    hours = models.DecimalField(_("hours reported"), max_digits=9, decimal_places=2)
    points = models.DecimalField(
        _("points (evidence only)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # The ledger line standing for this record now (None when it credits nothing).
    # No database foreign key to the ledger, partitioned by year on PostgreSQL (hours 0010).
    entry = models.ForeignKey(
        "hours.CreditEntry",
        verbose_name=_("ledger entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("last written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="records",
    )
    raw = models.JSONField(_("as read"), default=dict)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ExternalRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("external study record")
        verbose_name_plural = _("external study records")
        ordering = ["-period", "source_id", "member_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "period", "member"], name="external_record_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.period} {self.member_id}: {self.hours}"


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of "2025" or "2025-03"; ValueError for anything else."""
    if len(period) == 4 and period.isdigit():
        year = int(period)
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if len(period) == 7 and period[4] == "-" and period[:4].isdigit() and period[5:].isdigit():
        year, month = int(period[:4]), int(period[5:])
        first = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return first, following - dt.timedelta(days=1)
    raise ValueError(period)
