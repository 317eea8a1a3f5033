"""The tenant's evaluation settings: the response threshold and whether a class closes only
after its evaluation. Access: org admins of a tenant's root (and platform admins, who choose
the tenant with ?tenant=); everyone else 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.orgs.selectors import admin_tenant_chosen

from ..forms.pages import SurveySettingsForm
from ..selectors.results import survey_settings_of
from ..services.evaluations import survey_settings_update


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    chosen = request.GET.get("tenant") or request.POST.get("tenant")
    tenant, tenants = admin_tenant_chosen(request.user, chosen)
    form = SurveySettingsForm(request.POST or None, instance=survey_settings_of(tenant))
    if request.method == "POST" and form.is_valid():
        try:
            survey_settings_update(
                actor=request.user,
                tenant=tenant,
                min_responses=form.cleaned_data["min_responses"],
                class_close_requires_evaluation=form.cleaned_data[
                    "class_close_requires_evaluation"
                ],
            )
        except ValidationError as problem:
            add_service_errors(form, problem)  # type: ignore[arg-type]  # a ModelForm
        else:
            messages.success(request, _("Evaluation settings saved."))
            return redirect(f"{request.path}?tenant={tenant.pk}")
    mark_invalid(form)  # type: ignore[arg-type]
    return render(
        request, "surveys/settings.html", {"form": form, "tenant": tenant, "tenants": tenants}
    )
