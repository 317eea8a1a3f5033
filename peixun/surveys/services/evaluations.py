"""Evaluations (教学质量评估): a survey about a class, a session or a teacher, started in one step
(form, audience, open, notice), the non-respondents reminded, and the tenant's settings."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_admin, require_manage
from peixun.core.scoping import Actor
from peixun.events.models import Attendance
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of
from peixun.resources.models import Teacher
from peixun.training.models import Enrolment, Session, TrainingClass

from ..models import Form, Invitation, Survey, SurveySettings
from ..models.forms import Purpose
from .forms import form_from_template, template_spec
from .surveys import survey_create, survey_invite, survey_open

MIN_RESPONSES_RANGE = (1, 50)
# Those who heard the session: late arrivals and early leavers too.
PRESENT = [Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY]


def evaluation_audience(
    *,
    training_class: TrainingClass | None = None,
    session: Session | None = None,
    teacher: Teacher | None = None,
    teacher_class: TrainingClass | None = None,
) -> list[Member]:
    """Who is asked: a class's accepted trainees; the members present at a session (late and
    early leavers too: they heard it); for a teacher, the trainees of a class present at any
    of the teacher's sessions in it."""
    members = Member.objects.all()
    if training_class is not None:
        found = members.filter(
            Exists(
                Enrolment.objects.accepted().filter(
                    training_class=training_class, member=OuterRef("pk")
                )
            )
        )
    elif session is not None:
        found = members.filter(
            Exists(
                Attendance.objects.filter(
                    event_id=session.event_id, member=OuterRef("pk"), status__in=PRESENT
                )
            )
        )
    elif teacher is not None and teacher_class is not None:
        events = Session.objects.filter(training_class=teacher_class, pool_teacher=teacher).values(
            "event_id"
        )
        found = members.filter(
            Exists(
                Attendance.objects.filter(
                    event_id__in=events, member=OuterRef("pk"), status__in=PRESENT
                )
            )
        )
    else:
        return []
    return list(found.order_by("pk"))


def _notify(actor: Actor | None, survey: Survey, member_ids: list[int], title: str) -> int:
    users = list(User.objects.filter(member_id__in=member_ids, is_active=True))
    sent = notification_send(
        actor=actor,
        recipients=users,
        title=title,
        body=_("Your answer is anonymous: nobody can see what you answered.")
        if survey.anonymous
        else "",
        url=reverse("surveys:answer", args=[survey.pk]),
    )
    return len(sent)


@transaction.atomic
def evaluation_start(
    *,
    actor: Actor,
    form: Form | None,
    title: str,
    training_class: TrainingClass | None = None,
    session: Session | None = None,
    teacher: Teacher | None = None,
    teacher_class: TrainingClass | None = None,
    closes_at: dt.datetime | None = None,
) -> Survey:
    """Create the evaluation of a class, a session, or a teacher (in `teacher_class`), invite
    its audience (the accepted trainees; the members present at the session; the trainees of
    the teacher's sessions in the class), open it and tell each invited member. All or nothing."""
    targets = [t for t in (training_class, session, teacher) if t is not None]
    if len(targets) != 1:
        raise ValidationError({"target": _("Evaluate one thing: a class, a session or a teacher.")})
    if teacher is not None and teacher_class is None:
        raise ValidationError({"teacher_class": _("Choose the class the teacher taught in.")})
    running: TrainingClass
    if session is not None:
        running = session.training_class
    elif teacher is not None:
        assert teacher_class is not None
        running = teacher_class
        if not Session.objects.filter(training_class=running, pool_teacher=teacher).exists():
            raise ValidationError(
                {"teacher_class": _("This teacher taught no session of that class.")}
            )
    else:
        assert training_class is not None
        running = training_class
    org = running.org
    require_manage(actor, org)
    if form is None:
        # The built-in teaching form, kept once per org rather than copied for every evaluation.
        _purpose, template_title, _spec = template_spec("teaching")
        form = Form.objects.filter(
            org=org, purpose=Purpose.EVALUATION, title=template_title
        ).first() or form_from_template(actor=actor, org=org, template="teaching")
    elif (
        form.purpose != Purpose.EVALUATION
        or not Form.objects.visible_to(actor).filter(pk=form.pk).exists()
    ):
        raise ValidationError({"form": _("Choose an evaluation form.")})
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("Give a closing time in the future.")})
    members = evaluation_audience(
        training_class=training_class, session=session, teacher=teacher, teacher_class=teacher_class
    )
    if not members:
        raise ValidationError(
            {"target": _("Nobody to ask: no trainee is accepted or present yet.")}
        )
    year = session.event.starts_at.year if session is not None else running.starts_on.year
    survey = survey_create(
        actor=actor,
        form=form,
        org=org,
        title=title,
        year=year,
        anonymous=True,
        training_class=training_class,
        session=session,
        teacher=teacher,
        closes_at=closes_at,
    )
    survey_invite(actor=actor, survey=survey, members=members)
    survey_open(actor=actor, survey=survey)
    _notify(
        actor,
        survey,
        [m.pk for m in members],
        _("Please evaluate: %(title)s") % {"title": survey.title},
    )
    return survey


@transaction.atomic
def survey_remind(*, actor: Actor, survey: Survey) -> int:
    """One notification to each invited member who has not answered; how many were told.
    Nothing here says what anyone answered: the invitation knows only whether they have."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_manage(actor, survey.org)
    if survey.state != Survey.State.OPEN:
        raise ValidationError(_("Only an open survey can send reminders."))
    waiting = Invitation.objects.filter(survey=survey, responded_on__isnull=True)
    member_ids = list(waiting.values_list("member_id", flat=True))
    if not member_ids:
        return 0
    told = _notify(
        actor, survey, member_ids, _("Reminder: please answer %(title)s") % {"title": survey.title}
    )
    waiting.update(reminded_at=timezone.now())
    audit_record(
        actor=actor,
        verb="survey.remind",
        obj=survey,
        org=survey.org,
        after={"reminded": len(member_ids)},
    )
    return told


SETTINGS_FIELDS = ["min_responses", "class_close_requires_evaluation"]


@transaction.atomic
def survey_settings_update(
    *,
    actor: Actor,
    tenant: Organization,
    min_responses: int,
    class_close_requires_evaluation: bool,
) -> SurveySettings:
    """Change a tenant's evaluation settings; only its org admins may."""
    tenant = tenant_of(tenant)
    require_admin(actor, tenant)
    low, high = MIN_RESPONSES_RANGE
    try:
        threshold = int(min_responses)
    except (TypeError, ValueError):
        raise ValidationError({"min_responses": _("Enter a whole number.")}) from None
    if not low <= threshold <= high:
        raise ValidationError(
            {
                "min_responses": _("Enter a number from %(low)s to %(high)s.")
                % {"low": low, "high": high}
            }
        )
    rules, _created = SurveySettings.objects.select_for_update().get_or_create(tenant=tenant)
    before = snapshot(rules, SETTINGS_FIELDS)
    rules.min_responses = threshold
    rules.class_close_requires_evaluation = bool(class_close_requires_evaluation)
    rules.save()
    audit_record(
        actor=actor,
        verb="surveys.settings",
        obj=rules,
        org=tenant,
        before=before,
        after=snapshot(rules, SETTINGS_FIELDS),
    )
    return rules
