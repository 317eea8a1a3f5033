"""Competition pages (党课 / 宣讲 评比): the list; a contest with its state's buttons; entering
(on a phone); a judge's queue and score sheet (on a phone); the organiser's results with awards;
the published recognition list; the results' .xlsx; an entry's slides.

Access: anonymous → login; a contest the reader may not see → 404 (members see their own org's
and those above, judges theirs, staff their subtree's and those above); writes the reader may
see but not make → 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download
from peixun.core.forms import add_service_errors, error_text, render_form
from peixun.core.params import pk_or_404, year_param
from peixun.core.pickers import picker_answer

from ..documents import contest_results_names, contest_results_workbook
from ..forms.contests import AwardForm, ContestForm, EntryForm, JudgesForm, ScoreForm
from ..models import Contest
from ..selectors import contests as selectors
from ..services import contests as services


@login_required
@require_GET
def contest_list(request: HttpRequest) -> HttpResponse:
    year = year_param(request, lowest=2000, highest=2100)
    contests = list(selectors.contest_list(actor=request.user, year=year))
    return render_form(
        request,
        "surveys/contest_list.html",
        AwardForm(),
        contests=contests,
        year=year,
        years=list(range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1)),
        can_create=selectors.contest_orgs(request.user).exists(),
    )


@login_required
def contest_new(request: HttpRequest) -> HttpResponse:
    orgs = selectors.contest_orgs(request.user)
    if not orgs.exists():
        raise Http404
    first = orgs.first()
    form = ContestForm(
        request.POST or None,
        orgs=orgs,
        forms_=selectors.judging_forms(request.user),
        initial={"org": first.pk if first else None, "year": timezone.localdate().year},
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            contest = services.contest_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The competition is open for entries."))
            return redirect("surveys:contest", pk=contest.pk)
    response = render_form(request, "surveys/contest_form.html", form)
    if request.method == "POST":
        response.status_code = 400
    return response


def _contest(request: HttpRequest, pk: Any) -> Contest:
    return selectors.contest_get(actor=request.user, pk=pk_or_404(pk))


def _run(request: HttpRequest, pk: Any) -> Contest:
    contest = _contest(request, pk)
    if not selectors.can_run(request.user, contest):
        raise PermissionDenied
    return contest


def _detail(
    request: HttpRequest,
    contest: Contest,
    *,
    judges_form: JudgesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    reads = selectors.can_read_entries(actor, contest)
    runs = selectors.can_run(actor, contest)
    form = judges_form or JudgesForm(members=selectors.judge_candidates(actor))
    response = render_form(
        request,
        "surveys/contest_detail.html",
        form,
        contest=contest,
        entries=selectors.contest_entries(actor=actor, contest=contest) if reads else [],
        reads=reads,
        runs=runs,
        is_judge=selectors.is_judge(actor, contest),
        can_enter=selectors.can_enter(actor, contest),
        entries_open=services.entries_open(contest),
        my_entry=selectors.my_entry(actor=actor, contest=contest),
        progress=selectors.judging_progress(actor=actor, contest=contest),
    )
    response.status_code = status
    return response


@login_required
@require_GET
def contest_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    if selectors.can_run(request.user, contest):
        form = JudgesForm(members=selectors.judge_candidates(request.user))
        if (answer := picker_answer(request, form)) is not None:
            return answer
    return _detail(request, contest)


@login_required
@require_POST
def contest_judging(request: HttpRequest, pk: int) -> HttpResponse:
    """Start judging with the judges chosen, or, while judging, add judges."""
    contest = _run(request, pk)
    form = JudgesForm(request.POST, members=selectors.judge_candidates(request.user))
    if form.is_valid():
        try:
            if contest.state == Contest.State.OPEN:
                services.contest_start_judging(
                    actor=request.user, contest=contest, judges=form.judges()
                )
                messages.success(request, _("Entries are closed and the judges invited."))
            else:
                n = services.contest_add_judges(
                    actor=request.user, contest=contest, judges=form.judges()
                )
                messages.success(request, _("Judges invited: %(n)s.") % {"n": n})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:contest", pk=contest.pk)
    return _detail(request, _contest(request, pk), judges_form=form, status=400)


@login_required
@require_POST
def contest_publish(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _run(request, pk)
    try:
        services.contest_publish(actor=request.user, contest=contest)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("surveys:contest_results", pk=contest.pk)
    messages.success(request, _("The recognition list is published."))
    return redirect("surveys:contest_recognition", pk=contest.pk)


@login_required
def entry_mine(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter the contest, or correct one's entry while entries are open."""
    contest = _contest(request, pk)
    if not selectors.can_enter(request.user, contest):
        raise Http404
    entry = selectors.my_entry(actor=request.user, contest=contest)
    initial = (
        {"title": entry.title, "summary": entry.summary, "video_url": entry.video_url}
        if entry
        else {}
    )
    form = EntryForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_submit(actor=request.user, contest=contest, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your entry was submitted."))
            return redirect("surveys:contest", pk=contest.pk)
    response = render_form(
        request,
        "surveys/contest_entry_form.html",
        form,
        contest=contest,
        entry=entry,
        entries_open=services.entries_open(contest),
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@login_required
@require_POST
def entry_withdraw(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    entry = selectors.entry_get(actor=request.user, contest=contest, pk=pk_or_404(entry_pk))
    try:
        services.entry_withdraw(actor=request.user, entry=entry)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your entry was withdrawn."))
    return redirect("surveys:contest", pk=contest.pk)


@login_required
@require_GET
def entry_detail(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    entry = selectors.entry_get(actor=request.user, contest=contest, pk=pk_or_404(entry_pk))
    return render_form(
        request,
        "surveys/contest_entry.html",
        AwardForm(initial={"award": entry.award}),
        contest=contest,
        entry=entry,
        sheets=selectors.entry_sheets(actor=request.user, contest=contest, entry=entry),
        runs=selectors.can_run(request.user, contest),
        is_judge=selectors.is_judge(request.user, contest),
    )


@login_required
@require_GET
def entry_slides(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    entry = selectors.entry_get(actor=request.user, contest=contest, pk=pk_or_404(entry_pk))
    if not entry.slides:
        raise Http404
    ext = entry.slides_name.rpartition(".")[2].lower() or "pdf"
    with entry.slides.open("rb") as handle:
        content = handle.read()
    return download(content, entry.slides_name, fallback=f"entry-{entry.pk}-slides.{ext}")


@login_required
@require_GET
def judge_queue(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    queue = selectors.judge_queue(actor=request.user, contest=contest)
    return render_form(
        request,
        "surveys/contest_judge_queue.html",
        AwardForm(),
        contest=contest,
        queue=queue,
        done=sum(1 for item in queue if item.scored),
    )


@login_required
def judge_score(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    if not selectors.is_judge(request.user, contest):
        raise Http404
    entry = selectors.entry_get(actor=request.user, contest=contest, pk=pk_or_404(entry_pk))
    questions = selectors.judging_questions(contest)
    earlier = selectors.judge_sheet(actor=request.user, contest=contest, entry=entry)
    form = ScoreForm(
        request.POST or None,
        questions=questions,
        initial={f"q{k}": v for k, v in earlier.items()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.entry_score(
                actor=request.user, contest=contest, entry=entry, answers=form.answers()
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, problems in error.message_dict.items():
                    target = f"q{key}" if f"q{key}" in form.fields else None
                    for problem in problems:
                        form.add_error(target, problem)
            else:
                form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Your score sheet was saved."))
            return redirect("surveys:judge_queue", pk=contest.pk)
    response = render_form(
        request,
        "surveys/contest_score.html",
        form,
        contest=contest,
        entry=entry,
        scored=bool(earlier),
    )
    if request.method == "POST":
        response.status_code = 400
    return response


@login_required
@require_GET
def contest_results(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    results = selectors.contest_results(actor=request.user, contest=contest)
    return render_form(
        request,
        "surveys/contest_results.html",
        AwardForm(),
        contest=contest,
        results=results,
        runs=selectors.can_run(request.user, contest),
        award_form=AwardForm(),
    )


@login_required
@require_GET
def contest_results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    results = selectors.contest_results(actor=request.user, contest=contest)
    content = services.contest_results_export(
        actor=request.user,
        contest=contest,
        content=contest_results_workbook(contest=contest, rows=results.rows),
        rows=len(results.rows),
    )
    name, fallback = contest_results_names(contest)
    return download(content, name, fallback=fallback)


@login_required
@require_POST
def entry_award(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contest = _run(request, pk)
    entry = selectors.entry_get(actor=request.user, contest=contest, pk=pk_or_404(entry_pk))
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an award from the list."))
    else:
        try:
            services.entry_award(actor=request.user, entry=entry, award=form.cleaned_data["award"])
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The award was saved."))
    return redirect("surveys:contest_results", pk=contest.pk)


@login_required
@require_GET
def contest_recognition(request: HttpRequest, pk: int) -> HttpResponse:
    contest = _contest(request, pk)
    entries = selectors.recognition_list(actor=request.user, contest=contest)
    return render_form(
        request,
        "surveys/contest_recognition.html",
        AwardForm(),
        contest=contest,
        entries=entries,
        preview=contest.state != Contest.State.PUBLISHED,
    )
