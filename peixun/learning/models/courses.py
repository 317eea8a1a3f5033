"""Courses (网络课程) of the online-learning catalogue: owned by an org and shared down its
subtree, made of items (a video, a document, a short quiz from the exams' question bank).

A course says how it is completed (the cmi5 "moveOn" choices: a share of its videos watched,
its quiz passed, both, or either) and whether a member may skip ahead in a video. Its 学时 are
either stated or computed by the tenant's bands (`LearningRule`) when it is completed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import Actor, scope_of
from peixun.exams.models import SharedDownQuerySet
from peixun.hours.models import Topic
from peixun.members.models import Member


class MoveOn(models.TextChoices):
    """When a course is complete (cmi5's moveOn values, less "not applicable")."""

    WATCHED = "watched", _("Videos watched")
    PASSED = "passed", _("Quiz passed")
    WATCHED_AND_PASSED = "watched_and_passed", _("Videos watched and quiz passed")
    WATCHED_OR_PASSED = "watched_or_passed", _("Videos watched or quiz passed")


class CourseQuerySet(SharedDownQuerySet):
    """Staff see the courses shared with their part of the tree (owned above, at or below their
    org); a member sees the published courses owned by their branch or any org above it."""

    scope_path_field = "org__path"

    def visible_to(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        shared = self.shared_with_paths(scope.read_paths)
        if not scope.member_id:
            return shared
        return shared | self.open_to_member(scope.member_id)

    def open_to_member(self, member_id: int) -> Self:
        """Published courses whose owner is the member's org or above it: one EXISTS, no
        extra query for the member's path."""
        under = Member.objects.filter(pk=member_id, org__path__startswith=OuterRef("org__path"))
        return self.filter(Exists(under), state=Course.State.PUBLISHED)


class Course(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, default=Topic.OTHER)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    # NULL: the 学时 follow the tenant's bands from the length of its videos and its quiz.
    hours = models.DecimalField(
        _("study hours"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    move_on = models.CharField(
        _("completed when"), max_length=24, choices=MoveOn.choices, default=MoveOn.WATCHED
    )
    watch_percent = models.PositiveSmallIntegerField(_("share of videos to watch (%)"), default=90)
    allow_skip = models.BooleanField(_("members may skip ahead"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(watch_percent__gte=1, watch_percent__lte=100),
                name="learning_course_watch_percent",
            ),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gt=0), name="learning_course_hours_pos"
            ),
        ]
        indexes = [models.Index(fields=["state", "org"], name="learning_course_state_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def needs_watching(self) -> bool:
        return self.move_on != MoveOn.PASSED

    @property
    def needs_quiz(self) -> bool:
        return self.move_on != MoveOn.WATCHED


class ItemKind(models.TextChoices):
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    QUIZ = "quiz", _("Quiz")


class CourseItem(models.Model):
    """One part of a course, in order. A video has its length in seconds (what "watched" is
    measured against); a document is a PDF shown in the page; a quiz is questions of the bank,
    graded as the exams grade them."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("type"), max_length=16, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    # Videos (.mp4/.webm) and documents (.pdf), checked by their first bytes when uploaded.
    file = models.FileField(_("file"), upload_to="learning/%Y/", blank=True)
    duration_seconds = models.PositiveIntegerField(_("length (seconds)"), null=True, blank=True)
    questions = models.ManyToManyField(
        "exams.Question", verbose_name=_("questions"), blank=True, related_name="+"
    )
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)

    class Meta:
        verbose_name = _("course item")
        verbose_name_plural = _("course items")
        ordering = ["course", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="video") | Q(duration_seconds__gt=0),
                name="learning_item_video_has_length",
            ),
            models.CheckConstraint(
                condition=Q(pass_percent__lte=100), name="learning_item_pass_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LearningRule(models.Model):
    """A tenant's online-learning numbers (DESIGN §3 defaults): the 学时 bands of a course by
    the length of its videos, what a passed quiz adds, and after how many minutes of play the
    player asks whether the member is still there."""

    tenant = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="learning_rule"
    )
    long_minutes = models.PositiveSmallIntegerField(_("a long course from (minutes)"), default=30)
    long_hours = models.DecimalField(
        _("study hours of a long course"), max_digits=4, decimal_places=2, default=Decimal("1")
    )
    mid_minutes = models.PositiveSmallIntegerField(_("a middle course from (minutes)"), default=15)
    mid_hours = models.DecimalField(
        _("study hours of a middle course"), max_digits=4, decimal_places=2, default=Decimal("0.5")
    )
    short_hours = models.DecimalField(
        _("study hours of a short course"), max_digits=4, decimal_places=2, default=Decimal("0.25")
    )
    quiz_hours = models.DecimalField(
        _("study hours of a passed quiz"), max_digits=4, decimal_places=2, default=Decimal("0.5")
    )
    idle_minutes = models.PositiveSmallIntegerField(
        _("ask whether the member is there after (minutes)"), default=10
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(mid_minutes__lt=models.F("long_minutes")),
                name="learning_rule_bands_ordered",
            ),
            models.CheckConstraint(condition=Q(idle_minutes__gte=1), name="learning_rule_idle"),
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}"
