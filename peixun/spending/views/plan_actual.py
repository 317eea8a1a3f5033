"""Plan versus actual in money: per org and per plan item, and the cost of the classes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from peixun.core.forms import render_form
from peixun.core.pickers import picker_answer
from peixun.orgs.selectors import attach_org_trails, org_path_label

from .. import selectors
from ..forms import PlanActualForm, year_choices
from .expenses import require_reader


@login_required
@require_GET
def plan_actual(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    actor = request.user
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    if not data.get("org"):
        # The actor's first org, shown chosen in the picker.
        first = selectors.first_reading_org(actor)
        if first is not None:
            data["org"] = str(first.pk)
    form = PlanActualForm(data, actor=actor, years=year_choices())
    if (answer := picker_answer(request, form)) is not None:
        return answer
    form.is_valid()
    year = form.cleaned_data.get("year") or timezone.localdate().year
    org = form.cleaned_data.get("org") or selectors.first_reading_org(actor)
    if org is None:
        raise Http404
    attach_org_trails([org], lambda o: o)
    orgs = selectors.org_spending(actor, org, year)
    items = selectors.item_spending(actor, org, year)
    attach_org_trails(items, lambda r: r.item.plan.org)
    return render_form(
        request,
        "spending/plan_actual.html",
        form,
        org=org,
        org_label=org_path_label(org),
        year=year,
        orgs=orgs,
        items=items,
        classes=selectors.class_costs(actor, org, year),
    )
