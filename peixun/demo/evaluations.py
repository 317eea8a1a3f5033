"""The demo's teaching evaluations (教学质量评估), written through the surveys services.

- the tenant's teaching evaluation form (教学内容, 教学方法, 教学效果 and comments);
- the first session of the closed special class, taught by a teacher from the 师资库 (one or
  two teachers are added to the pool when the teachers' demo has not run), evaluated by the
  members present: about four in five answered, so its results and the teacher's rating show;
  then closed;
- the whole class evaluated too, still open, answered by only three trainees: below the
  threshold of five, so its page says how many have answered and nothing more, and the others
  (the demo member among them when enrolled) have it on their "Surveys to answer".

Simulated trainees answer through the same service as the phone page, as anonymous responses.
Idempotent: nothing is written when an evaluation of the closed class's session exists.
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from django.db import transaction

from peixun.accounts.models import User
from peixun.events.models import Attendance
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.resources.models import Teacher
from peixun.surveys.models import Question, QuestionKind, Survey
from peixun.surveys.services.forms import form_from_template
from peixun.surveys.services.responses import response_submit
from peixun.surveys.services.surveys import survey_close, survey_create, survey_invite, survey_open
from peixun.training.models import Enrolment, Session, TrainingClass

from .training import CLOSED_TITLE

TEACHERS = [
    ("刘建华", "县委党校", "党史党建教研室主任"),
    ("陈晓燕", "县委宣传部", "理论科科长"),
]
COMMENTS = [
    "联系实际，案例生动，很有收获。",
    "建议多安排互动交流时间。",
    "内容充实，讲得透彻。",
    "希望提供课件，便于回去传达。",
    "",
]
PRESENT = [Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY]


def _pool_teacher(root: Organization) -> Teacher:
    found: Teacher | None = Teacher.objects.filter(
        org__path__startswith=root.path, active=True
    ).first()
    if found is not None:
        return found
    created = [
        Teacher.objects.create(org=root, open_to=root, name=name, unit=unit, position=position)
        for name, unit, position in TEACHERS
    ]
    return created[0]


def _answer(survey: Survey, member_ids: list[int], rng: random.Random) -> int:
    questions = [
        q for q in Question.objects.filter(form_id=survey.form_id) if q.kind != QuestionKind.SECTION
    ]
    for member_id in member_ids:
        trainee = SimpleNamespace(member_id=member_id, pk=None, is_authenticated=True)
        answers: dict[int, Any] = {}
        for q in questions:
            if q.kind == QuestionKind.RATING:
                answers[q.pk] = rng.choices([5, 4, 3, 2], weights=[55, 32, 10, 3])[0]
            elif q.kind == QuestionKind.TEXT:
                answers[q.pk] = rng.choice(COMMENTS)
        response_submit(actor=trainee, survey=survey, answers=answers)
    return len(member_ids)


def fill_evaluations(tenant: Organization, *, seed: int = 2024) -> dict[str, int]:
    """The demo's evaluations (see the module's docstring); {} when already there or when the
    closed class is missing."""
    closed = TrainingClass.objects.filter(
        org__path__startswith=tenant.path, title=CLOSED_TITLE
    ).first()
    if closed is None:
        return {}
    session = (
        Session.objects.filter(training_class=closed)
        .select_related("event")
        .order_by("event__starts_at", "id")
        .first()
    )
    if session is None or Survey.objects.filter(session=session).exists():
        return {}
    rng = random.Random(seed)
    with transaction.atomic():
        teacher = session.pool_teacher or _pool_teacher(tenant)
        if session.pool_teacher_id is None:
            # The demo's classes were written before the 师资库: link the first lecture's teacher.
            Session.objects.filter(pk=session.pk).update(pool_teacher=teacher, teacher=teacher.name)
        form = form_from_template(actor=None, org=closed.org, template="teaching")
        present = list(
            Attendance.objects.filter(event_id=session.event_id, status__in=PRESENT)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )
        first = survey_create(
            actor=None,
            form=form,
            org=closed.org,
            title=f"{session.event.title}（{teacher.name}）教学评估",
            year=session.event.starts_at.year,
            session=session,
        )
        survey_invite(actor=None, survey=first, members=Member.objects.filter(pk__in=present))
        survey_open(actor=None, survey=first)
        answered = [m for m in present if rng.random() < 0.8]
        if len(answered) < 5:
            answered = present[: max(5, len(answered))]
        first_n = _answer(first, answered, rng)
        survey_close(actor=None, survey=first)

        trainees = list(
            Enrolment.objects.accepted()
            .filter(training_class=closed)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )
        whole = survey_create(
            actor=None,
            form=form,
            org=closed.org,
            title=f"{closed.title}整体评估",
            year=closed.starts_on.year,
            training_class=closed,
        )
        survey_invite(actor=None, survey=whole, members=Member.objects.filter(pk__in=trainees))
        survey_open(actor=None, survey=whole)
        # Three trainees without a login answer; the demo logins are left to do it themselves.
        logins = set(
            User.objects.filter(member_id__in=trainees).values_list("member_id", flat=True)
        )
        whole_n = _answer(whole, [m for m in trainees if m not in logins][-3:], rng)
    return {
        "evaluations": 2,
        "session_responses": first_n,
        "class_responses": whole_n,
        "teacher": teacher.pk,
    }
