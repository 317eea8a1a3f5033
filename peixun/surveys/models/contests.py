"""党课 / 宣讲 competitions (党课比赛, "最佳党课" 评选): an org opens a contest to its subtree, members
enter (text, slides, a video link), judges score each entry on a judging form, the organiser
assigns awards and publishes a recognition list: awards, entrants, units and titles, never a
ranking or the scores of ordinary members.

Judging reuses the surveys: the contest's judging form is a `Form` of purpose "judging", and its
judges are the members invited on the contest's (named, not anonymous) `Survey`; a judge's score
sheet for an entry is a `Response` whose `subject_ref` is "entry:<id>".
"""

from __future__ import annotations

from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import Actor, MemberOwnedQuerySet, ScopedQuerySet, scope_of
from peixun.members.models import Member
from peixun.orgs.models import ancestor_paths

from .responses import Invitation


class ContestKind(models.TextChoices):
    LECTURE = "lecture", _("Party lecture")  # 党课
    TALK = "talk", _("Public talk")  # 宣讲
    OTHER = "other", _("Other")


class Award(models.TextChoices):
    FIRST = "first", _("First prize")  # 一等奖
    SECOND = "second", _("Second prize")  # 二等奖
    THIRD = "third", _("Third prize")  # 三等奖
    EXCELLENCE = "excellence", _("Award of excellence")  # 优秀奖
    RECOMMENDED = "recommended", _("Recommended")  # 推荐上报


class ContestQuerySet(ScopedQuerySet):
    """A contest is seen by the staff of its org, of the orgs above and below it; by the members
    of its subtree (to enter, and to read the recognition list); and by its judges."""

    scope_path_field = "org__path"

    def visible_to(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        cond = Q()
        for path in scope.read_paths:
            cond |= Q(org__path__startswith=path) | Q(org__path__in=ancestor_paths(path))
        if scope.member_id:
            own = (
                Member.objects.filter(pk=scope.member_id)
                .values_list("org__path", flat=True)
                .first()
            )
            if own:
                cond |= Q(org__path__in=ancestor_paths(own))
            judged = Invitation.objects.filter(member_id=scope.member_id).values("survey_id")
            cond |= Q(survey__in=judged)
        return self.filter(cond) if cond else self.none()


class Contest(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Entries open")
        JUDGING = "judging", _("Judging")
        PUBLISHED = "published", _("Results published")

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContestKind.choices)
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    rules = models.TextField(_("rules"), max_length=5000, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    # Entries are taken up to the end of this day.
    entry_deadline = models.DateField(_("entry deadline"))
    # The judging form (purpose "judging") and the named survey its judges are invited on.
    form = models.ForeignKey(
        "surveys.Form",
        verbose_name=_("judging form"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    survey = models.OneToOneField(
        "surveys.Survey",
        verbose_name=_("judging survey"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contest",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ContestQuerySet.as_manager()

    class Meta:
        verbose_name = _("competition")
        verbose_name_plural = _("competitions")
        ordering = ["-year", "-created_at", "-id"]
        indexes = [models.Index(fields=["org", "year"], name="contest_org_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "judging", "published"]), name="contest_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="contest_published_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EntryQuerySet(MemberOwnedQuerySet):
    """Entries are read by the staff over the contest's org; an entrant reads their own. Judges
    reach the entries they score through the judging selectors, not through this scope."""

    scope_path_field = "contest__org__path"


class Entry(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Entered")
        WITHDRAWN = "withdrawn", _("Withdrawn from the competition")

    contest = models.ForeignKey(
        Contest, verbose_name=_("competition"), on_delete=models.CASCADE, related_name="entries"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("entrant"), on_delete=models.PROTECT, related_name="+"
    )
    # The entrant's branch when entering: the unit the recognition list names.
    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    slides = models.FileField(_("slides"), upload_to="surveys/contests/%Y/", blank=True)
    slides_name = models.CharField(_("slides file name"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SUBMITTED
    )
    award = models.CharField(_("award"), max_length=16, choices=Award.choices, blank=True)
    submitted_at = models.DateTimeField(_("entered at"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("competition entry")
        verbose_name_plural = _("competition entries")
        ordering = ["contest", "id"]
        constraints = [
            # One entry per member and contest; a withdrawn entry is entered again in place.
            models.UniqueConstraint(fields=["contest", "member"], name="entry_once_per_contest"),
            models.CheckConstraint(
                condition=Q(award="") | Q(state="submitted"), name="entry_award_only_standing"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["submitted", "withdrawn"]), name="entry_state_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def subject_ref(self) -> str:
        """What a judge's score sheet for this entry names (`Response.subject_ref`)."""
        return f"entry:{self.pk}"
