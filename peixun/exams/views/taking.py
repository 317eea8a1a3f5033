"""The taker's pages, phone first: my exams and results, the exam itself (every answer saved on
the server as it is chosen, through the API), and an attempt's result."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import get_visible_or_404

from .. import selectors, services
from ..models import Attempt, Exam
from ..services import OPTION_LETTERS


def answer_text(item: dict[str, Any], response: Any) -> str:
    """A response or a key as a person reads it: letters, 对/错, or the text(s)."""
    if response is None or response == "" or response == []:
        return "—"
    if item["kind"] in ("single", "multiple"):
        return "".join(OPTION_LETTERS[i] for i in sorted(response) if 0 <= i < len(OPTION_LETTERS))
    if item["kind"] == "judge":
        return str(_("True") if response else _("False"))
    if isinstance(response, list):
        return " / ".join(str(r) for r in response)
    return str(response)


def _member_id(request: HttpRequest) -> int:
    member_id = getattr(request.user, "member_id", None)
    if not member_id:
        raise Http404
    return int(member_id)


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """My exams: what is open to me now, what is coming, and every attempt with its result."""
    member_id = _member_id(request)
    now = timezone.now()
    attempts = selectors.member_history(member_id)
    by_exam: dict[int, list[Attempt]] = {}
    for attempt in attempts:
        by_exam.setdefault(attempt.exam_id, []).append(attempt)
    rows = []
    for exam in selectors.exams_of_member(member_id):
        mine_ = by_exam.get(exam.pk, [])
        submitted = [a for a in mine_ if a.submitted_at]
        best = max(submitted, key=lambda a: a.percent or 0, default=None)
        open_now = exam.state == Exam.State.PUBLISHED and exam.opens_at <= now < exam.closes_at
        rows.append(
            {
                "exam": exam,
                "attempts": len(mine_),
                "best": best,
                "in_progress": any(a.submitted_at is None for a in mine_),
                "can_start": open_now and len(mine_) < exam.attempts_allowed,
                "open_now": open_now,
                "upcoming": exam.state == Exam.State.PUBLISHED and now < exam.opens_at,
            }
        )
    return render(request, "exams/mine.html", {"rows": rows, "attempts": attempts, "now": now})


@login_required
def take(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the open attempt (resumed exactly as saved, timer from the server) or the start
    screen. POST action=start begins an attempt; action=submit hands it in."""
    member_id = _member_id(request)
    exam = get_visible_or_404(request.user, Exam, pk)
    if not selectors.is_candidate(exam, member_id):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                services.attempt_start(actor=request.user, exam=exam)
            elif action == "submit":
                handed_in = services.attempt_submit(
                    actor=request.user, attempt_id=request.POST.get("attempt")
                )
                messages.success(request, _("Your answers were submitted."))
                return redirect("exams:attempt", attempt_pk=handed_in.pk)
            else:
                return HttpResponse(status=400)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("exams:take", pk=exam.pk)
    attempt = selectors.open_attempt(exam, member_id)
    if attempt is not None:
        attempt = services.attempt_current(actor=request.user, attempt_id=attempt.pk)
        if attempt.submitted_at is not None:
            messages.info(request, _("Time ran out: your saved answers were submitted."))
            return redirect("exams:attempt", attempt_pk=attempt.pk)
    now = timezone.now()
    done = selectors.exam_attempts_of_member(exam, member_id)
    context: dict[str, Any] = {
        "exam": exam,
        "attempt": attempt,
        "done": [a for a in done if a.submitted_at],
        "now": now,
        "open_now": exam.state == Exam.State.PUBLISHED and exam.opens_at <= now < exam.closes_at,
        "attempts_left": exam.attempts_allowed - len(done),
    }
    if attempt is not None:
        view = selectors.attempt_for_taker(attempt)
        context["view"] = view
        context["max_seq"] = selectors.attempt_last_seq(attempt)
        context["items"] = [
            {**item, "number": n, "saved": view["answers"].get(str(item["q"])),
             "choices": list(zip(range(len(item["options"])), OPTION_LETTERS[: len(item["options"])], item["options"], strict=True))}
            for n, item in enumerate(view["items"], start=1)
        ]  # fmt: skip
    return render(request, "exams/take.html", context)


@login_required
def attempt_result(request: HttpRequest, attempt_pk: int) -> HttpResponse:
    """An attempt's result for its taker; the key and explanations as the exam allows."""
    attempt = services.attempt_current(actor=request.user, attempt_id=attempt_pk)
    if attempt.submitted_at is None:
        return redirect("exams:take", pk=attempt.exam_id)
    view = selectors.attempt_for_taker(attempt)
    review = {r["q"]: r for r in view["review"] or []}
    items = []
    for n, item in enumerate(view["items"], start=1):
        given = view["answers"].get(str(item["q"]))
        shown = review.get(item["q"])
        items.append(
            {**item, "number": n, "given": answer_text(item, given),
             "key": answer_text(item, shown["key"]) if shown else None,
             "correct": shown["correct"] if shown else None,
             "explanation": shown["explanation"] if shown else ""}
        )  # fmt: skip
    return render(
        request,
        "exams/attempt.html",
        {"attempt": attempt, "exam": attempt.exam, "items": items, "view": view},
    )
