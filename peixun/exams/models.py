"""Knowledge tests (应知应会测试): a question bank owned by an org and shared down its subtree,
papers fixed or drawn by rules, exams with an audience recorded at publishing, and attempts whose
every answer is saved on the server as it is chosen.

An attempt freezes what its taker was shown (`Attempt.items`: the questions, options in the
order shown, the key and the points), so editing the bank later never changes a grade, and a
reload or a server restart shows exactly the same paper again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import Actor, MemberOwnedQuerySet, ScopedQuerySet, scope_of
from peixun.orgs.models import ancestor_paths


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    JUDGE = "judge", _("True or false")
    BLANK = "blank", _("Fill in the blank")


class Difficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


class SharedDownQuerySet(ScopedQuerySet):
    """A bank is shared down its owner's subtree: staff of the owner, of any org above it and of
    any org below it see it. Members see no bank."""

    def visible_to(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        return self.shared_with_paths(scope.read_paths)

    def shared_with_paths(self, paths: tuple[str, ...]) -> Self:
        field = self.scope_path_field
        cond = Q()
        for path in paths:
            cond |= Q(**{f"{field}__startswith": path})
            # The owner is an ancestor of (or is) the actor's org: its path is a prefix.
            cond |= Q(**{f"{field}__in": ancestor_paths(path)})
        return self.filter(cond) if cond else self.none()


class QuestionQuerySet(SharedDownQuerySet):
    scope_path_field = "org__path"


class Question(models.Model):
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="exam_questions",
    )
    kind = models.CharField(_("type"), max_length=16, choices=QuestionKind.choices)
    stem = models.TextField(_("question"), max_length=2000)
    # Choice questions: the options as shown in the bank (A, B, C …); the key is their indices.
    options = models.JSONField(_("options"), default=list, blank=True)
    # single/multiple: [indices]; judge: [true] or [false]; blank: [accepted answers].
    answer = models.JSONField(_("answer"))
    topics = models.CharField(_("topics"), max_length=200, blank=True)
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"), choices=Difficulty.choices, default=Difficulty.MEDIUM
    )
    explanation = models.TextField(_("explanation"), blank=True, max_length=2000)
    source = models.CharField(_("source"), max_length=200, blank=True)
    # sha256 of the type, the folded stem and the folded options: duplicates are found by it.
    fingerprint = models.CharField(max_length=64, editable=False)
    retired = models.BooleanField(_("retired"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "fingerprint"], name="exam_question_no_dup"),
        ]
        indexes = [models.Index(fields=["org", "kind", "difficulty"], name="exam_q_draw_idx")]

    def __str__(self) -> str:
        return self.stem[:60]

    @property
    def topic_list(self) -> list[str]:
        return [t for t in self.topics.split("、") if t]


class PaperQuerySet(SharedDownQuerySet):
    scope_path_field = "org__path"


class Paper(models.Model):
    class Mode(models.TextChoices):
        FIXED = "fixed", _("Fixed questions")
        RULES = "rules", _("Drawn by rules")

    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    mode = models.CharField(_("composition"), max_length=8, choices=Mode.choices)
    # Rules papers: [{"topic": "", "kind": "single", "difficulty": 0, "count": 5}] (0: any).
    rules = models.JSONField(_("drawing rules"), default=list, blank=True)
    # Points per question of each type: {"single": "2", ...}; a fixed paper's rows may differ.
    points = models.JSONField(_("points per type"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.title


class PaperQuestion(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="rows")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    points = models.DecimalField(max_digits=5, decimal_places=1)

    class Meta:
        ordering = ["paper", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "question"], name="exam_paper_question_once"),
            models.CheckConstraint(condition=Q(points__gt=0), name="exam_paper_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.paper_id}/{self.question_id}"


class ExamKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly test")
    HALF_YEAR = "half_year", _("Half-year exam")
    DRILL = "drill", _("Annual drill")
    SPOT = "spot", _("Random spot test")
    CONTEST = "contest", _("Contest")
    BASICS = "basics", _("Essential knowledge test")


class ExamQuerySet(SharedDownQuerySet):
    """Staff of the exam's org, of the orgs above it and of every org below it (whose members
    take it: a branch secretary follows the branch's results) see it; a member sees the
    published exams they are a candidate of."""

    scope_path_field = "org__path"

    def visible_to(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        shared = self.shared_with_paths(scope.read_paths)
        if not scope.member_id:
            return shared
        mine = self.filter(candidates__member_id=scope.member_id).exclude(state="draft")
        return self.filter(pk__in=shared.values("pk")) | self.filter(pk__in=mine.values("pk"))


class Exam(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        FINALISED = "finalised", _("Finalised")
        CANCELLED = "cancelled", _("Cancelled")

    class Audience(models.TextChoices):
        SUBTREE = "subtree", _("Everyone in the organisation and below")
        SAMPLE = "sample", _("A random sample per branch")

    class ShowAnswers(models.TextChoices):
        NEVER = "never", _("Never")
        AFTER_SUBMIT = "after_submit", _("After the taker submits")
        AFTER_CLOSE = "after_close", _("After the exam closes")

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="exams",
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ExamKind.choices)
    paper = models.ForeignKey(
        Paper, verbose_name=_("paper"), on_delete=models.PROTECT, related_name="exams"
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    time_limit_minutes = models.PositiveIntegerField(_("time limit (minutes)"), default=30)
    attempts_allowed = models.PositiveSmallIntegerField(_("attempts allowed"), default=1)
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=60)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    show_answers = models.CharField(
        _("show answers"),
        max_length=16,
        choices=ShowAnswers.choices,
        default=ShowAnswers.AFTER_CLOSE,
    )
    credit_hours = models.DecimalField(
        _("study hours for passing"), max_digits=4, decimal_places=2, default=Decimal("0.5")
    )
    audience = models.CharField(
        _("audience"), max_length=8, choices=Audience.choices, default=Audience.SUBTREE
    )
    # Member filters (empty: everyone): statuses and cadre ranks of members.Member.
    member_statuses = models.JSONField(_("member statuses"), default=list, blank=True)
    cadre_ranks = models.JSONField(_("cadre ranks"), default=list, blank=True)
    sample_count = models.PositiveIntegerField(_("members per branch"), null=True, blank=True)
    sample_percent = models.PositiveSmallIntegerField(
        _("percent per branch"), null=True, blank=True
    )
    # The seed the sample and every taker's draw were made from: recorded so both can be redone.
    seed = models.CharField(_("draw seed"), max_length=32, blank=True)
    leaderboard = models.BooleanField(_("show a leaderboard"), default=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ExamQuerySet.as_manager()

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-opens_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="exam_closes_after_opening"
            ),
            models.CheckConstraint(condition=Q(pass_percent__lte=100), name="exam_pass_percent"),
            models.CheckConstraint(condition=Q(credit_hours__gte=0), name="exam_credit_nonneg"),
        ]

    def __str__(self) -> str:
        return self.title


class CandidateQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"


class Candidate(models.Model):
    """Who is expected to take an exam, recorded when it is published (the sample too)."""

    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="candidates")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    # The member's branch when the exam was published: results are counted per branch by it.
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")

    objects = CandidateQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["exam", "member"], name="exam_candidate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.member_id}"


class AttemptQuerySet(MemberOwnedQuerySet):
    scope_path_field = "org__path"


class Attempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.CASCADE, related_name="attempts")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    # The server's timer: the time limit from the start, never past the exam's close.
    deadline_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    # [{"q": id, "kind", "stem", "options" (as shown), "key" (as shown), "points", "explanation"}]
    items = models.JSONField()
    max_score = models.DecimalField(max_digits=7, decimal_places=1)
    score = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(null=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["exam", "member", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "member", "number"], name="exam_attempt_number"
            ),
            # Two taps on 开始 can never open two attempts.
            models.UniqueConstraint(
                fields=["exam", "member"],
                condition=Q(submitted_at__isnull=True),
                name="exam_one_open_attempt",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exam_id}/{self.member_id}#{self.number}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Answer(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    question_id = models.PositiveIntegerField()
    # NULL: the taker cleared their answer.
    response = models.JSONField(null=True)
    saved_at = models.DateTimeField()
    # The client's count of changes to this answer: a retried or reordered older save never
    # overwrites a newer one.
    seq = models.PositiveIntegerField(default=0)
    correct = models.BooleanField(null=True)
    points = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question_id"], name="exam_answer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id}/{self.question_id}"


class ExamRule(models.Model):
    """A tenant's rule: the study hours a passed test earns by default (0.5 unless changed)."""

    tenant = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="exam_rule"
    )
    pass_credit_hours = models.DecimalField(
        _("study hours for passing"), max_digits=4, decimal_places=2, default=Decimal("0.5")
    )
    # Leaderboards are off: a tenant may allow them for contests only.
    contest_leaderboards = models.BooleanField(_("allow leaderboards for contests"), default=False)

    def __str__(self) -> str:
        return f"{self.tenant_id}"
