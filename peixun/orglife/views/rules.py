"""The tenant's credit rule per kind of meeting: for an org admin of a tenant's root (a platform
admin chooses the tenant); 404 for everyone else, like the other settings pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peixun.core.forms import mark_invalid
from peixun.orgs.selectors import admin_tenants

from ..forms import RulesForm
from ..selectors import credit_rules
from ..services.rules import credit_rules_update


@login_required
def rules_page(request: HttpRequest) -> HttpResponse:
    tenants = admin_tenants(request.user)
    if not tenants:
        raise Http404
    chosen = request.GET.get("tenant") or request.POST.get("tenant")
    tenant = next((t for t in tenants if str(t.pk) == chosen), None) if chosen else tenants[0]
    if tenant is None:
        raise Http404
    current = credit_rules(tenant)
    initial: dict[str, Any] = {}
    for kind, credit in current.items():
        initial[f"hours_{kind}"] = credit.hours
        initial[f"concentrated_{kind}"] = credit.concentrated
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            credit_rules_update(actor=request.user, tenant=tenant, rules=form.rules())
        except ValidationError as error:
            form.add_service_errors(error.message_dict)
        else:
            messages.success(request, _("The meeting credit rules were saved."))
            return redirect(f"{request.path}?tenant={tenant.pk}")
    mark_invalid(form)
    return render(
        request,
        "orglife/rules.html",
        {
            "form": form,
            "tenant": tenant,
            "tenants": tenants,
        },
    )
