"""Pages of the 学习笔记抽查: the rounds, opening a round (its sample is drawn at once), a round
with the summary per branch and each sampled member's check, recording a check with a photo
taken on a phone, the photo itself and the round's 台账 (.xlsx). Access as for meetings: a plain
member 404; recording needs a manager of the round's org."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peixun.core.downloads import content_disposition, download, file_name
from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.params import year_param
from peixun.core.permissions import require_manage
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, scope_of

from .. import selectors
from ..forms import NoteCheckForm, NoteRoundForm
from ..models import NoteCheck
from ..selectors import notechecks as queries
from ..services import notechecks as services

PHOTO_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    years = queries.note_round_years(actor)
    year = year_param(request, lowest=2000, highest=2100) if request.GET.get("year") else None
    year = year if year in years else None
    page, query = paginate(request, queries.note_round_list(actor, year=year))
    scope = scope_of(actor)
    return render(
        request,
        "orglife/round_list.html",
        {
            "page": page,
            "query": query,
            "years": years,
            "year": year,
            "can_create": scope.platform or bool(scope.manage_paths),
        },
    )


@login_required
def round_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise Http404
    orgs = selectors.recorder_orgs(actor)
    first = orgs.first()
    form = NoteRoundForm(
        request.POST or None,
        orgs=orgs,
        initial={
            "year": timezone.localdate().year,
            "org": first.pk if first else None,
            "sample_percent": 10,
        },
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            check_round = services.note_round_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The round was opened and its sample drawn."))
            return redirect("orglife:round", check_round.pk)
    mark_invalid(form)
    return render(request, "orglife/round_form.html", {"form": form})


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    check_round = queries.note_round_get(request.user, pk)
    summary = queries.note_round_summary(check_round)
    return render(
        request,
        "orglife/round_detail.html",
        {
            "round": check_round,
            "checks": list(queries.note_checks(check_round)),
            "summary": summary,
            "results": NoteCheck.Result.choices,
            "totals": queries.summary_totals(summary),
            "can_manage": can_manage_org(request.user, check_round.org),
        },
    )


@login_required
def check_record(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    """Record a check: on a phone the photo field opens the camera."""
    actor = request.user
    selectors.require_staff(actor)
    check_round = queries.note_round_get(actor, pk)
    require_manage(actor, check_round.org)
    check = queries.note_check_get(check_round, check_pk)
    initial = {
        "checked_on": check.checked_on or timezone.localdate(),
        "checker": check.checker,
        "result": check.result,
        "note": check.note,
    }
    form = NoteCheckForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.note_check_record(
                actor=actor,
                check=check,
                checked_on=data["checked_on"],
                checker=data["checker"],
                result=data["result"],
                note=data["note"],
                photo=data["photo"] or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The check of %(name)s was recorded.") % {"name": check.member.name}
            )
            return redirect("orglife:round", check_round.pk)
    mark_invalid(form)
    return render(
        request,
        "orglife/check_form.html",
        {"form": form, "round": check_round, "check": check},
    )


@login_required
@require_GET
def check_photo(request: HttpRequest, pk: int, check_pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    check_round = queries.note_round_get(request.user, pk)
    check = queries.note_check_get(check_round, check_pk)
    if not check.photo:
        raise Http404
    try:
        with check.photo.open("rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise Http404 from None
    # Stored under the suffix its content was checked to be (services.notechecks).
    suffix = (check.photo.name or "").rsplit(".", 1)[-1].lower()
    response = HttpResponse(data, content_type=PHOTO_TYPES.get(suffix, "application/octet-stream"))
    response["Content-Disposition"] = content_disposition(
        file_name(check.member.name, check_round.year, ext=suffix),
        fallback=f"note-check-{check.pk}.{suffix}",
        inline=True,
    )
    return response


@login_required
@require_GET
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    check_round = queries.note_round_get(request.user, pk)
    data = services.note_round_export(actor=request.user, check_round=check_round)
    return download(
        data,
        file_name("学习笔记抽查台账", check_round.org.name, str(check_round.year), ext="xlsx"),
        fallback=f"note-checks-{check_round.pk}.xlsx",
    )
