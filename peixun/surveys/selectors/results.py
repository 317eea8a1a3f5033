"""Results, shown only for a slice (the survey, a branch, a teacher, an entry) that holds at least
the tenant's `min_responses`: below it a page learns how many responses exist and nothing else,
not even the comments, so the few who answered cannot be read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of
from peixun.resources.models import Teacher
from peixun.resources.registry import TeacherRating

from ..logic import survey_is_accepting
from ..models import Answer, Invitation, Question, QuestionKind, Response, Survey, SurveySettings
from ..models.forms import Purpose

TWO_PLACES = Decimal("0.01")


def min_responses_for(org: Organization) -> int:
    """The tenant's threshold (5 when it has set none)."""
    found = SurveySettings.objects.filter(tenant=tenant_of(org)).first()
    return found.min_responses if found else SurveySettings().min_responses


def survey_settings_of(org: Organization) -> SurveySettings:
    """The tenant's settings, or the defaults (unsaved): reads never write."""
    tenant = tenant_of(org)
    return SurveySettings.objects.filter(tenant=tenant).first() or SurveySettings(tenant=tenant)


@dataclass
class OptionResult:
    id: int
    text: str
    topic: str
    count: int


@dataclass
class QuestionResult:
    id: int
    kind: str
    text: str
    parent_id: int | None
    scale_max: int
    answered: int = 0
    average: Decimal | None = None
    distribution: list[int] = field(default_factory=list)  # count of each rating 1 … scale_max
    options: list[OptionResult] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass
class SurveyResults:
    responses: int
    min_responses: int
    questions: list[QuestionResult]
    # The mean of every rating answered, on the form's scale: one figure for a teacher or a class.
    overall: Decimal | None = None

    @property
    def shown(self) -> bool:
        return self.responses >= self.min_responses and self.responses > 0


def _average(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _blank(questions: list[Question]) -> list[QuestionResult]:
    """The form's questions with no figures yet (what a withheld slice shows)."""
    return [
        QuestionResult(
            id=q.pk,
            kind=q.kind,
            text=q.text,
            parent_id=q.parent_id,
            scale_max=q.scale_max,
            distribution=[0] * q.scale_max if q.kind == QuestionKind.RATING else [],
        )
        for q in questions
    ]


def _responses(
    survey: Survey, branch: Organization | None, subject_ref: str | None
) -> QuerySet[Response]:
    responses = Response.objects.filter(survey=survey)
    if branch is not None:
        responses = responses.filter(branch=branch)
    if subject_ref is not None:
        responses = responses.filter(subject_ref=subject_ref)
    return responses


def survey_results(
    *,
    actor: Actor,
    survey: Survey,
    branch: Organization | None = None,
    subject_ref: str | None = None,
    threshold: int | None = None,
) -> SurveyResults:
    """A slice's results (the whole survey, one branch, or one judged entry); five queries.
    A judging survey names its judges, so its sheets are shown from the first one."""
    del actor  # the caller has checked the survey is visible; results are never more than that
    if threshold is None:
        threshold = 1 if survey.purpose == Purpose.JUDGING else min_responses_for(survey.org)
    responses = _responses(survey, branch, subject_ref)
    count = responses.count()
    questions = list(Question.objects.filter(form_id=survey.form_id).order_by("position", "id"))
    results = SurveyResults(responses=count, min_responses=threshold, questions=_blank(questions))
    if not results.shown:
        return results
    by_id = {r.id: r for r in results.questions}
    answers = Answer.objects.filter(response__in=responses)
    for question_id, rating, n in (
        answers.filter(rating__isnull=False)
        .values("question_id", "rating")
        .annotate(n=Count("id"))
        .values_list("question_id", "rating", "n")
    ):
        result = by_id[question_id]
        if rating is not None and 1 <= rating <= result.scale_max:
            result.distribution[rating - 1] = n
    for question_id, avg, n in (
        answers.filter(rating__isnull=False)
        .values("question_id")
        .annotate(avg=Avg("rating"), n=Count("response_id", distinct=True))
        .values_list("question_id", "avg", "n")
    ):
        by_id[question_id].average = _average(avg)
        by_id[question_id].answered = n
    option_counts = {
        row["option_id"]: row["n"]
        for row in answers.filter(option__isnull=False).values("option_id").annotate(n=Count("id"))
    }
    answered_choice = {
        row["question_id"]: row["n"]
        for row in answers.filter(option__isnull=False)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
    }
    for q in questions:
        if q.kind in (QuestionKind.CHOICE, QuestionKind.MULTIPLE):
            result = by_id[q.pk]
            result.answered = answered_choice.get(q.pk, 0)
            result.options = [
                OptionResult(o.pk, o.text, o.topic, option_counts.get(o.pk, 0))
                for o in q.options.all()
            ]
    texts = answers.filter(question__kind=QuestionKind.TEXT).exclude(text="")
    for question_id, text in texts.order_by("question_id", "response_id").values_list(
        "question_id", "text"
    ):
        by_id[question_id].texts.append(text)
        by_id[question_id].answered += 1
    overall = answers.filter(rating__isnull=False).aggregate(avg=Avg("rating"))["avg"]
    results.overall = _average(overall)
    return results


@dataclass
class BranchResult:
    branch: Organization
    invited: int
    responded: int
    results: SurveyResults


def results_by_branch(*, actor: Actor, survey: Survey) -> list[BranchResult]:
    """Each invited branch: invited, responded, and its results when it reaches the threshold."""
    threshold = min_responses_for(survey.org)
    rows = (
        Invitation.objects.filter(survey=survey)
        .values("branch_id")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded_on__isnull=False)))
        .order_by("branch_id")
    )
    branches = Organization.objects.in_bulk([r["branch_id"] for r in rows])
    questions = list(Question.objects.filter(form_id=survey.form_id).order_by("position", "id"))
    out = []
    for row in rows:
        branch = branches[row["branch_id"]]
        # One response per answered invitation: a branch below the threshold is known withheld
        # from the counts already read, so only the shown branches cost their queries.
        results = (
            survey_results(actor=actor, survey=survey, branch=branch, threshold=threshold)
            if row["responded"] >= threshold
            else SurveyResults(row["responded"], threshold, _blank(questions))
        )
        out.append(
            BranchResult(
                branch=branch,
                invited=row["invited"],
                responded=row["responded"],
                results=results,
            )
        )
    out.sort(key=lambda b: b.branch.path)
    return out


@dataclass
class ResponseProgress:
    invited: int
    responded: int
    waiting: list[Member]


def response_progress(*, actor: Actor, survey: Survey) -> ResponseProgress:
    """Who has answered is known (to chase the rest); what they answered is not. Two queries."""
    del actor
    counts = Invitation.objects.filter(survey=survey).aggregate(
        invited=Count("id"), responded=Count("id", filter=Q(responded_on__isnull=False))
    )
    waiting = list(
        Member.objects.filter(
            pk__in=Invitation.objects.filter(survey=survey, responded_on__isnull=True).values(
                "member_id"
            )
        )
        .select_related("org")
        .order_by("org__path", "name")
    )
    return ResponseProgress(counts["invited"] or 0, counts["responded"] or 0, waiting)


def surveys_to_answer(*, actor: Actor) -> list[Survey]:
    """The member's open surveys they have not answered yet (a judge's contests excluded: a
    judge scores each entry from the contest's page)."""
    member_id = getattr(actor, "member_id", None)
    if not member_id:
        return []
    now = timezone.now()
    pending = Survey.objects.filter(
        state=Survey.State.OPEN,
        invitations__member_id=member_id,
        invitations__responded_on__isnull=True,
    ).exclude(purpose=Purpose.JUDGING)
    return [
        s
        for s in pending.select_related("org").order_by("closes_at", "id")
        if survey_is_accepting(s, now)
    ]


def teacher_rating_provider(teacher_ids: list[int]) -> dict[int, TeacherRating]:
    """teacher id -> the ratings of the evaluations about them and their sessions, withheld
    below the threshold of the teacher's keeper's tenant; four queries."""
    if not teacher_ids:
        return {}

    keeper_paths = dict(Teacher.objects.filter(pk__in=teacher_ids).values_list("pk", "org__path"))
    about = Q(survey__teacher_id__in=teacher_ids) | Q(
        survey__session__pool_teacher_id__in=teacher_ids
    )
    evaluations = Response.objects.filter(about, survey__purpose=Purpose.EVALUATION)
    per_teacher: dict[int, dict[str, Any]] = {}
    for row in evaluations.values(
        "survey__teacher_id", "survey__session__pool_teacher_id"
    ).annotate(n=Count("id", distinct=True), surveys=Count("survey_id", distinct=True)):
        teacher = row["survey__teacher_id"] or row["survey__session__pool_teacher_id"]
        slot = per_teacher.setdefault(teacher, {"n": 0, "surveys": 0})
        slot["n"] += row["n"]
        slot["surveys"] += row["surveys"]
    ratings = Answer.objects.filter(
        Q(response__survey__teacher_id__in=teacher_ids)
        | Q(response__survey__session__pool_teacher_id__in=teacher_ids),
        response__survey__purpose=Purpose.EVALUATION,
        rating__isnull=False,
    )
    averages: dict[int, tuple[int, Decimal]] = {}
    for direct, by_session, total, avg in (
        ratings.values("response__survey__teacher_id", "response__survey__session__pool_teacher_id")
        .annotate(total=Count("id"), avg=Avg("rating"))
        .values_list(
            "response__survey__teacher_id",
            "response__survey__session__pool_teacher_id",
            "total",
            "avg",
        )
    ):
        teacher = direct or by_session
        so_far, mean = averages.get(teacher, (0, Decimal(0)))
        # A teacher may be rated directly and through their sessions: combine by weight.
        averages[teacher] = (
            so_far + total,
            (mean * so_far + Decimal(str(avg)) * total) / (so_far + total),
        )
    # Each keeper's tenant threshold, in one query: a tenant's root path starts every path in it.
    step = Organization.steplen
    tenant_paths = {path[:step] for path in keeper_paths.values()}
    thresholds = dict(
        SurveySettings.objects.filter(tenant__path__in=tenant_paths).values_list(
            "tenant__path", "min_responses"
        )
    )
    default = SurveySettings().min_responses
    out: dict[int, TeacherRating] = {}
    for teacher, slot in per_teacher.items():
        if teacher not in keeper_paths:
            continue
        shown = slot["n"] >= thresholds.get(keeper_paths[teacher][:step], default)
        avg = averages[teacher][1] if teacher in averages else None
        out[teacher] = TeacherRating(
            responses=slot["n"],
            average=_average(avg) if shown and avg is not None else None,
            surveys=slot["surveys"],
        )
    return out
