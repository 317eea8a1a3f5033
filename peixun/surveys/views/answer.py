"""Answering, for members: the surveys waiting for them and the answer page, laid out for an
older member on a phone (large buttons, no script). Access: only a member invited to the survey
(404 for everyone else, so its existence is not confirmed); a judge scores from the contest."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from peixun.core.scoping import scope_of

from ..forms.pages import answers_from_post
from ..selectors.answering import answerable, asked_questions, invitation_for
from ..selectors.results import surveys_to_answer
from ..services.responses import response_submit, survey_is_accepting


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).member_id:
        raise Http404
    return render(
        request, "surveys/answer_list.html", {"surveys": surveys_to_answer(actor=request.user)}
    )


@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_for(actor=request.user, pk=pk)
    survey = invitation.survey
    blocks = asked_questions(survey)
    answered = invitation.responded_on is not None and survey.anonymous
    accepting = survey_is_accepting(survey)
    errors: dict[str, str] = {}
    given: dict[str, list[str]] = {}
    if request.method == "POST":
        if answered or not accepting:
            return redirect("surveys:answer", survey.pk)
        answers = answers_from_post(request.POST, answerable(blocks))
        try:
            response_submit(actor=request.user, survey=survey, answers=answers)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = {k: "；".join(v) for k, v in error.message_dict.items()}
            else:
                errors = {"__all__": "；".join(error.messages)}
            # Keep what was given, so the member fixes one question, not the whole form.
            given = {
                str(k): [str(x) for x in (v if isinstance(v, list) else [v])]
                for k, v in answers.items()
            }
            for block in blocks:
                for asked in (block, *block.items):
                    asked.error = errors.get(str(asked.question.pk), "")
                    asked.given = given.get(str(asked.question.pk), [])
        else:
            return redirect("surveys:answer_thanks", survey.pk)
    return render(
        request,
        "surveys/answer.html",
        {
            "survey": survey,
            "blocks": blocks,
            "answered": answered,
            "accepting": accepting,
            "problem": errors.get("__all__") or errors.get("answers", ""),
            "has_errors": bool(errors),
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def answer_thanks(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = invitation_for(actor=request.user, pk=pk)
    return render(request, "surveys/answer_thanks.html", {"survey": invitation.survey})
