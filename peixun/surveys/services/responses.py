"""Answering a survey. An anonymous response is written with no user, no member and no time, and
the invitation only learns the day it was answered; a judge's (non-anonymous) sheet names the judge
and what it scores, and a second sheet for the same entry replaces the first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor, actor_id

from .. import logic
from ..models import Answer, Invitation, Option, Question, QuestionKind, Response, Survey

MAX_TEXT = 2000


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def clean_answers(survey: Survey, answers: Mapping[Any, Any]) -> list[Answer]:
    """The answers checked against the form, every problem at once (keyed by question id)."""
    questions = [
        q
        for q in Question.objects.filter(form_id=survey.form_id).order_by("position", "id")
        if q.kind != QuestionKind.SECTION
    ]
    options: dict[int, dict[int, Option]] = {}
    for option in Option.objects.filter(question__form_id=survey.form_id):
        options.setdefault(option.question_id, {})[option.pk] = option
    given = {str(k): v for k, v in answers.items()}
    known = {str(q.pk) for q in questions}
    errors: dict[str, str] = {}
    if unknown := sorted(set(given) - known):
        errors["answers"] = _("Not questions of this survey: %(ids)s.") % {
            "ids": ", ".join(unknown)
        }
    rows: list[Answer] = []
    for q in questions:
        value = given.get(str(q.pk))
        empty = value is None or value == "" or value == []
        key = str(q.pk)
        if empty:
            if q.required:
                errors[key] = _("Please answer this question.")
            continue
        if q.kind == QuestionKind.RATING:
            rating = _as_int(value)
            if rating is None or not 1 <= rating <= q.scale_max:
                errors[key] = _("Give a rating from 1 to %(n)s.") % {"n": q.scale_max}
                continue
            rows.append(Answer(question=q, rating=rating))
        elif q.kind == QuestionKind.CHOICE:
            pk = _as_int(value)
            if pk is None or pk not in options.get(q.pk, {}):
                errors[key] = _("Choose one of the options.")
                continue
            rows.append(Answer(question=q, option_id=pk))
        elif q.kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, list | tuple) else [value]
            pks = {_as_int(v) for v in values}
            if None in pks or not pks <= set(options.get(q.pk, {})):
                errors[key] = _("Choose among the options.")
                continue
            rows.extend(Answer(question=q, option_id=pk) for pk in sorted(p for p in pks if p))
        else:
            text = str(value).strip()
            if len(text) > MAX_TEXT:
                errors[key] = _("At most %(n)s characters.") % {"n": MAX_TEXT}
                continue
            if text:
                rows.append(Answer(question=q, text=text))
            elif q.required:
                errors[key] = _("Please answer this question.")
    if errors:
        raise ValidationError(errors)
    return rows


def survey_is_accepting(survey: Survey) -> bool:
    return logic.survey_is_accepting(survey, timezone.now())


@transaction.atomic
def response_submit(
    *,
    actor: Actor,
    survey: Survey,
    answers: Mapping[Any, Any],
    subject_ref: str = "",
) -> None:
    member_id = getattr(actor, "member_id", None)
    invitation = (
        Invitation.objects.select_for_update().filter(survey=survey, member_id=member_id).first()
        if member_id
        else None
    )
    if invitation is None:
        raise PermissionDenied(_("You are not asked to answer this survey."))
    survey = Survey.objects.get(pk=survey.pk)
    if not survey_is_accepting(survey):
        raise ValidationError(_("This survey is not open for answers."))
    if len(subject_ref) > 64:
        raise ValidationError({"subject_ref": _("At most %(n)s characters.") % {"n": 64}})
    rows = clean_answers(survey, answers)
    if survey.anonymous:
        if invitation.responded_on is not None:
            raise ValidationError(_("You have already answered this survey."))
        response = Response.objects.create(survey=survey, branch_id=invitation.branch_id)
        # The audit trail records that someone answered, never who: it names no actor.
        audit_record(actor=None, verb="survey.respond", obj=survey, org=survey.org)
    else:
        Response.objects.filter(
            survey=survey, respondent_id=actor_id(actor), subject_ref=subject_ref
        ).delete()
        response = Response.objects.create(
            survey=survey,
            branch_id=invitation.branch_id,
            respondent_id=actor_id(actor),
            subject_ref=subject_ref,
        )
        audit_record(
            actor=actor,
            verb="survey.score",
            obj=survey,
            org=survey.org,
            after={"subject": subject_ref},
        )
    for row in rows:
        row.response = response
    Answer.objects.bulk_create(rows)
    if invitation.responded_on is None:
        invitation.responded_on = timezone.localdate()
        invitation.save(update_fields=["responded_on"])
