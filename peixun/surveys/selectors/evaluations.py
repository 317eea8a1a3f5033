"""Evaluations (教学质量评估) as organisers read them: the list, who is to be asked, whether a
class has had its evaluation (the closing checklist), and the year's figure for the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_read_org, get_visible_or_404, scope_of
from peixun.orgs.models import Organization
from peixun.resources.models import Teacher
from peixun.training.models import Session, TrainingClass

from ..models import Answer, Form, Response, Survey, SurveySettings
from ..models.forms import Purpose
from .results import TWO_PLACES, survey_settings_of
from .surveys import visible_surveys


def may_run_evaluations(actor: Actor) -> bool:
    """Staff pages of this topic: readers of some org (members alone see their invitations)."""
    return scope_of(actor).is_staff_like


def evaluation_list(*, actor: Actor, year: int | None = None, q: str = "") -> QuerySet[Survey]:
    """The evaluations the reader may see as staff, newest first, with their counts."""
    surveys = visible_surveys(actor=actor, purpose=Purpose.EVALUATION, year=year)
    # A member's own invitations are not the organiser's list.
    surveys = surveys.filter(pk__in=Survey.objects.visible_to(actor).values("pk")).filter(
        _staff_readable(actor)
    )
    if q:
        surveys = surveys.filter(title__icontains=q)
    return surveys.select_related("training_class", "session__event", "teacher").order_by(
        "-created_at", "-id"
    )


def _staff_readable(actor: Actor) -> Q:
    scope = scope_of(actor)
    if scope.platform:
        return Q()
    cond = Q(pk__in=[])
    for path in scope.read_paths:
        cond |= Q(org__path__startswith=path)
    return cond


def may_read_evaluation(actor: Actor, survey: Survey) -> bool:
    return can_read_org(actor, survey.org)


def evaluation_forms(*, actor: Actor) -> QuerySet[Form]:
    """The evaluation forms the reader may use, nearest first."""
    return (
        Form.objects.visible_to(actor)
        .filter(purpose=Purpose.EVALUATION)
        .select_related("org")
        .order_by("-org__depth", "title", "id")
    )


def teacher_classes(*, actor: Actor, teacher: Teacher) -> QuerySet[TrainingClass]:
    """The classes the actor manages in which the teacher taught a session."""
    return (
        TrainingClass.objects.filter(
            pk__in=Session.objects.filter(pool_teacher=teacher).values("training_class_id"),
            org__in=Organization.objects.manageable_by(actor),
        )
        .select_related("org")
        .order_by("-starts_on", "id")
    )


def class_evaluation_run(training_class: TrainingClass) -> bool:
    """An evaluation of the class or of one of its sessions has been run: opened (or closed)
    and answered at least once."""
    return (
        Survey.objects.filter(
            Q(training_class=training_class) | Q(session__training_class=training_class),
            purpose=Purpose.EVALUATION,
            state__in=[Survey.State.OPEN, Survey.State.CLOSED],
        )
        .filter(Exists(Response.objects.filter(survey=OuterRef("pk"))))
        .exists()
    )


def evaluation_closing_check(training_class: TrainingClass) -> str | None:
    """The closing checklist's item (training.registry): None when satisfied or not asked for."""
    if not survey_settings_of(training_class.org).class_close_requires_evaluation:
        return None
    if class_evaluation_run(training_class):
        return None
    return _(
        "The class's evaluation has not been run: evaluate the class or one of its sessions "
        "and collect at least one answer."
    )


def class_evaluations(*, actor: Actor, training_class: TrainingClass) -> QuerySet[Survey]:
    """The evaluations of a class and its sessions the reader may see (the class page)."""
    return evaluation_list(actor=actor).filter(
        Q(training_class=training_class) | Q(session__training_class=training_class)
    )


@dataclass(frozen=True)
class YearEvaluations:
    run: int  # evaluations opened or closed in the year
    shown: int  # of which the results are shown (at the threshold)
    average: Decimal | None  # the mean of their overall averages, on a 5-point scale


def year_evaluation_summary(
    *, actor: Actor, year: int, org: Organization | None = None
) -> YearEvaluations:
    """The year's evaluations run in `org`'s subtree (the reader's whole scope when None) and
    the average satisfaction: the plain mean of each shown evaluation's overall average (every
    rating it received, brought to a 5-point scale), so each evaluation counts once whatever
    its size. Evaluations below their tenant's threshold count as run but add nothing to the
    average, as their pages show nothing. Four queries, whatever the number of evaluations."""
    surveys = Survey.objects.visible_to(actor).filter(
        _staff_readable(actor),
        purpose=Purpose.EVALUATION,
        year=year,
        state__in=[Survey.State.OPEN, Survey.State.CLOSED],
    )
    if org is not None:
        surveys = surveys.filter(org__path__startswith=org.path)
    paths = dict(surveys.values_list("pk", "org__path"))
    if not paths:
        return YearEvaluations(run=0, shown=0, average=None)
    step = Organization.steplen
    thresholds = dict(
        SurveySettings.objects.filter(
            tenant__path__in={p[:step] for p in paths.values()}
        ).values_list("tenant__path", "min_responses")
    )
    default = SurveySettings().min_responses
    counts = dict(
        Response.objects.filter(survey_id__in=list(paths))
        .values("survey_id")
        .annotate(n=Count("id"))
        .values_list("survey_id", "n")
    )
    sums: dict[int, tuple[Decimal, int]] = {}
    for survey_id, scale, total, n in (
        Answer.objects.filter(response__survey_id__in=list(paths), rating__isnull=False)
        .values("response__survey_id", "question__scale_max")
        .annotate(total=Sum("rating"), n=Count("id"))
        .values_list("response__survey_id", "question__scale_max", "total", "n")
    ):
        so_far, k = sums.get(survey_id, (Decimal(0), 0))
        sums[survey_id] = (so_far + Decimal(total) * 5 / scale, k + n)
    averages = [
        total / n
        for survey_id, (total, n) in sums.items()
        if n and counts.get(survey_id, 0) >= thresholds.get(paths[survey_id][:step], default)
    ]
    average = (
        (sum(averages, Decimal(0)) / len(averages)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if averages
        else None
    )
    return YearEvaluations(run=len(paths), shown=len(averages), average=average)


@dataclass(frozen=True)
class EvaluationTarget:
    training_class: TrainingClass | None = None
    session: Session | None = None
    teacher: Teacher | None = None

    @property
    def label(self) -> str:
        if self.session is not None:
            return f"{self.session.training_class.title} · {self.session.event.title}"
        if self.teacher is not None:
            return self.teacher.name
        return self.training_class.title if self.training_class else ""


def evaluation_target(
    *, actor: Actor, class_pk: int | None, session_pk: int | None, teacher_pk: int | None
) -> EvaluationTarget:
    """What an evaluation is to be about, as the reader may see it (404 otherwise)."""
    if class_pk:
        return EvaluationTarget(training_class=get_visible_or_404(actor, TrainingClass, class_pk))
    if session_pk:
        session = (
            Session.objects.filter(
                pk=session_pk,
                training_class__in=TrainingClass.objects.visible_to(actor),  # type: ignore[no-untyped-call]
            )
            .select_related("event", "training_class", "training_class__org", "pool_teacher")
            .first()
        )
        if session is None:
            raise Http404
        return EvaluationTarget(session=session)
    if teacher_pk:
        return EvaluationTarget(teacher=get_visible_or_404(actor, Teacher, teacher_pk))
    raise Http404


def evaluation_get(*, actor: Actor, pk: int) -> Survey:
    """An evaluation the reader may read as staff; 404 otherwise (an invited member included:
    their page is the answer page)."""
    survey = (
        evaluation_list(actor=actor)
        .filter(pk=pk)
        .select_related("org", "form", "training_class", "session__event", "teacher")
        .first()
    )
    if survey is None:
        raise Http404
    return survey
