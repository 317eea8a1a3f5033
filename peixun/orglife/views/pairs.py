"""Pages of the support pairs (在职党员联系帮扶离退休党员): the list per branch with each pair's
last visit and visits this year, pairing two members, one pair with its visits, recording a
visit (a 送学上门 visit of the pair) and ending a pair. Access as for visits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.permissions import require_manage
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, scope_of

from .. import selectors
from ..forms import PairEndForm, PairFilterForm, PairForm, PairVisitForm
from ..models import Pair
from ..selectors import pairs as queries
from ..services import pairs as services


def _can_create(request: HttpRequest) -> bool:
    scope = scope_of(request.user)
    return scope.platform or bool(scope.manage_paths)


def _managed(request: HttpRequest, pk: int) -> Pair:
    selectors.require_staff(request.user)
    pair = queries.pair_get(request.user, pk)
    require_manage(request.user, pair.org)
    return pair


@login_required
@require_GET
def pair_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    form = PairFilterForm(request.GET, orgs=selectors.meeting_orgs(actor))
    if (answer := picker_answer(request, form)) is not None:
        return answer
    form.is_valid()
    data = form.cleaned_data
    filters: dict[str, Any] = {"org": data.get("org"), "q": data.get("q") or ""}
    ended = bool(data.get("ended"))
    page, query = paginate(request, queries.pair_list(actor, current=not ended, **filters))
    return render(
        request,
        "orglife/pair_list.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "ended": ended,
            "filtered": any(filters.values()) or ended,
            "can_create": _can_create(request),
            "year": timezone.localdate().year,
        },
    )


@login_required
def pair_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    if not _can_create(request):
        raise Http404
    form = PairForm(
        request.POST or None,
        helpers=queries.pair_helpers(actor),
        retirees=queries.pair_retirees(actor),
        initial={"since": timezone.localdate()},
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            pair = services.pair_create(actor=actor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The pair was recorded."))
            return redirect("orglife:pair", pair.pk)
    mark_invalid(form)
    return render(request, "orglife/pair_form.html", {"form": form})


@login_required
@require_GET
def pair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    selectors.require_staff(request.user)
    pair = queries.pair_get(request.user, pk)
    return render(
        request,
        "orglife/pair_detail.html",
        {
            "pair": pair,
            "visits": list(queries.pair_visits(pair)),
            "can_manage": can_manage_org(request.user, pair.org),
            "end_form": PairEndForm(initial={"until": timezone.localdate()}),
        },
    )


@login_required
def pair_visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _managed(request, pk)
    form = PairVisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.pair_visit_record(actor=request.user, pair=pair, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect("orglife:pair", pair.pk)
    mark_invalid(form)
    return render(request, "orglife/pair_visit_form.html", {"form": form, "pair": pair})


@login_required
@require_POST
def pair_end(request: HttpRequest, pk: int) -> HttpResponse:
    pair = _managed(request, pk)
    form = PairEndForm(request.POST)
    if form.is_valid():
        try:
            services.pair_end(actor=request.user, pair=pair, until=form.cleaned_data["until"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The pair was ended."))
    else:
        messages.error(request, _("Enter the date the pair ended."))
    return redirect("orglife:pair", pair.pk)
