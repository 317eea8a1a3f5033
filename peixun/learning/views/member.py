"""The member's pages, phone first: 我的课程 (progress bars, this year's online hours against my
rules), a course (the video player that resumes where I stopped, the PDF in the page, the
quiz), and the media the player streams. The player talks to /api/v1/learning/: the same
services and checks as every other client."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

from peixun.core.params import pk_or_404
from peixun.core.scoping import scope_of

from .. import selectors, services
from ..logic import furthest
from ..models import CourseItem, ItemKind
from .member_media import ranged_file_response


def _member_only(request: HttpRequest) -> None:
    if not scope_of(request.user).member_id:
        raise Http404


@login_required
@require_GET
def my_courses(request: HttpRequest) -> HttpResponse:
    """我的课程: unfinished courses first with their progress bars; what the year asks of me."""
    _member_only(request)
    rows = selectors.my_courses(actor=request.user)
    return render(
        request,
        "learning/my_courses.html",
        {"rows": rows, "goal": selectors.my_year(actor=request.user)},
    )


@login_required
@require_GET
def course_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A course: its items in order, the one chosen (`?item=`, else where I stopped) shown."""
    row = selectors.my_course(actor=request.user, pk=pk_or_404(pk))
    current = row.resume
    chosen = request.GET.get("item")
    if chosen:
        current = next((r for r in row.items if str(r.item.pk) == chosen), None)
        if current is None:
            raise Http404
    quiz = None
    progress = current.progress if current is not None else None
    if current is not None and current.item.kind == ItemKind.QUIZ:
        quiz = services.quiz_items(current.item)
    return render(
        request,
        "learning/course.html",
        {
            "row": row,
            "current": current,
            "quiz": quiz,
            "idle_seconds": services.idle_seconds(current.item) if current else 600,
            # Where the player resumes, and how far a course that forbids skipping lets it seek.
            "resume_at": f"{progress.position:.1f}" if progress else "0",
            "furthest": f"{furthest(progress.intervals):.1f}" if progress else "0",
        },
    )


@login_required
@require_http_methods(["POST"])
def quiz_submit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The quiz form: answers by question (radio buttons, check boxes, a text box)."""
    item = services.learner_item(actor=request.user, item_id=pk_or_404(item_pk))
    if item.course_id != pk_or_404(pk) or item.kind != ItemKind.QUIZ:
        raise Http404
    answers: dict[str, object] = {}
    for entry in services.quiz_items(item):
        key = f"q{entry['q']}"
        if entry["kind"] == "multiple":
            picked = [int(v) for v in request.POST.getlist(key) if v.isdigit()]
            answers[str(entry["q"])] = picked or None
        elif entry["kind"] == "single":
            raw = request.POST.get(key, "")
            answers[str(entry["q"])] = int(raw) if raw.isdigit() else None
        elif entry["kind"] == "judge":
            raw = request.POST.get(key, "")
            answers[str(entry["q"])] = {"true": True, "false": False}.get(raw)
        else:
            answers[str(entry["q"])] = request.POST.get(key) or None
    try:
        attempt = services.quiz_submit(actor=request.user, item=item, answers=answers)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        if attempt.passed:
            messages.success(
                request, _("Quiz passed with %(percent)s%%.") % {"percent": attempt.percent}
            )
        else:
            messages.warning(
                request,
                _("%(percent)s%%: not passed (%(mark)s%% needed). Try again.")
                % {"percent": attempt.percent, "mark": item.pass_percent},
            )
    return redirect(f"{reverse('learning:course', args=[item.course_id])}?item={item.pk}")


def _item_for_media(request: HttpRequest, item_pk: int) -> CourseItem:
    """The item's file for a member who may learn it, or staff who may read its course."""
    try:
        return services.learner_item(actor=request.user, item_id=item_pk)
    except Http404:
        found = (
            CourseItem.objects.filter(
                pk=item_pk, course__in=selectors.courses_visible(actor=request.user)
            )
            .select_related("course")
            .first()
        )
        if found is None:
            raise
        return found


@login_required
@require_GET
@xframe_options_sameorigin
def item_media(request: HttpRequest, item_pk: int) -> HttpResponse | StreamingHttpResponse:
    """The video or PDF of an item, by byte ranges; the PDF may be framed by our own page."""
    item = _item_for_media(request, pk_or_404(item_pk))
    if item.kind not in (ItemKind.VIDEO, ItemKind.DOCUMENT) or not item.file:
        raise Http404
    suffix = item.file.name[item.file.name.rfind(".") :].lower()
    response = ranged_file_response(
        request, item.file, services.CONTENT_TYPES.get(suffix, "application/octet-stream")
    )
    # The page frames the PDF: this response may be framed by our own pages only.
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response
