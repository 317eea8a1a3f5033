"""The yearly reports: a draft of a 年度党员教育培训工作总结 or a 规划贯彻落实情况报告 for an org and a
range of years. A draft keeps only what people wrote (the prose before and after each section's
computed sentences); the figures are computed from the records every time the draft is shown or
exported, so a later correction appears and never overwrites anyone's text."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from peixun.core.models import KeptFigures
from peixun.core.scoping import ScopedQuerySet

# The sections of a report, in order (seed 002): 基本情况, 主要做法及成效, 存在问题, 下一步打算.
SECTIONS = ("basics", "practice", "problems", "plans")
# The prose fields of a draft: an opening paragraph, then before/after text for each section.
PROSE_FIELDS = ("opening", *[f"{s}_{w}" for s in SECTIONS for w in ("before", "after")])
MAX_PROSE = 20_000


class ReportKind(models.TextChoices):
    ANNUAL_SUMMARY = "annual_summary", _("Annual summary of Party member education and training")
    PLAN_IMPLEMENTATION = "plan_implementation", _("Report on implementing the training plan")


class ReportDraftQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


def _prose(label: StrOrPromise) -> models.TextField[str, str]:
    return models.TextField(label, blank=True, max_length=MAX_PROSE)


class ReportDraft(models.Model):
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="report_drafts",
    )
    kind = models.CharField(_("kind of report"), max_length=24, choices=ReportKind.choices)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    # Entries dated after this day are not counted (None: to the end of the last year).
    as_of = models.DateField(_("as of"), null=True, blank=True)
    # 成文日期: the date the document is signed with (None: the day it is exported).
    dated = models.DateField(_("date of the report"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    opening = _prose(_("opening"))
    basics_before = _prose(_("basic situation: before the figures"))
    basics_after = _prose(_("basic situation: after the figures"))
    practice_before = _prose(_("main practices and results: before the figures"))
    practice_after = _prose(_("main practices and results: after the figures"))
    problems_before = _prose(_("problems: before the figures"))
    problems_after = _prose(_("problems: after the figures"))
    plans_before = _prose(_("next steps: before the figures"))
    plans_after = _prose(_("next steps: after the figures"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReportDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")), name="report_draft_years_in_order"
            ),
            models.CheckConstraint(
                condition=Q(first_year__gte=2000), name="report_draft_first_year_2000"
            ),
            models.CheckConstraint(
                condition=Q(last_year__lte=F("first_year") + 9),
                name="report_draft_at_most_10_years",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class YearClosingQuerySet(ScopedQuerySet):
    scope_path_field = "org__path"


class YearClosing(models.Model):
    """年度结账: an org admin closes a year for their subtree; the catalogue's values of that year
    are frozen here, and a later correction shows as an adjustment beside them, never silently."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="year_closings",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # figure key → its value then, as text (Decimal kept exact), or None where nothing counted.
    figures = models.JSONField(_("figures frozen"), default=dict)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    objects = YearClosingQuerySet.as_manager()

    class Meta:
        verbose_name = _("year closing")
        verbose_name_plural = _("year closings")
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="year_closing_once"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}/{self.year}"


class DashboardSnapshot(KeptFigures):
    """The 数据驾驶舱 of one org, year and as-of date as last computed, kept so that a page view
    reads it instead of recomputing every tile (several seconds at 100,000 members). Refreshed by
    the `reports.dashboard_refresh` job and whenever a reader asks for fresh figures; the page
    says when it was computed. Holds aggregate figures only, never a person's data."""

    # Each tile with its first KEPT_CHILDREN child rows (what the page shows) and its chart cut
    # to them; the rest, per tile, in `child_rows`, read only when a reader asks for every child
    # (a province's top org has thousands of units: megabytes the page would otherwise decode).
    tiles = models.JSONField(_("tiles"))
    child_rows = models.JSONField(_("child rows"), default=dict)

    class Meta:
        verbose_name = _("dashboard snapshot")
        verbose_name_plural = _("dashboard snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["org", "year", "as_of"], name="dashboard_snapshot_unique"
            )
        ]
