"""The organiser allocates places (名额) to units."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.forms import error_text
from peixun.core.middleware import HtmxHttpRequest
from peixun.core.pickers import picker_answer

from ... import selectors
from ...forms import QuotaForm
from ...models import TrainingClass
from ...services import dispatch as services
from .common import (
    class_or_404,
    require_organiser_page,
    roster_figures,
)

# -- places per unit -----------------------------------------------------------------------------


@login_required
def quotas(request: HttpRequest, pk: int) -> HttpResponse:
    """The organiser allocates places to units below it."""
    actor = request.user
    training_class = class_or_404(request, pk)
    require_organiser_page(request, training_class)
    # Any eligible org at any depth, found by the picker's search on the server.
    form = QuotaForm(request.POST or None, orgs=selectors.quota_eligible_orgs(training_class))
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            quota = services.quota_set(
                actor=actor,
                training_class=training_class,
                org=form.cleaned_data["org"],
                places=form.cleaned_data["places"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("%(org)s now has %(n)s places.") % {"org": quota.org.name, "n": quota.places},
            )
            return redirect("training:quotas", training_class.pk)
    rows = selectors.dispatch_quotas(training_class)
    editable = training_class.state in services.QUOTA_STATES
    return render(
        request,
        "training/quotas.html",
        {
            "training_class": training_class,
            "active_tab": "roster",
            "form": form,
            "rows": rows,
            "editable": editable,
            "figures": roster_figures(training_class, rows),
        },
    )


def _quota_row_response(
    request: HtmxHttpRequest, training_class: TrainingClass, quota_pk: int, *, error: str, done: str
) -> HttpResponse:
    if request.htmx:
        row = next((r for r in selectors.dispatch_quotas(training_class) if r.pk == quota_pk), None)
        if row is None:  # removed
            # The message names the org: escaped like any template variable.
            return HttpResponse(
                format_html('<tr><td colspan="5" class="text-success small">{}</td></tr>', done)
            )
        return render(
            request,
            "training/_quota_row.html",
            {
                "training_class": training_class,
                "row": row,
                "editable": True,
                "error": error,
                "done": done,
            },
        )
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("training:quotas", training_class.pk)


@login_required
@require_POST
def quota_change(request: HtmxHttpRequest, pk: int, quota_pk: int) -> HttpResponse:
    """Change a unit's number of places (HTMX row) or remove them (`remove` in the form)."""
    actor = request.user
    training_class = class_or_404(request, pk)
    require_organiser_page(request, training_class)
    quota = selectors.quota_of_class_or_404(training_class, quota_pk)
    try:
        if request.POST.get("remove"):
            name = quota.org.name
            services.quota_remove(actor=actor, quota=quota)
            done = _("The places of %(org)s were removed.") % {"org": name}
        else:
            quota = services.quota_set(
                actor=actor,
                training_class=training_class,
                org=quota.org,
                places=request.POST.get("places"),
            )
            done = _("%(org)s now has %(n)s places.") % {"org": quota.org.name, "n": quota.places}
    except ValidationError as error:
        return _quota_row_response(
            request, training_class, quota.pk, error=error_text(error), done=""
        )
    return _quota_row_response(request, training_class, quota.pk, error="", done=done)
