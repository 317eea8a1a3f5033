"""What members have done in courses: the seconds of each video really watched (merged on the
server from the intervals the player reports), the live play session that every report is
checked against, the strikes of refused reports, quiz attempts, and completions.

Nothing here trusts the browser: a report only ever adds intervals that passed every check of
`learning.logic.check_report`, and a refused report stores nothing but a `Strike`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import MemberOwnedQuerySet

from .courses import Course, CourseItem


class ProgressQuerySet(MemberOwnedQuerySet):
    # Scoped by the member's branch when they started: a branch secretary follows their members.
    scope_path_field = "org__path"


class ItemProgress(models.Model):
    """A member's progress in one item: for a video the merged intervals watched."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CourseItem, on_delete=models.CASCADE, related_name="progress")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    # Disjoint, sorted [start, end) pairs in seconds (one decimal): the union of accepted reports.
    intervals = models.JSONField(default=list)
    unique_seconds = models.PositiveIntegerField(default=0)
    # Where the member stopped: the player resumes there. (The furthest point watched, which
    # bounds a course that forbids skipping, is the end of the last interval.)
    position = models.FloatField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A document counts as read when opened; a video when its share is reached.
    done_at = models.DateTimeField(null=True, blank=True)

    objects = ProgressQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "item"], name="learning_progress_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.item_id}: {self.unique_seconds}s"


class PlaySession(models.Model):
    """The one live play session of a member: reports name it, so that two items (or two
    tabs) cannot earn at once, and the wall clock since it began bounds what it may claim."""

    member = models.OneToOneField("members.Member", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CourseItem, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32)
    started_at = models.DateTimeField()
    last_report_at = models.DateTimeField()
    # Seconds of media accepted in this session: with the wall clock since `started_at` it
    # bounds the next claim, so a tolerance never compounds over many small reports.
    played_seconds = models.FloatField(default=0)
    # When the member last showed they were there (the start, or a confirmed presence check).
    present_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.member_id}@{self.item_id}"


class StrikeQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"


class Strike(models.Model):
    """A refused progress report: why, and what it claimed. Staff read them in the strikes log."""

    class Reason(models.TextChoices):
        WALL_CLOCK = "wall_clock", _("Claimed more than the time since the last report")
        BACKWARDS = "backwards", _("An interval ran backwards")
        SKIP = "skip", _("Skipped ahead where the course forbids it")
        SPEED = "speed", _("Played faster than normal speed")
        CONCURRENT = "concurrent", _("Another item was playing")

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CourseItem, on_delete=models.CASCADE, related_name="strikes")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # The report as received (intervals, position, the client's elapsed time) and the figures
    # it was judged against.
    detail = models.JSONField(default=dict)

    objects = StrikeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["org", "at"], name="learning_strike_org_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.item_id}: {self.reason}"


class QuizAttemptQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"


class QuizAttempt(models.Model):
    """One go at a course's quiz; the questions shown are frozen in `items` (as an exam
    attempt freezes them) so that editing the bank never changes a grade."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(CourseItem, on_delete=models.CASCADE, related_name="attempts")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    # [{"q": id, "kind", "stem", "options", "key", "points"}]
    items = models.JSONField()
    answers = models.JSONField(default=dict)
    submitted_at = models.DateTimeField()
    score = models.DecimalField(max_digits=7, decimal_places=1)
    max_score = models.DecimalField(max_digits=7, decimal_places=1)
    percent = models.DecimalField(max_digits=5, decimal_places=1)
    passed = models.BooleanField()

    objects = QuizAttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.item_id}: {self.percent}"


class CompletionQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"


class Completion(models.Model):
    """A course completed by a member: it sticks (never undone) and credits the ledger once,
    which the unique constraint guarantees however often the last report is repeated."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField()
    # The evidence behind the credit, shown in the 培训档案.
    unique_seconds = models.PositiveIntegerField(default=0)
    video_seconds = models.PositiveIntegerField(default=0)
    quiz_percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    # No database foreign key to the ledger, partitioned by year on PostgreSQL (hours 0010).
    credit = models.OneToOneField(
        "hours.CreditEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )

    objects = CompletionQuerySet.as_manager()

    class Meta:
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "course"], name="learning_completion_once"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="learning_completion_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id}/{self.course_id}"
