"""Pages of 送学上门 visits: the list and recording one. Access as for meetings: a plain member
404, recording 404 for an actor who manages no organisation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import scope_of

from .. import selectors
from ..forms import VisitFilterForm, VisitForm
from ..services.visits import visit_record


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    form = VisitFilterForm(
        request.GET, years=selectors.visit_years(actor), orgs=selectors.meeting_orgs(actor)
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    form.is_valid()
    data = form.cleaned_data
    filters: dict[str, Any] = {
        "org": data.get("org"),
        "year": data.get("year") or None,
        "q": data.get("q") or "",
    }
    page, query = paginate(request, selectors.visit_list(actor, **filters))
    scope = scope_of(actor)
    return render(
        request,
        "orglife/visit_list.html",
        {
            "page": page,
            "query": query,
            "form": form,
            "filtered": any(filters.values()),
            "can_create": scope.platform or bool(scope.manage_paths),
        },
    )


@login_required
def visit_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    selectors.require_staff(actor)
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise Http404
    form = VisitForm(
        request.POST or None,
        members=selectors.visit_members(actor),
        initial={"visited_on": timezone.localdate()},
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            visit_record(actor=actor, org=data["member"].org, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The visit was recorded."))
            return redirect("orglife:visits")
    mark_invalid(form)
    return render(request, "orglife/visit_form.html", {"form": form})
